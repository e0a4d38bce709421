// SPDX-License-Identifier: Apache-2.0
// The walk over a compiled TDL definition: decode and defaults (encode: tdl_walker_encode.cpp).
#include "codec/c1219/tdl_walker.h"

#include <fmt/format.h>

#include <algorithm>

namespace meterd::codec::c1219::detail {

using core::Error;
using core::Fail;
using core::Result;

std::string_view TypeName(const Element& el) {
  static constexpr std::string_view kUint[] = {"UINT8", "UINT16", "UINT24", "UINT32", "UINT40", "UINT48", "UINT64", "UINT64"};
  static constexpr std::string_view kInt[] = {"INT8", "INT16", "INT24", "INT32", "INT40", "INT48", "INT64", "INT64"};
  if (el.user) return el.user->name;
  switch (el.type) {
    case BaseType::kUint: return kUint[(el.width - 1) & 7];
    case BaseType::kInt: return kInt[(el.width - 1) & 7];
    case BaseType::kBool: return "BOOL";
    case BaseType::kFill: return "FILL";
    case BaseType::kChar: return "CHAR";
    case BaseType::kBinary: return "BINARY";
    case BaseType::kBcd: return "BCD";
    case BaseType::kSet: return "SET";
    case BaseType::kNiFmat1: return "NI_FMAT1";
    case BaseType::kNiFmat2: return "NI_FMAT2";
    case BaseType::kFloat32: return "FLOAT32";
    case BaseType::kFloat64: return "FLOAT64";
    case BaseType::kStimeDate: return "STIME_DATE";
    case BaseType::kLtimeDate: return "LTIME_DATE";
    case BaseType::kHtimeDate: return "HTIME_DATE";
    case BaseType::kDate: return "DATE";
    case BaseType::kTime: return "TIME";
    case BaseType::kRecord: return "record";
    case BaseType::kBitfield: return "bit field";
    case BaseType::kChoice: return "choice";
  }
  return "?";
}

TimeType TimeTypeOf(BaseType t) {
  switch (t) {
    case BaseType::kStimeDate: return TimeType::kStimeDate;
    case BaseType::kLtimeDate: return TimeType::kLtimeDate;
    case BaseType::kHtimeDate: return TimeType::kHtimeDate;
    case BaseType::kDate: return TimeType::kDate;
    default: return TimeType::kTime;
  }
}

uint8_t NiFormatOf(const Element& el, const FormatControl& f) {
  switch (el.type) {
    case BaseType::kNiFmat1: return f.ni_format1;
    case BaseType::kNiFmat2: return f.ni_format2;
    case BaseType::kFloat32: return static_cast<uint8_t>(NiFormat::kFloat32);
    default: return static_cast<uint8_t>(NiFormat::kFloat64);
  }
}

uint64_t BitMask(const BitsDef& b) {
  unsigned n = b.to - b.from + 1u;
  return (n >= 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1) << b.from;
}

// Decode (and defaults): fills `rec`. Encode: writes the fields of `rec`.
Result<void> Walker::Body(const std::vector<Element>& body, Value& rec) {
  for (const Element& el : body) {
    switch (el.kind) {
      case Element::Kind::kField:
        if (auto r = FieldOf(el, rec); !r) return r;
        break;
      case Element::Kind::kIf: {
        auto t = Eval(el.test);
        if (!t) return Fail(t.error());
        if (*t != 0) {
          if (auto r = Body(el.children, rec); !r) return r;
        }
        break;
      }
      case Element::Kind::kSwitch: {
        auto sel = Eval(el.test);
        if (!sel) return Fail(sel.error());
        if (const Case* c = Pick(el.cases, *sel)) {
          if (auto r = Body(c->body, rec); !r) return r;
        }
        break;
      }
    }
  }
  return {};
}

Result<void> Walker::Top(const std::vector<Element>& body, Value& rec) {
  if (mode_ == Mode::kEncode) {
    // Expressions see what decoding would have seen: the fields encoded so far.
    shadows_.push_back(std::make_unique<Value>(Value::Record({})));
    scopes_.push_back(shadows_.back().get());
  } else {
    scopes_.push_back(&rec);
  }
  auto r = Body(body, rec);
  scopes_.pop_back();
  if (mode_ == Mode::kEncode) shadows_.pop_back();
  return r;
}

// Prefixes the label and the path of the field being worked on (once, where it failed), and
// makes `field` the offset.
Error Walker::Annotate(const Error& e) {
  if (annotated_) return e;
  annotated_ = true;
  std::string path = Path();
  std::string message = path.empty() ? fmt::format("{}: {}", label_, e.message)
                                     : fmt::format("{} {}: {}", label_, path, e.message);
  std::string field = e.field.rfind("offset", 0) != 0
                          ? fmt::format("offset {}", mode_ == Mode::kEncode ? out_.offset() : in_.offset())
                          : e.field;
  return Error{e.code, std::move(message), std::move(field)};
}

Result<const Value*> Walker::Lookup(const ExprRef& ref) {
  const Value* v = nullptr;
  if (ref.table && *ref.table != table_) {
    for (const auto& [r, cached] : cache_) {
      if (r == &ref) return cached;
    }
    const Value* t = ctx_.Get(*ref.table);
    if (!t) {
      const TableDef* def = ctx_.tdl().Table(*ref.table);
      return Fail(Error::Invalid(fmt::format("{} needs table {} ({}) to be known first", ref.text,
                                             TableIdName(*ref.table), def ? def->name : "?")));
    }
    v = t->FindDeep(ref.path[0]);
    if (v) v = Rest(ref, v);
    if (!v) return Fail(Error::Invalid(fmt::format("table {} has no value for {}", TableIdName(*ref.table), ref.text)));
    cache_.emplace_back(&ref, v);
    return v;
  }
  for (auto it = scopes_.rbegin(); it != scopes_.rend() && !v; ++it) v = (*it)->FindDeep(ref.path[0]);
  if (v) v = Rest(ref, v);
  if (!v) return Fail(Error::Invalid(fmt::format("'{}' has no value at this point", ref.text)));
  return v;
}

const Value* Walker::Rest(const ExprRef& ref, const Value* v) {
  for (size_t i = 1; i < ref.path.size() && v; ++i) v = v->FindDeep(ref.path[i]);
  return v;
}

const Case* Walker::Pick(const std::vector<Case>& cases, int64_t v) {
  const Case* fallback = nullptr;
  for (const Case& c : cases) {
    if (c.values.empty()) fallback = &c;
    if (std::find(c.values.begin(), c.values.end(), v) != c.values.end()) return &c;
  }
  return fallback;
}

std::string Walker::Path() const {
  std::string p;
  for (const Frame& f : path_) {
    if (!p.empty()) p += '.';
    p += f.name;
    if (f.index >= 0) p += fmt::format("[{}]", f.index);
  }
  return p;
}

Result<size_t> Walker::Size(const Element& el) {
  auto n = Eval(el.size);
  if (!n) return Fail(n.error());
  if (*n < 0 || *n > 0xFFFFFF) return Fail(Error::Invalid(fmt::format("size {} = {} is out of range", el.size.text(), *n)));
  return static_cast<size_t>(*n);
}

Result<void> Walker::FieldOf(const Element& el, Value& rec) {
  if (!el.test.empty()) {
    auto t = Eval(el.test);
    if (!t) return Fail(t.error());
    if (*t == 0) return {};
  }
  path_.push_back({el.name, -1});
  Result<void> r = el.is_array() ? ArrayOf(el, rec) : ScalarOf(el, rec);
  if (!r) r = Fail(Annotate(r.error()));
  path_.pop_back();
  if (r && mode_ == Mode::kEncode) Remember(el, rec);
  return r;
}

Result<void> Walker::ScalarOf(const Element& el, Value& rec) {
  if (mode_ == Mode::kEncode) {
    const Value* v = rec.Find(el.name);
    if (!v && el.default_value) v = &*el.default_value;
    if (!v) return Fail(Error::Invalid("missing (and no default)"));
    return Encode(el, *v);
  }
  auto v = mode_ == Mode::kDecode ? Decode(el) : Default(el);
  if (!v) return Fail(v.error());
  rec.Add(el.name, std::move(*v));
  return {};
}

Result<void> Walker::ArrayOf(const Element& el, Value& rec) {
  auto n = Eval(el.count);
  if (!n) return Fail(n.error());
  if (*n < 0 || static_cast<uint64_t>(*n) > budget_ ||
      (mode_ == Mode::kDecode && static_cast<uint64_t>(*n) > in_.remaining() && *n > 65536)) {
    return Fail(Error::Invalid(fmt::format("count {} = {} is out of range", el.count.text(), *n)));
  }
  budget_ -= static_cast<size_t>(*n);
  const size_t frame = path_.size() - 1;  // an index: nested fields may grow path_
  if (mode_ == Mode::kEncode) {
    const Value* v = rec.Find(el.name);
    if (!v) return Fail(Error::Invalid("missing"));
    if (v->kind() != Value::Kind::kArray || v->items().size() != static_cast<size_t>(*n)) {
      return Fail(Error::Invalid(fmt::format("expected an array of {} items ({}), got {}", *n, el.count.text(),
                                             v->kind() == Value::Kind::kArray ? fmt::format("{}", v->items().size()) : "no array")));
    }
    for (int64_t i = 0; i < *n; ++i) {
      path_[frame].index = i;
      if (auto r = Encode(el, v->items()[static_cast<size_t>(i)]); !r) return r;
    }
    return {};
  }
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(std::min<int64_t>(*n, 4096)));
  for (int64_t i = 0; i < *n; ++i) {
    path_[frame].index = i;
    auto v = mode_ == Mode::kDecode ? Decode(el) : Default(el);
    if (!v) return Fail(v.error());
    items.push_back(std::move(*v));
  }
  rec.Add(el.name, Value::Array(std::move(items)));
  return {};
}

const Element* Walker::Alternative(const Element& el, Result<void>& error) {
  auto sel = Eval(el.user->select);
  if (!sel) {
    error = Fail(sel.error());
    return nullptr;
  }
  const Case* c = Pick(el.user->choices, *sel);
  if (!c) {
    error = Fail(Error::Invalid(fmt::format("{} has no alternative for {} = {}", el.user->name, el.user->select.text(), *sel)));
    return nullptr;
  }
  return &c->body[0];
}

Result<Value> Walker::Numeric(const Element& el, Decimal d) const {
  if (!el.unit) return Value::Number(d);
  int scale = d.scale + el.scale;
  if (scale < -128 || scale > 127) return Fail(Error::Invalid(fmt::format("{}: {} x 10^{} is out of range", TypeName(el), d.ToString(), el.scale)));
  return Value::Measured({d.value, static_cast<int8_t>(scale), *el.unit});
}

Result<Value> Walker::Decode(const Element& el) {
  std::string_view what = TypeName(el);
  switch (el.type) {
    case BaseType::kUint: {
      auto v = in_.Uint(el.width, what);
      if (!v) return Fail(v.error());
      if (!el.unit) return Value::Uint(*v);
      if (*v > static_cast<uint64_t>(INT64_MAX)) return Fail(Error::Invalid(fmt::format("{}: {} is too large", what, *v)));
      return Value::Measured({static_cast<int64_t>(*v), el.scale, *el.unit});
    }
    case BaseType::kInt: {
      auto v = in_.Int(el.width, what);
      if (!v) return Fail(v.error());
      return el.unit ? Value::Measured({*v, el.scale, *el.unit}) : Value::Int(*v);
    }
    case BaseType::kBool: {
      size_t at = in_.offset();
      auto v = in_.Uint(1, what);
      if (!v) return Fail(v.error());
      if (*v > 1) return Fail(in_.ErrorAt(at, fmt::format("BOOL: expected 0 or 1, got {}", *v)));
      return Value::Bool(*v == 1);
    }
    case BaseType::kFill:
    case BaseType::kBinary:
    case BaseType::kSet: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      auto b = in_.Take(*n, what);
      if (!b) return Fail(b.error());
      std::vector<uint8_t> data(b->begin(), b->end());
      if (el.type == BaseType::kSet) return Value::Set(BitSet{std::move(data)});
      return Value::Binary(std::move(data));
    }
    case BaseType::kChar: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      auto s = ReadChars(in_, *n, what);
      if (!s) return Fail(s.error());
      return Value::Chars(std::move(*s));
    }
    case BaseType::kBcd: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      auto s = ReadBcd(in_, *n, what);
      if (!s) return Fail(s.error());
      return Value::Bcd(std::move(*s));
    }
    case BaseType::kNiFmat1:
    case BaseType::kNiFmat2:
    case BaseType::kFloat32:
    case BaseType::kFloat64: {
      auto d = ReadNi(in_, NiFormatOf(el, in_.format()), what);
      if (!d) return Fail(d.error());
      return Numeric(el, *d);
    }
    case BaseType::kStimeDate:
    case BaseType::kLtimeDate:
    case BaseType::kHtimeDate:
    case BaseType::kDate:
    case BaseType::kTime: return ReadTime(in_, TimeTypeOf(el.type), what);
    case BaseType::kRecord: {
      Value rec = Value::Record({});
      rec.fields().reserve(el.record_body().size());
      auto r = Top(el.record_body(), rec);
      if (!r) return Fail(r.error());
      return rec;
    }
    case BaseType::kBitfield: {
      auto raw = in_.Uint(el.bitfield_width(), what);
      if (!raw) return Fail(raw.error());
      Value rec = Value::Record({});
      rec.fields().reserve(el.bitfield_bits().size());
      uint64_t covered = 0;
      for (const BitsDef& b : el.bitfield_bits()) {
        uint64_t mask = BitMask(b);
        covered |= mask;
        uint64_t v = (*raw & mask) >> b.from;
        if (b.kind == BitsDef::Kind::kBool) {
          rec.Add(b.name, Value::Bool(v != 0));
        } else if (b.kind == BitsDef::Kind::kInt) {
          unsigned n = b.to - b.from + 1u;
          int64_t s = (n < 64 && (v >> (n - 1)) & 1) ? static_cast<int64_t>(v | (~uint64_t{0} << n)) : static_cast<int64_t>(v);
          rec.Add(b.name, Value::Int(s));
        } else {
          rec.Add(b.name, Value::Uint(v));
        }
      }
      // Bits no member covers are kept, so that re-encoding gives the same bytes.
      if (uint64_t rest = *raw & ~covered) rec.Add("_FILL", Value::Uint(rest));
      return rec;
    }
    case BaseType::kChoice: {
      Result<void> error;
      const Element* alt = Alternative(el, error);
      if (!alt) return Fail(error.error());
      return Decode(*alt);
    }
  }
  return Fail(Error::Internal("bad element"));
}

Result<Value> Walker::Default(const Element& el) {
  if (el.default_value) return *el.default_value;
  switch (el.type) {
    case BaseType::kUint: return el.unit ? Value::Measured({0, el.scale, *el.unit}) : Value::Uint(0);
    case BaseType::kInt: return el.unit ? Value::Measured({0, el.scale, *el.unit}) : Value::Int(0);
    case BaseType::kBool: return Value::Bool(false);
    case BaseType::kFill:
    case BaseType::kBinary:
    case BaseType::kSet:
    case BaseType::kChar:
    case BaseType::kBcd: {
      auto n = Size(el);
      if (!n) return Fail(n.error());
      if (el.type == BaseType::kSet) return Value::Set(BitSet{std::vector<uint8_t>(*n, 0)});
      if (el.type == BaseType::kChar) return Value::Chars(std::string(*n, ' '));
      if (el.type == BaseType::kBcd) return Value::Bcd(std::string(*n * 2, '0'));
      return Value::Binary(std::vector<uint8_t>(*n, 0));
    }
    case BaseType::kNiFmat1:
    case BaseType::kNiFmat2:
    case BaseType::kFloat32:
    case BaseType::kFloat64: return Numeric(el, Decimal{});  // zero
    case BaseType::kStimeDate:
    case BaseType::kLtimeDate:
    case BaseType::kHtimeDate:
    case BaseType::kDate:
    case BaseType::kTime: {
      if (ctx_.format().tm_format == 0) return Value();
      TimeDate t{2000, 1, 1, 0, 0, 0, 0};
      if (el.type == BaseType::kTime) t = TimeDate{};
      return Value::Time(t);
    }
    case BaseType::kRecord: {
      Value rec = Value::Record({});
      auto r = Top(el.record_body(), rec);
      if (!r) return Fail(r.error());
      return rec;
    }
    case BaseType::kBitfield: {
      Value rec = Value::Record({});
      for (const BitsDef& b : el.bitfield_bits()) {
        if (b.kind == BitsDef::Kind::kBool) rec.Add(b.name, Value::Bool(b.default_value != 0));
        else if (b.kind == BitsDef::Kind::kInt) rec.Add(b.name, Value::Int(b.default_value));
        else rec.Add(b.name, Value::Uint(static_cast<uint64_t>(b.default_value)));
      }
      return rec;
    }
    case BaseType::kChoice: {
      Result<void> error;
      const Element* alt = Alternative(el, error);
      if (!alt) return Fail(error.error());
      return Default(*alt);
    }
  }
  return Fail(Error::Internal("bad element"));
}

}  // namespace meterd::codec::c1219::detail
