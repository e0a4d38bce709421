// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/value.h"

#include <fmt/format.h>

#include <limits>

#include "core/json_string.h"

namespace meterd::codec::c1219 {

std::string Decimal::ToString() const { return scale > 0 ? fmt::format("{}e{}", value, scale) : core::FormatScaled(value, scale); }

std::string TimeDate::ToString() const {
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", year, month, day, hour, minute, second);
  if (hundredths) out += fmt::format(".{:02}", hundredths);
  return out;
}

void BitSet::Assign(size_t i, bool on) {
  if (i / 8 >= octets.size()) octets.resize(i / 8 + 1, 0);
  uint8_t mask = static_cast<uint8_t>(1u << (i % 8));
  octets[i / 8] = on ? (octets[i / 8] | mask) : (octets[i / 8] & ~mask);
}

bool operator==(const BitSet& a, const BitSet& b) {
  const auto& longer = a.octets.size() >= b.octets.size() ? a.octets : b.octets;
  const auto& shorter = a.octets.size() >= b.octets.size() ? b.octets : a.octets;
  for (size_t i = 0; i < longer.size(); ++i) {
    if (longer[i] != (i < shorter.size() ? shorter[i] : 0)) return false;
  }
  return true;
}

Value Value::Record(std::vector<Field> fields) { return Value(Rep(std::in_place_index<11>, std::move(fields))); }
Value Value::Array(std::vector<Value> items) { return Value(Rep(std::in_place_index<12>, std::move(items))); }

bool Value::AsBool() const {
  const bool* b = std::get_if<1>(&rep_);
  return b && *b;
}

std::optional<int64_t> Value::AsInt() const {
  switch (kind()) {
    case Kind::kBool: return std::get<1>(rep_) ? 1 : 0;
    case Kind::kUint: {
      uint64_t u = std::get<2>(rep_);
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    }
    case Kind::kInt: return std::get<3>(rep_);
    case Kind::kDecimal:
      if (std::get<4>(rep_).scale == 0) return std::get<4>(rep_).value;
      return std::nullopt;
    case Kind::kQuantity:
      if (std::get<5>(rep_).scale == 0) return std::get<5>(rep_).value;
      return std::nullopt;
    default: return std::nullopt;
  }
}

uint64_t Value::AsUint() const {
  if (const uint64_t* u = std::get_if<2>(&rep_)) return *u;
  auto i = AsInt();
  return i && *i >= 0 ? static_cast<uint64_t>(*i) : 0;
}

const std::string* Value::AsText() const {
  const Text* t = std::get_if<6>(&rep_);
  return t ? &t->utf8 : nullptr;
}
const std::string* Value::AsDigits() const {
  const Digits* d = std::get_if<7>(&rep_);
  return d ? &d->digits : nullptr;
}
const std::vector<uint8_t>* Value::AsBytes() const {
  const Bytes* b = std::get_if<8>(&rep_);
  return b ? &b->data : nullptr;
}

namespace {
const std::vector<Field>& NoFields() {
  static const std::vector<Field> none;
  return none;
}
const std::vector<Value>& NoItems() {
  static const std::vector<Value> none;
  return none;
}
}  // namespace

const std::vector<Field>& Value::fields() const {
  const auto* f = std::get_if<11>(&rep_);
  return f ? *f : NoFields();
}
std::vector<Field>& Value::fields() {
  if (!std::holds_alternative<std::vector<Field>>(rep_)) rep_.emplace<11>();
  return std::get<11>(rep_);
}
const std::vector<Value>& Value::items() const {
  const auto* i = std::get_if<12>(&rep_);
  return i ? *i : NoItems();
}
std::vector<Value>& Value::items() {
  if (!std::holds_alternative<std::vector<Value>>(rep_)) rep_.emplace<12>();
  return std::get<12>(rep_);
}

const Value* Value::Find(std::string_view name) const {
  for (const Field& f : fields()) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}
Value* Value::Find(std::string_view name) {
  auto* f = std::get_if<11>(&rep_);
  if (!f) return nullptr;
  for (Field& field : *f) {
    if (field.name == name) return &field.value;
  }
  return nullptr;
}

const Value* Value::FindDeep(std::string_view name) const {
  for (const Field& f : fields()) {
    if (f.name == name) return &f.value;
  }
  for (const Field& f : fields()) {
    if (f.value.kind() == Kind::kRecord) {
      if (const Value* v = f.value.FindDeep(name)) return v;
    }
  }
  return nullptr;
}

Value& Value::Add(std::string name, Value value) {
  auto& f = fields();
  f.push_back(Field{std::move(name), std::move(value)});
  return f.back().value;
}

bool operator==(const Value& a, const Value& b) { return a.rep_ == b.rep_; }

namespace {
void AppendJson(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kAbsent: out += "null"; break;
    case Value::Kind::kBool: out += v.AsBool() ? "true" : "false"; break;
    case Value::Kind::kUint: out += fmt::format("{}", v.AsUint()); break;
    case Value::Kind::kInt: out += fmt::format("{}", *v.AsInt()); break;
    case Value::Kind::kDecimal: core::AppendJsonString(out, v.AsDecimal()->ToString()); break;
    case Value::Kind::kQuantity: core::AppendJsonString(out, v.AsQuantity()->ToString()); break;
    case Value::Kind::kText: core::AppendJsonString(out, *v.AsText()); break;
    case Value::Kind::kDigits: core::AppendJsonString(out, *v.AsDigits()); break;
    case Value::Kind::kBytes: {
      std::string hex;
      for (uint8_t b : *v.AsBytes()) hex += fmt::format("{:02x}", b);
      core::AppendJsonString(out, hex);
      break;
    }
    case Value::Kind::kSet: {
      out += '[';
      bool first = true;
      const BitSet& s = *v.AsSet();
      for (size_t i = 0; i < s.size(); ++i) {
        if (!s.Test(i)) continue;
        if (!first) out += ',';
        first = false;
        out += fmt::format("{}", i);
      }
      out += ']';
      break;
    }
    case Value::Kind::kTime: core::AppendJsonString(out, v.AsTime()->ToString()); break;
    case Value::Kind::kRecord: {
      out += '{';
      bool first = true;
      for (const Field& f : v.fields()) {
        if (!first) out += ',';
        first = false;
        core::AppendJsonString(out, f.name);
        out += ':';
        AppendJson(out, f.value);
      }
      out += '}';
      break;
    }
    case Value::Kind::kArray: {
      out += '[';
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, item);
      }
      out += ']';
      break;
    }
  }
}
}  // namespace

std::string Value::ToJson() const {
  std::string out;
  AppendJson(out, *this);
  return out;
}

}  // namespace meterd::codec::c1219
