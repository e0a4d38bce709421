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
