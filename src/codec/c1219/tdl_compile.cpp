// SPDX-License-Identifier: Apache-2.0
// TdlDocument -> Tdl: every element and attribute is checked here, so the codec can trust the
// model. docs/formats/tdl.md lists what is accepted. Lexical helpers: tdl_syntax.h.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>

#include "codec/c1219/tdl.h"
#include "codec/c1219/tdl_syntax.h"

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Result;


namespace {

using syntax::Builtin;
using syntax::FindBuiltin;
using syntax::IsNumeric;
using syntax::ParseInt;
using syntax::SplitList;
using syntax::ValidName;

// Every element tag may carry these; the rest are per tag.
bool Allowed(const TdlNode& n, std::initializer_list<std::string_view> names, Error* error) {
  for (const auto& [k, v] : n.attributes) {
    if (k == "description") continue;
    if (std::find(names.begin(), names.end(), k) == names.end()) {
      *error = n.ErrorHere(fmt::format("<{}>: unknown attribute '{}'", n.tag, k));
      return false;
    }
  }
  return true;
}

}  // namespace

class TdlCompiler {
 public:
  static Result<Tdl> Run(const TdlDocument& document) {
    Tdl tdl;
    tdl.document_ = document;
    TdlCompiler compiler(tdl);
    if (auto r = compiler.Compile(document.root); !r) return Fail(r.error());
    return tdl;
  }

 private:
  explicit TdlCompiler(Tdl& tdl) : tdl_(tdl) {}

  Result<void> Compile(const TdlNode& root) {
    Error e;
    if (root.tag != "tdl") return Fail(root.ErrorHere(fmt::format("expected <tdl>, got <{}>", root.tag)));
    if (!Allowed(root, {"name", "version", "base"}, &e)) return Fail(e);
    const std::string* name = root.Attr("name");
    if (!name || name->empty()) return Fail(root.ErrorHere("<tdl>: expected a name"));
    tdl_.name_ = *name;
    // Pass 1: names of tables and types, so definitions may refer to later ones.
    for (const TdlNode& c : root.children) {
      if (c.tag == "table") {
        if (auto r = DeclareTable(c); !r) return r;
      } else if (c.tag == "type") {
        if (auto r = DeclareType(c); !r) return r;
      } else if (c.tag != "procedure" && c.tag != "source") {
        return Fail(c.ErrorHere(fmt::format("<tdl>: expected <table>, <type>, <procedure> or <source>, got <{}>", c.tag)));
      }
    }
    // Pass 2: bodies.
    size_t table = 0, type = 0;
    for (const TdlNode& c : root.children) {
      Result<void> r;
      if (c.tag == "table") {
        current_table_ = &tdl_.tables_[table];
        r = Body(c.children, tdl_.tables_[table++].body);
        current_table_ = nullptr;
      } else if (c.tag == "type") {
        r = TypeBody(c, *tdl_.types_[type++]);
      } else if (c.tag == "procedure") {
        r = Procedure(c);
      } else {
        r = Source(c);
      }
      if (!r) return r;
    }
    if (auto r = CheckReferences(); !r) return r;
    return CheckCycles();
  }

  Result<void> DeclareTable(const TdlNode& n) {
    Error e;
    if (!Allowed(n, {"id", "name"}, &e)) return Fail(e);
    const std::string* id = n.Attr("id");
    const std::string* name = n.Attr("name");
    if (!id) return Fail(n.ErrorHere("<table>: expected an id (ST<n> or MT<n>)"));
    auto parsed = ParseTableId(*id);
    if (!parsed) return Fail(n.ErrorHere(fmt::format("<table>: {}", parsed.error().message)));
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere("<table>: expected a name of letters, digits and '_'"));
    for (const TableDef& t : tdl_.tables_) {
      if (t.id == *parsed || t.name == *name) {
        return Fail(n.ErrorHere(fmt::format("table {} ({}) is already defined at {}", *id, *name, t.where)));
      }
    }
    TableDef t;
    t.id = *parsed;
    t.name = *name;
    t.where = n.Where();
    tdl_.tables_.push_back(std::move(t));
    return {};
  }

  Result<void> DeclareType(const TdlNode& n) {
    const std::string* name = n.Attr("name");
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere("<type>: expected a name of letters, digits and '_'"));
    if (FindBuiltin(*name)) return Fail(n.ErrorHere(fmt::format("<type>: '{}' is a built-in type", *name)));
    if (tdl_.Type(*name)) return Fail(n.ErrorHere(fmt::format("type '{}' is already defined at {}", *name, tdl_.Type(*name)->where)));
    auto t = std::make_unique<TypeDef>();
    t->name = *name;
    t->where = n.Where();
    t->kind = n.Attr("base") ? BaseType::kBitfield : n.Attr("select") ? BaseType::kChoice : BaseType::kRecord;
    tdl_.types_.push_back(std::move(t));
    return {};
  }

  std::optional<TableId> TableNamed(std::string_view key) const {
    if (const TableDef* t = tdl_.TableNamed(key)) return t->id;
    return std::nullopt;
  }

  Result<Expr> ParseExpr(const TdlNode& n, std::string_view attr, std::string_view text) {
    auto e = Expr::Parse(text, [this](std::string_view k) { return TableNamed(k); });
    if (!e) return Fail(n.ErrorHere(fmt::format("{}: {}", attr, e.error().message)));
    for (const ExprRef& ref : e->refs()) {
      checks_.push_back({ref.table ? *ref.table : std::optional<TableId>(), ref.path, n.Where(), current_table_,
                         std::string(attr)});
    }
    return e;
  }

  Result<BitsDef> Bits(const TdlNode& n, uint8_t width, std::vector<bool>& used) {
    Error e;
    if (n.tag != "bits") return Fail(n.ErrorHere(fmt::format("expected <bits>, got <{}>", n.tag)));
    if (!Allowed(n, {"name", "from", "to", "bit", "type", "default"}, &e)) return Fail(e);
    BitsDef b;
    b.where = n.Where();
    const std::string* name = n.Attr("name");
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere("<bits>: expected a name"));
    b.name = *name;
    std::optional<int64_t> from, to;
    if (const std::string* bit = n.Attr("bit")) {
      from = to = ParseInt(*bit);
    } else {
      if (n.Attr("from")) from = ParseInt(*n.Attr("from"));
      if (n.Attr("to")) to = ParseInt(*n.Attr("to"));
    }
    if (!from || !to || *from < 0 || *to < *from || *to >= width * 8) {
      return Fail(n.ErrorHere(fmt::format("<bits> {}: expected bit or from..to within 0..{}", b.name, width * 8 - 1)));
    }
    b.from = static_cast<uint8_t>(*from);
    b.to = static_cast<uint8_t>(*to);
    for (int i = b.from; i <= b.to; ++i) {
      if (used[static_cast<size_t>(i)]) return Fail(n.ErrorHere(fmt::format("<bits> {}: bit {} is already used", b.name, i)));
      used[static_cast<size_t>(i)] = true;
    }
    std::string type = n.Attr("type") ? *n.Attr("type") : (b.from == b.to ? "BOOL" : "UINT");
    if (type == "BOOL" && b.from == b.to) {
      b.kind = BitsDef::Kind::kBool;
    } else if (type == "UINT") {
      b.kind = BitsDef::Kind::kUint;
    } else if (type == "INT" && b.to > b.from) {
      b.kind = BitsDef::Kind::kInt;
    } else {
      return Fail(n.ErrorHere(fmt::format("<bits> {}: type must be UINT, INT (2+ bits) or BOOL (1 bit)", b.name)));
    }
    if (const std::string* d = n.Attr("default")) {
      auto v = *d == "true" ? std::optional<int64_t>(1) : *d == "false" ? std::optional<int64_t>(0) : ParseInt(*d);
      if (!v) return Fail(n.ErrorHere(fmt::format("<bits> {}: bad default '{}'", b.name, *d)));
      b.default_value = *v;
    }
    return b;
  }

  Result<std::vector<BitsDef>> BitsList(const std::vector<TdlNode>& nodes, uint8_t width) {
    std::vector<bool> used(width * 8u, false);
    std::vector<BitsDef> out;
    for (const TdlNode& c : nodes) {
      auto b = Bits(c, width, used);
      if (!b) return Fail(b.error());
      for (const BitsDef& other : out) {
        if (other.name == b->name) return Fail(c.ErrorHere(fmt::format("<bits> {} is already defined", b->name)));
      }
      out.push_back(std::move(*b));
    }
    return out;
  }

  Result<uint8_t> UnsignedWidth(const TdlNode& n, std::string_view type) {
    const Builtin* b = FindBuiltin(type);
    if (!b || b->type != BaseType::kUint) return Fail(n.ErrorHere(fmt::format("a bit field is a UINT8..UINT64, not '{}'", type)));
    return b->width;
  }

  // A field's type, size, unit and default (also used for choice alternatives).
  Result<void> FieldType(const TdlNode& n, Element& el) {
    const std::string* type = n.Attr("type");
    if (!type) return Fail(n.ErrorHere(fmt::format("<{}>: expected a type", n.tag)));
    const Builtin* b = FindBuiltin(*type);
    const std::string* size = n.Attr("size");
    if (b) {
      el.type = b->type;
      el.width = b->width;
      if (b->sized && !size) return Fail(n.ErrorHere(fmt::format("<{}>: {} needs a size", n.tag, *type)));
      if (!b->sized && size) return Fail(n.ErrorHere(fmt::format("<{}>: {} takes no size", n.tag, *type)));
      if (size) {
        auto e = ParseExpr(n, "size", *size);
        if (!e) return Fail(e.error());
        el.size = std::move(*e);
      }
    } else {
      const TypeDef* user = tdl_.Type(*type);
      if (!user) return Fail(n.ErrorHere(fmt::format("<{}>: unknown type '{}'", n.tag, *type)));
      if (size) return Fail(n.ErrorHere(fmt::format("<{}>: type {} takes no size", n.tag, *type)));
      el.type = user->kind;
      el.user = user;
    }
    if (const std::string* unit = n.Attr("unit")) {
      if (!IsNumeric(el.type)) return Fail(n.ErrorHere(fmt::format("<{}>: only numbers have a unit", n.tag)));
      auto u = core::ParseUnit(*unit);
      if (!u) return Fail(n.ErrorHere(fmt::format("<{}>: unknown unit '{}'", n.tag, *unit)));
      el.unit = *u;
    }
    if (const std::string* scale = n.Attr("scale")) {
      auto s = ParseInt(*scale);
      if (!el.unit || !s || *s < -18 || *s > 18) return Fail(n.ErrorHere(fmt::format("<{}>: scale needs a unit and -18..18", n.tag)));
      el.scale = static_cast<int8_t>(*s);
    }
    if (const std::string* d = n.Attr("default")) {
      auto v = DefaultValue(n, el, *d);
      if (!v) return Fail(v.error());
      el.default_value = std::move(*v);
    }
    return {};
  }

  Result<Value> DefaultValue(const TdlNode& n, const Element& el, const std::string& text) {
    auto bad = [&] { return Fail(n.ErrorHere(fmt::format("<{}>: bad default '{}' for its type", n.tag, text))); };
    switch (el.type) {
      case BaseType::kBool:
        if (text != "true" && text != "false") return bad();
        return Value::Bool(text == "true");
      case BaseType::kUint: {
        auto v = ParseInt(text);
        if (!v || *v < 0) return bad();
        return el.unit ? Value::Measured({*v, el.scale, *el.unit}) : Value::Uint(static_cast<uint64_t>(*v));
      }
      case BaseType::kInt: {
        auto v = ParseInt(text);
        if (!v) return bad();
        return el.unit ? Value::Measured({*v, el.scale, *el.unit}) : Value::Int(*v);
      }
      case BaseType::kChar: return Value::Chars(text);
      case BaseType::kBcd:
        if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return bad();
        return Value::Bcd(text);
      case BaseType::kBinary:
      case BaseType::kFill: {
        if (text.size() % 2) return bad();
        std::vector<uint8_t> bytes;
        for (size_t i = 0; i < text.size(); i += 2) {
          auto v = ParseInt("0x" + text.substr(i, 2));
          if (!v) return bad();
          bytes.push_back(static_cast<uint8_t>(*v));
        }
        return Value::Binary(std::move(bytes));
      }
      case BaseType::kSet: {
        BitSet set;
        for (std::string_view item : SplitList(text)) {
          auto v = ParseInt(item);
          if (!v || *v < 0 || *v > 65535) return bad();
          set.Assign(static_cast<size_t>(*v), true);
        }
        return Value::Set(std::move(set));
      }
      case BaseType::kNiFmat1:
      case BaseType::kNiFmat2:
      case BaseType::kFloat32:
      case BaseType::kFloat64: {
        auto q = core::Quantity::Parse(text);
        if (!q || q->unit != core::Unit::kNone) return bad();
        if (el.unit) return Value::Measured({q->value, q->scale, *el.unit});
        return Value::Number({q->value, q->scale});
      }
      default: return Fail(n.ErrorHere(fmt::format("<{}>: this type takes no default", n.tag)));
    }
  }

  Result<void> Body(const std::vector<TdlNode>& nodes, std::vector<Element>& out) {
    std::set<std::string> unconditional;
    std::set<std::string> conditional;
    for (const TdlNode& n : nodes) {
      auto el = ElementOf(n);
      if (!el) return Fail(el.error());
      std::vector<std::string> names;
      CollectNames(*el, names);
      bool is_conditional = el->kind != Element::Kind::kField || !el->test.empty();
      for (const std::string& name : names) {
        if (unconditional.count(name) || (!is_conditional && conditional.count(name))) {
          return Fail(n.ErrorHere(fmt::format("field '{}' is already defined in this record", name)));
        }
        (is_conditional ? conditional : unconditional).insert(name);
      }
      out.push_back(std::move(*el));
    }
    return {};
  }

  static void CollectNames(const Element& el, std::vector<std::string>& names) {
    if (el.kind == Element::Kind::kField) {
      names.push_back(el.name);
      return;
    }
    for (const Element& c : el.children) CollectNames(c, names);
    for (const Case& c : el.cases) {
      for (const Element& b : c.body) CollectNames(b, names);
    }
  }

  Result<Element> ElementOf(const TdlNode& n) {
    Error e;
    Element el;
    el.where = n.Where();
    if (n.tag == "if") {
      if (!Allowed(n, {"test"}, &e)) return Fail(e);
      el.kind = Element::Kind::kIf;
      if (!n.Attr("test")) return Fail(n.ErrorHere("<if>: expected a test"));
      auto t = ParseExpr(n, "test", *n.Attr("test"));
      if (!t) return Fail(t.error());
      el.test = std::move(*t);
      if (auto r = Body(n.children, el.children); !r) return Fail(r.error());
      return el;
    }
    if (n.tag == "switch") {
      if (!Allowed(n, {"on"}, &e)) return Fail(e);
      el.kind = Element::Kind::kSwitch;
      if (!n.Attr("on")) return Fail(n.ErrorHere("<switch>: expected on"));
      auto t = ParseExpr(n, "on", *n.Attr("on"));
      if (!t) return Fail(t.error());
      el.test = std::move(*t);
      for (const TdlNode& c : n.children) {
        auto cs = CaseOf(c, [&](const TdlNode& node, Case& out) { return Body(node.children, out.body); });
        if (!cs) return Fail(cs.error());
        el.cases.push_back(std::move(*cs));
      }
      return el;
    }
    bool ok = n.tag == "field"      ? Allowed(n, {"name", "type", "size", "count", "if", "default", "unit", "scale"}, &e)
              : n.tag == "record"   ? Allowed(n, {"name", "count", "if"}, &e)
              : n.tag == "bitfield" ? Allowed(n, {"name", "type", "count", "if"}, &e)
                                    : false;
    if (!ok) {
      if (n.tag != "field" && n.tag != "record" && n.tag != "bitfield") {
        return Fail(n.ErrorHere(fmt::format("expected <field>, <record>, <bitfield>, <if> or <switch>, got <{}>", n.tag)));
      }
      return Fail(e);
    }
    const std::string* name = n.Attr("name");
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere(fmt::format("<{}>: expected a name of letters, digits and '_'", n.tag)));
    el.name = *name;
    if (const std::string* count = n.Attr("count")) {
      auto c = ParseExpr(n, "count", *count);
      if (!c) return Fail(c.error());
      el.count = std::move(*c);
    }
    if (const std::string* test = n.Attr("if")) {
      auto t = ParseExpr(n, "if", *test);
      if (!t) return Fail(t.error());
      el.test = std::move(*t);
    }
    if (n.tag == "field") {
      if (!n.children.empty()) return Fail(n.ErrorHere("<field>: expected no children"));
      if (auto r = FieldType(n, el); !r) return Fail(r.error());
    } else if (n.tag == "record") {
      el.type = BaseType::kRecord;
      if (auto r = Body(n.children, el.children); !r) return Fail(r.error());
    } else {
      el.type = BaseType::kBitfield;
      auto w = UnsignedWidth(n, n.Attr("type") ? *n.Attr("type") : "");
      if (!w) return Fail(w.error());
      el.width = *w;
      auto bits = BitsList(n.children, el.width);
      if (!bits) return Fail(bits.error());
      el.bits = std::move(*bits);
    }
    return el;
  }

  template <class BodyFn>
  Result<Case> CaseOf(const TdlNode& c, BodyFn body, std::string_view case_tag = "case",
                      std::string_view default_tag = "default") {
    Error e;
    Case out;
    if (c.tag == case_tag) {
      const std::string* values = c.Attr("value");
      if (!values) return Fail(c.ErrorHere(fmt::format("<{}>: expected value", case_tag)));
      for (std::string_view v : SplitList(*values)) {
        auto i = ParseInt(v);
        if (!i) return Fail(c.ErrorHere(fmt::format("<{}>: '{}' is not an integer", case_tag, v)));
        out.values.push_back(*i);
      }
      if (out.values.empty()) return Fail(c.ErrorHere(fmt::format("<{}>: expected value", case_tag)));
    } else if (c.tag != default_tag) {
      return Fail(c.ErrorHere(fmt::format("expected <{}> or <{}>, got <{}>", case_tag, default_tag, c.tag)));
    }
    if (auto r = body(c, out); !r) return Fail(r.error());
    return out;
  }

  Result<void> TypeBody(const TdlNode& n, TypeDef& t) {
    Error e;
    if (t.kind == BaseType::kBitfield) {
      if (!Allowed(n, {"name", "base"}, &e)) return Fail(e);
      auto w = UnsignedWidth(n, *n.Attr("base"));
      if (!w) return Fail(w.error());
      t.width = *w;
      auto bits = BitsList(n.children, t.width);
      if (!bits) return Fail(bits.error());
      t.bits = std::move(*bits);
      return {};
    }
    if (t.kind == BaseType::kChoice) {
      if (!Allowed(n, {"name", "select"}, &e)) return Fail(e);
      auto s = ParseExpr(n, "select", *n.Attr("select"));
      if (!s) return Fail(s.error());
      t.select = std::move(*s);
      for (const TdlNode& c : n.children) {
        auto cs = CaseOf(
            c,
            [&](const TdlNode& node, Case& out) -> Result<void> {
              Error err;
              if (!Allowed(node, {"value", "type", "size", "unit", "scale"}, &err)) return Fail(err);
              if (!node.children.empty()) return Fail(node.ErrorHere("expected no children"));
              Element alt;
              alt.where = node.Where();
              if (auto r = FieldType(node, alt); !r) return r;
              out.body.push_back(std::move(alt));
              return {};
            },
            "when", "otherwise");
        if (!cs) return Fail(cs.error());
        t.choices.push_back(std::move(*cs));
      }
      if (t.choices.empty()) return Fail(n.ErrorHere("<type>: a choice needs at least one <when>"));
      return {};
    }
    if (!Allowed(n, {"name"}, &e)) return Fail(e);
    return Body(n.children, t.body);
  }

  Result<void> Procedure(const TdlNode& n) {
    Error e;
    if (!Allowed(n, {"id", "name"}, &e)) return Fail(e);
    ProcedureDef p;
    p.where = n.Where();
    const std::string* id = n.Attr("id");
    if (!id) return Fail(n.ErrorHere("<procedure>: expected an id (SP<n> or MP<n>)"));
    auto parsed = ParseProcedureId(*id);
    if (!parsed) return Fail(n.ErrorHere(fmt::format("<procedure>: {}", parsed.error().message)));
    p.id = *parsed;
    if (tdl_.Procedure(p.id)) return Fail(n.ErrorHere(fmt::format("procedure {} is already defined", *id)));
    const std::string* name = n.Attr("name");
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere("<procedure>: expected a name"));
    p.name = *name;
    for (const TdlNode& c : n.children) {
      if (c.tag != "params" && c.tag != "response") {
        return Fail(c.ErrorHere(fmt::format("<procedure>: expected <params> or <response>, got <{}>", c.tag)));
      }
      if (!Allowed(c, {}, &e)) return Fail(e);
      if (auto r = Body(c.children, c.tag == "params" ? p.params : p.response); !r) return r;
    }
    tdl_.procedures_.push_back(std::move(p));
    return {};
  }

  Result<void> Source(const TdlNode& n) {
    Error e;
    if (!Allowed(n, {"index", "name", "unit", "scale"}, &e)) return Fail(e);
    SourceDef s;
    s.where = n.Where();
    auto index = n.Attr("index") ? ParseInt(*n.Attr("index")) : std::nullopt;
    if (!index || *index < 0 || *index > 65535) return Fail(n.ErrorHere("<source>: expected an index 0..65535"));
    s.index = static_cast<uint16_t>(*index);
    if (tdl_.Source(s.index)) return Fail(n.ErrorHere(fmt::format("source {} is already defined", s.index)));
    const std::string* name = n.Attr("name");
    if (!name || !ValidName(*name)) return Fail(n.ErrorHere("<source>: expected a name"));
    s.name = *name;
    const std::string* unit = n.Attr("unit");
    if (!unit) return Fail(n.ErrorHere("<source>: expected a unit"));
    s.symbol = *unit;
    auto u = core::ParseUnit(*unit);
    if (!u || *u == core::Unit::kNone) return Fail(n.ErrorHere(fmt::format("<source>: unknown unit '{}'", *unit)));
    s.unit = *u;
    if (const std::string* scale = n.Attr("scale")) {
      auto v = ParseInt(*scale);
      if (!v || *v < -18 || *v > 18) return Fail(n.ErrorHere("<source>: scale must be -18..18"));
      s.scale = static_cast<int8_t>(*v);
    }
    tdl_.sources_.push_back(std::move(s));
    return {};
  }

  // Whether a table or type body defines `name` anywhere (fields, bits, nested records).
  static bool Defines(const std::vector<Element>& body, std::string_view name, int depth = 0) {
    if (depth > 32) return false;
    for (const Element& el : body) {
      if (el.kind == Element::Kind::kField && el.name == name) return true;
      for (const BitsDef& b : el.bitfield_bits()) {
        if (el.kind == Element::Kind::kField && (el.type == BaseType::kBitfield) && b.name == name) return true;
      }
      if (el.kind == Element::Kind::kField && el.type == BaseType::kRecord && Defines(el.record_body(), name, depth + 1)) return true;
      if (Defines(el.children, name, depth + 1)) return true;
      for (const Case& c : el.cases) {
        if (Defines(c.body, name, depth + 1)) return true;
      }
    }
    return false;
  }

  Result<void> CheckReferences() {
    for (const Check& c : checks_) {
      const TableDef* table = c.table ? tdl_.Table(*c.table) : c.in_table;
      if (!table) continue;  // a local name in a type: resolved where the type is used
      for (const std::string& step : c.path) {
        if (!Defines(table->body, step)) {
          std::string where = c.where;
          return Fail(Error::Invalid(fmt::format("{}: {} refers to '{}', which table {} ({}) does not define", where,
                                                 c.attr, step, TableIdName(table->id), table->name),
                                     where));
        }
      }
    }
    return {};
  }

  Result<void> CheckCycles() {
    std::vector<const TypeDef*> stack;
    std::function<Result<void>(const TypeDef*)> visit = [&](const TypeDef* t) -> Result<void> {
      if (std::find(stack.begin(), stack.end(), t) != stack.end()) {
        return Fail(Error::Invalid(fmt::format("{}: type '{}' contains itself", t->where, t->name), t->where));
      }
      stack.push_back(t);
      std::function<Result<void>(const std::vector<Element>&)> walk = [&](const std::vector<Element>& body) -> Result<void> {
        for (const Element& el : body) {
          if (el.user) {
            if (auto r = visit(el.user); !r) return r;
          }
          if (auto r = walk(el.children); !r) return r;
          for (const Case& c : el.cases) {
            if (auto r = walk(c.body); !r) return r;
          }
        }
        return {};
      };
      if (auto r = walk(t->body); !r) return r;
      for (const Case& c : t->choices) {
        if (auto r = walk(c.body); !r) return r;
      }
      stack.pop_back();
      return {};
    };
    for (const auto& t : tdl_.types_) {
      if (auto r = visit(t.get()); !r) return r;
    }
    return {};
  }

  struct Check {
    std::optional<TableId> table;
    std::vector<std::string> path;
    std::string where;
    const TableDef* in_table;
    std::string attr;
  };

  Tdl& tdl_;
  const TableDef* current_table_ = nullptr;
  std::vector<Check> checks_;
};

Result<Tdl> CompileTdl(const TdlDocument& document) { return TdlCompiler::Run(document); }



}  // namespace meterd::codec::c1219
