// SPDX-License-Identifier: Apache-2.0
#include "core/money.h"

#include <fmt/format.h>

#include "core/quantity.h"

namespace meterd::core {

Result<Money> Money::Parse(std::string_view text) {
  size_t space = text.rfind(' ');
  if (space == std::string_view::npos || text.size() - space != 4) {
    return Fail(Error::Invalid(fmt::format("money '{}': expected '<amount> <ISO 4217 code>'", text)));
  }
  std::string_view code = text.substr(space + 1);
  for (char c : code) {
    if (c < 'A' || c > 'Z') return Fail(Error::Invalid(fmt::format("money '{}': bad currency code", text)));
  }
  auto q = Quantity::Parse(text.substr(0, space));
  if (!q) return Fail(Error::Invalid(fmt::format("money '{}': bad amount", text)));
  if (q->scale < -6) return Fail(Error::Invalid(fmt::format("money '{}': more than 6 decimals", text)));
  auto micros = q->Rescaled(-6);
  if (!micros) return Fail(Error::Invalid(fmt::format("money '{}': out of range", text)));
  Money m;
  m.micros = micros->value;
  m.currency = {code[0], code[1], code[2]};
  return m;
}

std::string Money::ToString() const { return FormatScaled(micros, -6) + " " + std::string(Currency()); }

Result<Money> Add(const Money& a, const Money& b) {
  if (a.currency != b.currency) {
    return Fail(Error::Invalid(fmt::format("currency mismatch: {} and {}", a.Currency(), b.Currency())));
  }
  Money m = a;
  if (__builtin_add_overflow(a.micros, b.micros, &m.micros)) return Fail(Error{ErrorCode::kOutOfRange, "money overflows", {}});
  return m;
}

std::string FormatMicros(int64_t micros) {
  uint64_t m = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  return fmt::format("{}{}.{:06}", micros < 0 ? "-" : "", m / 1'000'000, m % 1'000'000);
}

std::string FormatCents(int64_t micros) {
  uint64_t m = micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  uint64_t cents = (m + 5000) / 10000;
  return fmt::format("{}{}.{:02}", micros < 0 && cents > 0 ? "-" : "", cents / 100, cents % 100);
}

}  // namespace meterd::core
