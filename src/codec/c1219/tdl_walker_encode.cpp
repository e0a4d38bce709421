// SPDX-License-Identifier: Apache-2.0
// Encoding a value tree by its TDL definition (the walk itself: tdl_walker.cpp).
#include <fmt/format.h>

#include "codec/c1219/tdl_walker.h"

namespace meterd::codec::c1219::detail {

using core::Error;
using core::Fail;
using core::Result;

// Adds an encoded field to the innermost shadow record (arrays of records are left out: no
// expression can use them as a number).
void Walker::Remember(const Element& el, const Value& rec) {
  const Value* v = rec.Find(el.name);
  if (!v && el.default_value) v = &*el.default_value;
  if (!v) return;
  if (v->kind() == Value::Kind::kArray && !v->items().empty() && v->items()[0].kind() == Value::Kind::kRecord) return;
  const_cast<Value*>(scopes_.back())->Add(el.name, *v);
}

namespace {
std::string_view KindName(Value::Kind k) {
  switch (k) {
    case Value::Kind::kAbsent: return "nothing";
    case Value::Kind::kBool: return "a flag";
    case Value::Kind::kUint:
    case Value::Kind::kInt: return "an integer";
    case Value::Kind::kDecimal: return "a decimal";
    case Value::Kind::kQuantity: return "a quantity";
    case Value::Kind::kText: return "text";
    case Value::Kind::kDigits: return "BCD digits";
    case Value::Kind::kBytes: return "bytes";
    case Value::Kind::kSet: return "a set";
    case Value::Kind::kTime: return "a time";
    case Value::Kind::kRecord: return "a record";
    case Value::Kind::kArray: return "an array";
  }
  return "?";
}
}  // namespace

Error Walker::Mismatch(const Element& el, const Value& v, std::string_view expected) const {
  std::string got = v.kind() == Value::Kind::kQuantity ? v.AsQuantity()->ToString() : std::string(KindName(v.kind()));
  return Error::Invalid(fmt::format("{}: expected {}, got {}", TypeName(el), expected, got));
}

// An integer for a UINT/INT field: plain integers, or a quantity in the field's unit.
Result<int64_t> Walker::IntegerOf(const Element& el, const Value& v, bool allow_uint64, uint64_t* big) {
  if (const core::Quantity* q = v.AsQuantity()) {
    if (!el.unit || q->unit != *el.unit) return Fail(Mismatch(el, v, "a quantity in the field's unit"));
    auto r = q->Rescaled(el.scale);
    if (!r) return Fail(Error{core::ErrorCode::kOutOfRange, fmt::format("{}: {}", TypeName(el), r.error().message), {}});
    return r->value;
  }
  if (allow_uint64 && v.kind() == Value::Kind::kUint) {
    *big = v.AsUint();
    return int64_t{-1};
  }
  auto i = v.AsInt();
  if (!i) return Fail(Mismatch(el, v, "an integer"));
  return *i;
}

Result<Decimal> Walker::DecimalOf(const Element& el, const Value& v) {
  if (const core::Quantity* q = v.AsQuantity()) {
    if (!el.unit || q->unit != *el.unit) return Fail(Mismatch(el, v, "a quantity in the field's unit"));
    int scale = q->scale - el.scale;
    if (scale < -128 || scale > 127) return Fail(Mismatch(el, v, "a smaller scale"));
    return Decimal{q->value, static_cast<int8_t>(scale)};
  }
  if (const Decimal* d = v.AsDecimal()) return *d;
  auto i = v.AsInt();
  if (!i) return Fail(Mismatch(el, v, "a number"));
  return Decimal{*i, 0};
}

Result<void> Walker::Encode(const Element& el, const Value& v) {
  std::string_view what = TypeName(el);
  switch (el.type) {
    case BaseType::kUint: {
      uint64_t big = 0;
      auto i = IntegerOf(el, v, true, &big);
      if (!i) return Fail(i.error());
      if (*i == -1 && v.kind() == Value::Kind::kUint) return out_.Uint(big, el.width, what);
      if (*i < 0) return Fail(out_.ErrorHere(fmt::format("{}: {} is negative", what, *i)));
      return out_.Uint(static_cast<uint64_t>(*i), el.width, what);
    }
    case BaseType::kInt: {
      auto i = IntegerOf(el, v, false, nullptr);
      if (!i) return Fail(i.error());
      return out_.Int(*i, el.width, what);
    }
    case BaseType::kBool: {
      auto i = v.AsInt();
      if (!i || *i < 0 || *i > 1) return Fail(Mismatch(el, v, "true or false"));
      return out_.Uint(static_cast<uint64_t>(*i), 1, what);
    }
    case BaseType::kFill:
    case BaseType::kBinary:
    case BaseType::kSet: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      std::vector<uint8_t> data;
      if (const BitSet* s = v.AsSet()) {
        data = s->octets;
        for (size_t i = *n; i < data.size(); ++i) {
          if (data[i]) return Fail(out_.ErrorHere(fmt::format("SET: element beyond its {} octets", *n)));
        }
        data.resize(*n, 0);
      } else if (const std::vector<uint8_t>* b = v.AsBytes()) {
        data = *b;
      } else {
        return Fail(Mismatch(el, v, el.type == BaseType::kSet ? "a set" : "bytes"));
      }
      if (data.size() != *n) return Fail(out_.ErrorHere(fmt::format("{}: expected {} bytes, got {}", what, *n, data.size())));
      out_.Append(data);
      return {};
    }
    case BaseType::kChar: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      const std::string* s = v.AsText();
      if (!s) return Fail(Mismatch(el, v, "text"));
      return WriteChars(out_, *s, *n, what);
    }
    case BaseType::kBcd: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      const std::string* s = v.AsDigits();
      if (!s) return Fail(Mismatch(el, v, "BCD digits"));
      return WriteBcd(out_, *s, *n, what);
    }
    case BaseType::kNiFmat1:
    case BaseType::kNiFmat2:
    case BaseType::kFloat32:
    case BaseType::kFloat64: {
      auto d = DecimalOf(el, v);
      if (!d) return Fail(d.error());
      return WriteNi(out_, NiFormatOf(el, out_.format()), *d, what);
    }
    case BaseType::kStimeDate:
    case BaseType::kLtimeDate:
    case BaseType::kHtimeDate:
    case BaseType::kDate:
    case BaseType::kTime: {
      if (v.kind() == Value::Kind::kAbsent && out_.format().tm_format == 0) return {};
      const TimeDate* t = v.AsTime();
      if (!t) return Fail(Mismatch(el, v, "a time"));
      return WriteTime(out_, TimeTypeOf(el.type), *t, what);
    }
    case BaseType::kRecord: {
      if (v.kind() != Value::Kind::kRecord) return Fail(Mismatch(el, v, "a record"));
      // In encode mode the walker only reads the record.
      return Top(el.record_body(), const_cast<Value&>(v));
    }
    case BaseType::kBitfield: {
      if (v.kind() != Value::Kind::kRecord) return Fail(Mismatch(el, v, "a record of bits"));
      uint64_t raw = 0, covered = 0;
      for (const BitsDef& b : el.bitfield_bits()) {
        uint64_t mask = BitMask(b);
        covered |= mask;
        const Value* bv = v.Find(b.name);
        int64_t x = b.default_value;
        if (bv) {
          auto i = bv->AsInt();
          if (!i) return Fail(Error::Invalid(fmt::format("{}: expected an integer", b.name)));
          x = *i;
        }
        unsigned n = b.to - b.from + 1u;
        bool fits = b.kind == BitsDef::Kind::kInt
                        ? (n >= 64 || (x >= -(int64_t{1} << (n - 1)) && x < (int64_t{1} << (n - 1))))
                        : (x >= 0 && (n >= 64 || static_cast<uint64_t>(x) < (uint64_t{1} << n)));
        if (!fits) return Fail(out_.ErrorHere(fmt::format("{}: {} does not fit {} bit{}", b.name, x, n, n == 1 ? "" : "s")));
        raw |= (static_cast<uint64_t>(x) << b.from) & mask;
      }
      if (const Value* fill = v.Find("_FILL")) raw |= fill->AsUint() & ~covered;
      return out_.Uint(raw, el.bitfield_width(), what);
    }
    case BaseType::kChoice: {
      Result<void> error;
      const Element* alt = Alternative(el, error);
      if (!alt) return error;
      return Encode(*alt, v);
    }
  }
  return Fail(Error::Internal("bad element"));
}

}  // namespace meterd::codec::c1219::detail
