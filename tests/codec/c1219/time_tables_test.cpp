// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/time_tables.h"

#include <gtest/gtest.h>

#include "codec/c1219/general_tables.h"
#include "codec/c1219/standard_tdl.h"
#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using testing::Hex;
using testing::RoundTrip;
using testing::SimSt0;
using testing::ToHex;

St51 Tou() {
  St51 t;
  t.anchor_date = true;
  t.cap_tm_zn_offset = true;
  t.separate_weekdays = false;
  t.nbr_seasons = 2;
  t.nbr_special_sched = 1;
  t.nbr_non_recurr_dates = 1;
  t.nbr_recurr_dates = 2;
  t.nbr_tier_switches = 3;
  t.calendar_tbl_size = 32;
  return t;
}

TableContext Context(uint8_t fc2 = 0x02, const St51& st51 = Tou()) {
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0(0x02, fc2, 0x78)));
  ctx.Put(kSt51, ToValue(st51));
  return ctx;
}

TEST(C1219St51, RoundTrip) {
  TableContext ctx = Context();
  EXPECT_EQ(ToHex(RoundTrip(Tou(), ctx, EncodeSt51, DecodeSt51)), "20 10 12 01 02 03 00 20 00");
}

TEST(C1219St52, ClockUnderEveryTimeFormat) {
  St52 clock{{2024, 3, 15, 12, 30, 5, 0}, TimeDateQual{5, true, false, true, true, true}};
  // TM_FORMAT 1 (BCD), 2 (UINT8), 3 (minutes + seconds), 4 (seconds), each LSB first.
  EXPECT_EQ(ToHex(RoundTrip(clock, Context(0x01), EncodeSt52, DecodeSt52)), "24 03 15 12 30 05 ed");
  EXPECT_EQ(ToHex(RoundTrip(clock, Context(0x02), EncodeSt52, DecodeSt52)), "18 03 0f 0c 1e 05 ed");
  EXPECT_EQ(ToHex(RoundTrip(clock, Context(0x03), EncodeSt52, DecodeSt52)), "0e 01 b3 01 05 ed");
  EXPECT_EQ(ToHex(RoundTrip(clock, Context(0x04), EncodeSt52, DecodeSt52)), "4d 3f f4 65 ed");
  // No clock: only the qualifier.
  St52 none{{}, clock.qual};
  EXPECT_EQ(ToHex(RoundTrip(none, Context(0x00), EncodeSt52, DecodeSt52)), "ed");
}

TEST(C1219St53, TimeZoneOffsetOnlyWhenSupported) {
  St53 offset{{0, 0, 0, 2, 0, 0, 0}, 60, int16_t{-300}};
  EXPECT_EQ(ToHex(RoundTrip(offset, Context(), EncodeSt53, DecodeSt53)), "02 00 00 3c d4 fe");
  St51 no_tz = Tou();
  no_tz.cap_tm_zn_offset = false;
  St53 plain{{0, 0, 0, 3, 0, 0, 0}, 60, std::nullopt};
  EXPECT_EQ(ToHex(RoundTrip(plain, Context(0x02, no_tz), EncodeSt53, DecodeSt53)), "03 00 00 3c");
}

TEST(C1219St54, CalendarRoundTrip) {
  St54 cal;
  cal.anchor_date = TimeDate{2024, 1, 1, 0, 0, 0, 0};
  cal.non_recurring = {{TimeDate{2024, 12, 25, 0, 0, 0, 0}, CalendarAction{19, false, true}}};
  cal.recurring = {{RecurringDate{3, 0, 0, 31}, CalendarAction{1, false, false}},
                   {RecurringDate{10, 0, 0, 27}, CalendarAction{2, false, false}}};
  cal.tier_switches = {{1, false, false, 0, 7, 0}, {0, false, false, 30, 22, 0}, {0, false, false, 0, 0, 1}};
  cal.daily_schedule_ids = {{0, 0, 1, 1}, {0, 1, 1, 1}};  // NBR_SPECIAL_SCHED + 3 per season
  auto bytes = RoundTrip(cal, Context(), EncodeSt54, DecodeSt54);
  EXPECT_EQ(bytes.size(), 3u + 4 + 2 * 3 + 3 * 3 + 2 * 4);
  EXPECT_EQ(ToHex({bytes.begin(), bytes.begin() + 7}), "18 01 01 18 0c 19 53");
  // Tier switch 07:00 to tier 1: NEW_TIER 1, SWITCH_MIN 0, SWITCH_HOUR 7 -> 0x3801.
  EXPECT_EQ(ToHex({bytes.begin() + 13, bytes.begin() + 16}), "01 38 00");
  St54 wrong = cal;
  wrong.daily_schedule_ids[1].pop_back();
  EXPECT_FALSE(EncodeSt54(wrong, Context()));
}

TEST(C1219St55, OneTierOrSeparateTiers) {
  St55 state{{2024, 3, 15, 12, 30, 5, 0}, TimeDateQual{5, false, false, false, false, false}, false, 2, 0, 0, 15, 1};
  EXPECT_EQ(ToHex(RoundTrip(state, Context(), EncodeSt55, DecodeSt55)), "18 03 0f 0c 1e 05 05 02 1f");
  St51 separate = Tou();
  separate.separate_sum_demands = true;
  St55 sep = state;
  sep.separate_tiers = true;
  sep.curr_demand_tier = 3;
  EXPECT_EQ(ToHex(RoundTrip(sep, Context(0x02, separate), EncodeSt55, DecodeSt55)), "18 03 0f 0c 1e 05 05 1a 1f");
}

}  // namespace
}  // namespace meterd::codec::c1219
