// SPDX-License-Identifier: Apache-2.0
#include "device/acq_device.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace meterd::device {
namespace {

namespace acq = codec::acq;
const core::Instant kT0 = core::FromUnixSeconds(1795256100);  // 2026-11-21T10:15:00Z

AcqDeviceConfig Config(const TempDir& dir, int32_t bits = 32) {
  AcqDeviceConfig c;
  c.id = "D000001";
  c.meter = "W000001";
  c.counter_bits = bits;
  c.state_dir = dir.path() / "D000001";
  return c;
}

acq::Uplink Decoded(const std::optional<std::string>& body) {
  EXPECT_TRUE(body);
  auto u = acq::DecodeUplink(body.value_or(""));
  EXPECT_TRUE(u) << (u ? "" : u.error().ToString());
  return u.value_or(acq::Uplink{});
}

std::string Downlink(uint64_t ack, core::Instant now, std::vector<acq::DownlinkCommand> commands = {}) {
  return acq::EncodeDownlink({ack, now, std::move(commands)});
}

TEST(AcqDevice, SamplesAndSendsOldestFirst) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_FALSE(d->NextUplink(kT0));  // nothing to send
  for (int i = 0; i < 5; ++i) {
    d->AddPulses(10);
    ASSERT_TRUE(d->Sample(kT0 + core::Seconds{900 * i}));
  }
  acq::Uplink u = Decoded(d->NextUplink(kT0, 3));
  ASSERT_EQ(u.messages.size(), 3u);
  EXPECT_EQ(u.messages[0].seq, 1u);
  EXPECT_EQ(u.messages[0].count, 10u);
  EXPECT_EQ(u.messages[2].count, 30u);
  EXPECT_EQ(u.oldest_seq, 1u);
  EXPECT_EQ(u.backlog, 5u);
  EXPECT_EQ(u.device, "D000001");
  ASSERT_TRUE(d->OnDownlink(Downlink(3, kT0), kT0));
  EXPECT_EQ(d->Backlog(), 2u);
  u = Decoded(d->NextUplink(kT0));
  EXPECT_EQ(u.messages.front().seq, 4u);
  EXPECT_EQ(u.oldest_seq, 4u);
}

TEST(AcqDevice, RestartContinuesSequenceAndCount) {
  TempDir dir;
  {
    auto d = AcqDevice::Open(Config(dir));
    ASSERT_TRUE(d);
    for (int i = 0; i < 4; ++i) {
      d->AddPulses(100);
      ASSERT_TRUE(d->Sample(kT0 + core::Seconds{900 * i}));
    }
    ASSERT_TRUE(d->OnDownlink(Downlink(2, kT0), kT0));
    d->AddPulses(100);
    ASSERT_TRUE(d->Sample(kT0 + core::Seconds{3600}));
  }
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->NextSeq(), 6u);
  EXPECT_EQ(d->Count(), 500u);
  EXPECT_EQ(d->TotalPulses(), 500u);
  EXPECT_EQ(d->Backlog(), 3u);
  d->AddPulses(1);
  ASSERT_TRUE(d->Sample(kT0 + core::Seconds{4500}));
  acq::Uplink u = Decoded(d->NextUplink(kT0));
  ASSERT_EQ(u.messages.size(), 4u);
  EXPECT_EQ(u.messages.front().seq, 3u);
  EXPECT_EQ(u.messages.back().seq, 6u);
  EXPECT_EQ(u.messages.back().count, 501u);
}

TEST(AcqDevice, RestartAfterEverythingWasAcknowledged) {
  TempDir dir;
  {
    auto d = AcqDevice::Open(Config(dir));
    d->AddPulses(7);
    ASSERT_TRUE(d->Sample(kT0));
    ASSERT_TRUE(d->OnDownlink(Downlink(1, kT0), kT0));
  }
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->NextSeq(), 2u);
  EXPECT_EQ(d->Count(), 7u);
  EXPECT_EQ(d->Backlog(), 0u);
}

TEST(AcqDevice, CounterWraps) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir, 16));
  ASSERT_TRUE(d);
  d->AddPulses(65530);
  d->AddPulses(10);
  EXPECT_EQ(d->Count(), 4u);
  EXPECT_EQ(d->TotalPulses(), 65540u);
  ASSERT_TRUE(d->Sample(kT0));
  EXPECT_EQ(Decoded(d->NextUplink(kT0)).messages[0].count, 4u);
  TempDir dir64;
  auto e = AcqDevice::Open(Config(dir64, 64));
  e->AddPulses(UINT64_MAX);
  e->AddPulses(2);
  EXPECT_EQ(e->Count(), 1u);
}

TEST(AcqDevice, BackoffGrowsAndResets) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d->Sample(kT0));
  core::Instant now = kT0;
  int64_t last_delay = 0;
  for (int i = 1; i <= 10; ++i) {
    d->OnSendFailed(now);
    int64_t delay = (d->RetryAt() - now).count();
    int64_t base = std::min<int64_t>(30LL << (i - 1), 3600);
    EXPECT_GE(delay, base) << i;
    EXPECT_LE(delay, base + base / 4) << i;
    if (base < 3600) {
      EXPECT_GT(delay, last_delay);
    }
    last_delay = delay;
    EXPECT_FALSE(d->NextUplink(now + core::Seconds{delay - 1}));
    now += core::Seconds{delay};
    EXPECT_TRUE(d->NextUplink(now));
  }
  ASSERT_TRUE(d->OnDownlink(Downlink(0, now), now));
  EXPECT_EQ(d->Failures(), 0);
  EXPECT_TRUE(d->NextUplink(now));
  d->OnSendFailed(now);
  int64_t delay = (d->RetryAt() - now).count();
  EXPECT_GE(delay, 30);
  EXPECT_LE(delay, 37);
}

TEST(AcqDevice, JitterIsDeterministicPerDevice) {
  TempDir a_dir, b_dir;
  auto a = AcqDevice::Open(Config(a_dir));
  auto b = AcqDevice::Open(Config(b_dir));
  for (int i = 0; i < 6; ++i) {
    a->OnSendFailed(kT0);
    b->OnSendFailed(kT0);
    EXPECT_EQ(a->RetryAt(), b->RetryAt());
  }
}

TEST(AcqDevice, CommandsAreCarriedOutOnceAndAcked) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d->Sample(kT0));
  core::Instant later = kT0 + core::Seconds{86400};
  std::vector<acq::DownlinkCommand> commands = {
      {17, core::CommandType::kSetOutput, 1, later, ""},
      {18, core::CommandType::kSetInterval, 300, later, ""},
      {19, core::CommandType::kSetInterval, 7, later, ""},             // bad argument
      {20, core::CommandType::kSetOutput, 0, kT0 - core::Seconds{1}, ""},  // expired
      {21, core::CommandType::kSetOutput, 0, later, "reboot"},          // unknown type
  };
  ASSERT_TRUE(d->NextUplink(kT0));
  ASSERT_TRUE(d->OnDownlink(Downlink(1, kT0, commands), kT0));
  EXPECT_TRUE(d->OutputOn());
  EXPECT_EQ(d->IntervalS(), 300);
  acq::Uplink u = Decoded(d->NextUplink(kT0));
  EXPECT_TRUE(u.messages.empty());  // acks alone are worth an uplink
  ASSERT_EQ(u.acks.size(), 5u);
  EXPECT_TRUE(u.acks[0].ok);
  EXPECT_TRUE(u.acks[1].ok);
  EXPECT_FALSE(u.acks[2].ok);
  EXPECT_FALSE(u.acks[3].ok);
  EXPECT_NE(u.acks[3].detail.find("expired"), std::string::npos);
  EXPECT_FALSE(u.acks[4].ok);
  EXPECT_NE(u.acks[4].detail.find("reboot"), std::string::npos);
  EXPECT_EQ(u.interval_s, 300);

  // The output change is reported with the next sample.
  ASSERT_TRUE(d->Sample(kT0 + core::Seconds{300}));
  // The head-end repeats command 17 (our ack was lost) and sends 22 to switch off.
  std::vector<acq::DownlinkCommand> again = {{17, core::CommandType::kSetOutput, 1, later, ""},
                                             {22, core::CommandType::kSetOutput, 0, later, ""}};
  ASSERT_TRUE(d->OnDownlink(Downlink(1, kT0, again), kT0));
  EXPECT_FALSE(d->OutputOn());
  u = Decoded(d->NextUplink(kT0));
  ASSERT_EQ(u.messages.size(), 1u);
  ASSERT_EQ(u.messages[0].events.size(), 1u);
  EXPECT_EQ(u.messages[0].events[0].type, core::EventType::kOutputChanged);
  EXPECT_TRUE(u.messages[0].output_on);
  ASSERT_EQ(u.acks.size(), 2u);  // the first five went out with the previous uplink
  EXPECT_EQ(u.acks[0].id, 17);
  EXPECT_TRUE(u.acks[0].ok);
  EXPECT_EQ(u.acks[1].id, 22);

  // Remembered across a restart: 17 is still not carried out again.
  auto e = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->OutputOn());
  EXPECT_EQ(e->IntervalS(), 300);
  ASSERT_TRUE(e->OnDownlink(Downlink(2, kT0, {{17, core::CommandType::kSetOutput, 1, later, ""}}), kT0));
  EXPECT_FALSE(e->OutputOn());
}

TEST(AcqDevice, EventsGoIntoTheNextSampleAndSurviveRestart) {
  TempDir dir;
  {
    auto d = AcqDevice::Open(Config(dir));
    ASSERT_TRUE(d->RaiseEvent(core::EventType::kTamper, kT0, "lid opened"));
  }
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d->Sample(kT0 + core::Seconds{60}));
  ASSERT_TRUE(d->Sample(kT0 + core::Seconds{120}));
  acq::Uplink u = Decoded(d->NextUplink(kT0));
  ASSERT_EQ(u.messages.size(), 2u);
  ASSERT_EQ(u.messages[0].events.size(), 1u);
  EXPECT_EQ(u.messages[0].events[0].detail, "lid opened");
  EXPECT_TRUE(u.messages[1].events.empty());
  // Restarting after the sample does not report the event twice.
  auto e = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(e->Sample(kT0 + core::Seconds{180}));
  u = Decoded(e->NextUplink(kT0));
  EXPECT_TRUE(u.messages.back().events.empty());
}

TEST(AcqDevice, BadDownlinkChangesNothing) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir));
  ASSERT_TRUE(d->Sample(kT0));
  EXPECT_FALSE(d->OnDownlink("{\"ack\":", kT0));
  EXPECT_EQ(d->Backlog(), 1u);
}

TEST(AcqDevice, NextSampleAtIsAlignedInUtc) {
  TempDir dir;
  auto d = AcqDevice::Open(Config(dir));
  EXPECT_EQ(core::FormatInstant(d->NextSampleAt(core::FromUnixSeconds(1795256100 + 17))), "2026-11-21T10:30:00Z");
  EXPECT_EQ(core::FormatInstant(d->NextSampleAt(kT0)), "2026-11-21T10:30:00Z");
}

TEST(AcqDevice, RejectsBadConfig) {
  TempDir dir;
  auto c = Config(dir);
  c.interval_s = 700;
  EXPECT_FALSE(AcqDevice::Open(c));
  c = Config(dir, 8);
  EXPECT_FALSE(AcqDevice::Open(c));
}

}  // namespace
}  // namespace meterd::device
