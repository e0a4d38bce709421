// SPDX-License-Identifier: Apache-2.0
// The pack job packs what has been closed for `after_days` in the job's zone, and nothing newer.
#include <gtest/gtest.h>

#include "store/pack_job.h"
#include "store_fixture.h"

namespace meterd::store {
namespace {

using testing::Day;
using testing::Slot;
using testing::StoreTest;
using testing::T;

TEST_F(StoreTest, PackJobPacksMonthsClosedForItsGraceDays) {
  AddMeter("wm-1");
  for (const char* day : {"2026-09-30", "2026-10-31", "2026-11-01"}) CommitOk({WithSlots({Slot("wm-1", Day(day), 0, 1)})});
  PackJob job(*store_, *core::TimeZone::Find("Pacific/Auckland"), PackJob::Options{5, std::chrono::seconds{3600}, 1},
              nullptr);
  // October ends as 1 November begins in Auckland (UTC+13); five whole days later, on 6 November
  // local time, it is packed.
  auto early = job.RunOnce(T("2026-11-05T10:00:00Z"));  // 5 Nov 23:00 local: only September
  ASSERT_TRUE(early) << early.error().ToString();
  EXPECT_EQ(early->months, 1);
  auto due = job.RunOnce(T("2026-11-05T11:00:00Z"));  // 6 Nov 00:00 local
  ASSERT_TRUE(due);
  EXPECT_EQ(due->months, 1);
  EXPECT_FALSE(due->more);
  EXPECT_EQ(store_->Stats()->packed_months, 2);
  EXPECT_EQ(store_->Stats()->blocks, 3);
}

}  // namespace
}  // namespace meterd::store
