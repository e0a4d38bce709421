// SPDX-License-Identifier: Apache-2.0
#include "core/time.h"

#include <gtest/gtest.h>

#include "core/time_zone.h"

namespace meterd::core {
namespace {

TEST(Instant, ParsesUtcAndOffsets) {
  auto t = ParseInstant("2026-11-21T10:15:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(ToUnixSeconds(*t), 1795256100);
  auto o = ParseInstant("2026-11-21T11:15:00.250+01:00");
  ASSERT_TRUE(o);
  EXPECT_EQ(*o, *t);
  EXPECT_EQ(FormatInstant(*t), "2026-11-21T10:15:00Z");
}

TEST(Instant, RejectsMalformedWithOffset) {
  auto bad = ParseInstant("2026-02-30T00:00:00Z");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset 8"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(ParseInstant("2026-11-21T10:15:00"));
  EXPECT_FALSE(ParseInstant("2026-11-21T24:00:00Z"));
  EXPECT_FALSE(ParseInstant("2026-11-21T10:15:00Zjunk"));
  EXPECT_FALSE(ParseInstant(""));
}

TEST(Civil, RoundTripsAcrossLeapDays) {
  for (int32_t d = -800000; d < 800000; d += 37) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
  auto leap = ParseDay("2028-02-29");
  ASSERT_TRUE(leap);
  EXPECT_EQ(FormatDay(*leap + 1), "2028-03-01");
  EXPECT_FALSE(ParseDay("2027-02-29"));
}

TEST(TimeZone, DstDaysInLondonHave23And25Hours) {
  auto london = TimeZone::Find("Europe/London");
  ASSERT_TRUE(london) << london.error().message;
  auto spring = ParseDay("2026-03-29");
  auto autumn = ParseDay("2026-10-25");
  auto plain = ParseDay("2026-11-21");
  EXPECT_EQ(london->DayLengthSeconds(*spring), 23 * 3600);
  EXPECT_EQ(london->DayLengthSeconds(*autumn), 25 * 3600);
  EXPECT_EQ(london->DayLengthSeconds(*plain), 24 * 3600);
  // 00:30 UTC on 1 July is 01:30 BST, same local day.
  auto summer = ParseInstant("2026-07-01T00:30:00Z");
  EXPECT_EQ(FormatDay(london->DayOf(*summer)), "2026-07-01");
  // 23:30 UTC on 30 June is 00:30 BST on 1 July.
  auto late = ParseInstant("2026-06-30T23:30:00Z");
  EXPECT_EQ(FormatDay(london->DayOf(*late)), "2026-07-01");
  EXPECT_EQ(FormatInstant(london->StartOf(*ParseDay("2026-07-01"))), "2026-06-30T23:00:00Z");
}

TEST(TimeZone, MidnightSkippedStartsWhenGapEnds) {
  // Santiago skips 00:00-01:00 local at the September change.
  auto santiago = TimeZone::Find("America/Santiago");
  ASSERT_TRUE(santiago);
  auto day = ParseDay("2026-09-06");
  Instant start = santiago->StartOf(*day);
  EXPECT_EQ(santiago->DayOf(start), *day);
  EXPECT_EQ(santiago->DayOf(start - Seconds{1}), *day - 1);
}

TEST(TimeZone, UnknownZoneIsAnError) {
  auto z = TimeZone::Find("Mars/Olympus_Mons");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().field, "time_zone");
}

}  // namespace
}  // namespace meterd::core
