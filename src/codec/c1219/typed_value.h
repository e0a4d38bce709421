// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Private to the typed table files: reading a decoded record into a struct without an `if` per
// field. A FieldReader hands out values and remembers the first problem (a missing field or one
// of another kind, as a TDL fragment that changed a standard table could cause); the caller
// checks ok() once at the end. Readers made with Sub() share that state.
namespace meterd::codec::c1219::typed {

class FieldReader {
 public:
  FieldReader(const Value& record, std::string where);

  bool ok() const { return !state_->error; }
  const core::Error& error() const { return *state_->error; }
  void Fail(std::string message);

  const Value* Optional(std::string_view name) const { return record_->Find(name); }
  bool Has(std::string_view name) const { return Optional(name) != nullptr; }

  uint64_t Uint(std::string_view name);
  int64_t Int(std::string_view name);
  bool Bool(std::string_view name);
  Decimal Number(std::string_view name);
  std::string Text(std::string_view name);        // CHAR, or BCD digits
  std::vector<uint8_t> Bytes(std::string_view name);
  BitSet Set(std::string_view name);
  TimeDate Time(std::string_view name);            // TimeDate{} when absent (TM_FORMAT 0)
  std::vector<uint64_t> Uints(std::string_view name);  // an array of integers
  std::vector<const Value*> Items(std::string_view name);

  FieldReader Sub(std::string_view name);          // a nested record
  FieldReader Of(const Value& record, std::string where) const;  // another record, same state

  template <class T>
  T U(std::string_view name) {
    return static_cast<T>(Uint(name));
  }

 private:
  struct State {
    std::optional<core::Error> error;
  };
  FieldReader(const Value* record, std::string where, std::shared_ptr<State> state)
      : record_(record), where_(std::move(where)), state_(std::move(state)) {}
  const Value& Get(std::string_view name, Value::Kind kind, std::string_view expected);

  const Value* record_;
  std::string where_;
  std::shared_ptr<State> state_;
};

// Builders.
inline Value U(uint64_t v) { return Value::Uint(v); }
inline Value B(bool v) { return Value::Bool(v); }
Value Uints(const std::vector<uint8_t>& v);
Value Uints16(const std::vector<uint16_t>& v);
inline Value TimeOrAbsent(const TimeDate& t) { return Value::Time(t); }

// A SET sized to `octets` (padding with zeros).
BitSet Sized(BitSet set, size_t octets);

// Decodes with the context's TDL, then converts; the common shape of every DecodeStN.
template <class T, class From>
core::Result<T> DecodeWith(const TableContext& ctx, TableId id, std::span<const uint8_t> bytes, From from) {
  auto v = DecodeTable(ctx, id, bytes);
  if (!v) return core::Fail(v.error());
  return from(*v, ctx);
}

}  // namespace meterd::codec::c1219::typed
