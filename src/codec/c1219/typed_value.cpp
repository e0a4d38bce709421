// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/typed_value.h"

#include <fmt/format.h>

namespace meterd::codec::c1219::typed {

namespace {
const Value& Empty() {
  static const Value empty;
  return empty;
}
}  // namespace

FieldReader::FieldReader(const Value& record, std::string where)
    : record_(&record), where_(std::move(where)), state_(std::make_shared<State>()) {}

void FieldReader::Fail(std::string message) {
  if (!state_->error) state_->error = core::Error::Invalid(fmt::format("{}: {}", where_, message), where_);
}

const Value& FieldReader::Get(std::string_view name, Value::Kind kind, std::string_view expected) {
  const Value* v = record_->Find(name);
  if (!v) {
    Fail(fmt::format("missing {}", name));
    return Empty();
  }
  if (v->kind() != kind) {
    Fail(fmt::format("{} is not {}", name, expected));
    return Empty();
  }
  return *v;
}

uint64_t FieldReader::Uint(std::string_view name) {
  const Value* v = record_->Find(name);
  if (!v) {
    Fail(fmt::format("missing {}", name));
    return 0;
  }
  if (v->kind() == Value::Kind::kUint) return v->AsUint();
  auto i = v->AsInt();
  if (!i || *i < 0) {
    Fail(fmt::format("{} is not an unsigned integer", name));
    return 0;
  }
  return static_cast<uint64_t>(*i);
}

int64_t FieldReader::Int(std::string_view name) {
  const Value* v = record_->Find(name);
  auto i = v ? v->AsInt() : std::nullopt;
  if (!i) {
    Fail(fmt::format("{} is {}", name, v ? "not an integer" : "missing"));
    return 0;
  }
  return *i;
}

bool FieldReader::Bool(std::string_view name) {
  const Value* v = record_->Find(name);
  auto i = v ? v->AsInt() : std::nullopt;
  if (!i) {
    Fail(fmt::format("{} is {}", name, v ? "not a flag" : "missing"));
    return false;
  }
  return *i != 0;
}

Decimal FieldReader::Number(std::string_view name) {
  const Value* v = record_->Find(name);
  if (v) {
    if (const Decimal* d = v->AsDecimal()) return *d;
    if (auto i = v->AsInt()) return Decimal{*i, 0};
  }
  Fail(fmt::format("{} is {}", name, v ? "not a number" : "missing"));
  return {};
}

std::string FieldReader::Text(std::string_view name) {
  const Value* v = record_->Find(name);
  if (v && v->AsText()) return *v->AsText();
  if (v && v->AsDigits()) return *v->AsDigits();
  Fail(fmt::format("{} is {}", name, v ? "not text" : "missing"));
  return {};
}

std::vector<uint8_t> FieldReader::Bytes(std::string_view name) {
  const Value& v = Get(name, Value::Kind::kBytes, "bytes");
  return v.AsBytes() ? *v.AsBytes() : std::vector<uint8_t>{};
}

BitSet FieldReader::Set(std::string_view name) {
  const Value& v = Get(name, Value::Kind::kSet, "a SET");
  return v.AsSet() ? *v.AsSet() : BitSet{};
}

TimeDate FieldReader::Time(std::string_view name) {
  const Value* v = record_->Find(name);
  if (v && v->kind() == Value::Kind::kAbsent) return {};
  if (v && v->AsTime()) return *v->AsTime();
  Fail(fmt::format("{} is {}", name, v ? "not a time" : "missing"));
  return {};
}

std::vector<uint64_t> FieldReader::Uints(std::string_view name) {
  std::vector<uint64_t> out;
  for (const Value* v : Items(name)) {
    if (v->kind() != Value::Kind::kUint) {
      Fail(fmt::format("{} holds a value that is not an unsigned integer", name));
      return {};
    }
    out.push_back(v->AsUint());
  }
  return out;
}

std::vector<const Value*> FieldReader::Items(std::string_view name) {
  const Value& v = Get(name, Value::Kind::kArray, "an array");
  std::vector<const Value*> out;
  out.reserve(v.items().size());
  for (const Value& item : v.items()) out.push_back(&item);
  return out;
}

FieldReader FieldReader::Sub(std::string_view name) {
  const Value& v = Get(name, Value::Kind::kRecord, "a record");
  return FieldReader(&v, fmt::format("{}.{}", where_, name), state_);
}

FieldReader FieldReader::Of(const Value& record, std::string where) const {
  FieldReader r(&record, std::move(where), state_);
  if (record.kind() != Value::Kind::kRecord) r.Fail("not a record");
  return r;
}

Value Uints(const std::vector<uint8_t>& v) {
  std::vector<Value> items;
  items.reserve(v.size());
  for (uint8_t x : v) items.push_back(Value::Uint(x));
  return Value::Array(std::move(items));
}

Value Uints16(const std::vector<uint16_t>& v) {
  std::vector<Value> items;
  items.reserve(v.size());
  for (uint16_t x : v) items.push_back(Value::Uint(x));
  return Value::Array(std::move(items));
}

BitSet Sized(BitSet set, size_t octets) {
  set.octets.resize(std::max(set.octets.size(), octets), 0);
  return set;
}

}  // namespace meterd::codec::c1219::typed
