// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/mbus/date_time.h"
#include "codec/mbus/dif.h"
#include "codec/mbus/variable_data.h"
#include "core/quantity.h"

// From decoded M-Bus variable data (EN 13757-3) to typed meter values: a name, the record's
// storage number, tariff and subunit, and an exact core::Quantity. Pure: no I/O, no clock.
// The table of names and units is in docs/headend-mbus.md.
namespace meterd::headend {

struct MbusValue {
  // "energy", "volume", "power", "volume_flow", "flow_temperature", "return_temperature",
  // "temperature_difference", "external_temperature", "voltage", "current", "on_time",
  // "operating_time", "time_point", "error_flags", "fabrication_number"; "energy_reverse",
  // "volume_reverse" for registers of negative contributions only (VIFE 3Ch).
  std::string name;
  codec::mbus::Function function = codec::mbus::Function::kInstantaneous;
  uint64_t storage_number = 0;  // 0: now; 1..: stored values (1 is the due-day value on most meters)
  uint32_t tariff = 0;
  uint16_t subunit = 0;
  // Numbers: value x 10^scale in Wh, J, m3, W, m3/h, degC, K, V, A, s, or kNone for flags and
  // the fabrication number. Never a double on the way.
  std::optional<core::Quantity> quantity;
  std::optional<codec::mbus::DateTime> time;  // "time_point": the meter's local time, as sent
  bool main = false;                          // the meter's main register (see MbusMainQuantity)
  size_t record = 0;                          // index in VariableData::records
};

// A record that got no value, and why ("manufacturer specific", "unit ft3 has no core unit").
struct MbusSkipped {
  size_t record = 0;
  std::string reason;
};

struct MbusValues {
  std::vector<MbusValue> values;  // in record order
  std::vector<MbusSkipped> skipped;
  std::optional<size_t> main;  // index in `values` of the main register
};

struct MbusValueOptions {
  // A real-coded (type H, 32-bit float) energy or volume record is refused unless a resolution
  // is declared here: then its shortest round-trip decimal is rounded, half away from zero, to
  // 10^real_register_scale of the unit (-3: Wh to the mWh, m3 to the litre). Other real-coded
  // quantities (temperatures, flow, power) take their shortest decimal as it is.
  std::optional<int8_t> real_register_scale;
  // The medium (EN 13757-3 table 3) when the data has no long header (CI 78h, 7Ah).
  std::optional<uint8_t> medium;
};

// "energy" for heat, cooling and electricity meters, "volume" for water, warm/hot/cold water
// and gas; nothing for other media. The main register is the first instantaneous value of that
// name with storage 0, tariff 0 and subunit 0.
std::optional<std::string_view> MbusMainQuantity(uint8_t medium);

// Each data record with a standard quantity becomes a value; the others are listed as skipped:
// manufacturer data and manufacturer-specific VIFs, plain-text units, units with no core::Unit
// (°F, ft3, US gal, kg, J/h), combinable VIFEs that change the meaning (per hour, limits,
// "accumulation only if negative", ...), values that are not numbers (BCD fill, no data).
MbusValues MapMbusValues(const codec::mbus::VariableData& data, const MbusValueOptions& options = {});

}  // namespace meterd::headend
