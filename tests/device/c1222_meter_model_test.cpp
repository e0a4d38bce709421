// SPDX-License-Identifier: Apache-2.0
// The simulated C12.19 meter without sockets: metrology (device/c1222_meter_model.h) and every
// table it serves (device/c1222_meter_tables.h) decoded and re-encoded with the meter type's TDL.
#include "device/c1222_meter_model.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "codec/c1219/tables.h"
#include "device/c1222_meter_tables.h"

namespace meterd::device {
namespace {

namespace c1219 = codec::c1219;

constexpr int64_t kMonday = 1768176000;  // 2026-01-12T00:00:00Z
const std::string kTdlPath = std::string(METERD_METERS_DIR) + "/c1219/meterd-sim.xml";

core::Instant At(int64_t s) { return core::FromUnixSeconds(s); }

C1222MeterModel Model(C1222MeterConfig config, int64_t installed = kMonday) {
  return C1222MeterModel(config, At(installed), 8, 7, 32, 16);
}

TEST(C1222MeterModel, RegistersAreWholeWhAndTiersSumToTheTotal) {
  C1222MeterModel a = Model({3, 5, 0, false});
  const auto start = a.registers();
  a.AdvanceTo(At(kMonday + 86400));
  const auto& r = a.registers();
  const int64_t day_wh = r.total.summations[kWhDelivered] - start.total.summations[kWhDelivered];
  EXPECT_GT(day_wh, 5000) << "three households' phases";
  EXPECT_LT(day_wh, 80000);
  for (int i = 0; i < kC1222Summations; ++i) {
    EXPECT_EQ(r.tiers[0].summations[i] + r.tiers[1].summations[i], r.total.summations[i]);
  }
  EXPECT_GT(r.tiers[1].summations[kWhDelivered], start.tiers[1].summations[kWhDelivered]) << "a weekday has a peak";
  EXPECT_EQ(r.total.summations[kWhReceived], start.total.summations[kWhReceived]) << "no PV";
  EXPECT_GT(r.total.summations[kVarhQ1], start.total.summations[kVarhQ1]);
  // The same day in 997 uneven steps counts the same energy, to the carried fraction.
  C1222MeterModel b = Model({3, 5, 0, false});
  for (int64_t t = kMonday; t < kMonday + 86400; t += 87) b.AdvanceTo(At(t));
  b.AdvanceTo(At(kMonday + 86400));
  EXPECT_LE(std::abs(b.registers().total.summations[kWhDelivered] - r.total.summations[kWhDelivered]), 1);
  EXPECT_EQ(b.registers().total.max_demand_w, r.total.max_demand_w);
  EXPECT_EQ(b.registers().total.max_demand_time, r.total.max_demand_time);
}

TEST(C1222MeterModel, PvExportsOnASummerNoon) {
  const int64_t july = 1783296000;  // 2026-07-06T00:00:00Z, a Monday
  C1222MeterModel m = Model({1, 8, 6000, false}, july);
  const int64_t received = m.registers().total.summations[kWhReceived];
  m.AdvanceTo(At(july + 12 * 3600));
  EXPECT_LT(m.Present().total_power_w, 0) << "generation above the load at noon";
  m.AdvanceTo(At(july + 86400));
  EXPECT_GT(m.registers().total.summations[kWhReceived], received);
}

TEST(C1222MeterModel, TiersFollowTheCalendarInLocalTime) {
  C1222MeterModel m = Model({3, 1, 0, false});
  EXPECT_EQ(m.TierAt(At(kMonday + 7 * 3600 - 1)), 0);
  EXPECT_EQ(m.TierAt(At(kMonday + 7 * 3600)), 1);
  EXPECT_EQ(m.TierAt(At(kMonday + 21 * 3600)), 0);
  EXPECT_EQ(m.TierAt(At(kMonday + 5 * 86400 + 12 * 3600)), 0) << "Saturday";
  m.SetTzOffset(60);  // UTC+1: 06:00Z is 07:00 local
  EXPECT_EQ(m.TierAt(At(kMonday + 6 * 3600)), 1);
}

TEST(C1222MeterModel, OpenRelaysStopEnergyPerPhase) {
  C1222MeterModel m = Model({3, 3, 0, false});
  m.AdvanceTo(At(kMonday + 8 * 3600));
  EXPECT_FALSE(m.ControlRelays(0x08, 0, 2)) << "no relay 3";
  EXPECT_FALSE(m.ControlRelays(0x01, 3, 2)) << "no action 3";
  ASSERT_TRUE(m.ControlRelays(0x07, 2, 2));  // open and arm all three
  const auto before = m.registers().total.summations;
  m.AdvanceTo(At(kMonday + 10 * 3600));
  EXPECT_EQ(m.registers().total.summations, before);
  for (const auto& p : m.Present().phases) EXPECT_EQ(p.current_ma, 0);
  m.PressButton();
  EXPECT_TRUE(m.relays()[0].closed);
  EXPECT_EQ(m.relays()[0].StateByte(), 0x21);  // closed, last command 2 (arm)
  m.AdvanceTo(At(kMonday + 11 * 3600));
  EXPECT_GT(m.registers().total.summations[kWhDelivered], before[kWhDelivered]);
  // Interval records of the open hours are zero; the event log has 3 opens and 3 closes.
  const C1222LpBlock& block = m.lp_blocks()[m.newest_block()];
  EXPECT_EQ(block.intervals[36].values[kWhDelivered], 0);  // 09:00-09:15
  EXPECT_GT(block.intervals[42].values[kWhDelivered], 0);  // 10:30-10:45
  EXPECT_EQ(m.event_log().entries.size(), 6u);
}

TEST(C1222MeterModel, LoadProfileRingWrapsAndSelfReadsEveryMidnight) {
  C1222MeterModel m = Model({1, 4, 0, false});
  m.AdvanceTo(At(kMonday + 10 * 86400 + 3600));
  EXPECT_EQ(m.valid_blocks(), 8u);
  const C1222LpBlock& newest = m.lp_blocks()[m.newest_block()];
  EXPECT_EQ(newest.seq_nbr, 10u);
  EXPECT_EQ(newest.valid, 4);
  EXPECT_EQ(newest.end_reading, m.registers().total.summations);
  EXPECT_EQ(m.valid_self_reads(), 7u);
  EXPECT_EQ(m.self_reads()[m.newest_self_read()].seq_nbr, 10);
  EXPECT_EQ(m.self_reads()[m.newest_self_read()].time, At(kMonday + 10 * 86400));
  m.DemandReset(2);
  ASSERT_TRUE(m.previous_reset());
  EXPECT_GT(m.previous_reset()->total.max_demand_w, 0);
  EXPECT_EQ(m.registers().total.max_demand_w, 0);
  EXPECT_EQ(m.registers().total.cum_demand_w, m.previous_reset()->total.max_demand_w);
  EXPECT_EQ(m.registers().demand_resets, 1);
}

TEST(C1222MeterModel, SeededOutagesAreLoggedAndFlagged) {
  C1222MeterModel m = Model({1, 21, 0, true});
  int power_down = 0, flagged = 0;
  for (int day = 1; day <= 200 && power_down == 0; ++day) {
    m.AdvanceTo(At(kMonday + day * 86400));
    for (const auto& e : m.event_log().entries) power_down += e.code == kEventPowerDown;
    for (const auto& b : m.lp_blocks()) {
      for (const auto& in : b.intervals) flagged += in.power_fail;
    }
  }
  EXPECT_GT(power_down, 0) << "about one outage in 70 days";
  EXPECT_GT(flagged, 0);
}

// New York: clocks go forward on 2026-03-08 at 02:00 EST (07:00Z).
constexpr int64_t kSpringChange = 1772953200;

TEST(C1222MeterModel, ALocalTimeClockFollowsItsZoneAcrossTheDstChange) {
  C1222MeterConfig config{3, 4, 0, false, *core::TimeZone::Find("America/New_York")};
  C1222MeterModel m = Model(config, kSpringChange - 7 * 3600);  // 2026-03-08T00:00Z, Saturday 19:00 EST
  EXPECT_TRUE(m.local_time());
  EXPECT_TRUE(m.dst_supported());
  EXPECT_FALSE(m.dst());
  EXPECT_EQ(m.tz_offset_minutes(), -300);
  EXPECT_EQ(m.dst_minutes(), 60);
  EXPECT_EQ(m.UtcOffsetSeconds(), -5 * 3600);
  m.AdvanceTo(At(kSpringChange + 3600));  // 08:00Z, 04:00 EDT
  EXPECT_TRUE(m.dst());
  EXPECT_EQ(m.UtcOffsetSeconds(), -4 * 3600);
  EXPECT_EQ(m.Shown(At(kSpringChange - 1800)).hour, 1);  // 01:30 EST
  EXPECT_EQ(m.Shown(At(kSpringChange + 1800)).hour, 3);  // 03:30 EDT
  // The change is logged at its instant, on the new clock.
  ASSERT_EQ(m.event_log().entries.size(), 1u);
  EXPECT_EQ(m.event_log().entries[0].code, kEventDstOn);
  EXPECT_EQ(m.event_log().entries[0].time, At(kSpringChange));
  EXPECT_EQ(m.event_log().entries[0].utc_offset_s, -4 * 3600);
  // The interval ending at the change (02:00 EST) was on standard time, the next on DST.
  const C1222LpBlock& block = m.lp_blocks()[m.newest_block()];
  EXPECT_FALSE(block.intervals[27].dst);  // 06:45-07:00Z
  EXPECT_TRUE(block.intervals[28].dst);   // 07:00-07:15Z
  EXPECT_EQ(block.end_utc_offset_s, -4 * 3600);
  // A UTC clock has none of it.
  C1222MeterModel utc = Model({3, 4, 0, false}, kSpringChange - 7 * 3600);
  utc.AdvanceTo(At(kSpringChange + 3600));
  EXPECT_EQ(utc.UtcOffsetSeconds(), 0);
  EXPECT_TRUE(utc.event_log().entries.empty());
  EXPECT_EQ(utc.registers().total.summations, m.registers().total.summations) << "the same energy";
}

TEST(C1222MeterTables, ALocalTimeMeterShowsLocalTimesInItsTables) {
  auto tables = C1222MeterTables::Load(kTdlPath);
  ASSERT_TRUE(tables) << tables.error().ToString();
  C1222MeterConfig config{3, 4, 0, false, *core::TimeZone::Find("America/New_York")};
  C1222MeterState meter(Model(config, kSpringChange - 7 * 3600), "C12-NY");
  meter.model.AdvanceTo(At(kSpringChange + 3600));
  const c1219::TableContext& ctx = (*tables)->context(3);
  auto st52 = c1219::DecodeSt52(*(*tables)->Read(meter, c1219::kSt52), ctx);
  ASSERT_TRUE(st52) << st52.error().ToString();
  EXPECT_EQ(st52->clock_calendar.hour, 4);  // 08:00Z is 04:00 EDT
  EXPECT_FALSE(st52->qual.gmt);
  EXPECT_TRUE(st52->qual.dst);
  EXPECT_TRUE(st52->qual.tm_zn_applied);
  EXPECT_EQ(st52->qual.day_of_week, 0);  // Sunday
  auto st53 = c1219::DecodeSt53(*(*tables)->Read(meter, c1219::kSt53), ctx);
  ASSERT_TRUE(st53) << st53.error().ToString();
  EXPECT_EQ(st53->time_zone_offset_minutes, -300);
  EXPECT_EQ(st53->dst_time_amt_minutes, 60);
  // ST64: the newest block ends 04:00 EDT, its newest interval flagged DST.
  auto st63 = c1219::DecodeSt63(*(*tables)->Read(meter, c1219::kSt63), ctx);
  auto st64 = c1219::DecodeSt64(*(*tables)->Read(meter, c1219::kSt64), ctx);
  ASSERT_TRUE(st63 && st64);
  const c1219::LpBlock& newest = st64->blocks[st63->sets[0]->last_block_element];
  EXPECT_EQ(newest.end_time.hour, 4);
  EXPECT_TRUE(newest.intervals[st63->sets[0]->nbr_valid_int - 1u].status->dst);
  EXPECT_FALSE(newest.intervals[27].status->dst);
  auto st76 = c1219::DecodeSt76(*(*tables)->Read(meter, c1219::kSt76), ctx);
  ASSERT_TRUE(st76) << st76.error().ToString();
  EXPECT_EQ(st76->entries[0].code.number, kEventDstOn);
  EXPECT_EQ(st76->entries[0].time.hour, 3);  // 07:00Z, 03:00 EDT
}

// Every table in ST0 encodes from the model, decodes with the TDL, and re-encodes to the same bytes.
TEST(C1222MeterTables, EveryTableRoundTripsThroughTheTdl) {
  auto tables = C1222MeterTables::Load(kTdlPath);
  ASSERT_TRUE(tables) << tables.error().ToString();
  for (int phases : {1, 3}) {
    C1222MeterState meter(Model({phases, 9, 2500, true}), "C12-T");
    meter.model.AdvanceTo(At(kMonday + 3 * 86400 + 12345));
    meter.model.ControlRelays(0x01, 0, 2);
    meter.model.DemandReset(2);
    const c1219::TableContext& ctx = (*tables)->context(phases);
    int served = 0;
    for (c1219::TableId id = 0; id < 2048 + 8; ++id) {
      if (!(*tables)->Used(id)) continue;
      auto bytes = (*tables)->Read(meter, id);
      ASSERT_TRUE(bytes) << c1219::TableIdName(id) << ": " << bytes.error().ToString();
      auto value = c1219::DecodeTable(ctx, id, *bytes);
      ASSERT_TRUE(value) << c1219::TableIdName(id) << ": " << value.error().ToString();
      auto again = c1219::EncodeTable(ctx, id, *value);
      ASSERT_TRUE(again) << c1219::TableIdName(id);
      EXPECT_EQ(*again, *bytes) << c1219::TableIdName(id);
      ++served;
    }
    EXPECT_EQ(served, 31);
    EXPECT_EQ(c1219::DecodeSt1(*(*tables)->Read(meter, 1), ctx)->ed_model, phases == 1 ? "SIM-1PH " : "SIM-3PH ");
  }
}

TEST(C1222MeterTables, RefusesAMeterTypeWithoutItsTables) {
  auto t = C1222MeterTables::Create(R"(<tdl-fragment name="bare"/>)", "bare.xml");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("source 0"), std::string::npos) << t.error().message;
}

}  // namespace
}  // namespace meterd::device
