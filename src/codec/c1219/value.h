// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/quantity.h"

// The generic value tree a table decodes into from its TDL definition: a record of named fields,
// each a scalar, an array or a nested record. The same tree encodes back to the same bytes.
// No floating point: NI numbers, floats included, are exact decimals (see wire.h).
namespace meterd::codec::c1219 {

// value x 10^scale, exact.
struct Decimal {
  int64_t value = 0;
  int8_t scale = 0;
  std::string ToString() const;  // "-12.345", "15e3"
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

// A date and time as its discrete fields. For TM_FORMAT 1 and 2 the fields are what the bytes
// hold (a two-digit year: 90..99 are 199x, 00..89 are 20xx; nothing is range-checked, so an all-zero
// "no time" value survives); for TM_FORMAT 3 and 4 they are the civil UTC time of the counter.
// Fields a type does not carry are 0 (a DATE has no hour, STIME_DATE no seconds, ...).
struct TimeDate {
  int32_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint8_t hundredths = 0;
  std::string ToString() const;  // "2024-03-01T12:30:05.25"
  friend bool operator==(const TimeDate&, const TimeDate&) = default;
};

struct Text {  // CHAR/STRING, as UTF-8, padding kept
  std::string utf8;
  friend bool operator==(const Text&, const Text&) = default;
};
struct Digits {  // BCD: one '0'..'9' per nibble, most significant first
  std::string digits;
  friend bool operator==(const Digits&, const Digits&) = default;
};
struct Bytes {  // BINARY and FILL
  std::vector<uint8_t> data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};
// SET(n): n octets; element i is bit (i % 8) of octet i / 8 (least significant bit first).
struct BitSet {
  std::vector<uint8_t> octets;
  size_t size() const { return octets.size() * 8; }
  bool Test(size_t i) const { return i / 8 < octets.size() && ((octets[i / 8] >> (i % 8)) & 1); }
  void Assign(size_t i, bool on);  // grows the set when i is beyond it
  // Equal when the same elements are set: trailing zero octets do not count.
  friend bool operator==(const BitSet& a, const BitSet& b);
};

struct Field;

class Value {
 public:
  enum class Kind : uint8_t {
    kAbsent,  // a zero-length time (TM_FORMAT 0)
    kBool,
    kUint,
    kInt,
    kDecimal,
    kQuantity,  // a number with a unit (TDL `unit`/`scale`)
    kText,
    kDigits,
    kBytes,
    kSet,
    kTime,
    kRecord,
    kArray,
  };

  Value() = default;
  static Value Bool(bool b);
  static Value Uint(uint64_t u);
  static Value Int(int64_t i);
  static Value Number(Decimal d);
  static Value Measured(core::Quantity q);
  static Value Chars(std::string utf8);
  static Value Bcd(std::string digits);
  static Value Binary(std::vector<uint8_t> data);
  static Value Set(BitSet set);
  static Value Time(TimeDate t);
  static Value Record(std::vector<Field> fields);
  static Value Array(std::vector<Value> items);

  Kind kind() const { return static_cast<Kind>(rep_.index()); }

  bool AsBool() const;  // kBool; false otherwise
  // The integer this value stands for, where it is one: bool, uint (up to 2^63-1), int, a decimal
  // or quantity at scale 0. Expressions and array sizes use this.
  std::optional<int64_t> AsInt() const;
  const Decimal* AsDecimal() const { return std::get_if<4>(&rep_); }
  const core::Quantity* AsQuantity() const { return std::get_if<5>(&rep_); }
  const std::string* AsText() const;
  const std::string* AsDigits() const;
  const std::vector<uint8_t>* AsBytes() const;
  const BitSet* AsSet() const { return std::get_if<9>(&rep_); }
  const TimeDate* AsTime() const { return std::get_if<10>(&rep_); }
  uint64_t AsUint() const;  // kUint (or a non-negative integer); 0 otherwise

  // Records: the fields in order. Arrays: the items.
  const std::vector<Field>& fields() const;
  std::vector<Field>& fields();
  const std::vector<Value>& items() const;
  std::vector<Value>& items();

  // The field called `name` directly in this record; nullptr when absent or not a record.
  const Value* Find(std::string_view name) const;
  Value* Find(std::string_view name);
  // The first field called `name` in this record or, depth first, in its nested records (not in
  // arrays): how `GEN_CONFIG_TBL.TM_FORMAT` finds a bit field member.
  const Value* FindDeep(std::string_view name) const;
  // Appends a field to a record (which a default Value becomes); returns the new value.
  Value& Add(std::string name, Value value);

  // Compact JSON, for tests, logs and `meterctl c12 tdl-decode`.
  std::string ToJson() const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  using Rep = std::variant<std::monostate, bool, uint64_t, int64_t, Decimal, core::Quantity, Text, Digits, Bytes,
                           BitSet, TimeDate, std::vector<Field>, std::vector<Value>>;
  explicit Value(Rep rep);
  Rep rep_;
};

struct Field {
  std::string name;
  Value value;
  friend bool operator==(const Field&, const Field&) = default;
};

// Defined here, where Field is complete (the variant holds a std::vector<Field>).
inline Value::Value(Rep rep) : rep_(std::move(rep)) {}
inline Value Value::Bool(bool b) { return Value(Rep(std::in_place_index<1>, b)); }
inline Value Value::Uint(uint64_t u) { return Value(Rep(std::in_place_index<2>, u)); }
inline Value Value::Int(int64_t i) { return Value(Rep(std::in_place_index<3>, i)); }
inline Value Value::Number(Decimal d) { return Value(Rep(std::in_place_index<4>, d)); }
inline Value Value::Measured(core::Quantity q) { return Value(Rep(std::in_place_index<5>, q)); }
inline Value Value::Chars(std::string utf8) { return Value(Rep(std::in_place_index<6>, Text{std::move(utf8)})); }
inline Value Value::Bcd(std::string digits) { return Value(Rep(std::in_place_index<7>, Digits{std::move(digits)})); }
inline Value Value::Binary(std::vector<uint8_t> data) { return Value(Rep(std::in_place_index<8>, Bytes{std::move(data)})); }
inline Value Value::Set(BitSet set) { return Value(Rep(std::in_place_index<9>, std::move(set))); }
inline Value Value::Time(TimeDate t) { return Value(Rep(std::in_place_index<10>, t)); }

}  // namespace meterd::codec::c1219
