// SPDX-License-Identifier: Apache-2.0
#include "headend/normalise.h"

#include <gtest/gtest.h>

namespace meterd::headend {
namespace {

using codec::acq::Message;
using codec::acq::Uplink;
using core::EventType;
using core::Instant;

Instant At(const char* text) { return *core::ParseInstant(text); }

Uplink WaterUplink(std::vector<Message> messages, uint64_t oldest = 0, int bits = 32) {
  Uplink up;
  up.device = "D1";
  up.meter = "W1";
  up.medium = core::Medium::kWater;
  up.pulse_weight = core::Quantity{10, 0, core::Unit::kL};  // 10 L per pulse
  up.counter_bits = bits;
  up.interval_s = 900;
  up.oldest_seq = oldest;
  up.messages = std::move(messages);
  return up;
}

Message Msg(uint64_t seq, const char* at, uint64_t count) { return Message{seq, At(at), count, false, {}}; }

class NormaliseTest : public ::testing::Test {
 protected:
  // Runs an uplink against the state left by the previous one, as the ingest service does.
  Normalised Run(const Uplink& up, const char* now = "2026-11-21T12:00:00Z") {
    auto n = Normalise(device_, meter_, core::TimeZone::Utc(), up, At(now), options_);
    EXPECT_TRUE(n) << n.error().ToString();
    device_ = n->write.device;
    meter_ = n->write.meter;
    return *n;
  }
  bool HasEvent(const Normalised& n, EventType type) {
    for (const auto& e : n.write.events) {
      if (e.type == type) return true;
    }
    return false;
  }
  int64_t SlotSum(const Normalised& n) {
    int64_t sum = 0;
    for (const auto& s : n.write.slots) sum += s.value.value;
    return sum;
  }
  std::optional<store::DeviceRecord> device_;
  std::optional<store::MeterRecord> meter_;
  NormaliseOptions options_;
};

TEST_F(NormaliseTest, FirstSampleIsABaselineWithARegister) {
  auto n = Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100)}));
  EXPECT_EQ(n.ack_seq, 1u);
  EXPECT_TRUE(n.write.slots.empty());
  ASSERT_EQ(n.write.registers.size(), 1u);
  EXPECT_EQ(n.write.registers[0].value, (core::Quantity{1000, -3, core::Unit::kM3}));  // 100 x 10 L = 1 m3
  EXPECT_TRUE(meter_->has_register);
}

TEST_F(NormaliseTest, AlignedSamplesFillOneValidSlotEach) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100)}));
  auto n = Run(WaterUplink({Msg(2, "2026-11-21T10:15:00Z", 103), Msg(3, "2026-11-21T10:30:00Z", 110)}));
  ASSERT_EQ(n.write.slots.size(), 2u);
  EXPECT_EQ(n.write.slots[0].slot, 40);  // 10:00-10:15 UTC is slot 40 of the day
  EXPECT_EQ(n.write.slots[0].value, (core::Quantity{30, -3, core::Unit::kM3}));
  EXPECT_EQ(n.write.slots[1].value.value, 70);
  EXPECT_EQ(n.write.slots[0].quality, core::Quality::kValid);
  EXPECT_EQ(n.ack_seq, 3u);
  EXPECT_EQ(meter_->register_value.value, 1100);
}

TEST_F(NormaliseTest, TheSameBatchTwiceChangesNothing) {
  auto up = WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100), Msg(2, "2026-11-21T10:15:00Z", 105)});
  Run(up);
  auto again = Run(up);
  EXPECT_EQ(again.duplicates, 2);
  EXPECT_TRUE(again.write.slots.empty());
  EXPECT_TRUE(again.write.registers.empty());
  EXPECT_EQ(again.ack_seq, 2u);
}

TEST_F(NormaliseTest, MessagesPastAHoleWaitWhileTheDeviceStillHoldsIt) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100), Msg(2, "2026-11-21T10:15:00Z", 101)}));
  // 4 and 5 arrive before 3 (out of order); the device still holds 3 (oldest_seq 3).
  auto early = Run(WaterUplink({Msg(4, "2026-11-21T10:45:00Z", 104), Msg(5, "2026-11-21T11:00:00Z", 105)}, 3));
  EXPECT_EQ(early.ack_seq, 2u);
  EXPECT_EQ(early.deferred, 2);
  EXPECT_TRUE(early.write.slots.empty());
  // The in-order replay is taken whole.
  auto replay = Run(WaterUplink({Msg(3, "2026-11-21T10:30:00Z", 102), Msg(4, "2026-11-21T10:45:00Z", 104),
                                 Msg(5, "2026-11-21T11:00:00Z", 105)}, 3));
  EXPECT_EQ(replay.ack_seq, 5u);
  EXPECT_EQ(SlotSum(replay), 40);  // 4 pulses x 10 L
}

TEST_F(NormaliseTest, MessagesTheDeviceLostAreAGapEventAndTheirPulsesAreSpread) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100), Msg(2, "2026-11-21T10:15:00Z", 101)}));
  auto n = Run(WaterUplink({Msg(6, "2026-11-21T11:15:00Z", 141)}, 6));
  EXPECT_TRUE(HasEvent(n, EventType::kSequenceGap));
  EXPECT_EQ(n.ack_seq, 6u);
  ASSERT_EQ(n.write.slots.size(), 4u);  // 10:15-11:15
  EXPECT_EQ(SlotSum(n), 400);
  for (const auto& s : n.write.slots) EXPECT_EQ(s.quality, core::Quality::kEstimated);
}

TEST_F(NormaliseTest, CounterRollOverIsCountedAcrossTheWrap) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 65530)}, 0, 16));
  auto n = Run(WaterUplink({Msg(2, "2026-11-21T10:15:00Z", 5)}, 0, 16));
  EXPECT_TRUE(HasEvent(n, EventType::kCounterRollover));
  EXPECT_EQ(SlotSum(n), 110);  // 11 pulses
}

TEST_F(NormaliseTest, CounterResetCountsFromTheNewValue) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 1000)}));
  auto n = Run(WaterUplink({Msg(2, "2026-11-21T10:15:00Z", 3)}));
  EXPECT_TRUE(HasEvent(n, EventType::kCounterReset));
  EXPECT_EQ(SlotSum(n), 30);
  EXPECT_EQ(meter_->register_value.value, 10030);  // the register keeps rising
}

TEST_F(NormaliseTest, FutureAndBackwardTimestampsAreRefusedButAcknowledged) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100)}));
  auto future = Run(WaterUplink({Msg(2, "2026-11-22T10:00:00Z", 105)}));
  EXPECT_TRUE(HasEvent(future, EventType::kClockSkew));
  EXPECT_TRUE(future.write.slots.empty());
  EXPECT_EQ(future.ack_seq, 2u);
  auto backward = Run(WaterUplink({Msg(3, "2026-11-21T09:00:00Z", 106)}));
  EXPECT_TRUE(HasEvent(backward, EventType::kClockSkew));
  // The next good sample takes all pulses since the last good one.
  auto good = Run(WaterUplink({Msg(4, "2026-11-21T10:15:00Z", 107)}));
  EXPECT_EQ(SlotSum(good), 70);
}

TEST_F(NormaliseTest, ANewDeviceOnAMeterStartsFromABaselineAndTheRegisterContinues) {
  Run(WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 100), Msg(2, "2026-11-21T10:15:00Z", 110)}));
  std::optional<store::DeviceRecord> none;
  device_ = none;  // a different device, not known yet
  auto up = WaterUplink({Msg(1, "2026-11-21T10:30:00Z", 0), Msg(2, "2026-11-21T10:45:00Z", 4)});
  up.device = "D2";
  auto n = Run(up);
  EXPECT_TRUE(HasEvent(n, EventType::kDeviceReplaced));
  EXPECT_EQ(SlotSum(n), 40);
  EXPECT_EQ(meter_->device, "D2");
  EXPECT_EQ(meter_->register_value.value, 1100 + 40);
}

TEST_F(NormaliseTest, RefusesAPulseWeightThatDoesNotFitTheMedium) {
  auto up = WaterUplink({Msg(1, "2026-11-21T10:00:00Z", 1)});
  up.pulse_weight = core::Quantity{1, 0, core::Unit::kWh};
  auto n = Normalise(std::nullopt, std::nullopt, core::TimeZone::Utc(), up, At("2026-11-21T12:00:00Z"), options_);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().field, "pulse_weight");
}

TEST_F(NormaliseTest, CommandAcksBecomeUpdatesAndFailuresEvents) {
  auto up = WaterUplink({});
  up.acks = {{7, true, ""}, {8, false, "relay stuck"}};
  auto n = Run(up);
  ASSERT_EQ(n.write.commands.size(), 2u);
  EXPECT_EQ(n.write.commands[0].state, core::CommandState::kAcknowledged);
  EXPECT_EQ(n.write.commands[1].state, core::CommandState::kFailed);
  EXPECT_TRUE(HasEvent(n, EventType::kCommandFailed));
}

TEST(SpreadOverSlots, SplitsExactlyByTimeAndKeepsTheSum) {
  std::vector<store::SlotWrite> out;
  auto utc = core::TimeZone::Utc();
  DayCache days(utc);
  auto ok = SpreadOverSlots("W1", core::Channel::kVolume, days, 900, At("2026-11-21T10:05:00Z"),
                            At("2026-11-21T10:50:00Z"), core::Quantity{10, -3, core::Unit::kM3}, 366, out);
  ASSERT_TRUE(ok);
  ASSERT_EQ(out.size(), 4u);  // 10:05-10:15, 10:15-10:30, 10:30-10:45, 10:45-10:50
  int64_t sum = 0;
  for (const auto& s : out) sum += s.value.value;
  EXPECT_EQ(sum, 10);
  EXPECT_EQ(out[1].value.value, 3);  // 15 of 45 minutes
}

TEST(SpreadOverSlots, DstDaysHaveTheirOwnSlotCount) {
  auto london = *core::TimeZone::Find("Europe/London");
  DayCache days(london);
  std::vector<store::SlotWrite> out;
  ASSERT_TRUE(SpreadOverSlots("W1", core::Channel::kVolume, days, 900, At("2026-03-29T12:00:00Z"),
                              At("2026-03-29T12:15:00Z"), core::Quantity{5, -3, core::Unit::kM3}, 366, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].slots_per_day, 92);
  EXPECT_EQ(out[0].slot, 48 - 4 + 4);  // 13:00 BST is 12 local hours in, minus the lost hour
  out.clear();
  ASSERT_TRUE(SpreadOverSlots("W1", core::Channel::kVolume, days, 900, At("2026-10-25T12:00:00Z"),
                              At("2026-10-25T12:15:00Z"), core::Quantity{5, -3, core::Unit::kM3}, 366, out));
  EXPECT_EQ(out[0].slots_per_day, 100);
}

}  // namespace
}  // namespace meterd::headend
