// SPDX-License-Identifier: Apache-2.0
#include "headend/c1222_clock.h"

#include <fmt/format.h>

namespace meterd::headend {

namespace c19 = codec::c1219;
using core::Fail;
using core::Result;

Result<C1219Clock> ClockOf(const c19::St52* st52, const c19::St53* st53) {
  C1219Clock clock;
  if (!st52 || st52->qual.gmt) return clock;
  if (!st53) {
    return Fail(core::Error::Invalid(
        "ST52 GMT_FLAG is clear (the meter keeps local time) but the meter has no ST53 TIME_OFFSET_TBL to say its offset",
        "ST53"));
  }
  if (!st53->time_zone_offset_minutes) {
    return Fail(core::Error::Invalid(
        "ST52 GMT_FLAG is clear (the meter keeps local time) but ST53 has no TIME_ZONE_OFFSET "
        "(ST51 CAP_TM_ZN_OFFSET_FLAG clear)",
        "ST53.TIME_ZONE_OFFSET"));
  }
  const int32_t offset = *st53->time_zone_offset_minutes;
  // Real zones lie within UTC-12..UTC+14; anything else is a misread or misprogrammed table.
  if (offset < -720 || offset > 840) {
    return Fail(core::Error::Invalid(fmt::format("ST53 TIME_ZONE_OFFSET {} min is outside -720..840", offset),
                                     "ST53.TIME_ZONE_OFFSET"));
  }
  clock.utc = false;
  clock.zone_offset_minutes = offset;
  clock.dst_minutes = st53->dst_time_amt_minutes;
  clock.dst_now = st52->qual.dst;
  return clock;
}

Result<core::Instant> C1219Instant(const c19::TimeDate& t, const C1219Clock& clock, bool dst) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 60) {
    return Fail(core::Error::Invalid(fmt::format("no date and time: {}", t.ToString())));
  }
  const int64_t days = core::DaysFromCivil({t.year, t.month, t.day});
  int64_t s = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
  if (!clock.utc) s -= (int64_t{clock.zone_offset_minutes} + (dst ? clock.dst_minutes : 0)) * 60;
  return core::FromUnixSeconds(s);
}

Result<core::Instant> C1219Instant(const c19::TimeDate& t, const C1219Clock& clock) {
  return C1219Instant(t, clock, clock.dst_now);
}

}  // namespace meterd::headend
