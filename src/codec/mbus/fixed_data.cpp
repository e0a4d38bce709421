// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/fixed_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/number_coding.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

// The 6-bit unit codes of EN 1434-3: nine steps of 1, 10, 100 x a base unit per range.
FixedCounter Unit(uint8_t type) {
  FixedCounter c;
  c.type = type;
  const int code = type & 0x3F;
  struct Range {
    int first;
    std::string_view quantity, unit;
    int exponent;
    std::string_view names[3];  // the unit at exponent, +3, +6
  };
  static constexpr Range kRanges[] = {
      {0x02, "Energy", "Wh", 0, {"Wh", "kWh", "MWh"}},
      {0x0B, "Energy", "J", 3, {"kJ", "MJ", "GJ"}},
      {0x14, "Power", "W", 0, {"W", "kW", "MW"}},
      {0x1D, "Power", "J/h", 3, {"kJ/h", "MJ/h", "GJ/h"}},
      {0x26, "Volume", "m3", -6, {"ml", "l", "m3"}},
      {0x2F, "Volume flow", "m3/h", -6, {"ml/h", "l/h", "m3/h"}},
  };
  for (const Range& r : kRanges) {
    if (code >= r.first && code < r.first + 9) {
      const int step = code - r.first;
      static constexpr std::string_view kFactor[3] = {"", "10 ", "100 "};
      c.quantity = std::string(r.quantity);
      c.unit = std::string(r.unit);
      c.exponent = r.exponent + step;
      c.unit_name = fmt::format("{}{}", kFactor[step % 3], r.names[step / 3]);
      return c;
    }
  }
  switch (code) {
    case 0x00: c.quantity = "Time", c.unit_name = "h,m,s"; break;
    case 0x01: c.quantity = "Time", c.unit_name = "D,M,Y"; break;
    case 0x38: c.quantity = "Temperature", c.unit = "°C", c.exponent = -3, c.unit_name = "1e-3 °C"; break;
    case 0x39: c.quantity = "H.C.A.", c.unit_name = "units for HCA"; break;
    case 0x3E: c.quantity = "historic", c.unit_name = "same but historic"; break;
    case 0x3F: c.quantity = "No units", c.unit_name = "without units"; break;
    default: c.quantity = "Reserved", c.unit_name = "reserved"; break;  // 3A..3D
  }
  return c;
}

}  // namespace

std::string_view FixedMediumName(uint8_t medium) {
  static constexpr std::string_view kNames[16] = {
      "Other",      "Oil",         "Electricity",      "Gas",          "Heat",          "Steam",
      "Hot Water",  "Water",       "H.C.A.",           "Reserved",     "Gas Mode 2",    "Heat Mode 2",
      "Hot Water Mode 2",          "Water Mode 2",     "H.C.A. Mode 2", "Reserved"};
  return kNames[medium & 0x0F];
}

core::Result<FixedData> DecodeFixedData(std::span<const uint8_t> data, ByteOrder order, Explainer* explain,
                                        size_t origin) {
  ByteReader in(data, origin, explain);
  if (data.size() != kFixedDataLength) {
    return Fail(ByteReader::ErrorAt(
        origin + std::min(data.size(), kFixedDataLength),
        fmt::format("fixed data structure has {} bytes, expected {}", data.size(), kFixedDataLength)));
  }
  auto field = [&](size_t at, size_t n) {
    std::vector<uint8_t> b(data.begin() + at, data.begin() + at + n);
    if (order == ByteOrder::kMsbFirst) std::reverse(b.begin(), b.end());
    return b;
  };
  FixedData f;
  const auto id = field(0, 4);
  f.id = fmt::format("{:02X}{:02X}{:02X}{:02X}", id[3], id[2], id[1], id[0]);
  f.access_number = data[4];
  f.status = data[5];
  f.binary_counters = (f.status & 0x80) != 0;
  f.stored_values = (f.status & 0x40) != 0;
  f.medium = static_cast<uint8_t>(((data[6] & 0xC0) >> 6) | ((data[7] & 0xC0) >> 4));
  for (size_t i = 0; i < 2; ++i) {
    FixedCounter& c = f.counters[i];
    c = Unit(data[6 + i]);
    const auto raw = field(8 + 4 * i, 4);
    if (f.binary_counters) {
      c.value = Integer{DecodeSignedLe(raw)};
    } else if (auto v = DecodeBcd(raw)) {
      c.value = Integer{*v};
    } else {
      c.value = Bytes{raw};
    }
  }
  if (in.explaining()) {
    in.Note(origin, 4, fmt::format("identification number {}", f.id));
    in.Note(origin + 4, 1, fmt::format("access number {}", f.access_number));
    in.Note(origin + 5, 1,
            fmt::format("status 0x{:02X}: {} counters, {} values", f.status, f.binary_counters ? "binary" : "BCD",
                        f.stored_values ? "stored" : "actual"));
    for (size_t i = 0; i < 2; ++i) {
      in.Note(origin + 6 + i, 1,
              fmt::format("counter {} type 0x{:02X}: {} (medium {})", i + 1, f.counters[i].type,
                          f.counters[i].unit_name, FixedMediumName(f.medium)));
    }
    for (size_t i = 0; i < 2; ++i) {
      const FixedCounter& c = f.counters[i];
      in.Note(origin + 8 + 4 * i, 4,
              fmt::format("counter {}: {} {}", i + 1, FormatValue(c.value, c.exponent), c.unit));
    }
  }
  return f;
}

}  // namespace meterd::codec::mbus
