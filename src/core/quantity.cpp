// SPDX-License-Identifier: Apache-2.0
#include "core/quantity.h"

#include <fmt/format.h>

#include <limits>

namespace meterd::core {

std::string_view UnitSymbol(Unit unit) {
  switch (unit) {
    case Unit::kNone: return "";
    case Unit::kWh: return "Wh";
    case Unit::kVarh: return "varh";
    case Unit::kW: return "W";
    case Unit::kVar: return "var";
    case Unit::kV: return "V";
    case Unit::kA: return "A";
    case Unit::kM3: return "m3";
    case Unit::kL: return "L";
    case Unit::kPulse: return "pulse";
    case Unit::kVA: return "VA";
    case Unit::kHz: return "Hz";
    case Unit::kJ: return "J";
    case Unit::kDegC: return "degC";
    case Unit::kK: return "K";
    case Unit::kM3PerH: return "m3/h";
    case Unit::kS: return "s";
    case Unit::kPF: return "PF";
    case Unit::kVAh: return "VAh";
  }
  return "";
}

Result<Unit> ParseUnit(std::string_view s) {
  if (s.empty()) return Unit::kNone;
  for (Unit u : {Unit::kWh, Unit::kVarh, Unit::kW, Unit::kVar, Unit::kV, Unit::kA, Unit::kM3, Unit::kL,
                 Unit::kPulse, Unit::kVA, Unit::kHz, Unit::kJ, Unit::kDegC, Unit::kK, Unit::kM3PerH, Unit::kS,
                 Unit::kPF, Unit::kVAh}) {
    if (s == UnitSymbol(u)) return u;
  }
  if (s == "l") return Unit::kL;
  return Fail(Error::Invalid(fmt::format("unknown unit '{}'", s)));
}

namespace {
bool CheckedMul10(int64_t& v, int times) {
  for (int i = 0; i < times; ++i) {
    if (__builtin_mul_overflow(v, int64_t{10}, &v)) return false;
  }
  return true;
}
}  // namespace

Result<Quantity> Quantity::Parse(std::string_view text) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) negative = text[pos++] == '-';
  int64_t value = 0;
  int scale = 0;
  size_t digits = 0;
  bool in_fraction = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.' && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (__builtin_mul_overflow(value, int64_t{10}, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      return Fail(Error::Invalid(fmt::format("quantity '{}' is too large", text)));
    }
    ++digits;
    if (in_fraction) --scale;
  }
  if (digits == 0) return Fail(Error::Invalid(fmt::format("quantity '{}': expected a number at offset 0", text)));
  if (scale < -18) return Fail(Error::Invalid(fmt::format("quantity '{}' has too many decimals", text)));
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::string_view symbol = text.substr(pos);
  if (symbol.size() > 1 && symbol[0] == 'k' && !ParseUnit(symbol) && ParseUnit(symbol.substr(1))) {
    symbol.remove_prefix(1);  // "kWh", "kW": fold the prefix into the scale
    scale += 3;
  }
  auto unit = ParseUnit(symbol);
  if (!unit) return Fail(Error::Invalid(fmt::format("quantity '{}': unknown unit '{}'", text, symbol)));
  Quantity q{negative ? -value : value, static_cast<int8_t>(scale), *unit};
  if (q.scale > 0) {
    // Keep scales non-positive: 1 kWh becomes 1000 Wh.
    auto r = q.Rescaled(0);
    if (!r) return r;
    q = *r;
  }
  return q;
}

Result<Quantity> Quantity::Rescaled(int8_t new_scale) const {
  Quantity q = *this;
  q.scale = new_scale;
  if (new_scale <= scale) {
    if (!CheckedMul10(q.value, scale - new_scale)) return Fail(Error{ErrorCode::kOutOfRange, "quantity overflows", {}});
    return q;
  }
  int64_t div = 1;
  for (int i = 0; i < new_scale - scale; ++i) {
    if (__builtin_mul_overflow(div, int64_t{10}, &div)) return Fail(Error{ErrorCode::kOutOfRange, "scale out of range", {}});
  }
  if (value % div != 0) return Fail(Error{ErrorCode::kOutOfRange, "rescaling would lose precision", {}});
  q.value = value / div;
  return q;
}

Quantity Quantity::Normalised() const {
  if (unit != Unit::kL) return *this;
  return Quantity{value, static_cast<int8_t>(scale - 3), Unit::kM3};
}

Result<Quantity> Quantity::Times(int64_t n) const {
  Quantity q = *this;
  if (__builtin_mul_overflow(value, n, &q.value)) return Fail(Error{ErrorCode::kOutOfRange, "quantity overflows", {}});
  return q;
}

std::string FormatScaled(int64_t value, int scale) {
  if (scale >= 0) {
    std::string s = fmt::format("{}", value);
    if (value != 0) s.append(static_cast<size_t>(scale), '0');
    return s;
  }
  bool negative = value < 0;
  // Work in unsigned to survive INT64_MIN.
  uint64_t mag = negative ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = fmt::format("{}", mag);
  size_t frac = static_cast<size_t>(-scale);
  if (digits.size() <= frac) digits.insert(0, frac - digits.size() + 1, '0');
  digits.insert(digits.size() - frac, ".");
  if (negative) digits.insert(0, "-");
  return digits;
}

std::string Quantity::DecimalString() const { return FormatScaled(value, scale); }

std::string Quantity::ToString() const {
  std::string s = DecimalString();
  if (unit != Unit::kNone) {
    s += ' ';
    s += UnitSymbol(unit);
  }
  return s;
}

Result<Quantity> Add(const Quantity& a, const Quantity& b) {
  if (a.unit != b.unit) {
    return Fail(Error::Invalid(fmt::format("cannot add {} to {}", UnitSymbol(b.unit), UnitSymbol(a.unit))));
  }
  int8_t scale = std::min(a.scale, b.scale);
  auto ra = a.Rescaled(scale);
  if (!ra) return ra;
  auto rb = b.Rescaled(scale);
  if (!rb) return rb;
  Quantity q = *ra;
  if (__builtin_add_overflow(ra->value, rb->value, &q.value)) return Fail(Error{ErrorCode::kOutOfRange, "sum overflows", {}});
  return q;
}

}  // namespace meterd::core
