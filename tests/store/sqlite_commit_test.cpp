// SPDX-License-Identifier: Apache-2.0
// SQLite store: Commit (merge, versions, history, atomicity) and reading intervals back.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/time_zone.h"
#include "store_fixture.h"

namespace meterd::store {
namespace {

using core::Quality;
using testing::Day;
using testing::Slot;
using testing::StoreTest;
using testing::T;

core::Interval Whole(core::LocalDay day, const core::TimeZone& zone = core::TimeZone::Utc()) {
  return {zone.StartOf(day), zone.StartOf(day + 1)};
}

TEST_F(StoreTest, AddMergesWithinAndAcrossCommits) {
  AddMeter("wm-1");
  const auto day = Day("2026-03-02");
  // One Commit touching the same slot twice and another slot: one block, one version.
  CommitOk({WithSlots({Slot("wm-1", day, 0, 5), Slot("wm-1", day, 0, 2)}), WithSlots({Slot("wm-1", day, 95, 1)})});
  CommitOk({WithSlots({Slot("wm-1", day, 0, 1, -3, MergeMode::kAdd, Quality::kEstimated)})});
  auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(), Whole(day));
  ASSERT_TRUE(got) << got.error().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].start, T("2026-03-02T00:00:00Z"));
  EXPECT_EQ((*got)[0].end, T("2026-03-02T00:15:00Z"));
  EXPECT_EQ((*got)[0].value, (core::Quantity{8, -3, core::Unit::kM3}));
  EXPECT_EQ((*got)[0].quality, Quality::kEstimated);
  EXPECT_EQ((*got)[1].start, T("2026-03-02T23:45:00Z"));
  auto versions = store_->BlockHistory("wm-1", core::Channel::kVolume, day);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 1u);  // kAdd never makes versions
  EXPECT_EQ((*versions)[0].version, 1);
  EXPECT_EQ((*versions)[0].source, "device");
  EXPECT_EQ(store_->Stats()->blocks, 1);
}

TEST_F(StoreTest, SetMakesVersionsOnlyWhenTheValueChanges) {
  AddMeter("wm-1");
  const auto day = Day("2026-03-02");
  CommitOk({WithSlots({Slot("wm-1", day, 10, 40, -3, MergeMode::kSet)}, "device")});
  CommitOk({WithSlots({Slot("wm-1", day, 10, 4, -2, MergeMode::kSet)}, "replay")});  // same amount
  auto v = store_->BlockHistory("wm-1", core::Channel::kVolume, day);
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].source, "device");

  CommitOk({WithSlots({Slot("wm-1", day, 10, 55, -3, MergeMode::kSet)}, "manual-correction")});
  // Filling another slot in the same day is not a revision.
  CommitOk({WithSlots({Slot("wm-1", day, 11, 1, -3, MergeMode::kSet)}, "device")});
  v = store_->BlockHistory("wm-1", core::Channel::kVolume, day);
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[0].version, 2);  // newest first
  EXPECT_EQ((*v)[0].source, "manual-correction");
  EXPECT_EQ((*v)[1].version, 1);
  EXPECT_EQ((*v)[1].source, "device");
  auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(), Whole(day));
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].value.value, 55);
  EXPECT_EQ((*got)[1].value.value, 1);

  // Two revisions in one Commit make one new version.
  CommitOk({WithSlots({Slot("wm-1", day, 10, 60, -3, MergeMode::kSet)}, "a"),
            WithSlots({Slot("wm-1", day, 11, 2, -3, MergeMode::kSet)}, "b")});
  v = store_->BlockHistory("wm-1", core::Channel::kVolume, day);
  ASSERT_EQ(v->size(), 3u);
  EXPECT_EQ((*v)[0].version, 3);
  EXPECT_EQ((*v)[0].source, "b");
}

TEST_F(StoreTest, FailedCommitLeavesNothingBehind) {
  AddMeter("wm-1");
  const auto day = Day("2026-03-02");
  CommitOk({WithSlots({Slot("wm-1", day, 0, 5)})});

  IngestWrite good = WithSlots({Slot("wm-1", day, 0, 5), Slot("wm-1", day + 1, 3, 7)});
  good.events.push_back({T("2026-03-02T10:00:00Z"), core::EventType::kTamper, "dev-wm-1", "wm-1", ""});
  good.registers.push_back({"wm-1", core::Channel::kVolume, day, T("2026-03-02T23:59:00Z"), {1000, -3, core::Unit::kM3}});
  good.meter = testing::Meter("wm-2");
  SlotWrite bad = Slot("wm-1", day + 2, 0, 1);
  bad.value.unit = core::Unit::kWh;  // volume channel takes m3
  IngestWrite last = WithSlots({bad});
  auto r = store_->Commit(std::vector<IngestWrite>{good, last});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("write 1"), std::string::npos) << r.error().message;

  auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(), {Whole(day).start, Whole(day + 2).end});
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value.value, 5);  // not 10
  EXPECT_EQ(store_->ListEvents({})->total, 0);
  EXPECT_TRUE(store_->Registers("wm-1", core::Channel::kVolume, day, day)->empty());
  EXPECT_FALSE(*store_->GetMeter("wm-2"));
  EXPECT_EQ(store_->Stats()->blocks, 1);

  // The store is usable afterwards.
  CommitOk({good});
  EXPECT_EQ(store_->Stats()->blocks, 2);
}

TEST_F(StoreTest, RejectsUnknownMeterAndConflictingSlotCount) {
  AddMeter("wm-1");
  const auto day = Day("2026-03-02");
  auto unknown = store_->Commit(std::vector<IngestWrite>{WithSlots({Slot("nope", day, 0, 1)})});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);

  CommitOk({WithSlots({Slot("wm-1", day, 0, 1)})});
  SlotWrite other = Slot("wm-1", day, 0, 1);
  other.slots_per_day = 100;
  auto conflict = store_->Commit(std::vector<IngestWrite>{WithSlots({other})});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, core::ErrorCode::kConflict);

  SlotWrite silly = Slot("wm-1", day + 1, 0, 1);
  silly.slots_per_day = 2000;
  EXPECT_FALSE(store_->Commit(std::vector<IngestWrite>{WithSlots({silly})}));
}

TEST_F(StoreTest, MeterCreatedInTheSameCommitTakesSlots) {
  IngestWrite w = WithSlots({Slot("wm-9", Day("2026-03-02"), 4, 3)});
  w.meter = testing::Meter("wm-9");
  w.device = testing::Device("dev-wm-9", "wm-9");
  CommitOk({w});
  EXPECT_TRUE(*store_->GetDevice("dev-wm-9"));
  EXPECT_EQ(store_->Intervals("wm-9", core::Channel::kVolume, core::TimeZone::Utc(), Whole(Day("2026-03-02")))->size(), 1u);
}

// Europe/London: 2026-03-29 is 23 h long (92 slots), 2026-10-25 is 25 h (100 slots).
TEST_F(StoreTest, DstDaysStoreAndReadBackAtTheRightInstants) {
  auto london = core::TimeZone::Find("Europe/London");
  ASSERT_TRUE(london);
  AddMeter("wm-uk", core::Medium::kWater, "Europe/London");
  struct Case {
    const char* day;
    int32_t slots;
    const char* slot_start[4];  // slots 0, 3, 4, last
  };
  const Case cases[] = {
      {"2026-03-29", 92, {"2026-03-29T00:00:00Z", "2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T22:45:00Z"}},
      {"2026-10-25", 100, {"2026-10-24T23:00:00Z", "2026-10-24T23:45:00Z", "2026-10-25T00:00:00Z", "2026-10-25T23:45:00Z"}},
  };
  for (const Case& c : cases) {
    const auto day = Day(c.day);
    ASSERT_EQ(london->DayLengthSeconds(day), c.slots * 900) << c.day;
    std::vector<SlotWrite> writes;
    for (int32_t i = 0; i < c.slots; ++i) {
      SlotWrite w = Slot("wm-uk", day, i, i + 1);
      w.slots_per_day = c.slots;
      writes.push_back(w);
    }
    CommitOk({WithSlots(writes)});
  }
  Reopen();
  for (const Case& c : cases) {
    const auto day = Day(c.day);
    auto got = store_->Intervals("wm-uk", core::Channel::kVolume, *london, Whole(day, *london));
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), static_cast<size_t>(c.slots)) << c.day;
    const int32_t idx[4] = {0, 3, 4, c.slots - 1};
    for (int k = 0; k < 4; ++k) {
      const StoredInterval& s = (*got)[static_cast<size_t>(idx[k])];
      EXPECT_EQ(s.start, T(c.slot_start[k])) << c.day << " slot " << idx[k];
      EXPECT_EQ(s.end - s.start, core::Seconds{900});
      EXPECT_EQ(s.value.value, idx[k] + 1);
    }
    for (size_t i = 1; i < got->size(); ++i) EXPECT_EQ((*got)[i].start, (*got)[i - 1].end);
  }
  // A range across both days' neighbours keeps time order and cuts at the range edges.
  auto part = store_->Intervals("wm-uk", core::Channel::kVolume, *london,
                                {T("2026-03-29T00:30:00Z"), T("2026-03-29T01:15:00Z")});
  ASSERT_EQ(part->size(), 3u);
  EXPECT_EQ((*part)[0].value.value, 3);
  EXPECT_EQ((*part)[2].value.value, 5);
}

TEST_F(StoreTest, IntervalsSpanDaysAndSkipMissingSlots) {
  AddMeter("wm-1");
  const auto day = Day("2026-05-10");
  CommitOk({WithSlots({Slot("wm-1", day, 94, 1), Slot("wm-1", day + 1, 1, 2), Slot("wm-1", day + 3, 0, 9)})});
  auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(),
                               {T("2026-05-10T23:00:00Z"), T("2026-05-11T01:00:00Z")});
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].start, T("2026-05-10T23:30:00Z"));
  EXPECT_EQ((*got)[1].start, T("2026-05-11T00:15:00Z"));
  EXPECT_TRUE(store_->Intervals("wm-1", core::Channel::kActiveImport, core::TimeZone::Utc(), Whole(day))->empty());
  EXPECT_TRUE(store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(), {Whole(day).end, Whole(day).start})->empty());
  EXPECT_EQ(store_->Intervals("nope", core::Channel::kVolume, core::TimeZone::Utc(), Whole(day)).error().code,
            core::ErrorCode::kNotFound);
}

TEST_F(StoreTest, DailyRegistersKeepTheLastReadOfTheDay) {
  AddMeter("wm-1");
  const auto day = Day("2026-05-10");
  auto reg = [&](core::LocalDay d, const char* at, int64_t v) {
    IngestWrite w;
    w.registers.push_back({"wm-1", core::Channel::kVolume, d, T(at), {v, -3, core::Unit::kM3}});
    return w;
  };
  CommitOk({reg(day, "2026-05-10T20:00:00Z", 100), reg(day + 1, "2026-05-11T20:00:00Z", 200)});
  CommitOk({reg(day, "2026-05-10T10:00:00Z", 50)});   // older read arriving late: ignored
  CommitOk({reg(day, "2026-05-10T23:00:00Z", 120)});  // newer: wins
  auto got = store_->Registers("wm-1", core::Channel::kVolume, day, day + 1);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].value.value, 120);
  EXPECT_EQ((*got)[0].at, T("2026-05-10T23:00:00Z"));
  EXPECT_EQ((*got)[1].day, day + 1);
  EXPECT_EQ(store_->Registers("wm-1", core::Channel::kVolume, day + 1, day + 5)->size(), 1u);
}

TEST_F(StoreTest, DataSurvivesCloseAndReopen) {
  AddMeter("wm-1");
  const auto day = Day("2026-05-10");
  std::vector<SlotWrite> writes;
  for (int i = 0; i < 96; ++i) writes.push_back(Slot("wm-1", day, i, i % 7));
  CommitOk({WithSlots(writes)});
  CommitOk({WithSlots({Slot("wm-1", day, 3, 100, -3, MergeMode::kSet)}, "fix")});
  store_.reset();
  Reopen();
  auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(), Whole(day));
  ASSERT_EQ(got->size(), 96u);
  EXPECT_EQ((*got)[3].value.value, 100);
  EXPECT_EQ((*got)[95].value.value, 95 % 7);
  EXPECT_EQ(store_->BlockHistory("wm-1", core::Channel::kVolume, day)->size(), 2u);
}

TEST_F(StoreTest, ConcurrentWritersAndReadersSeeWholeCommits) {
  const auto day = Day("2026-05-10");
  for (int m = 0; m < 4; ++m) AddMeter("wm-" + std::to_string(m));
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int m = 0; m < 4; ++m) {
    threads.emplace_back([&, m] {
      for (int round = 0; round < 25; ++round) {
        // Each commit adds 1 to two slots: readers must never see one without the other.
        std::vector<IngestWrite> w{WithSlots({Slot("wm-" + std::to_string(m), day, 0, 1), Slot("wm-" + std::to_string(m), day, 50, 1)})};
        if (!store_->Commit(w)) failed = true;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto got = store_->Intervals("wm-" + std::to_string(i % 4), core::Channel::kVolume, core::TimeZone::Utc(), Whole(day));
        if (!got) failed = true;
        else if (!got->empty() && (got->size() != 2 || (*got)[0].value != (*got)[1].value)) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(failed);
  for (int m = 0; m < 4; ++m) {
    auto got = store_->Intervals("wm-" + std::to_string(m), core::Channel::kVolume, core::TimeZone::Utc(), Whole(day));
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ((*got)[0].value.value, 25);
  }
}

}  // namespace
}  // namespace meterd::store
