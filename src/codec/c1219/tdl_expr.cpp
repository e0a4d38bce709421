// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/tdl_expr.h"

#include <fmt/format.h>

#include <cctype>

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Result;

namespace {
constexpr int kMaxNodes = 512;  // per expression; real ones have a handful
constexpr int kMaxDepth = 64;

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Expression environment that has nothing: used to fold constant expressions.
class NoEnv final : public ExprEnv {
 public:
  Result<const Value*> Lookup(const ExprRef& ref) override {
    return Fail(Error::Invalid(fmt::format("'{}' is not known here", ref.text)));
  }
};
}  // namespace

class ExprParser {
 public:
  ExprParser(std::string_view text, Expr& out,
             const std::function<std::optional<TableId>(std::string_view)>& table_named)
      : s_(text), out_(out), table_named_(table_named) {}

  Result<int> Parse() {
    auto n = Or();
    if (!n) return n;
    Skip();
    if (pos_ != s_.size()) return Fail(Bad(fmt::format("unexpected '{}'", s_.substr(pos_, 1))));
    return n;
  }

 private:
  Error Bad(std::string what) const {
    return Error::Invalid(fmt::format("expression '{}': {} at character {}", s_, what, pos_ + 1));
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  // Consumes `tok` (a symbol, or a keyword not followed by a name character).
  bool Eat(std::string_view tok) {
    Skip();
    if (s_.substr(pos_, tok.size()) != tok) return false;
    if (IsNameStart(tok[0]) && pos_ + tok.size() < s_.size() && IsNameChar(s_[pos_ + tok.size()])) return false;
    pos_ += tok.size();
    return true;
  }
  Result<int> Add(Expr::Op op, int64_t literal, int a, int b) {
    if (static_cast<int>(out_.nodes_.size()) >= kMaxNodes) return Fail(Bad("too long"));
    out_.nodes_.push_back({op, literal, a, b});
    return static_cast<int>(out_.nodes_.size()) - 1;
  }
  template <class Next>
  Result<int> Binary(Next next, std::initializer_list<std::pair<std::string_view, Expr::Op>> ops) {
    auto left = (this->*next)();
    if (!left) return left;
    while (true) {
      bool matched = false;
      for (auto [tok, op] : ops) {
        // "<" must not take the first character of "<=".
        if (tok.size() == 1 && (tok == "<" || tok == ">" || tok == "!" || tok == "=")) {
          Skip();
          if (pos_ + 1 < s_.size() && s_[pos_] == tok[0] && s_[pos_ + 1] == '=') continue;
        }
        if (Eat(tok)) {
          auto right = (this->*next)();
          if (!right) return right;
          left = Add(op, 0, *left, *right);
          if (!left) return left;
          matched = true;
          break;
        }
      }
      if (!matched) return left;
    }
  }
  Result<int> Or() { return Binary(&ExprParser::And, {{"||", Expr::Op::kOr}, {"or", Expr::Op::kOr}}); }
  Result<int> And() { return Binary(&ExprParser::Not, {{"&&", Expr::Op::kAnd}, {"and", Expr::Op::kAnd}}); }
  Result<int> Not() {
    if (++depth_ > kMaxDepth) return Fail(Bad("nested too deeply"));
    Result<int> r;
    Skip();
    bool bang = pos_ < s_.size() && s_[pos_] == '!' && !(pos_ + 1 < s_.size() && s_[pos_ + 1] == '=');
    if (bang) ++pos_;
    if (bang || Eat("not")) {
      auto inner = Not();
      r = inner ? Add(Expr::Op::kNot, 0, *inner, -1) : inner;
    } else {
      r = Cmp();
    }
    --depth_;
    return r;
  }
  Result<int> Cmp() {
    return Binary(&ExprParser::Sum, {{"==", Expr::Op::kEq}, {"!=", Expr::Op::kNe}, {"<=", Expr::Op::kLe},
                                     {">=", Expr::Op::kGe}, {"<", Expr::Op::kLt}, {">", Expr::Op::kGt}});
  }
  Result<int> Sum() { return Binary(&ExprParser::Prod, {{"+", Expr::Op::kAdd}, {"-", Expr::Op::kSub}}); }
  Result<int> Prod() {
    return Binary(&ExprParser::Unary, {{"*", Expr::Op::kMul}, {"/", Expr::Op::kDiv}, {"%", Expr::Op::kMod}});
  }
  Result<int> Unary() {
    if (++depth_ > kMaxDepth) return Fail(Bad("nested too deeply"));
    Result<int> r;
    if (Eat("-")) {
      auto inner = Unary();
      r = inner ? Add(Expr::Op::kNeg, 0, *inner, -1) : inner;
    } else {
      r = Primary();
    }
    --depth_;
    return r;
  }
  Result<int> Primary() {
    Skip();
    if (pos_ >= s_.size()) return Fail(Bad("expected a value"));
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = Or();
      if (!inner) return inner;
      if (!Eat(")")) return Fail(Bad("expected ')'"));
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return Number();
    if (IsNameStart(c)) return Reference();
    return Fail(Bad(fmt::format("unexpected '{}'", c)));
  }
  Result<int> Number() {
    int base = 10;
    if (s_.substr(pos_, 2) == "0x" || s_.substr(pos_, 2) == "0X") {
      base = 16;
      pos_ += 2;
    }
    int64_t v = 0;
    size_t start = pos_;
    for (; pos_ < s_.size() && std::isxdigit(static_cast<unsigned char>(s_[pos_])); ++pos_) {
      char c = s_[pos_];
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
      if (d >= base) return Fail(Bad("bad digit"));
      if (__builtin_mul_overflow(v, int64_t{base}, &v) || __builtin_add_overflow(v, d, &v)) return Fail(Bad("number too large"));
    }
    if (pos_ == start) return Fail(Bad("expected digits"));
    if (pos_ < s_.size() && IsNameChar(s_[pos_])) return Fail(Bad("bad number"));
    return Add(Expr::Op::kLit, v, -1, -1);
  }
  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  Result<int> Reference() {
    size_t start = pos_;
    std::string_view first = Name();
    if (first == "true" || first == "false") return Add(Expr::Op::kLit, first == "true" ? 1 : 0, -1, -1);
    if (first == "and" || first == "or" || first == "not") return Fail(Bad(fmt::format("unexpected '{}'", first)));
    ExprRef ref;
    ref.path.emplace_back(first);
    while (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !IsNameStart(s_[pos_])) return Fail(Bad("expected a name after '.'"));
      ref.path.emplace_back(Name());
    }
    if (ref.path.size() > 1) {
      if (auto table = table_named_(ref.path[0])) {
        ref.table = *table;
        ref.path.erase(ref.path.begin());
      }
    }
    ref.text = std::string(s_.substr(start, pos_ - start));
    if (Eat("[")) {
      auto index = Or();
      if (!index) return index;
      if (!Eat("]")) return Fail(Bad("expected ']'"));
      ref.index = *index;
    }
    out_.refs_.push_back(std::move(ref));
    return Add(Expr::Op::kRef, static_cast<int64_t>(out_.refs_.size() - 1), -1, -1);
  }

  std::string_view s_;
  Expr& out_;
  const std::function<std::optional<TableId>(std::string_view)>& table_named_;
  size_t pos_ = 0;
  int depth_ = 0;
};

Result<Expr> Expr::Parse(std::string_view text,
                         const std::function<std::optional<TableId>(std::string_view)>& table_named) {
  Expr e;
  e.text_ = std::string(text);
  ExprParser parser(text, e, table_named);
  auto root = parser.Parse();
  if (!root) return Fail(root.error());
  e.root_ = *root;
  if (e.refs_.empty()) {
    NoEnv none;
    auto v = e.Eval(none);
    if (!v) return Fail(Error::Invalid(fmt::format("expression '{}': {}", text, v.error().message)));
    e.constant_ = *v;
  }
  return e;
}

Expr Expr::Constant(int64_t value) {
  Expr e;
  e.text_ = fmt::format("{}", value);
  e.nodes_.push_back({Op::kLit, value, -1, -1});
  e.root_ = 0;
  e.constant_ = value;
  return e;
}

Result<int64_t> Expr::Eval(ExprEnv& env) const {
  if (constant_) return *constant_;
  if (root_ < 0) return Fail(Error::Invalid("empty expression"));
  return EvalNode(root_, env);
}

Result<int64_t> Expr::EvalNode(int n, ExprEnv& env) const {
  const Node& node = nodes_[static_cast<size_t>(n)];
  auto fail = [&](std::string what) { return Fail(Error::Invalid(fmt::format("expression '{}': {}", text_, what))); };
  switch (node.op) {
    case Op::kLit: return node.literal;
    case Op::kRef: {
      const ExprRef& ref = refs_[static_cast<size_t>(node.literal)];
      auto v = env.Lookup(ref);
      if (!v) return Fail(v.error());
      const Value* value = *v;
      if (ref.index >= 0) {
        auto i = EvalNode(ref.index, env);
        if (!i) return i;
        if (const BitSet* set = value->AsSet()) {
          if (*i < 0 || static_cast<uint64_t>(*i) >= set->size()) return int64_t{0};  // beyond the set: not present
          return set->Test(static_cast<size_t>(*i)) ? 1 : 0;
        }
        if (value->kind() == Value::Kind::kArray) {
          if (*i < 0 || static_cast<uint64_t>(*i) >= value->items().size()) {
            return fail(fmt::format("{}[{}] is beyond its {} items", ref.text, *i, value->items().size()));
          }
          value = &value->items()[static_cast<size_t>(*i)];
        } else {
          return fail(fmt::format("{} is neither a SET nor an array", ref.text));
        }
      }
      auto as_int = value->AsInt();
      if (!as_int) return fail(fmt::format("{} is not an integer", ref.text));
      return *as_int;
    }
    case Op::kNeg: {
      auto a = EvalNode(node.a, env);
      if (!a) return a;
      int64_t r;
      if (__builtin_sub_overflow(int64_t{0}, *a, &r)) return fail("overflow");
      return r;
    }
    case Op::kNot: {
      auto a = EvalNode(node.a, env);
      if (!a) return a;
      return *a == 0 ? 1 : 0;
    }
    case Op::kAnd:
    case Op::kOr: {
      auto a = EvalNode(node.a, env);
      if (!a) return a;
      if (node.op == Op::kAnd && *a == 0) return int64_t{0};
      if (node.op == Op::kOr && *a != 0) return int64_t{1};
      auto b = EvalNode(node.b, env);
      if (!b) return b;
      return *b != 0 ? 1 : 0;
    }
    default: break;
  }
  auto a = EvalNode(node.a, env);
  if (!a) return a;
  auto b = EvalNode(node.b, env);
  if (!b) return b;
  int64_t r = 0;
  switch (node.op) {
    case Op::kAdd:
      if (__builtin_add_overflow(*a, *b, &r)) return fail("overflow");
      return r;
    case Op::kSub:
      if (__builtin_sub_overflow(*a, *b, &r)) return fail("overflow");
      return r;
    case Op::kMul:
      if (__builtin_mul_overflow(*a, *b, &r)) return fail("overflow");
      return r;
    case Op::kDiv:
    case Op::kMod:
      if (*b == 0) return fail("division by zero");
      if (*a == INT64_MIN && *b == -1) return fail("overflow");
      return node.op == Op::kDiv ? *a / *b : *a % *b;
    case Op::kEq: return *a == *b ? 1 : 0;
    case Op::kNe: return *a != *b ? 1 : 0;
    case Op::kLt: return *a < *b ? 1 : 0;
    case Op::kLe: return *a <= *b ? 1 : 0;
    case Op::kGt: return *a > *b ? 1 : 0;
    case Op::kGe: return *a >= *b ? 1 : 0;
    default: return fail("bad operator");
  }
}

}  // namespace meterd::codec::c1219
