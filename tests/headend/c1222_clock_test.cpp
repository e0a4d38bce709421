// SPDX-License-Identifier: Apache-2.0
// A C12.19 meter's clock (c1222_clock.h): UTC or local time from ST52 and ST53, and table times
// placed in UTC with and without daylight saving time.
#include "headend/c1222_clock.h"

#include <gtest/gtest.h>

namespace meterd::headend {
namespace {

namespace c19 = codec::c1219;

core::Instant At(const char* s) { return *core::ParseInstant(s); }
c19::TimeDate Td(int y, int mo, int d, int h, int mi) {
  return {y, static_cast<uint8_t>(mo), static_cast<uint8_t>(d), static_cast<uint8_t>(h), static_cast<uint8_t>(mi), 0, 0};
}

c19::St52 Clock(bool gmt, bool dst) {
  c19::St52 t;
  t.clock_calendar = Td(2026, 3, 8, 8, 0);
  t.qual.gmt = gmt;
  t.qual.dst = dst;
  return t;
}

c19::St53 Offsets(std::optional<int16_t> zone_minutes, uint8_t dst_minutes = 60) {
  c19::St53 t;
  t.dst_time_eff = Td(0, 0, 0, 2, 0);
  t.dst_time_amt_minutes = dst_minutes;
  t.time_zone_offset_minutes = zone_minutes;
  return t;
}

TEST(C1219Clock, UtcUnlessSt52SaysLocalTime) {
  const c19::St52 utc = Clock(true, false);
  const c19::St53 new_york = Offsets(-300);
  EXPECT_EQ(*ClockOf(nullptr, nullptr), C1219Clock{});  // no ST52: taken as UTC
  // A UTC meter's ST53 drives only its TOU calendar: its times stay as they are.
  EXPECT_EQ(*ClockOf(&utc, &new_york), C1219Clock{});
  const c19::St52 summer = Clock(false, true);
  EXPECT_EQ(*ClockOf(&summer, &new_york), (C1219Clock{false, -300, 60, true}));
  const c19::St52 winter = Clock(false, false);
  const c19::St53 lord_howe = Offsets(630, 30);  // UTC+10:30, half an hour of DST
  EXPECT_EQ(*ClockOf(&winter, &lord_howe), (C1219Clock{false, 630, 30, false}));
}

TEST(C1219Clock, ALocalClockWithoutItsOffsetIsAnErrorNamingTheTable) {
  const c19::St52 local = Clock(false, false);
  auto no_st53 = ClockOf(&local, nullptr);
  ASSERT_FALSE(no_st53);
  EXPECT_EQ(no_st53.error().field, "ST53");
  EXPECT_NE(no_st53.error().message.find("GMT_FLAG is clear"), std::string::npos) << no_st53.error().message;
  const c19::St53 no_zone = Offsets(std::nullopt);
  auto no_offset = ClockOf(&local, &no_zone);
  ASSERT_FALSE(no_offset);
  EXPECT_EQ(no_offset.error().field, "ST53.TIME_ZONE_OFFSET");
  EXPECT_NE(no_offset.error().message.find("CAP_TM_ZN_OFFSET_FLAG"), std::string::npos) << no_offset.error().message;
  const c19::St53 too_far = Offsets(900);
  auto far = ClockOf(&local, &too_far);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().message, "ST53 TIME_ZONE_OFFSET 900 min is outside -720..840");
}

TEST(C1219Clock, LocalTimesLessTheZoneAndDstAreUtc) {
  const C1219Clock est{false, -300, 60, false};
  const C1219Clock edt{false, -300, 60, true};
  // 2026-03-08 in New York: 01:30 EST, then 03:30 EDT after the clocks went forward at 02:00.
  EXPECT_EQ(*C1219Instant(Td(2026, 3, 8, 1, 30), est), At("2026-03-08T06:30:00Z"));
  EXPECT_EQ(*C1219Instant(Td(2026, 3, 8, 3, 30), edt), At("2026-03-08T07:30:00Z"));
  // The state given wins over the read's: a time stamped before the change, read after it.
  EXPECT_EQ(*C1219Instant(Td(2026, 3, 8, 1, 30), edt, false), At("2026-03-08T06:30:00Z"));
  // Across midnight and east of UTC: 00:15 on 1 January at UTC+10:30 is the 31st in UTC.
  EXPECT_EQ(*C1219Instant(Td(2026, 1, 1, 0, 15), C1219Clock{false, 630, 30, false}), At("2025-12-31T13:45:00Z"));
  // A UTC clock takes no offset and no DST, whatever the state given.
  EXPECT_EQ(*C1219Instant(Td(2026, 3, 8, 3, 30), C1219Clock{}, true), At("2026-03-08T03:30:00Z"));
  EXPECT_FALSE(C1219Instant(c19::TimeDate{}, edt));  // "no time"
  EXPECT_FALSE(C1219Instant(Td(2026, 13, 1, 0, 0), est));
}

}  // namespace
}  // namespace meterd::headend
