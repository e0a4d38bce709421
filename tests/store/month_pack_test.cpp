// SPDX-License-Identifier: Apache-2.0
// Packed months: the month-pack codec, and the store packing closed months, reading through
// packs, and unpacking a month before a write to one of its days.
#include <gtest/gtest.h>

#include <map>

#include "core/time_zone.h"
#include "store/month_pack.h"
#include "store_fixture.h"

namespace meterd::store {
namespace {

using core::Quality;
using testing::Day;
using testing::Slot;
using testing::StoreTest;

TEST(MonthPack, MonthBoundaries) {
  EXPECT_EQ(MonthStart(Day("2024-02-29")), Day("2024-02-01"));
  EXPECT_EQ(NextMonthStart(Day("2024-02-29")), Day("2024-03-01"));
  EXPECT_EQ(MonthStart(Day("2026-12-31")), Day("2026-12-01"));
  EXPECT_EQ(NextMonthStart(Day("2026-12-01")), Day("2027-01-01"));
  EXPECT_EQ(MonthStart(Day("1969-12-31")), Day("1969-12-01"));  // negative day numbers
}

TEST(MonthPack, RoundTripsDaysWithTheirVersions) {
  const core::LocalDay month = Day("2024-02-01");
  std::vector<PackedDay> days = {
      {month, 1, 1706745600, "device", "\x01\x84\x07\x60\x00\x01"},
      {month + 14, 3, -5, "manual-correction", std::string_view("\x01\x84\x07\x60\x00\x00\x02", 7)},
      {month + 28, 2, 1709164800, "", "x"},  // the leap day, the month's last
  };
  std::string bytes = EncodeMonthPack(month, days);
  std::vector<PackedDay> back;
  auto r = DecodeMonthPack(bytes, month, back);
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(back.size(), days.size());
  for (size_t i = 0; i < days.size(); ++i) {
    EXPECT_EQ(back[i].day, days[i].day);
    EXPECT_EQ(back[i].version, days[i].version);
    EXPECT_EQ(back[i].created, days[i].created);
    EXPECT_EQ(back[i].source, days[i].source);
    EXPECT_EQ(back[i].block, days[i].block);
  }
  // Sources are written once each; creation times as differences.
  std::vector<PackedDay> month_of_one_source;
  for (int i = 0; i < 29; ++i) month_of_one_source.push_back({month + i, 1, 1706745600 + 86400 * i, "device", "x"});
  // Header 3 bytes, "device" 7; a day: offset, version, the time difference in 3 bytes (the
  // first day's whole time in 5), source index, block length, its one byte.
  EXPECT_EQ(EncodeMonthPack(month, month_of_one_source).size(), 3u + 7 + 2 + 29 * 8);
  // Every strict prefix is refused, with the byte where data ran out, and nothing crashes.
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto cut = DecodeMonthPack(std::string_view(bytes).substr(0, n), month, back);
    ASSERT_FALSE(cut) << n;
    EXPECT_EQ(cut.error().code, core::ErrorCode::kCorruption);
    EXPECT_EQ(cut.error().field.rfind("byte ", 0), 0u) << cut.error().message;
  }
}

TEST(MonthPack, RefusesWhatNoEncoderWrites) {
  const core::LocalDay month = Day("2026-04-01");  // 30 days
  std::vector<PackedDay> out;
  auto fails = [&](std::string_view bytes, const char* says) {
    auto r = DecodeMonthPack(bytes, month, out);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
  };
  fails(std::string_view("\x02\x01", 2), "byte 0: expected format version 1, got 2");
  fails(std::string_view("\x01\x00", 2), "byte 1: expected a day count 1..30, got 0");
  fails(std::string_view("\x01\x1f", 2), "expected a day count 1..30, got 31");
  fails(std::string_view("\x01\x01\x00", 3), "byte 2: expected a source count 1..1");
  // One source (empty), then entries of offset, version, created difference, source, block.
  // Day offset 30 does not exist in April.
  fails(std::string_view("\x01\x01\x01\x00\x1e\x01\x00\x00\x01x", 10),
        "byte 4: expected a day offset 0..29 for entry 0, got 30");
  // Offsets must increase.
  fails(std::string_view("\x01\x02\x01\x00\x05\x01\x00\x00\x01x\x05\x01\x00\x00\x01y", 16),
        "byte 10: expected a day offset 6..29");
  fails(std::string_view("\x01\x01\x01\x00\x00\x00\x00\x00\x01x", 10), "byte 5: expected a block version >= 1");
  fails(std::string_view("\x01\x01\x01\x00\x00\x01\x00\x01\x01x", 10), "byte 7: expected a source index 0..0");
  fails(std::string_view("\x01\x01\x01\x00\x00\x01\x00\x00\x00", 9), "byte 8: expected a block length 1..65536");
  fails(std::string_view("\x01\x01\x01\x00\x00\x01\x00\x00\x01xZ", 11),
        "byte 10: expected end of pack, found 1 trailing bytes");
}

class PackTest : public StoreTest {
 protected:
  // A day of 96 values, slot i = base + i, written with kSet.
  void WriteDay(core::LocalDay day, int64_t base, const std::string& source = "device") {
    std::vector<SlotWrite> slots;
    for (int32_t i = 0; i < 96; ++i) slots.push_back(Slot("wm-1", day, i, base + i, -3, MergeMode::kSet));
    CommitOk({WithSlots(std::move(slots), source)});
  }
  std::vector<StoredInterval> Read(core::LocalDay from, core::LocalDay to) {
    auto got = store_->Intervals("wm-1", core::Channel::kVolume, core::TimeZone::Utc(),
                                 {core::TimeZone::Utc().StartOf(from), core::TimeZone::Utc().StartOf(to)});
    EXPECT_TRUE(got) << got.error().ToString();
    return got ? *got : std::vector<StoredInterval>{};
  }
  // Day -> block bytes as the billing reader hands them over.
  std::map<core::LocalDay, std::string> BillingBlocks(core::LocalDay from, core::LocalDay to) {
    std::map<core::LocalDay, std::string> out;
    auto reader = store_->OpenBillingReader();
    EXPECT_TRUE(reader);
    const core::Channel channels[] = {core::Channel::kVolume};
    auto r = (*reader)->AccountBlocks("wm-1", channels, from, to,
                                      [&](int64_t, core::Channel, std::string_view data,
                                          std::span<const BillingReader::BlockRef> days) {
                                        for (const auto& d : days) {
                                          ASSERT_LE(size_t{d.at} + d.size, data.size());
                                          EXPECT_TRUE(out.emplace(d.day, std::string(data.substr(d.at, d.size))).second)
                                              << "day twice";
                                        }
                                      });
    EXPECT_TRUE(r) << r.error().ToString();
    return out;
  }
};

TEST_F(PackTest, PacksClosedMonthsOnlyAndReadsTheSameThroughThePack) {
  AddMeter("wm-1");
  // January 30 and 31, all of February 2024 (leap year), March 1-2.
  for (core::LocalDay d = Day("2024-01-30"); d <= Day("2024-03-02"); ++d) WriteDay(d, d * 10);
  // A revised day keeps its history across packing.
  WriteDay(Day("2024-02-10"), 7, "manual-correction");
  const auto before = Read(Day("2024-01-01"), Day("2024-04-01"));
  const auto blocks_before = BillingBlocks(Day("2024-01-15"), Day("2024-03-02"));
  ASSERT_EQ(before.size(), 33u * 96);
  ASSERT_EQ(blocks_before.size(), 32u);

  // On 2024-03-05 January and February are closed; March is not.
  auto packed = store_->PackMonths(Day("2024-03-05"), 0);
  ASSERT_TRUE(packed) << packed.error().ToString();
  EXPECT_EQ(packed->months, 2);
  EXPECT_EQ(packed->days, 2 + 29);
  EXPECT_FALSE(packed->more);
  auto stats = store_->Stats();
  EXPECT_EQ(stats->blocks, 33);
  EXPECT_EQ(stats->packed_months, 2);

  EXPECT_EQ(Read(Day("2024-01-01"), Day("2024-04-01")), before);
  EXPECT_EQ(BillingBlocks(Day("2024-01-15"), Day("2024-03-02")), blocks_before);
  // A range inside a packed month, and one across packed and loose days.
  EXPECT_EQ(Read(Day("2024-02-10"), Day("2024-02-11")),
            std::vector<StoredInterval>(before.begin() + 11 * 96, before.begin() + 12 * 96));
  EXPECT_EQ(BillingBlocks(Day("2024-02-29"), Day("2024-03-02")).size(), 2u);
  auto history = store_->BlockHistory("wm-1", core::Channel::kVolume, Day("2024-02-10"));
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 2);
  EXPECT_EQ((*history)[0].source, "manual-correction");
  EXPECT_EQ((*history)[1].source, "device");

  // Nothing left to pack: a second call changes nothing.
  auto again = store_->PackMonths(Day("2024-03-05"), 0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->months, 0);
  EXPECT_EQ(Read(Day("2024-01-01"), Day("2024-04-01")), before);
}

TEST_F(PackTest, AWriteToAPackedDayUnpacksItsMonthFirst) {
  AddMeter("wm-1");
  for (core::LocalDay d = Day("2026-04-01"); d < Day("2026-05-01"); ++d) {
    if (d != Day("2026-04-12")) WriteDay(d, 100);  // one day never reported
  }
  ASSERT_EQ(store_->PackMonths(Day("2026-05-10"), 0)->months, 1);

  // A correction to a packed day: a new version, with the packed one in its history.
  CommitOk({WithSlots({Slot("wm-1", Day("2026-04-20"), 5, 1, -3, MergeMode::kSet)}, "vee")});
  EXPECT_EQ(store_->Stats()->packed_months, 0);
  EXPECT_EQ(store_->Stats()->blocks, 29);
  auto history = store_->BlockHistory("wm-1", core::Channel::kVolume, Day("2026-04-20"));
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].source, "vee");
  EXPECT_EQ((*history)[1].source, "device");
  auto day = Read(Day("2026-04-20"), Day("2026-04-21"));
  ASSERT_EQ(day.size(), 96u);
  EXPECT_EQ(day[5].value.value, 1);
  EXPECT_EQ(day[6].value.value, 106);

  // Late data for the day that never came lands as a new block beside the unpacked ones.
  WriteDay(Day("2026-04-12"), 5);
  EXPECT_EQ(store_->Stats()->blocks, 30);
  ASSERT_EQ(store_->PackMonths(Day("2026-05-10"), 0)->months, 1);
  EXPECT_EQ(store_->Stats()->blocks, 30);
  EXPECT_EQ(Read(Day("2026-04-01"), Day("2026-05-01")).size(), 30u * 96);
  EXPECT_EQ(Read(Day("2026-04-12"), Day("2026-04-13"))[0].value.value, 5);
  EXPECT_EQ(Read(Day("2026-04-20"), Day("2026-04-21"))[5].value.value, 1);
}

TEST_F(PackTest, StopsAtMaxMonthsAndResumes) {
  AddMeter("wm-1");
  AddMeter("wm-2");
  for (const char* first : {"2026-01-01", "2026-02-01", "2026-03-01"}) {
    WriteDay(Day(first), 1);
    CommitOk({WithSlots({Slot("wm-2", Day(first) + 3, 0, 9)})});
  }
  auto first = store_->PackMonths(Day("2026-06-01"), 4);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->months, 4);
  EXPECT_TRUE(first->more);
  auto rest = store_->PackMonths(Day("2026-06-01"), 4);
  EXPECT_EQ(rest->months, 2);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ(store_->Stats()->packed_months, 6);
  EXPECT_EQ(store_->Stats()->blocks, 6);
}

TEST_F(PackTest, SurvivesReopen) {
  AddMeter("wm-1");
  WriteDay(Day("2026-01-31"), 3);
  ASSERT_EQ(store_->PackMonths(Day("2026-02-01"), 0)->months, 1);
  Reopen();
  auto day = Read(Day("2026-01-31"), Day("2026-02-01"));
  ASSERT_EQ(day.size(), 96u);
  EXPECT_EQ(day[95].value.value, 98);
  EXPECT_EQ(day[95].quality, Quality::kValid);
}

}  // namespace
}  // namespace meterd::store
