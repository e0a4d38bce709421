// SPDX-License-Identifier: Apache-2.0
// From decoded C12.19 tables to samples and events (c1222_readings.h), on hand-made tables:
// interval times in full and partial blocks, on UTC and local clocks across DST changes, the
// three ways a register value at an interval end is known, the event log's circle and sequence
// numbers, and the registers' units.
#include "headend/c1222_readings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "device/c1222_meter_tables.h"

namespace meterd::headend {
namespace {

namespace c19 = codec::c1219;
using core::Quantity;
using core::Unit;

Quantity Wh(int64_t v) { return {v, 0, Unit::kWh}; }
core::Instant At(const char* s) { return *core::ParseInstant(s); }
c19::TimeDate Td(int y, int mo, int d, int h, int mi) {
  return {y, static_cast<uint8_t>(mo), static_cast<uint8_t>(d), static_cast<uint8_t>(h), static_cast<uint8_t>(mi), 0, 0};
}

// A block of `n` 15-minute intervals with values 1, 2, 3, ... (+ `base`) ending at `end`.
c19::LpBlock Block(c19::TimeDate end, int n, int base, std::optional<int64_t> end_reading) {
  c19::LpBlock b;
  b.end_time = end;
  for (int i = 0; i < n; ++i) b.intervals.push_back({std::nullopt, {Wh(base + i + 1)}});
  b.end_readings.push_back({end_reading ? std::optional(Wh(*end_reading)) : std::nullopt, std::nullopt});
  return b;
}

TEST(C1222Readings, InstantsFromTableTimes) {
  EXPECT_EQ(*C1219Instant(Td(2026, 1, 15, 10, 30)), At("2026-01-15T10:30:00Z"));
  EXPECT_FALSE(C1219Instant(c19::TimeDate{}));  // "no time"
}

// New York: EST is UTC-5, EDT (DST, 60 minutes more) UTC-4.
C1219Clock NewYork(bool dst_now) { return {false, -300, 60, dst_now}; }

// `block` with an extended status on each interval, DST in effect as `dst` says interval by interval.
c19::LpBlock WithDst(c19::LpBlock block, std::vector<bool> dst) {
  for (size_t i = 0; i < block.intervals.size(); ++i) {
    c19::IntervalStatus st;
    st.dst = dst.at(i);
    st.channel = {0};
    block.intervals[i].status = st;
  }
  return block;
}

TEST(C1222Readings, LocalBlocksEndInTheDstStateOfTheirNewestInterval) {
  // New York falls back on 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST. Both blocks end at
  // 02:00 by the meter's clock: the first in EDT (its intervals flagged DST), the second an hour
  // later in EST. The read is after the change (ST52 without DST).
  std::vector<c19::LpBlock> blocks{WithDst(Block(Td(2026, 11, 1, 2, 0), 4, 0, 10), {true, true, true, true}),
                                   WithDst(Block(Td(2026, 11, 1, 2, 0), 4, 10, 36), {false, false, false, false})};
  auto points = LpPoints(blocks, 4, 15, 0, false, NewYork(false));
  ASSERT_TRUE(points) << points.error().ToString();
  ASSERT_EQ(points->size(), 8u);
  for (size_t k = 0; k < 8; ++k) {
    EXPECT_EQ((*points)[k].end, At("2026-11-01T05:15:00Z") + core::Seconds{900 * static_cast<int64_t>(k)}) << k;
  }
  EXPECT_EQ((*points)[3].end_reading, Wh(10));
  EXPECT_EQ(*BlockEndInstant(blocks[0], 4, false, NewYork(false)), At("2026-11-01T06:00:00Z"));
  // Without extended status both take the read's state: the first block lands an hour late, on
  // top of the second (the limitation docs/headend.md names).
  std::vector<c19::LpBlock> bare{Block(Td(2026, 11, 1, 2, 0), 4, 0, 10), Block(Td(2026, 11, 1, 2, 0), 4, 10, 36)};
  auto unflagged = LpPoints(bare, 4, 15, 0, false, NewYork(false));
  ASSERT_FALSE(unflagged);
  EXPECT_NE(unflagged.error().message.find("out of order at 2026-11-01T06:15:00Z"), std::string::npos)
      << unflagged.error().message;
}

TEST(C1222Readings, IntervalsAcrossASpringChangeStayContiguousInUtc) {
  // 2026-03-08: 01:30, 01:45 and 02:00 EST, then 03:15 EDT (07:15Z), the newest, flagged DST.
  // The block's end is placed in EDT and the intervals before it counted back in UTC.
  auto block = WithDst(Block(Td(2026, 3, 8, 3, 15), 4, 0, std::nullopt), {false, false, false, true});
  auto points = LpPoints(std::vector<c19::LpBlock>{block}, 4, 15, 0, false, NewYork(true));
  ASSERT_TRUE(points) << points.error().ToString();
  ASSERT_EQ(points->size(), 4u);
  EXPECT_EQ(points->front().end, At("2026-03-08T06:30:00Z"));
  EXPECT_EQ(points->back().end, At("2026-03-08T07:15:00Z"));
  // Descending intervals: the newest (element 0) says the state. Two valid of four, both EST.
  auto down = WithDst(Block(Td(2026, 3, 8, 1, 45), 4, 0, std::nullopt), {false, false, true, true});
  points = LpPoints(std::vector<c19::LpBlock>{down}, 2, 15, 0, true, NewYork(true));
  ASSERT_TRUE(points) << points.error().ToString();
  EXPECT_EQ(points->back().end, At("2026-03-08T06:45:00Z"));
  // A UTC clock ignores the flags.
  points = LpPoints(std::vector<c19::LpBlock>{block}, 4, 15, 0, false, C1219Clock{});
  ASSERT_TRUE(points);
  EXPECT_EQ(points->back().end, At("2026-03-08T03:15:00Z"));
}

TEST(C1222Readings, PointsOfFullAndPartialBlocks) {
  // Yesterday's block of 4 intervals ends 01:00; today's holds 2 of 4 valid, the last ending 01:30.
  std::vector<c19::LpBlock> blocks{Block(Td(2026, 1, 15, 1, 0), 4, 0, 10), Block(Td(2026, 1, 15, 1, 30), 4, 10, 21)};
  auto points = LpPoints(blocks, 2, 15, 0);
  ASSERT_TRUE(points) << points.error().ToString();
  ASSERT_EQ(points->size(), 6u);
  EXPECT_EQ(points->front().end, At("2026-01-15T00:15:00Z"));
  EXPECT_EQ((*points)[3].end, At("2026-01-15T01:00:00Z"));
  EXPECT_EQ((*points)[3].end_reading, Wh(10));
  EXPECT_EQ((*points)[5].end, At("2026-01-15T01:30:00Z"));
  EXPECT_EQ((*points)[5].value, Wh(12));
  EXPECT_EQ((*points)[5].end_reading, Wh(21));
  // Descending intervals: the newest is stored first.
  auto down = LpPoints(std::vector<c19::LpBlock>{Block(Td(2026, 1, 15, 1, 0), 4, 0, std::nullopt)}, 3, 15, 0, true);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->back().value, Wh(1));
  EXPECT_EQ(down->front().value, Wh(3));
  EXPECT_FALSE(LpPoints(blocks, 5, 15, 0));   // more valid intervals than the block has
  EXPECT_FALSE(LpPoints(blocks, 2, 15, 3));   // no such channel
}

std::vector<LpPoint> Points(std::vector<int64_t> values, const char* first_end) {
  std::vector<LpPoint> out;
  core::Instant t = At(first_end);
  for (int64_t v : values) {
    out.push_back({t, Wh(v), std::nullopt});
    t += core::Seconds{900};
  }
  return out;
}

TEST(C1222Readings, RegisterFromBlockEndReadingsBackAndForward) {
  auto points = Points({1, 2, 3, 4, 5}, "2026-01-15T00:15:00Z");
  points[2].end_reading = Wh(100);
  auto samples = RegisterSamples(points, 15, core::Instant{}, std::nullopt, std::nullopt);
  ASSERT_TRUE(samples);
  std::vector<int64_t> got;
  for (const auto& s : *samples) got.push_back(s.value.value);
  EXPECT_EQ(got, (std::vector<int64_t>{95, 97, 100, 104, 109}));
}

TEST(C1222Readings, RegisterForwardFromTheStoredSample) {
  auto points = Points({1, 2, 3, 4}, "2026-01-15T00:15:00Z");
  // The store's last sample was at 00:30 (on the boundary): 00:15 and 00:30 are not new.
  auto samples = RegisterSamples(points, 15, At("2026-01-15T00:30:00Z"),
                                 RegisterSample{At("2026-01-15T00:30:00Z"), Wh(50)}, std::nullopt);
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ((*samples)[0], (RegisterSample{At("2026-01-15T00:45:00Z"), Wh(53)}));
  EXPECT_EQ((*samples)[1], (RegisterSample{At("2026-01-15T01:00:00Z"), Wh(57)}));
  // A sample inside an interval (a register read at 00:40) counts that interval's value from it.
  samples = RegisterSamples(points, 15, At("2026-01-15T00:40:00Z"), RegisterSample{At("2026-01-15T00:40:00Z"), Wh(50)},
                            std::nullopt);
  ASSERT_TRUE(samples);
  EXPECT_EQ(samples->front(), (RegisterSample{At("2026-01-15T00:45:00Z"), Wh(53)}));
}

TEST(C1222Readings, RegisterBackFromTheRegisterReadWhenNothingElseIsKnown) {
  auto points = Points({1, 2, 3}, "2026-01-15T00:15:00Z");
  auto samples = RegisterSamples(points, 15, core::Instant{}, std::nullopt, Wh(1000));
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ(samples->front().value, Wh(995));
  EXPECT_EQ(samples->back().value, Wh(1000));
  // A stored sample far before the points (the meter overwrote the intervals since) does not
  // reach them; only the fallback does, and a gap stops counting back through it.
  auto gap = Points({1, 2}, "2026-01-15T00:15:00Z");
  auto later = Points({5, 6}, "2026-01-15T03:00:00Z");
  gap.insert(gap.end(), later.begin(), later.end());
  samples = RegisterSamples(gap, 15, At("2026-01-14T00:00:00Z"), RegisterSample{At("2026-01-14T00:00:00Z"), Wh(1)},
                            Wh(1000));
  ASSERT_TRUE(samples);
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ(samples->front(), (RegisterSample{At("2026-01-15T03:00:00Z"), Wh(994)}));
  EXPECT_TRUE(RegisterSamples(gap, 15, core::Instant{}, std::nullopt, std::nullopt)->empty());
}

c19::EventEntry Entry(uint16_t seq, uint16_t code, int minute, c19::TimeDate day_hour = Td(2026, 1, 15, 10, 0)) {
  c19::EventEntry e;
  e.time = day_hour;
  e.time.minute = static_cast<uint8_t>(minute);
  e.seq_nbr = seq;
  e.code = {code, false, 0};
  return e;
}

TEST(C1222Readings, EventLogOldestFirstAfterTheLastReported) {
  // A circle of 4 entries, newest at element 1: order 2, 3, 0, 1.
  c19::St76 log;
  log.header.nbr_valid_entries = 4;
  log.header.last_entry_element = 1;
  log.entries = {Entry(65535, 47, 3), Entry(0, 49, 4), Entry(65533, 1, 1), Entry(65534, 2, 2)};
  LogEvents all = EventsFromLog(log, std::nullopt);
  ASSERT_EQ(all.events.size(), 4u);
  EXPECT_EQ(all.events[0].type, core::EventType::kPowerLoss);
  EXPECT_EQ(all.events[1].type, core::EventType::kPowerRestored);
  EXPECT_EQ(all.events[2].type, core::EventType::kTamper);
  EXPECT_EQ(all.events[3].type, core::EventType::kOutputChanged);
  EXPECT_EQ(all.events[0].detail, "event log #65533: Primary Power Down (user 0)");
  EXPECT_EQ(all.events[0].at, At("2026-01-15T10:01:00Z"));
  EXPECT_EQ(all.last_seq, 0);
  // After #65534 come #65535 and #0 (the sequence wraps).
  LogEvents newer = EventsFromLog(log, 65534);
  ASSERT_EQ(newer.events.size(), 2u);
  EXPECT_EQ(newer.events[0].type, core::EventType::kTamper);
  EXPECT_TRUE(EventsFromLog(log, 0).events.empty());
  // Codes the foundation has no event for move the sequence on without an event.
  log.entries[1] = Entry(0, 7, 4);  // end device accessed for read
  newer = EventsFromLog(log, 65535);
  EXPECT_TRUE(newer.events.empty());
  EXPECT_EQ(newer.last_seq, 0);
  EXPECT_EQ(EventLogSeqOf("event log #65533: Primary Power Down (user 0)"), 65533);
  EXPECT_FALSE(EventLogSeqOf("event log #: x"));
  EXPECT_FALSE(EventLogSeqOf("event log #70000: x"));
  EXPECT_FALSE(EventLogSeqOf("M-Bus status byte 10"));
}

TEST(C1222Readings, LocalEventTimesUndoTheDstChangesTheMeterLogged) {
  // New York, 2026-03-08, oldest first: power down 01:30 EST, up 01:50 EST, DST on at 03:00 EDT
  // (code 22, stamped on the new clock), tamper 03:30 EDT. Read in EDT.
  c19::St76 log;
  log.header.nbr_valid_entries = 4;
  log.header.last_entry_element = 3;
  const auto one = Td(2026, 3, 8, 1, 0), three = Td(2026, 3, 8, 3, 0);
  log.entries = {Entry(10, 1, 30, one), Entry(11, 2, 50, one), Entry(12, 22, 0, three), Entry(13, 47, 30, three)};
  LogEvents read = EventsFromLog(log, std::nullopt, NewYork(true));
  ASSERT_EQ(read.events.size(), 3u);  // DST on is no device event
  EXPECT_EQ(read.events[0].at, At("2026-03-08T06:30:00Z"));
  EXPECT_EQ(read.events[1].at, At("2026-03-08T06:50:00Z"));
  EXPECT_EQ(read.events[2].at, At("2026-03-08T07:30:00Z"));
  EXPECT_EQ(read.last_seq, 13);
  // Only what is new is reported, still in the state the walk from the newest entry gives.
  read = EventsFromLog(log, 10, NewYork(true));
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].at, At("2026-03-08T06:50:00Z"));
  // Falling back (code 23): entries before it were in DST. 01:10 EDT, DST off at 01:00 EST, 01:10 EST.
  log.header.nbr_valid_entries = 3;
  log.header.last_entry_element = 2;
  log.entries = {Entry(20, 1, 10, one), Entry(21, 23, 0, one), Entry(22, 2, 10, one)};
  log.entries[0].time.month = log.entries[1].time.month = log.entries[2].time.month = 11;
  log.entries[0].time.day = log.entries[1].time.day = log.entries[2].time.day = 1;
  read = EventsFromLog(log, std::nullopt, NewYork(false));
  ASSERT_EQ(read.events.size(), 2u);
  EXPECT_EQ(read.events[0].at, At("2026-11-01T05:10:00Z"));
  EXPECT_EQ(read.events[1].at, At("2026-11-01T06:10:00Z"));
  // A meter that does not log its DST changes: every entry in the read's state.
  log.entries[1].code.number = 7;
  read = EventsFromLog(log, std::nullopt, NewYork(false));
  EXPECT_EQ(read.events[0].at, At("2026-11-01T06:10:00Z"));
}

TEST(C1222Readings, ApparentEnergyIsAPresentValueInVAh) {
  // meterd-sim.xml's VAh source, here counting tenths (scale -1); ST22 selects Wh delivered and VAh.
  std::ifstream in(std::string(METERD_MODELS_DIR) + "/c1219/meterd-sim.xml");
  std::stringstream text;
  text << in.rdbuf();
  std::string xml = text.str();
  const std::string vah = R"(unit="VAh"/>)";
  ASSERT_NE(xml.find(vah), std::string::npos);
  xml.replace(xml.find(vah), vah.size(), R"(unit="VAh" scale="-1"/>)");
  auto tables = device::C1222MeterTables::Create(xml, "vah.xml");
  ASSERT_TRUE(tables) << tables.error().ToString();
  c19::TableContext ctx = (*tables)->context(3);
  c19::St21 st21;
  st21.nbr_summations = 2;
  ctx.Put(c19::kSt21, c19::ToValue(st21));
  const c19::St22 st22{{0, 4}, {}, {}, {}, {}};
  ctx.Put(c19::kSt22, c19::ToValue(st22));
  c19::St23 st23;
  st23.total.summations = {Wh(5000), Quantity{12345, -1, Unit::kVAh}};
  auto bytes = c19::EncodeSt23(st23, ctx);
  ASSERT_TRUE(bytes) << bytes.error().ToString();
  auto decoded = c19::DecodeSt23(*bytes, ctx);
  ASSERT_TRUE(decoded) << decoded.error().ToString();
  C1222Registers mapped = MapRegisters((*tables)->tdl(), &st22, *decoded, nullptr, nullptr, At("2026-01-15T10:00:00Z"));
  EXPECT_EQ(mapped.main, 0u);
  EXPECT_EQ(mapped.main_value, Wh(5000));
  ASSERT_EQ(mapped.present.size(), 1u);
  EXPECT_EQ(mapped.present[0].name, "vah_delivered");
  EXPECT_EQ(mapped.present[0].value, (Quantity{12345, -1, Unit::kVAh}));
  EXPECT_EQ(mapped.present[0].value.ToString(), "1234.5 VAh");
}

}  // namespace
}  // namespace meterd::headend
