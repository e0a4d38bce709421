// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::core {

enum class Unit : uint8_t {
  kNone = 0,
  kWh = 1,     // active energy
  kVarh = 2,   // reactive energy
  kW = 3,
  kVar = 4,
  kV = 5,
  kA = 6,
  kM3 = 7,     // volume
  kL = 8,      // volume, only on input: normalised to m3
  kPulse = 9,
  // Stored as their numbers: append only.
  kVA = 10,    // apparent power
  kHz = 11,
  kJ = 12,     // heat energy (M-Bus meters report J or Wh)
  kDegC = 13,  // temperature
  kK = 14,     // temperature difference
  kM3PerH = 15,  // volume flow
  kS = 16,     // duration
  kPF = 17,    // power factor, dimensionless
  kVAh = 18,   // apparent energy
};

std::string_view UnitSymbol(Unit unit);
Result<Unit> ParseUnit(std::string_view symbol);

// An exact amount: value x 10^scale in a unit. 1234 scale -3 m3 is 1.234 m3.
// There is no double anywhere on this path: energy and volume are money.
struct Quantity {
  int64_t value = 0;
  int8_t scale = 0;
  Unit unit = Unit::kNone;

  // "10 L", "0.25 Wh", "1 m3", "-3.5 kWh" (k prefix folded into the scale).
  static Result<Quantity> Parse(std::string_view text);

  // The same amount at another scale; fails if precision would be lost or int64 overflows.
  Result<Quantity> Rescaled(int8_t new_scale) const;
  // Litres to cubic metres (scale - 3); other units unchanged.
  Quantity Normalised() const;
  // value * n, failing on overflow.
  Result<Quantity> Times(int64_t n) const;

  // "1.234 m3"
  std::string ToString() const;
  // Just the decimal number, "1.234".
  std::string DecimalString() const;

  friend bool operator==(const Quantity&, const Quantity&) = default;
};

// Sum of two quantities in the same unit at the finer of their scales.
Result<Quantity> Add(const Quantity& a, const Quantity& b);

// Decimal text for value x 10^scale, e.g. (1234, -3) -> "1.234".
std::string FormatScaled(int64_t value, int scale);

}  // namespace meterd::core
