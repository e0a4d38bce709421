// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::core {

// An instant is a point on the UTC time line with one-second resolution: meters stamp readings
// to the second, and interval ends fall on whole minutes.
using Instant = std::chrono::sys_seconds;
using Seconds = std::chrono::seconds;

inline Instant FromUnixSeconds(int64_t s) { return Instant{Seconds{s}}; }
inline int64_t ToUnixSeconds(Instant t) { return t.time_since_epoch().count(); }

// Half-open [start, end).
struct Interval {
  Instant start;
  Instant end;
  bool Contains(Instant t) const { return start <= t && t < end; }
  Seconds Length() const { return end - start; }
};

// RFC 3339 / ISO 8601 in UTC ("2026-11-21T10:15:00Z") or with an offset ("...+01:00").
// Fractional seconds are accepted and truncated. Errors name the offending character offset.
Result<Instant> ParseInstant(std::string_view text);
// Always UTC with a trailing Z.
std::string FormatInstant(Instant t);

// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).
struct CivilDate {
  int32_t year;
  uint32_t month;  // 1..12
  uint32_t day;    // 1..31
};
int32_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int32_t days);
std::string FormatDay(int32_t days);  // "2026-11-21"
Result<int32_t> ParseDay(std::string_view text);

}  // namespace meterd::core
