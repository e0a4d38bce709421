// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace date {
class time_zone;
}

namespace meterd::core {

// A local calendar day, as days since 1970-01-01 in the zone's own calendar.
using LocalDay = int32_t;

// An IANA time zone from the system tz database (Debian's tzdata). Cheap to copy: it points at
// the process-wide database entry, which lives until exit.
class TimeZone {
 public:
  static Result<TimeZone> Find(std::string_view iana_name);
  static TimeZone Utc();

  std::string_view Name() const;
  // The local day that `t` falls in.
  LocalDay DayOf(Instant t) const;
  // The instant the local day starts (local midnight, or the first instant after a gap).
  Instant StartOf(LocalDay day) const;
  // Length of a local day in seconds: 82800 or 90000 on DST change days, else 86400.
  int64_t DayLengthSeconds(LocalDay day) const { return ToUnixSeconds(StartOf(day + 1)) - ToUnixSeconds(StartOf(day)); }
  // Offset from UTC in seconds at `t`.
  int64_t OffsetSeconds(Instant t) const;

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;  // null means UTC
};

}  // namespace meterd::core
