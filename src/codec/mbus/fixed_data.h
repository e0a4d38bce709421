// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "codec/mbus/explainer.h"
#include "codec/mbus/value.h"
#include "core/error.h"

// The fixed data structure of EN 1434-3 (CI 73h, and 77h with the bytes most significant first):
// identification, access number, status, two counter type bytes and two 4-byte counters.
namespace meterd::codec::mbus {

inline constexpr size_t kFixedDataLength = 16;

struct FixedCounter {
  uint8_t type = 0;       // as sent: bits 0..5 unit code, bits 6..7 half of the medium
  std::string quantity;   // "Energy", "Volume", ...; "Reserved" for reserved unit codes
  std::string unit;       // meterd symbol, as in a variable data record
  int exponent = 0;
  std::string unit_name;  // EN 1434-3's wording: "kWh", "10 l", "same but historic"
  Value value;            // Integer; Bytes when a BCD counter has a non-decimal digit
};

struct FixedData {
  std::string id;  // 8 BCD digits
  uint8_t access_number = 0;
  uint8_t status = 0;
  bool binary_counters = false;  // status bit 7; otherwise BCD
  bool stored_values = false;    // status bit 6: values stored at a fixed date, not actual
  uint8_t medium = 0;            // 4 bits, from bits 6..7 of both type bytes
  std::array<FixedCounter, 2> counters;
};

// "Water", "Heat", ... for the 4-bit medium (EN 1434-3).
std::string_view FixedMediumName(uint8_t medium);

// `data` is what follows the CI field: exactly 16 bytes. `origin` as in DecodeVariableData.
core::Result<FixedData> DecodeFixedData(std::span<const uint8_t> data, ByteOrder order = ByteOrder::kLsbFirst,
                                        Explainer* explain = nullptr, size_t origin = 0);

}  // namespace meterd::codec::mbus
