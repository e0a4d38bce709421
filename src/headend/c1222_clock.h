// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "codec/c1219/time_tables.h"
#include "codec/c1219/value.h"
#include "core/error.h"
#include "core/time.h"

// A C12.19 meter's clock: how the civil times in its tables (ST64 BLK_END_TIME, ST76 entry times)
// map to UTC. ANSI C12.19 ST52 CLOCK_CALENDAR's TIME_DATE_QUAL says whether the meter keeps UTC
// (GMT_FLAG) and whether daylight saving time is in effect (DST_FLAG); a meter on local time gives
// its offsets in ST53 TIME_OFFSET_TBL. Which DST state a past time was stamped in is the caller's
// to tell (c1222_readings.h). Pure: no I/O, no clock. docs/headend.md ("Meter time").
namespace meterd::headend {

struct C1219Clock {
  bool utc = true;                  // GMT_FLAG: times are UTC, and nothing below applies
  int32_t zone_offset_minutes = 0;  // ST53 TIME_ZONE_OFFSET: local standard time minus UTC
  int32_t dst_minutes = 0;          // ST53 DST_TIME_AMT: added to local time while DST is in effect
  bool dst_now = false;             // ST52 DST_FLAG when the clock was read
  friend bool operator==(const C1219Clock&, const C1219Clock&) = default;
};

// The clock from ST52 and, for a meter on local time (GMT_FLAG clear), ST53. A meter without ST52
// is taken to keep UTC, as meterd did before it read clocks. TM_ZN_APPLIED_FLAG and
// DST_APPLIED_FLAG are not consulted: a clock that is not UTC is taken as local time with the zone
// and, while DST is in effect, DST_TIME_AMT applied. Fails, naming the table and field, for a
// local-time meter without ST53, without TIME_ZONE_OFFSET (ST51 CAP_TM_ZN_OFFSET_FLAG clear), or
// with an offset outside -12..+14 hours: its times cannot be placed.
core::Result<C1219Clock> ClockOf(const codec::c1219::St52* st52, const codec::c1219::St53* st53);

// A C12.19 date and time as an instant: the civil fields as UTC on a UTC clock, else as local time,
// UTC = local - TIME_ZONE_OFFSET - (dst ? DST_TIME_AMT : 0), with `dst` the DST state the time was
// stamped in. Fails for fields that are no date (month 0, an all-zero "no time").
core::Result<core::Instant> C1219Instant(const codec::c1219::TimeDate& t, const C1219Clock& clock, bool dst);
// The same in the DST state of the clock's read (ST52 DST_FLAG), for times no record says more of.
core::Result<core::Instant> C1219Instant(const codec::c1219::TimeDate& t, const C1219Clock& clock = {});

}  // namespace meterd::headend
