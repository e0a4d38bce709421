// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/c1219/tdl.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "codec/c1219/wire.h"
#include "core/error.h"

// Private to tdl_codec: one walker over a compiled table definition serves decode, encode and
// defaults. Expressions read the records in progress (innermost first; when encoding, the fields
// encoded so far) and the tables already in the TableContext. tdl_walker.cpp holds the walk,
// decode and defaults; tdl_walker_encode.cpp the encoder.
namespace meterd::codec::c1219::detail {

inline constexpr size_t kMaxItems = 1 << 22;  // elements in one table, whatever their size

std::string_view TypeName(const Element& el);
TimeType TimeTypeOf(BaseType t);
uint8_t NiFormatOf(const Element& el, const FormatControl& f);
uint64_t BitMask(const BitsDef& b);

enum class Mode : uint8_t { kDecode, kEncode, kDefault };

class Walker final : public ExprEnv {
 public:
  // `label` starts every error message ("ST23", "MP1 parameters"). `in` must outlive the walker.
  Walker(const TableContext& ctx, TableId table, std::string label, Mode mode, std::span<const uint8_t> in,
         const FormatControl& format)
      : ctx_(ctx), table_(table), label_(std::move(label)), mode_(mode), in_(in, format), out_(format),
        // Decoding, items of zero bytes (empty records, times under TM_FORMAT 0) could still
        // multiply through nested arrays: the input's size bounds what a decode may allocate.
        budget_(mode == Mode::kDecode ? std::min(kMaxItems, 65536 + 16 * in.size()) : kMaxItems) {}

  WireReader& in() { return in_; }
  WireWriter& out() { return out_; }

  // The fields of a record: decoded into `rec`, defaulted into it, or (encode) written from it,
  // which is then only read.
  core::Result<void> Top(const std::vector<Element>& body, Value& rec);
  // Prefixes the label and the path of the field being worked on (once, where it failed), and
  // makes `field` the offset.
  core::Error Annotate(const core::Error& e);
  core::Result<const Value*> Lookup(const ExprRef& ref) override;

 private:
  struct Frame {
    std::string_view name;
    int64_t index;
  };

  core::Result<void> Body(const std::vector<Element>& body, Value& rec);
  static const Value* Rest(const ExprRef& ref, const Value* v);
  static const Case* Pick(const std::vector<Case>& cases, int64_t v);
  core::Result<int64_t> Eval(const Expr& e) { return e.Eval(*this); }
  std::string Path() const;
  core::Result<size_t> Size(const Element& el);
  core::Result<void> FieldOf(const Element& el, Value& rec);
  void Remember(const Element& el, const Value& rec);
  core::Result<void> ScalarOf(const Element& el, Value& rec);
  core::Result<void> ArrayOf(const Element& el, Value& rec);
  const Element* Alternative(const Element& el, core::Result<void>& error);
  core::Result<Value> Numeric(const Element& el, Decimal d) const;
  core::Result<Value> Decode(const Element& el);
  core::Result<Value> Default(const Element& el);
  core::Error Mismatch(const Element& el, const Value& v, std::string_view expected) const;
  core::Result<int64_t> IntegerOf(const Element& el, const Value& v, bool allow_uint64, uint64_t* big);
  core::Result<Decimal> DecimalOf(const Element& el, const Value& v);
  core::Result<void> Encode(const Element& el, const Value& v);

  const TableContext& ctx_;
  TableId table_;
  std::string label_;
  Mode mode_;
  bool annotated_ = false;
  WireReader in_;
  WireWriter out_;
  size_t budget_;
  std::vector<const Value*> scopes_;
  std::vector<Frame> path_;
  std::vector<std::pair<const ExprRef*, const Value*>> cache_;
  std::vector<std::unique_ptr<Value>> shadows_;  // encode mode: what each scope has encoded so far
};

}  // namespace meterd::codec::c1219::detail
