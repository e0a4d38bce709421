// SPDX-License-Identifier: Apache-2.0
// Base types of ANSI C12.19 under the format control of ST0. Sizes and the choices where the
// standard was not at hand are listed in docs/formats/tdl.md ("Base types").
#include "codec/c1219/wire.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Result;

// ---- WireReader / WireWriter ------------------------------------------------------------------

core::Error WireReader::ErrorAt(size_t offset, std::string message) const {
  return Error::Invalid(std::move(message), fmt::format("offset {}", offset));
}

Result<std::span<const uint8_t>> WireReader::Take(size_t n, std::string_view what) {
  if (n > remaining()) {
    return Fail(ErrorAt(pos_, fmt::format("{}: expected {} byte{}, but only {} left", what, n, n == 1 ? "" : "s",
                                          remaining())));
  }
  auto out = bytes_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<uint64_t> WireReader::Uint(size_t width, std::string_view what) {
  auto b = Take(width, what);
  if (!b) return Fail(b.error());
  uint64_t v = 0;
  if (format_.data_order == DataOrder::kMsbFirst) {
    for (uint8_t byte : *b) v = (v << 8) | byte;
  } else {
    for (size_t i = b->size(); i-- > 0;) v = (v << 8) | (*b)[i];
  }
  return v;
}

Result<int64_t> WireReader::Int(size_t width, std::string_view what) {
  size_t at = pos_;
  auto raw = Uint(width, what);
  if (!raw) return Fail(raw.error());
  const unsigned bits = static_cast<unsigned>(width * 8);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t u = *raw;
  switch (format_.int_format) {
    case 0:  // two's complement
      if (u & sign) return static_cast<int64_t>(u | ~mask);
      return static_cast<int64_t>(u);
    case 1:  // one's complement
      if (u & sign) return -static_cast<int64_t>(~u & mask);
      return static_cast<int64_t>(u);
    case 2:  // sign and magnitude
      if (u & sign) return -static_cast<int64_t>(u & ~sign & mask);
      return static_cast<int64_t>(u);
    default:
      return Fail(ErrorAt(at, fmt::format("{}: INT_FORMAT {} is reserved", what, format_.int_format)));
  }
}

core::Error WireWriter::ErrorHere(std::string message) const {
  return Error{core::ErrorCode::kOutOfRange, std::move(message), fmt::format("offset {}", out_.size())};
}

Result<void> WireWriter::Uint(uint64_t value, size_t width, std::string_view what) {
  if (width < 8 && (value >> (width * 8)) != 0) {
    return Fail(ErrorHere(fmt::format("{}: {} does not fit {} byte{}", what, value, width, width == 1 ? "" : "s")));
  }
  size_t at = out_.size();
  out_.resize(at + width);
  for (size_t i = 0; i < width; ++i) {
    uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    out_[format_.data_order == DataOrder::kMsbFirst ? at + width - 1 - i : at + i] = byte;
  }
  return {};
}

Result<void> WireWriter::Int(int64_t value, size_t width, std::string_view what) {
  const unsigned bits = static_cast<unsigned>(width * 8);
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  const int64_t max = static_cast<int64_t>((uint64_t{1} << (bits - 1)) - 1);
  const int64_t min = format_.int_format == 0 ? -max - 1 : -max;
  if (format_.int_format > 2) return Fail(ErrorHere(fmt::format("{}: INT_FORMAT {} is reserved", what, format_.int_format)));
  if (value > max || value < min) {
    return Fail(ErrorHere(fmt::format("{}: {} does not fit a signed {}-byte integer", what, value, width)));
  }
  uint64_t raw = static_cast<uint64_t>(value);
  if (value < 0) {
    uint64_t magnitude = static_cast<uint64_t>(-(value + 1)) + 1;
    if (format_.int_format == 1) raw = ~magnitude;
    if (format_.int_format == 2) raw = magnitude | (uint64_t{1} << (bits - 1));
  }
  return Uint(raw & mask, width, what);
}

// ---- numbers ----------------------------------------------------------------------------------

namespace {

Error OutOfRange(const WireWriter& out, std::string message) { return out.ErrorHere(std::move(message)); }

// Parses "[+-]digits[.digits][(e|E)[+-]digits]" into an exact decimal. Empty optional on failure.
std::optional<Decimal> ParseDecimalText(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  int64_t value = 0;
  int scale = 0;
  int digits = 0;
  bool fraction = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.' && !fraction) {
      fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (__builtin_mul_overflow(value, int64_t{10}, &value) || __builtin_add_overflow(value, c - '0', &value)) {
      return std::nullopt;
    }
    ++digits;
    if (fraction) --scale;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    int exp = 0;
    int exp_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++exp_digits) {
      exp = exp * 10 + (s[i] - '0');
      if (exp > 1000) return std::nullopt;
    }
    if (exp_digits == 0) return std::nullopt;
    scale += exp_negative ? -exp : exp;
  }
  if (i != s.size()) return std::nullopt;
  // A positive exponent is multiplied out when it fits (as core::Quantity::Parse does), so that
  // "1e5" and "100000" are the same decimal.
  for (int64_t next; scale > 0 && !__builtin_mul_overflow(value, int64_t{10}, &next); --scale) value = next;
  if (scale < -128 || scale > 127) return std::nullopt;
  return Decimal{negative ? -value : value, static_cast<int8_t>(scale)};
}

// The shortest text that reads back as the same float (fmt), as an exact decimal.
template <class F>
Result<Decimal> DecimalFromFloat(F f, const WireReader& in, size_t at, std::string_view what) {
  if (!std::isfinite(f)) return Fail(in.ErrorAt(at, fmt::format("{}: expected a finite number, got {}", what, f)));
  auto d = ParseDecimalText(fmt::format("{}", f));
  if (!d) return Fail(in.ErrorAt(at, fmt::format("{}: {} has no decimal form with scale -128..127", what, f)));
  return *d;
}

std::string DecimalToExponentText(const Decimal& d) { return fmt::format("{}e{}", d.value, d.scale); }

// Exactly value x 10^(scale - target), or nullopt if that loses digits or overflows.
std::optional<int64_t> AtScale(const Decimal& d, int target) {
  int64_t v = d.value;
  int shift = d.scale - target;
  for (; shift > 0; --shift) {
    if (__builtin_mul_overflow(v, int64_t{10}, &v)) return std::nullopt;
  }
  for (; shift < 0; ++shift) {
    if (v % 10 != 0) return std::nullopt;
    v /= 10;
  }
  return v;
}

// Plain decimal text of d ("-12.34", "1500"); exponent form ("15E2") when `exponent` is set.
std::string DecimalText(const Decimal& d, bool exponent) {
  if (exponent) {
    int64_t v = d.value;
    int scale = d.scale;
    for (; v != 0 && v % 10 == 0; v /= 10) ++scale;
    return fmt::format("{}E{}", v, scale);
  }
  if (d.scale >= 0) return fmt::format("{}{}", d.value, std::string(static_cast<size_t>(d.scale), '0'));
  return core::FormatScaled(d.value, d.scale);
}

}  // namespace

Result<Decimal> ReadNi(WireReader& in, uint8_t ni_format, std::string_view what) {
  size_t at = in.offset();
  if (ni_format > 13) return Fail(in.ErrorAt(at, fmt::format("{}: NI format {} is reserved", what, ni_format)));
  auto f = static_cast<NiFormat>(ni_format);
  switch (f) {
    case NiFormat::kFloat64: {
      auto raw = in.Uint(8, what);
      if (!raw) return Fail(raw.error());
      double d;
      std::memcpy(&d, &*raw, sizeof d);
      return DecimalFromFloat(d, in, at, what);
    }
    case NiFormat::kFloat32: {
      auto raw = in.Uint(4, what);
      if (!raw) return Fail(raw.error());
      uint32_t bits = static_cast<uint32_t>(*raw);
      float fl;
      std::memcpy(&fl, &bits, sizeof fl);
      return DecimalFromFloat(fl, in, at, what);
    }
    case NiFormat::kFloatChar6:
    case NiFormat::kFloatChar12:
    case NiFormat::kFloatChar21: {
      auto b = in.Take(NiFormatSize(f), what);
      if (!b) return Fail(b.error());
      std::string_view text(reinterpret_cast<const char*>(b->data()), b->size());
      while (!text.empty() && (text.front() == ' ' || text.front() == '\0')) text.remove_prefix(1);
      while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.remove_suffix(1);
      auto d = ParseDecimalText(text);
      if (!d) return Fail(in.ErrorAt(at, fmt::format("{}: expected a number as {} characters", what, b->size())));
      return *d;
    }
    case NiFormat::kFixedBcd4:
    case NiFormat::kFixedBcd6:
    case NiFormat::kFixedBcd8: {
      auto digits = ReadBcd(in, NiFormatSize(f), what);
      if (!digits) return Fail(digits.error());
      int64_t v = 0;
      for (char c : *digits) v = v * 10 + (c - '0');
      return Decimal{v, 0};
    }
    case NiFormat::kInt32Implied4: {
      auto v = in.Int(4, what);
      if (!v) return Fail(v.error());
      return Decimal{*v, -4};
    }
    default: {
      auto v = in.Int(NiFormatSize(f), what);
      if (!v) return Fail(v.error());
      return Decimal{*v, 0};
    }
  }
}

Result<void> WriteNi(WireWriter& out, uint8_t ni_format, const Decimal& value, std::string_view what) {
  if (ni_format > 13) return Fail(OutOfRange(out, fmt::format("{}: NI format {} is reserved", what, ni_format)));
  auto f = static_cast<NiFormat>(ni_format);
  switch (f) {
    case NiFormat::kFloat64: {
      double d = std::strtod(DecimalToExponentText(value).c_str(), nullptr);
      uint64_t raw;
      std::memcpy(&raw, &d, sizeof raw);
      return out.Uint(raw, 8, what);
    }
    case NiFormat::kFloat32: {
      float fl = std::strtof(DecimalToExponentText(value).c_str(), nullptr);
      if (!std::isfinite(fl)) return Fail(OutOfRange(out, fmt::format("{}: {} overflows FLOAT32", what, value.ToString())));
      uint32_t raw;
      std::memcpy(&raw, &fl, sizeof raw);
      return out.Uint(raw, 4, what);
    }
    case NiFormat::kFloatChar6:
    case NiFormat::kFloatChar12:
    case NiFormat::kFloatChar21: {
      size_t width = NiFormatSize(f);
      std::string text = DecimalText(value, false);
      if (text.size() > width) text = DecimalText(value, true);
      if (text.size() > width) {
        return Fail(OutOfRange(out, fmt::format("{}: {} needs more than {} characters", what, value.ToString(), width)));
      }
      std::string padded(width - text.size(), ' ');
      padded += text;
      out.Append(std::span(reinterpret_cast<const uint8_t*>(padded.data()), padded.size()));
      return {};
    }
    case NiFormat::kFixedBcd4:
    case NiFormat::kFixedBcd6:
    case NiFormat::kFixedBcd8: {
      auto v = AtScale(value, 0);
      if (!v || *v < 0) {
        return Fail(OutOfRange(out, fmt::format("{}: {} is not a whole number >= 0 for {}", what, value.ToString(),
                                                NiFormatName(f))));
      }
      return WriteBcd(out, fmt::format("{}", *v), NiFormatSize(f), what);
    }
    default: {
      int scale = f == NiFormat::kInt32Implied4 ? -4 : 0;
      auto v = AtScale(value, scale);
      if (!v) {
        return Fail(OutOfRange(out, fmt::format("{}: {} is not a multiple of 10^{} for {}", what, value.ToString(),
                                                scale, NiFormatName(f))));
      }
      return out.Int(*v, NiFormatSize(f), what);
    }
  }
}

// ---- time -------------------------------------------------------------------------------------

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
namespace {
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

TimeDate CivilFromUnixSeconds(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rem = seconds - days * 86400;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  TimeDate t;
  t.year = static_cast<int32_t>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  t.hour = static_cast<uint8_t>(rem / 3600);
  t.minute = static_cast<uint8_t>(rem / 60 % 60);
  t.second = static_cast<uint8_t>(rem % 60);
  return t;
}

int64_t UnixSecondsFromCivil(const TimeDate& t) {
  return DaysFromCivil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
}

std::string_view TimeTypeName(TimeType type) {
  switch (type) {
    case TimeType::kStimeDate: return "STIME_DATE";
    case TimeType::kLtimeDate: return "LTIME_DATE";
    case TimeType::kHtimeDate: return "HTIME_DATE";
    case TimeType::kDate: return "DATE";
    case TimeType::kTime: return "TIME";
  }
  return "?";
}

namespace {
// The discrete fields a type carries, in wire order (TM_FORMAT 1 and 2, and DATE/TIME always).
std::vector<uint8_t TimeDate::*> DiscreteFields(TimeType type) {
  switch (type) {
    case TimeType::kStimeDate: return {&TimeDate::month, &TimeDate::day, &TimeDate::hour, &TimeDate::minute};
    case TimeType::kLtimeDate:
      return {&TimeDate::month, &TimeDate::day, &TimeDate::hour, &TimeDate::minute, &TimeDate::second};
    case TimeType::kHtimeDate:
      return {&TimeDate::month, &TimeDate::day, &TimeDate::hour, &TimeDate::minute, &TimeDate::second,
              &TimeDate::hundredths};
    case TimeType::kDate: return {&TimeDate::month, &TimeDate::day};
    case TimeType::kTime: return {&TimeDate::hour, &TimeDate::minute, &TimeDate::second};
  }
  return {};
}
bool HasYear(TimeType type) { return type != TimeType::kTime; }
// Two-digit years: 90..99 are 1990..1999, 00..89 are 2000..2089. A UINT8 year byte above 99
// continues the 1900 base (2090..2155), so every byte reads back to itself.
int32_t YearOf(uint8_t yy) { return yy < 90 ? 2000 + yy : 1900 + yy; }
std::optional<uint8_t> YearByte(int32_t year, bool bcd) {
  if (year >= 2000 && year <= 2089) return static_cast<uint8_t>(year - 2000);
  if (year >= 1990 && year <= (bcd ? 1999 : 2155)) return static_cast<uint8_t>(year - 1900);
  return std::nullopt;
}
bool IsCounter(TimeType type, uint8_t tm) {
  return (tm == 3 || tm == 4) && type != TimeType::kDate && type != TimeType::kTime;
}
}  // namespace

Result<size_t> TimeSize(TimeType type, uint8_t tm) {
  if (tm > 4) return Fail(Error::Invalid(fmt::format("TM_FORMAT {} is reserved", tm)));
  if (tm == 0) return size_t{0};
  if (!IsCounter(type, tm)) return DiscreteFields(type).size() + (HasYear(type) ? 1 : 0);
  size_t extra = 0;
  if (tm == 3 && type != TimeType::kStimeDate) extra += 1;  // seconds
  if (type == TimeType::kHtimeDate) extra += 1;             // hundredths
  return 4 + extra;
}

Result<Value> ReadTime(WireReader& in, TimeType type, std::string_view what) {
  const uint8_t tm = in.format().tm_format;
  size_t at = in.offset();
  if (tm > 4) return Fail(in.ErrorAt(at, fmt::format("{}: TM_FORMAT {} is reserved", what, tm)));
  if (tm == 0) return Value();
  TimeDate t;
  if (!IsCounter(type, tm)) {
    auto size = TimeSize(type, tm);
    auto b = in.Take(*size, what);
    if (!b) return Fail(b.error());
    std::vector<uint8_t> v(b->begin(), b->end());
    if (tm == 1) {
      for (size_t i = 0; i < v.size(); ++i) {
        if ((v[i] >> 4) > 9 || (v[i] & 0x0F) > 9) {
          return Fail(in.ErrorAt(at + i, fmt::format("{}: expected BCD digits, got {:02X}", what, v[i])));
        }
        v[i] = static_cast<uint8_t>((v[i] >> 4) * 10 + (v[i] & 0x0F));
      }
    }
    size_t i = 0;
    if (HasYear(type)) {
      t.year = YearOf(v[0]);
      i = 1;
    }
    for (auto member : DiscreteFields(type)) t.*member = v[i++];
    return Value::Time(t);
  }
  auto counter = in.Uint(4, what);
  if (!counter) return Fail(counter.error());
  t = CivilFromUnixSeconds(static_cast<int64_t>(*counter) * (tm == 3 ? 60 : 1));
  if (tm == 3 && type != TimeType::kStimeDate) {
    auto s = in.Uint(1, what);
    if (!s) return Fail(s.error());
    t.second = static_cast<uint8_t>(*s);
  }
  if (type == TimeType::kHtimeDate) {
    auto h = in.Uint(1, what);
    if (!h) return Fail(h.error());
    t.hundredths = static_cast<uint8_t>(*h);
  }
  return Value::Time(t);
}

Result<void> WriteTime(WireWriter& out, TimeType type, const TimeDate& t, std::string_view what) {
  const uint8_t tm = out.format().tm_format;
  if (tm > 4) return Fail(OutOfRange(out, fmt::format("{}: TM_FORMAT {} is reserved", what, tm)));
  if (tm == 0) return {};
  if (!IsCounter(type, tm)) {
    std::vector<uint8_t> v;
    if (HasYear(type)) {
      auto yy = YearByte(t.year, tm == 1);
      if (!yy) {
        return Fail(OutOfRange(out, fmt::format("{}: year {} is outside {}", what, t.year,
                                                tm == 1 ? "1990..2089" : "1990..2155")));
      }
      v.push_back(*yy);
    }
    for (auto member : DiscreteFields(type)) v.push_back(t.*member);
    for (uint8_t& b : v) {
      if (tm == 1) {
        if (b > 99) return Fail(OutOfRange(out, fmt::format("{}: {} does not fit two BCD digits", what, b)));
        b = static_cast<uint8_t>((b / 10) << 4 | (b % 10));
      }
    }
    out.Append(v);
    return {};
  }
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59) {
    return Fail(OutOfRange(out, fmt::format("{}: {} is not a valid time for a counter", what, t.ToString())));
  }
  TimeDate whole = t;
  whole.hundredths = 0;
  if (tm == 3) whole.second = 0;
  int64_t seconds = UnixSecondsFromCivil(whole);
  int64_t counter = tm == 3 ? seconds / 60 : seconds;
  if (seconds < 0 || counter > 0xFFFFFFFFLL) {
    return Fail(OutOfRange(out, fmt::format("{}: {} is outside the UINT32 counter", what, t.ToString())));
  }
  if (tm == 3 && type == TimeType::kStimeDate && t.second != 0) {
    return Fail(OutOfRange(out, fmt::format("{}: STIME_DATE in TM_FORMAT 3 has no seconds", what)));
  }
  if (tm == 4 && t.second > 59) return Fail(OutOfRange(out, fmt::format("{}: second {} > 59", what, t.second)));
  if (auto r = out.Uint(static_cast<uint64_t>(counter), 4, what); !r) return r;
  if (tm == 3 && type != TimeType::kStimeDate) out.bytes().push_back(t.second);
  if (type == TimeType::kHtimeDate) out.bytes().push_back(t.hundredths);
  return {};
}

// ---- characters and BCD -----------------------------------------------------------------------

namespace {
// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid there.
size_t Utf8SequenceLength(std::span<const uint8_t> s, size_t i) {
  uint8_t c = s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((s[i + k] & 0xC0) != 0x80) return 0;
  }
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}
}  // namespace

Result<std::string> ReadChars(WireReader& in, size_t n, std::string_view what) {
  size_t at = in.offset();
  auto b = in.Take(n, what);
  if (!b) return Fail(b.error());
  const uint8_t cf = in.format().char_format;
  std::string out;
  out.reserve(n);
  switch (cf) {
    case 1:
      for (size_t i = 0; i < b->size(); ++i) {
        if ((*b)[i] & 0x80) {
          return Fail(in.ErrorAt(at + i, fmt::format("{}: expected a 7-bit character, got {:02X}", what, (*b)[i])));
        }
        out += static_cast<char>((*b)[i]);
      }
      return out;
    case 2:
      for (uint8_t c : *b) {
        if (c < 0x80) {
          out += static_cast<char>(c);
        } else {
          out += static_cast<char>(0xC0 | (c >> 6));
          out += static_cast<char>(0x80 | (c & 0x3F));
        }
      }
      return out;
    case 3:
      for (size_t i = 0; i < b->size();) {
        size_t len = Utf8SequenceLength(*b, i);
        if (len == 0) return Fail(in.ErrorAt(at + i, fmt::format("{}: expected UTF-8 text", what)));
        i += len;
      }
      out.assign(reinterpret_cast<const char*>(b->data()), b->size());
      return out;
    default:
      return Fail(in.ErrorAt(at, fmt::format("{}: CHAR_FORMAT {} is reserved", what, cf)));
  }
}

Result<void> WriteChars(WireWriter& out, std::string_view utf8, size_t n, std::string_view what) {
  const uint8_t cf = out.format().char_format;
  std::vector<uint8_t> bytes;
  std::span<const uint8_t> s(reinterpret_cast<const uint8_t*>(utf8.data()), utf8.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return Fail(OutOfRange(out, fmt::format("{}: text is not UTF-8", what)));
    if (cf == 1 && len > 1) return Fail(OutOfRange(out, fmt::format("{}: '{}' is not a 7-bit character", what, utf8.substr(i, len))));
    if (cf == 2 && len > 1) {
      if (len > 2 || s[i] > 0xC3) return Fail(OutOfRange(out, fmt::format("{}: '{}' is not in ISO 8859-1", what, utf8.substr(i, len))));
      bytes.push_back(static_cast<uint8_t>((s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F)));
    } else {
      bytes.insert(bytes.end(), s.begin() + static_cast<ptrdiff_t>(i), s.begin() + static_cast<ptrdiff_t>(i + len));
    }
    i += len;
  }
  if (cf < 1 || cf > 3) return Fail(OutOfRange(out, fmt::format("{}: CHAR_FORMAT {} is reserved", what, cf)));
  if (bytes.size() > n) {
    return Fail(OutOfRange(out, fmt::format("{}: {} bytes of text do not fit CHAR({})", what, bytes.size(), n)));
  }
  bytes.resize(n, ' ');
  out.Append(bytes);
  return {};
}

Result<std::string> ReadBcd(WireReader& in, size_t n, std::string_view what) {
  size_t at = in.offset();
  auto b = in.Take(n, what);
  if (!b) return Fail(b.error());
  std::string digits;
  digits.reserve(2 * n);
  for (size_t i = 0; i < b->size(); ++i) {
    uint8_t hi = (*b)[i] >> 4, lo = (*b)[i] & 0x0F;
    if (hi > 9 || lo > 9) return Fail(in.ErrorAt(at + i, fmt::format("{}: expected BCD digits, got {:02X}", what, (*b)[i])));
    digits += static_cast<char>('0' + hi);
    digits += static_cast<char>('0' + lo);
  }
  return digits;
}

Result<void> WriteBcd(WireWriter& out, std::string_view digits, size_t n, std::string_view what) {
  if (digits.size() > 2 * n) {
    return Fail(OutOfRange(out, fmt::format("{}: {} digits do not fit BCD({})", what, digits.size(), n)));
  }
  std::string padded(2 * n - digits.size(), '0');
  padded += digits;
  for (char c : padded) {
    if (c < '0' || c > '9') return Fail(OutOfRange(out, fmt::format("{}: '{}' is not a decimal digit", what, c)));
  }
  for (size_t i = 0; i < n; ++i) {
    out.bytes().push_back(static_cast<uint8_t>((padded[2 * i] - '0') << 4 | (padded[2 * i + 1] - '0')));
  }
  return {};
}

}  // namespace meterd::codec::c1219
