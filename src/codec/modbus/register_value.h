// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codec/modbus/batch_planner.h"
#include "codec/modbus/register_map.h"
#include "core/error.h"
#include "core/quantity.h"

// Register words <-> exact values, per a map entry. Pure: no I/O. Rules in
// docs/formats/modbus-maps.md ("Values").
namespace meterd::codec::modbus {

struct NamedValue {
  std::string name;
  core::Quantity value;
  friend bool operator==(const NamedValue&, const NamedValue&) = default;
};

// The value of `def` from its words (exactly def.words() of them, as read: first word at
// def.address). Integers are exact; a float32 is rounded to the entry's resolution (nearest,
// ties away from zero) and becomes an integer count of it, so no floating-point value leaves
// this function. A positive exponent is multiplied out (scale 0), as core::Quantity::Parse does.
// Errors (kOutOfRange) name the register: a NaN or infinite float, a uint64 above 2^63-1, a
// value that overflows int64 once scaled.
core::Result<core::Quantity> DecodeRegister(const RegisterDef& def, std::span<const uint16_t> words);

enum class Rounding : uint8_t {
  kNearest,     // ties away from zero: instantaneous values
  kTowardZero,  // an energy register shows only what has been completed
};

// The inverse, for simulators and tests: writes def.words() words for `value` (its unit must be
// def.unit). The value is first rounded to the entry's resolution with `rounding`; a float32 then
// holds the nearest float to that. Fails if the value does not fit the type.
core::Result<void> EncodeRegister(const RegisterDef& def, const core::Quantity& value, std::span<uint16_t> out,
                                  Rounding rounding = Rounding::kNearest);

// Every entry of `map`, in map order, from the words returned for `batches` (as planned by
// PlanBatches for this map: words[i] holds batches[i].count registers). Fails on the first entry
// that does not decode, or if a batch's word count does not match its request.
core::Result<std::vector<NamedValue>> DecodeValues(const RegisterMap& map, std::span<const ReadBatch> batches,
                                                   std::span<const std::vector<uint16_t>> words);

}  // namespace meterd::codec::modbus
