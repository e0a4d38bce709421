// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

#include "codec/mbus/number_coding.h"
#include "core/quantity.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

// Decimal digits (no sign, no point) times 10^exp10, as a plain decimal string.
std::string PlainDecimal(bool negative, std::string digits, int exp10) {
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));  // keep one zero
  std::string out;
  if (exp10 >= 0) {
    out = digits == "0" ? digits : digits + std::string(static_cast<size_t>(exp10), '0');
  } else {
    const size_t frac = static_cast<size_t>(-exp10);
    if (digits.size() <= frac) digits.insert(0, frac - digits.size() + 1, '0');
    out = digits.substr(0, digits.size() - frac) + "." + digits.substr(digits.size() - frac);
  }
  return negative && out != "0" ? "-" + out : out;
}

Value Temporal(std::span<const uint8_t> b) {
  switch (b.size()) {
    case 2: return DecodeTypeG(b.first<2>());
    case 3: return DecodeTypeJ(b.first<3>());
    case 4: return DecodeTypeF(b.first<4>());
    default: return DecodeTypeI(b.first<6>());
  }
}

Value Bcd(std::span<const uint8_t> b, bool negative) {
  if (b.empty()) return Integer{0};
  auto v = DecodeBcd(b);
  if (!v) return Bytes{{b.begin(), b.end()}};
  return Integer{negative ? -*v : *v};
}

// Variable length data: the LVAR byte says what follows (EN 13757-3 §6.3.3 table 5).
core::Result<Value> DecodeLvar(ByteReader& in, ByteOrder order, size_t record, std::vector<uint8_t>& raw) {
  const size_t at = in.offset();
  if (in.AtEnd()) {
    return Fail(ByteReader::ErrorAt(at, fmt::format("record {}: expected the LVAR length byte, but the data ends",
                                                    record)));
  }
  const uint8_t lvar = *in.Byte("LVAR");
  size_t length = 0;
  std::string_view kind;
  if (lvar <= 0xBF) {
    length = lvar, kind = "text";
  } else if (lvar <= 0xC9) {
    length = lvar - 0xC0, kind = "positive BCD";
  } else if (lvar >= 0xD0 && lvar <= 0xD9) {
    length = lvar - 0xD0, kind = "negative BCD";
  } else if (lvar >= 0xE0 && lvar <= 0xEF) {
    length = lvar - 0xE0, kind = "binary number";
  } else if (lvar >= 0xF0 && lvar <= 0xFA) {
    length = lvar - 0xF0, kind = "floating point";
  } else {
    return Fail(ByteReader::ErrorAt(at, fmt::format("record {}: LVAR 0x{:02X} is reserved", record, lvar)));
  }
  if (in.explaining()) {
    in.Note(at, 1, fmt::format("record {}: LVAR 0x{:02X}: {} bytes of {}", record, lvar, length, kind));
  }
  auto data = in.Take(length, [&] { return fmt::format("{} data of record {}", kind, record); });
  if (!data) return Fail(data.error());
  raw.assign(data->begin(), data->end());
  if (order == ByteOrder::kMsbFirst) std::reverse(raw.begin(), raw.end());
  if (lvar <= 0xBF) return Text{std::string(raw.rbegin(), raw.rend())};
  if (lvar <= 0xC9) return Bcd(raw, false);
  if (lvar <= 0xD9) return Bcd(raw, true);
  if (lvar <= 0xEF && length <= 8) return Integer{DecodeSignedLe(raw)};
  return Bytes{raw};
}

}  // namespace

std::string FormatReal(uint32_t bits, int exponent) {
  const float f = std::bit_cast<float>(bits);
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(end - buf));  // "-1.7072178e-01"
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  const size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exp10 = 0;
  std::string_view es = s.substr(e + 1);
  if (!es.empty() && es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp10);
  // digits d.ddd x 10^exp10 = ddd x 10^(exp10 - (n - 1))
  return PlainDecimal(negative, digits, exp10 - static_cast<int>(digits.size() - 1) + exponent);
}

std::string FormatValue(const Value& value, int exponent) {
  struct Visitor {
    int exponent;
    std::string operator()(const NoValue&) const { return {}; }
    std::string operator()(const Integer& v) const { return core::FormatScaled(v.mantissa, exponent); }
    std::string operator()(const Real& v) const { return FormatReal(v.bits, exponent); }
    std::string operator()(const DateTime& v) const { return v.ToString(); }
    std::string operator()(const Text& v) const { return v.text; }
    std::string operator()(const Bytes& v) const { return HexBytes(v.bytes); }
  };
  return std::visit(Visitor{exponent}, value);
}

core::Result<Value> DecodeDataField(ByteReader& in, const DataInformationBlock& dib, const ValueInformationBlock& vib,
                                    ByteOrder order, size_t record) {
  const size_t at = in.offset();
  Value value;
  std::vector<uint8_t> raw;
  switch (dib.coding) {
    case DataCoding::kNone:
    case DataCoding::kSelectionForReadout: return NoValue{};
    case DataCoding::kSpecial:
      return Fail(ByteReader::ErrorAt(at, fmt::format("record {}: DIF 0x{:02X} is a reserved special function",
                                                      record, dib.dif)));
    case DataCoding::kVariableLength: {
      auto v = DecodeLvar(in, order, record, raw);
      if (!v) return Fail(v.error());
      value = std::move(*v);
      break;
    }
    default: {
      auto data = in.Take(dib.DataLength(),
                          [&] { return fmt::format("{} data of record {}", DataCodingName(dib.coding), record); });
      if (!data) return Fail(data.error());
      raw.assign(data->begin(), data->end());
      if (order == ByteOrder::kMsbFirst) std::reverse(raw.begin(), raw.end());
      switch (dib.coding) {
        case DataCoding::kReal32: {
          const auto bits = static_cast<uint32_t>(DecodeUnsignedLe(raw));
          value = Real{bits, FormatReal(bits, 0)};
          break;
        }
        case DataCoding::kBcd2:
        case DataCoding::kBcd4:
        case DataCoding::kBcd6:
        case DataCoding::kBcd8:
        case DataCoding::kBcd12: value = Bcd(raw, false); break;
        case DataCoding::kInt16:
        case DataCoding::kInt24:
        case DataCoding::kInt32:
        case DataCoding::kInt48:
          if (vib.time_point) {
            value = Temporal(raw);
            break;
          }
          [[fallthrough]];
        default: value = Integer{DecodeSignedLe(raw)}; break;
      }
    }
  }
  if (in.explaining() && in.offset() > at) {
    const size_t data_at = dib.coding == DataCoding::kVariableLength ? at + 1 : at;
    std::string shown = FormatValue(value, vib.exponent);
    if (std::holds_alternative<Integer>(value) || std::holds_alternative<Real>(value)) {
      if (!vib.unit.empty()) shown += " " + vib.unit;
    }
    if (in.offset() > data_at) {
      const bool named = !vib.quantity.empty() && vib.quantity != vib.unit;
      in.Note(data_at, in.offset() - data_at,
              fmt::format("record {}: value {}{}", record, shown, named ? fmt::format(" ({})", vib.quantity) : ""));
    }
  }
  return value;
}

}  // namespace meterd::codec::mbus
