// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/table_id.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Integer expressions of the TDL: array counts, sizes, `if` tests and `switch` selectors.
//   expr := or;  or := and {("or"|"||") and};  and := not {("and"|"&&") not};
//   not := ("not"|"!") not | cmp;  cmp := sum [("=="|"!="|"<"|"<="|">"|">=") sum];
//   sum := prod {("+"|"-") prod};  prod := unary {("*"|"/"|"%") unary};
//   unary := "-" unary | primary;  primary := number | "true" | "false" | ref | "(" expr ")";
//   ref := name {"." name} ["[" expr "]"]
// Numbers are decimal or 0x hex. A reference whose first name is a table (its name, as
// ACT_LP_TBL, or id, as ST61) reads that table; otherwise it names a field of the table being
// decoded, looked up from the innermost record outwards. `[i]` picks bit i of a SET or item i of
// an array. Booleans are 1 and 0. Arithmetic is int64 and refuses overflow and division by zero.
namespace meterd::codec::c1219 {

struct ExprRef {
  std::optional<TableId> table;   // set for TABLE.FIELD references
  std::vector<std::string> path;  // field names, at least one
  int index = -1;                 // node of the [index] expression, or -1
  std::string text;               // as written, for messages
};

// Resolves references while evaluating.
class ExprEnv {
 public:
  virtual ~ExprEnv() = default;
  // The value `ref` names (before any [index]); an error says why it is not there.
  virtual core::Result<const Value*> Lookup(const ExprRef& ref) = 0;
};

class Expr {
 public:
  Expr() = default;
  // `table_named` maps a first name to a table id when it names a table of the TDL.
  static core::Result<Expr> Parse(std::string_view text,
                                  const std::function<std::optional<TableId>(std::string_view)>& table_named);
  static Expr Constant(int64_t value);

  bool empty() const { return nodes_.empty(); }
  const std::string& text() const { return text_; }
  const std::vector<ExprRef>& refs() const { return refs_; }
  std::optional<int64_t> constant() const { return constant_; }

  core::Result<int64_t> Eval(ExprEnv& env) const;

 private:
  enum class Op : uint8_t { kLit, kRef, kNeg, kNot, kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr };
  struct Node {
    Op op = Op::kLit;
    int64_t literal = 0;  // kLit; the ref number for kRef
    int a = -1, b = -1;
  };
  friend class ExprParser;
  core::Result<int64_t> EvalNode(int n, ExprEnv& env) const;

  std::string text_;
  std::vector<Node> nodes_;
  std::vector<ExprRef> refs_;
  int root_ = -1;
  std::optional<int64_t> constant_;
};

}  // namespace meterd::codec::c1219
