// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <string>

// Date and time codings of EN 13757-3 Annex A: type G (date, 2 bytes), J (time, 3 bytes),
// F (date and time to the minute, 4 bytes) and I (date and time to the second, 6 bytes).
// Fields are kept as sent: a meter that never set a date sends 00 00 and gets month 0 and day 0.
namespace meterd::codec::mbus {

enum class DateTimeType : uint8_t { kG, kJ, kF, kI };

struct DateTime {
  DateTimeType type = DateTimeType::kG;
  int16_t year = 0;  // full year, see docs/formats/mbus.md for the century rule
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  bool invalid = false;      // IV bit (types F and I): the meter says the time is not valid
  bool summer_time = false;  // SU bit (types F and I)

  bool HasDate() const { return type != DateTimeType::kJ; }
  bool HasTime() const { return type != DateTimeType::kG; }
  // False when the IV bit is set or a field is out of range (month 0, day 0, hour 24, ...).
  bool Valid() const;
  // "2012-01-12" (G), "12:04:05" (J), "2012-01-13T12:04" (F), "2016-07-22T08:00:00" (I); local
  // time of the meter, no zone. An invalid value still prints its fields.
  std::string ToString() const;

  friend bool operator==(const DateTime&, const DateTime&) = default;
};

DateTime DecodeTypeG(std::span<const uint8_t, 2> b);
DateTime DecodeTypeJ(std::span<const uint8_t, 3> b);
DateTime DecodeTypeF(std::span<const uint8_t, 4> b);
DateTime DecodeTypeI(std::span<const uint8_t, 6> b);

}  // namespace meterd::codec::mbus
