// SPDX-License-Identifier: Apache-2.0
// Register reads of polled meters (M-Bus, Modbus) through the real ingest path into SQLite.
#include "headend/polled_meter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/time_zone.h"
#include "headend/poll_scheduler.h"

namespace meterd::headend {
namespace {

namespace fs = std::filesystem;

class PolledMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("meterd-polled-" + std::to_string(getpid()) + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Open();
  }
  void TearDown() override {
    ingest_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    ingest_.reset();
    store_.reset();
    store_ = std::move(*store::OpenSqliteStore({(dir_ / "db").string(), false}));
    IngestService::Options options;
    options.normalise.zone = *core::TimeZone::Find("UTC");
    ingest_ = std::make_unique<IngestService>(*store_, options);
  }
  static core::Instant At(const char* s) { return *core::ParseInstant(s); }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IngestService> ingest_;
  PolledMeter water_{"MB-00000042-ABC", "W-00000042", core::Medium::kWater, {1, -3, core::Unit::kM3}, 900};
};

TEST_F(PolledMeterTest, RegisterReadsBecomeIntervalsAndRegisters) {
  PolledMeterSink sink(*ingest_, *store_);
  ASSERT_TRUE(sink.Report(water_, At("2026-11-21T10:00:00Z"), {12345, -3, core::Unit::kM3}));
  auto r = sink.Report(water_, At("2026-11-21T10:15:00Z"), {12400, -3, core::Unit::kM3});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, 1);
  auto meter = store_->GetMeter("W-00000042");
  ASSERT_TRUE(meter && *meter);
  EXPECT_EQ((*meter)->register_value, (core::Quantity{12400, -3, core::Unit::kM3}));
  auto intervals = store_->Intervals("W-00000042", core::Channel::kVolume, *core::TimeZone::Find("UTC"),
                                     {At("2026-11-21T00:00:00Z"), At("2026-11-22T00:00:00Z")});
  ASSERT_TRUE(intervals);
  ASSERT_EQ(intervals->size(), 1u);
  EXPECT_EQ((*intervals)[0].value, (core::Quantity{55, -3, core::Unit::kM3}));
  EXPECT_EQ((*intervals)[0].start, At("2026-11-21T10:00:00Z"));
  // The device cannot be impersonated over HTTP: its token hash is no SHA-256.
  EXPECT_EQ((*store_->GetDevice(water_.device))->token_hash, kPolledTokenHash);
}

TEST_F(PolledMeterTest, SequenceContinuesAfterARestart) {
  {
    PolledMeterSink sink(*ingest_, *store_);
    ASSERT_TRUE(sink.Report(water_, At("2026-11-21T10:00:00Z"), {1000, -3, core::Unit::kM3}));
    ASSERT_TRUE(sink.Report(water_, At("2026-11-21T10:15:00Z"), {1010, -3, core::Unit::kM3}));
  }
  Open();
  PolledMeterSink again(*ingest_, *store_);
  auto r = again.Report(water_, At("2026-11-21T10:30:00Z"), {1030, -3, core::Unit::kM3});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 1);  // a new message, not taken for a duplicate of message 1
  EXPECT_EQ((*store_->GetDevice(water_.device))->acked_seq, 3u);
  EXPECT_EQ((*store_->GetMeter("W-00000042"))->register_value, (core::Quantity{1030, -3, core::Unit::kM3}));
}

TEST_F(PolledMeterTest, RefusesRegistersThatDoNotFit) {
  PolledMeterSink sink(*ingest_, *store_);
  auto finer = sink.Report(water_, At("2026-11-21T10:00:00Z"), {123456, -4, core::Unit::kM3});
  ASSERT_FALSE(finer);
  EXPECT_NE(finer.error().message.find("finer than the resolution"), std::string::npos);
  EXPECT_FALSE(sink.Report(water_, At("2026-11-21T10:00:00Z"), {5, 0, core::Unit::kWh}));
  EXPECT_FALSE(sink.Report(water_, At("2026-11-21T10:00:00Z"), {-5, 0, core::Unit::kM3}));
  // Coarser registers are fine: 12 m3 is 12000 L counts.
  EXPECT_EQ(RegisterCounts(water_, {12, 0, core::Unit::kM3}).value(), 12000u);
  PolledMeter heat{"MB-1", "H-1", core::Medium::kHeat, {1, 0, core::Unit::kWh}, 900};
  EXPECT_EQ(RegisterCounts(heat, {35, 3, core::Unit::kWh}).value(), 35000u);
  EXPECT_FALSE(RegisterCounts(heat, {35, 0, core::Unit::kJ}));
}

// A source whose meter's register rises 10 L per round; the second meter always fails.
class CountingSource : public PollSource {
 public:
  explicit CountingSource(PolledMeter meter) : meter_(std::move(meter)) {}
  std::string Name() const override { return "counting"; }
  PollOutcome PollOnce(PolledMeterSink& sink, core::Instant now) override {
    PollOutcome o;
    register_ += 10;
    if (auto r = sink.Report(meter_, now, {register_, -3, core::Unit::kM3}); r) {
      ++o.meters_read;
    } else {
      ++o.errors;
      o.last_error = r.error().ToString();
    }
    ++o.errors;  // the meter that never answers
    o.last_error = "meter 2: no answer after 3 tries";
    return o;
  }

 private:
  PolledMeter meter_;
  int64_t register_ = 1000;
};

TEST_F(PolledMeterTest, SchedulerRoundsReportEverySourceAndReloadTheList) {
  PolledMeterSink sink(*ingest_, *store_);
  int loads = 0;
  auto source = std::make_shared<CountingSource>(water_);
  PollScheduler scheduler(sink, [&] {
    ++loads;
    return std::vector<std::shared_ptr<PollSource>>{source};
  }, core::Seconds{900});
  auto first = scheduler.RunRound(At("2026-11-21T10:00:00Z"));
  EXPECT_EQ(first.meters_read, 1);
  EXPECT_EQ(first.errors, 1);
  scheduler.RunRound(At("2026-11-21T10:15:00Z"));
  scheduler.RunRound(At("2026-11-21T10:30:00Z"));
  EXPECT_EQ(loads, 3);
  EXPECT_EQ(scheduler.counters().rounds.load(), 3);
  EXPECT_EQ(scheduler.counters().meters_read.load(), 3);
  EXPECT_EQ(scheduler.counters().errors.load(), 3);
  auto intervals = store_->Intervals("W-00000042", core::Channel::kVolume, *core::TimeZone::Find("UTC"),
                                     {At("2026-11-21T00:00:00Z"), At("2026-11-22T00:00:00Z")});
  ASSERT_TRUE(intervals);
  ASSERT_EQ(intervals->size(), 2u);
  EXPECT_EQ((*intervals)[1].value, (core::Quantity{10, -3, core::Unit::kM3}));
  // Start and Stop without a round in between: Stop wakes the waiting thread at once.
  scheduler.Start();
  scheduler.Stop();
}

}  // namespace
}  // namespace meterd::headend
