// SPDX-License-Identifier: Apache-2.0
#include "core/time.h"

#include <fmt/format.h>

namespace meterd::core {
namespace {

// Reads exactly `n` digits at `pos`; false when any is not a digit.
bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

Error At(std::string_view what, size_t offset) {
  return Error::Invalid(fmt::format("bad timestamp: expected {} at offset {}", what, offset));
}

uint32_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr uint32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil.
int32_t DaysFromCivil(CivilDate d) {
  int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (d.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe - 719468);
}

CivilDate CivilFromDays(int32_t days) {
  int64_t z = int64_t{days} + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  uint32_t d = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
  uint32_t m = static_cast<uint32_t>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int32_t>(y + (m <= 2 ? 1 : 0)), m, d};
}

std::string FormatDay(int32_t days) {
  CivilDate c = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

Result<int32_t> ParseDay(std::string_view s) {
  int64_t y, m, d;
  if (s.size() != 10 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, m) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) {
    return Fail(Error::Invalid(fmt::format("bad date '{}': expected YYYY-MM-DD", s)));
  }
  return DaysFromCivil({static_cast<int32_t>(y), static_cast<uint32_t>(m), static_cast<uint32_t>(d)});
}

Result<Instant> ParseInstant(std::string_view s) {
  int64_t y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y)) return Fail(At("a 4-digit year", 0));
  if (s.size() <= 4 || s[4] != '-') return Fail(At("'-'", 4));
  if (!Digits(s, 5, 2, mo) || mo < 1 || mo > 12) return Fail(At("a month 01-12", 5));
  if (s.size() <= 7 || s[7] != '-') return Fail(At("'-'", 7));
  if (!Digits(s, 8, 2, d) || d < 1 || d > DaysInMonth(y, mo)) return Fail(At("a valid day", 8));
  if (s.size() <= 10 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return Fail(At("'T'", 10));
  if (!Digits(s, 11, 2, h) || h > 23) return Fail(At("an hour 00-23", 11));
  if (s.size() <= 13 || s[13] != ':') return Fail(At("':'", 13));
  if (!Digits(s, 14, 2, mi) || mi > 59) return Fail(At("minutes 00-59", 14));
  if (s.size() <= 16 || s[16] != ':') return Fail(At("':'", 16));
  if (!Digits(s, 17, 2, sec) || sec > 60) return Fail(At("seconds 00-60", 17));
  if (sec == 60) sec = 59;  // a leap second is held at :59
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return Fail(At("fraction digits", start));
  }
  int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int64_t oh, om;
    int sign = s[pos] == '-' ? -1 : 1;
    if (!Digits(s, pos + 1, 2, oh) || oh > 23 || s.size() <= pos + 3 || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || om > 59) {
      return Fail(At("a UTC offset ±hh:mm", pos));
    }
    offset_s = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return Fail(At("'Z' or a UTC offset", pos));
  }
  if (pos != s.size()) return Fail(At("end of timestamp", pos));
  int64_t days = DaysFromCivil({static_cast<int32_t>(y), static_cast<uint32_t>(mo), static_cast<uint32_t>(d)});
  return FromUnixSeconds(days * 86400 + h * 3600 + mi * 60 + sec - offset_s);
}

std::string FormatInstant(Instant t) {
  int64_t s = ToUnixSeconds(t);
  int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  int64_t rem = s - days * 86400;
  CivilDate c = CivilFromDays(static_cast<int32_t>(days));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, rem / 3600,
                     rem / 60 % 60, rem % 60);
}

}  // namespace meterd::core
