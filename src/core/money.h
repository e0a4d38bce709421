// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::core {

// An amount of money in micro-units (10^-6) of an ISO 4217 currency. Exact; rounding to the
// currency's minor unit is an explicit step of whoever prints a bill.
struct Money {
  int64_t micros = 0;
  std::array<char, 3> currency{'X', 'X', 'X'};

  static Result<Money> Parse(std::string_view text);  // "12.34 EUR"
  std::string_view Currency() const { return {currency.data(), 3}; }
  std::string ToString() const;                       // "12.340000 EUR"
  friend bool operator==(const Money&, const Money&) = default;
};

Result<Money> Add(const Money& a, const Money& b);

// Micro-units as a decimal: "12.345678" (exact), and rounded half away from zero to cents, "12.35".
std::string FormatMicros(int64_t micros);
std::string FormatCents(int64_t micros);

}  // namespace meterd::core
