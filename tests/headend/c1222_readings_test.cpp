// SPDX-License-Identifier: Apache-2.0
// From decoded C12.19 tables to samples and events (c1222_readings.h), on hand-made tables:
// interval times in full and partial blocks, the three ways a register value at an interval end
// is known, and the event log's circle and sequence numbers.
#include "headend/c1222_readings.h"

#include <gtest/gtest.h>

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

c19::EventEntry Entry(uint16_t seq, uint16_t code, int minute) {
  c19::EventEntry e;
  e.time = Td(2026, 1, 15, 10, minute);
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

}  // namespace
}  // namespace meterd::headend
