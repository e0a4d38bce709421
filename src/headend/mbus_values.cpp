// SPDX-License-Identifier: Apache-2.0
#include "headend/mbus_values.h"

#include <fmt/format.h>

#include <variant>

#include "codec/mbus/value.h"
#include "codec/mbus/vif.h"
#include "codec/mbus/vif_table.h"

namespace meterd::headend {
namespace {

namespace mb = codec::mbus;
using core::Unit;

struct Mapping {
  std::string_view name;
  Unit unit = Unit::kNone;
  int64_t factor = 1;  // multiply the mantissa to reach `unit` (m3/min -> m3/h, min -> s)
};

// The record's quantity and unit (vif_table.cpp's names) to a value name and core unit.
std::optional<Mapping> Map(std::string_view quantity, std::string_view unit) {
  struct Row {
    std::string_view quantity, unit;
    Mapping mapping;
  };
  static constexpr Row kRows[] = {
      {"Energy", "Wh", {"energy", Unit::kWh}},
      {"Energy", "J", {"energy", Unit::kJ}},
      {"Volume", "m3", {"volume", Unit::kM3}},
      {"Power", "W", {"power", Unit::kW}},
      {"Volume flow", "m3/h", {"volume_flow", Unit::kM3PerH}},
      {"Volume flow", "m3/min", {"volume_flow", Unit::kM3PerH, 60}},
      {"Volume flow", "m3/s", {"volume_flow", Unit::kM3PerH, 3600}},
      {"Flow temperature", "°C", {"flow_temperature", Unit::kDegC}},
      {"Return temperature", "°C", {"return_temperature", Unit::kDegC}},
      {"Temperature difference", "K", {"temperature_difference", Unit::kK}},
      {"External temperature", "°C", {"external_temperature", Unit::kDegC}},
      {"Voltage", "V", {"voltage", Unit::kV}},
      {"Current", "A", {"current", Unit::kA}},
      {"On time", "s", {"on_time", Unit::kS}},
      {"On time", "min", {"on_time", Unit::kS, 60}},
      {"On time", "h", {"on_time", Unit::kS, 3600}},
      {"On time", "d", {"on_time", Unit::kS, 86400}},
      {"Operating time", "s", {"operating_time", Unit::kS}},
      {"Operating time", "min", {"operating_time", Unit::kS, 60}},
      {"Operating time", "h", {"operating_time", Unit::kS, 3600}},
      {"Operating time", "d", {"operating_time", Unit::kS, 86400}},
      {"Error flags", "", {"error_flags", Unit::kNone}},
      {"Fabrication No", "", {"fabrication_number", Unit::kNone}},
  };
  for (const Row& r : kRows) {
    if (r.quantity == quantity && r.unit == unit) return r.mapping;
  }
  return std::nullopt;
}

bool IsTimePoint(std::string_view quantity) {
  return quantity == "Time point (date)" || quantity == "Time point (date & time)";
}

struct VifeMeaning {
  std::optional<uint8_t> blocking;  // a combinable VIFE this mapping does not model
  bool negative = false;            // 3Ch: accumulates the negative contributions only
};

// Multiplicative corrections (70h..77h, 7Dh) only rescale and are already in the record's
// exponent. 3Bh ("accumulation only if positive contributions") is the ordinary forward
// register of a meter that can count both ways; 3Ch is its reverse register ("_reverse": the
// cooling energy of a heat/cooling meter, the backflow of a water meter). Any other combinable
// VIFE (per hour, limits, errors, ...) changes the meaning, so the record is skipped.
VifeMeaning CombinableVifes(const std::vector<uint8_t>& vib) {
  VifeMeaning out;
  if (vib.empty() || (vib[0] & 0x80) == 0) return out;
  size_t i = 1;
  if (vib[0] == mb::kVifExtensionFb || vib[0] == mb::kVifExtensionFd) ++i;  // the table code
  for (; i < vib.size(); ++i) {
    const uint8_t code = vib[i] & 0x7F;
    if ((code >= 0x70 && code <= 0x77) || code == 0x7D || code == 0x3B) continue;
    if (code == 0x3C) {
      out.negative = true;
      continue;
    }
    out.blocking = vib[i];
    return out;
  }
  return out;
}

// "-170.72178" -> {-17072178, -5}. Fails when the digits do not fit int64 or int8 scale.
std::optional<std::pair<int64_t, int>> ParseDecimal(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  int scale = 0;
  bool point = false;
  for (char c : s) {
    if (c == '.') {
      if (point) return std::nullopt;
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
    if (point) --scale;
  }
  return std::pair{negative ? -v : v, scale};
}

// value x 10^scale rounded half away from zero to 10^target.
std::optional<int64_t> RoundTo(int64_t value, int scale, int target) {
  if (target <= scale) {
    int64_t v = value;
    for (int i = scale; i > target; --i) {
      if (v > INT64_MAX / 10 || v < INT64_MIN / 10) return std::nullopt;
      v *= 10;
    }
    return v;
  }
  if (target - scale > 18) return 0;
  int64_t divisor = 1;
  for (int i = scale; i < target; ++i) divisor *= 10;
  const int64_t q = value / divisor, r = value % divisor;
  if (2 * (r < 0 ? -r : r) >= divisor) return q + (value < 0 ? -1 : 1);
  return q;
}

bool IsRegister(std::string_view name) {
  return name == "energy" || name == "volume" || name == "energy_reverse" || name == "volume_reverse";
}

// The bits of an error-flag field, whatever sign the decoder gave them (number_coding.h).
int64_t UnsignedBits(int64_t mantissa, mb::DataCoding coding) {
  mb::DataInformationBlock dib;
  dib.coding = coding;
  const size_t bytes = dib.DataLength();
  if (bytes == 0 || bytes >= 8) return mantissa;
  return static_cast<int64_t>(static_cast<uint64_t>(mantissa) & ((uint64_t{1} << (8 * bytes)) - 1));
}

}  // namespace

std::optional<std::string_view> MbusMainQuantity(uint8_t medium) {
  switch (medium) {
    case 0x02:  // electricity
    case 0x04:  // heat (outlet)
    case 0x0A:  // cooling (outlet)
    case 0x0B:  // cooling (inlet)
    case 0x0C:  // heat (inlet)
    case 0x0D:  // heat / cooling
      return "energy";
    case 0x03:  // gas
    case 0x06:  // warm water
    case 0x07:  // water
    case 0x15:  // hot water
    case 0x16:  // cold water
    case 0x17:  // dual register water
      return "volume";
    default:
      return std::nullopt;
  }
}

MbusValues MapMbusValues(const mb::VariableData& data, const MbusValueOptions& options) {
  MbusValues out;
  auto skip = [&](size_t i, std::string reason) { out.skipped.push_back({i, std::move(reason)}); };
  for (size_t i = 0; i < data.records.size(); ++i) {
    const mb::Record& r = data.records[i];
    if (r.kind == mb::RecordKind::kManufacturerData) {
      skip(i, "manufacturer data");
      continue;
    }
    if (r.manufacturer_specific) {
      skip(i, "manufacturer specific VIF or VIFE");
      continue;
    }
    if (!r.vib.empty() && (r.vib[0] & 0x7F) == mb::kVifPlainText) {
      skip(i, fmt::format("plain-text unit \"{}\"", r.unit));
      continue;
    }
    const VifeMeaning vifes = CombinableVifes(r.vib);
    if (vifes.blocking) {
      skip(i, fmt::format("VIFE 0x{:02X} ({}) changes the meaning of {}", *vifes.blocking,
                          mb::CombinableVifeName(*vifes.blocking), r.quantity));
      continue;
    }
    MbusValue v;
    v.function = r.function;
    v.storage_number = r.storage_number;
    v.tariff = r.tariff;
    v.subunit = r.subunit;
    v.record = i;
    if (IsTimePoint(r.quantity)) {
      const auto* t = std::get_if<mb::DateTime>(&r.value);
      if (t == nullptr) {
        skip(i, fmt::format("{} is not a date", r.quantity));
        continue;
      }
      v.name = "time_point";
      v.time = *t;
      out.values.push_back(std::move(v));
      continue;
    }
    const auto mapping = Map(r.quantity, r.unit);
    if (!mapping) {
      skip(i, r.unit.empty() ? fmt::format("{} has no meter value name", r.quantity)
                             : fmt::format("{} in {} has no core unit", r.quantity, r.unit));
      continue;
    }
    v.name = std::string(mapping->name);
    if (vifes.negative) v.name += "_reverse";
    int64_t mantissa = 0;
    int scale = r.exponent;
    if (const auto* n = std::get_if<mb::Integer>(&r.value)) {
      mantissa = v.name == "error_flags" ? UnsignedBits(n->mantissa, r.coding) : n->mantissa;
    } else if (const auto* real = std::get_if<mb::Real>(&r.value)) {
      // The float's shortest round-trip decimal, shifted exactly: the meter's own digits.
      const auto decimal = ParseDecimal(mb::FormatReal(real->bits, 0));
      if (!decimal) {
        skip(i, fmt::format("real value {} is not a finite number that fits", real->text));
        continue;
      }
      mantissa = decimal->first;
      scale += decimal->second;
      if (IsRegister(v.name)) {
        if (!options.real_register_scale) {
          skip(i, fmt::format("real-coded {} {} refused: no resolution declared (real_register_scale)", v.name,
                              real->text));
          continue;
        }
        const auto rounded = RoundTo(mantissa, scale, *options.real_register_scale);
        if (!rounded) {
          skip(i, fmt::format("real-coded {} {} does not fit at scale {}", v.name, real->text,
                              *options.real_register_scale));
          continue;
        }
        mantissa = *rounded;
        scale = *options.real_register_scale;
      }
    } else {
      skip(i, fmt::format("{} has no numeric value", r.quantity));
      continue;
    }
    if (scale < INT8_MIN || scale > INT8_MAX) {
      skip(i, fmt::format("exponent {} out of range", scale));
      continue;
    }
    auto q = core::Quantity{mantissa, static_cast<int8_t>(scale), mapping->unit}.Times(mapping->factor);
    if (!q) {
      skip(i, q.error().message);
      continue;
    }
    v.quantity = *q;
    out.values.push_back(std::move(v));
  }
  const uint8_t medium = options.medium.value_or(data.header.medium);
  if (const auto main = MbusMainQuantity(medium)) {
    for (size_t i = 0; i < out.values.size(); ++i) {
      MbusValue& v = out.values[i];
      if (v.name == *main && v.storage_number == 0 && v.tariff == 0 && v.subunit == 0 &&
          v.function == mb::Function::kInstantaneous) {
        v.main = true;
        out.main = i;
        break;
      }
    }
  }
  return out;
}

}  // namespace meterd::headend
