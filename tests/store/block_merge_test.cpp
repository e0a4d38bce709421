// SPDX-License-Identifier: Apache-2.0
#include "store/block_merge.h"

#include <gtest/gtest.h>

#include <limits>

#include "store_fixture.h"

namespace meterd::store {
namespace {

using core::Quality;
using testing::Slot;

TEST(BlockMerge, AddFillsThenAccumulatesWithWorseQuality) {
  DayBlock b = DayBlock::Empty(900, 96, 0);
  auto r = MergeSlot(b, Slot("m", 0, 5, 7, -3));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->changed);
  EXPECT_FALSE(r->revised);
  EXPECT_EQ(b.scale, -3);  // an empty block takes the value's scale
  EXPECT_EQ(b.values[5], 7);
  EXPECT_EQ(b.quality[5], Quality::kValid);

  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 5, 3, -3, MergeMode::kAdd, Quality::kEstimated)));
  EXPECT_EQ(b.values[5], 10);
  EXPECT_EQ(b.quality[5], Quality::kEstimated);
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 5, 1, -3, MergeMode::kAdd, Quality::kValid)));
  EXPECT_EQ(b.values[5], 11);
  EXPECT_EQ(b.quality[5], Quality::kEstimated);  // valid does not wash out estimated
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 5, 1, -3, MergeMode::kAdd, Quality::kSuspect)));
  EXPECT_EQ(b.quality[5], Quality::kSuspect);
}

TEST(BlockMerge, RescalesExactlyToTheFinerScale) {
  DayBlock b = DayBlock::Empty(900, 96, 0);
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 0, 2, -2)));  // 0.02 m3
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 1, 5, -2)));
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 0, 1, -3)));  // + 0.001 m3: the block goes to scale -3
  EXPECT_EQ(b.scale, -3);
  EXPECT_EQ(b.values[0], 21);
  EXPECT_EQ(b.values[1], 50);
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 1, 1, 0)));  // + 1 m3 at a coarser scale
  EXPECT_EQ(b.scale, -3);
  EXPECT_EQ(b.values[1], 1050);
}

TEST(BlockMerge, SetSameValueIsNoChangeAndOtherValueIsRevision) {
  DayBlock b = DayBlock::Empty(900, 96, 0);
  auto first = MergeSlot(b, Slot("m", 0, 2, 40, -3, MergeMode::kSet));
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->changed);
  EXPECT_FALSE(first->revised);  // filling a gap is not a revision
  DayBlock before = b;
  auto same = MergeSlot(b, Slot("m", 0, 2, 4, -2, MergeMode::kSet));  // 0.04 m3 again, other scale
  ASSERT_TRUE(same);
  EXPECT_FALSE(same->changed);
  EXPECT_EQ(b, before);
  auto other = MergeSlot(b, Slot("m", 0, 2, 41, -3, MergeMode::kSet));
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->changed);
  EXPECT_TRUE(other->revised);
  EXPECT_EQ(b.values[2], 41);
}

TEST(BlockMerge, RejectsBadWritesWithoutChangingTheBlock) {
  DayBlock b = DayBlock::Empty(900, 96, -3);
  ASSERT_TRUE(MergeSlot(b, Slot("m", 0, 0, std::numeric_limits<int64_t>::max() / 2, -3)));
  DayBlock before = b;

  SlotWrite wrong_unit = Slot("m", 0, 1, 1);
  wrong_unit.value.unit = core::Unit::kWh;
  EXPECT_EQ(MergeSlot(b, wrong_unit).error().code, core::ErrorCode::kInvalidArgument);
  SlotWrite geometry = Slot("m", 0, 1, 1);
  geometry.slots_per_day = 92;
  EXPECT_EQ(MergeSlot(b, geometry).error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(MergeSlot(b, Slot("m", 0, 96, 1)).error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(MergeSlot(b, Slot("m", 0, -1, 1)).error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_FALSE(MergeSlot(b, Slot("m", 0, 1, 1, -3, MergeMode::kAdd, Quality::kMissing)));
  EXPECT_EQ(MergeSlot(b, Slot("m", 0, 0, std::numeric_limits<int64_t>::max(), -3)).error().code,
            core::ErrorCode::kOutOfRange);
  // Refining the block to scale -6 would overflow slot 0.
  EXPECT_EQ(MergeSlot(b, Slot("m", 0, 1, 1, -6)).error().code, core::ErrorCode::kOutOfRange);
  EXPECT_FALSE(MergeSlot(b, Slot("m", 0, 1, 1, -19)));
  EXPECT_EQ(b, before);
}

}  // namespace
}  // namespace meterd::store
