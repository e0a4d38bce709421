// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/date_time.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {
namespace {

// The 7-bit year of types F, G and I (bits 5..7 of the day byte, 4..7 of the month byte).
int YearBits(uint8_t day_byte, uint8_t month_byte) { return ((day_byte & 0xE0) >> 5) | ((month_byte & 0xF0) >> 1); }

// Years 0..80 are 2000..2080 and 81..127 are 1981..2027 unless the meter sends the hundred-year
// bits of EN 13757-3:2013 type F, which count centuries from 1900.
int16_t FullYear(int yy, int hundred_years) {
  if (hundred_years != 0) return static_cast<int16_t>(1900 + 100 * hundred_years + yy);
  return static_cast<int16_t>(yy <= 80 ? 2000 + yy : 1900 + yy);
}

}  // namespace

bool DateTime::Valid() const {
  if (invalid) return false;
  if (HasDate() && (month < 1 || month > 12 || day < 1 || day > 31)) return false;
  if (HasTime() && (hour > 23 || minute > 59 || second > 59)) return false;
  return true;
}

std::string DateTime::ToString() const {
  switch (type) {
    case DateTimeType::kG: return fmt::format("{:04}-{:02}-{:02}", year, month, day);
    case DateTimeType::kJ: return fmt::format("{:02}:{:02}:{:02}", hour, minute, second);
    case DateTimeType::kF: return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", year, month, day, hour, minute);
    case DateTimeType::kI:
      return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", year, month, day, hour, minute, second);
  }
  return {};
}

DateTime DecodeTypeG(std::span<const uint8_t, 2> b) {
  DateTime t;
  t.type = DateTimeType::kG;
  t.day = b[0] & 0x1F;
  t.month = b[1] & 0x0F;
  t.year = FullYear(YearBits(b[0], b[1]), 0);
  return t;
}

DateTime DecodeTypeJ(std::span<const uint8_t, 3> b) {
  DateTime t;
  t.type = DateTimeType::kJ;
  t.second = b[0] & 0x3F;
  t.minute = b[1] & 0x3F;
  t.hour = b[2] & 0x1F;
  return t;
}

DateTime DecodeTypeF(std::span<const uint8_t, 4> b) {
  DateTime t;
  t.type = DateTimeType::kF;
  t.minute = b[0] & 0x3F;
  t.invalid = (b[0] & 0x80) != 0;
  t.hour = b[1] & 0x1F;
  t.summer_time = (b[1] & 0x80) != 0;
  t.day = b[2] & 0x1F;
  t.month = b[3] & 0x0F;
  t.year = FullYear(YearBits(b[2], b[3]), (b[1] >> 5) & 0x03);
  return t;
}

DateTime DecodeTypeI(std::span<const uint8_t, 6> b) {
  DateTime t;
  t.type = DateTimeType::kI;
  t.second = b[0] & 0x3F;
  t.summer_time = (b[0] & 0x40) != 0;  // as libmbus reads type I
  t.minute = b[1] & 0x3F;
  t.invalid = (b[1] & 0x80) != 0;
  t.hour = b[2] & 0x1F;
  t.day = b[3] & 0x1F;
  t.month = b[4] & 0x0F;
  t.year = FullYear(YearBits(b[3], b[4]), 0);
  return t;
}

}  // namespace meterd::codec::mbus
