// SPDX-License-Identifier: Apache-2.0
#include "device/message_queue.h"

#include <gtest/gtest.h>

#include <fstream>

#include "device/file_io.h"
#include "temp_dir.h"

namespace meterd::device {
namespace {

namespace acq = codec::acq;

acq::Message Msg(uint64_t seq) {
  acq::Message m{seq, core::FromUnixSeconds(1795256100 + 900 * static_cast<int64_t>(seq)), seq * 7, seq % 2 == 0, {}};
  if (seq % 3 == 0) m.events.push_back({core::EventType::kTamper, m.at, "lid \"opened\" é"});
  return m;
}

std::vector<uint64_t> Seqs(const MessageQueue& q) {
  std::vector<uint64_t> out;
  for (const auto& m : q.Pending()) out.push_back(m.seq);
  return out;
}

TEST(MessageQueue, RecordPayloadRoundTrips) {
  for (uint64_t s : {1, 3, 6}) {
    auto back = DecodeRecordPayload(EncodeRecordPayload(Msg(s)));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, Msg(s));
  }
  EXPECT_FALSE(DecodeRecordPayload("short"));
}

TEST(MessageQueue, SurvivesReopen) {
  TempDir dir;
  {
    auto q = MessageQueue::Open({dir.path()});
    ASSERT_TRUE(q) << q.error().ToString();
    for (uint64_t s = 1; s <= 10; ++s) ASSERT_TRUE(q->Append(Msg(s)));
    ASSERT_TRUE(q->Acknowledge(4));
    EXPECT_FALSE(q->Append(Msg(10)));  // seq must rise
  }
  auto q = MessageQueue::Open({dir.path()});
  ASSERT_TRUE(q);
  EXPECT_EQ(Seqs(*q), (std::vector<uint64_t>{5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(q->Pending()[1], Msg(6));
  EXPECT_EQ(q->State().acked_seq, 4u);
  EXPECT_EQ(q->LastSeq(), 10u);
  EXPECT_FALSE(q->DroppedTornTail());
}

TEST(MessageQueue, DropsATornTailRecordAndKeepsGoing) {
  TempDir dir;
  {
    auto q = MessageQueue::Open({dir.path()});
    for (uint64_t s = 1; s <= 5; ++s) ASSERT_TRUE(q->Append(Msg(s)));
  }
  auto log = dir.path() / "queue.log";
  auto size = std::filesystem::file_size(log);
  std::filesystem::resize_file(log, size - 3);  // a crash mid-write of record 5
  {
    auto q = MessageQueue::Open({dir.path()});
    ASSERT_TRUE(q) << q.error().ToString();
    EXPECT_TRUE(q->DroppedTornTail());
    EXPECT_EQ(Seqs(*q), (std::vector<uint64_t>{1, 2, 3, 4}));
    ASSERT_TRUE(q->Append(Msg(6)));  // follows the good records, not the torn bytes
  }
  auto q = MessageQueue::Open({dir.path()});
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->DroppedTornTail());
  EXPECT_EQ(Seqs(*q), (std::vector<uint64_t>{1, 2, 3, 4, 6}));
}

TEST(MessageQueue, StopsAtACorruptRecord) {
  TempDir dir;
  {
    auto q = MessageQueue::Open({dir.path()});
    for (uint64_t s = 1; s <= 3; ++s) ASSERT_TRUE(q->Append(Msg(s)));
  }
  auto log = dir.path() / "queue.log";
  auto bytes = ReadWholeFile(log);
  ASSERT_TRUE(bytes);
  std::string damaged = *bytes;
  damaged[damaged.size() - 5] ^= 0x40;  // flip a bit in the last record's payload
  ASSERT_TRUE(WriteFileAtomically(log, damaged, false));
  auto q = MessageQueue::Open({dir.path()});
  ASSERT_TRUE(q);
  EXPECT_EQ(Seqs(*q), (std::vector<uint64_t>{1, 2}));
}

TEST(MessageQueue, AckDropsThePrefixAndCompactionKeepsTheRest) {
  TempDir dir;
  auto q = MessageQueue::Open({dir.path(), false, 8});
  ASSERT_TRUE(q);
  for (uint64_t s = 1; s <= 20; ++s) ASSERT_TRUE(q->Append(Msg(s)));
  ASSERT_TRUE(q->Acknowledge(5));
  EXPECT_EQ(q->LogRecords(), 20u);  // 5 acked records: below the threshold
  EXPECT_EQ(q->Pending().front().seq, 6u);
  ASSERT_TRUE(q->Acknowledge(12));
  EXPECT_EQ(q->LogRecords(), 8u);  // compacted to the 8 pending
  EXPECT_EQ(Seqs(*q), (std::vector<uint64_t>{13, 14, 15, 16, 17, 18, 19, 20}));
  ASSERT_TRUE(q->Append(Msg(21)));
  auto again = MessageQueue::Open({dir.path(), false, 8});
  ASSERT_TRUE(again);
  EXPECT_EQ(Seqs(*again), (std::vector<uint64_t>{13, 14, 15, 16, 17, 18, 19, 20, 21}));
  EXPECT_EQ(again->Pending().back(), Msg(21));
  // Everything acknowledged: the log empties, the sequence still knows where it was.
  ASSERT_TRUE(again->Acknowledge(21));
  auto empty = MessageQueue::Open({dir.path(), false, 8});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->Pending().empty());
  EXPECT_EQ(empty->LastSeq(), 21u);
  EXPECT_FALSE(empty->Append(Msg(21)));
  EXPECT_TRUE(empty->Append(Msg(22)));
}

TEST(MessageQueue, AckBeyondTheLogIsClamped) {
  TempDir dir;
  auto q = MessageQueue::Open({dir.path()});
  ASSERT_TRUE(q->Append(Msg(1)));
  ASSERT_TRUE(q->Acknowledge(1000));
  EXPECT_EQ(q->State().acked_seq, 1u);
  EXPECT_TRUE(q->Append(Msg(2)));
  EXPECT_EQ(q->Pending().size(), 1u);
}

TEST(DeviceState, RoundTripsThroughText) {
  DeviceState s;
  s.acked_seq = 5;
  s.next_seq = 9;
  s.count = 65535;
  s.total_pulses = 1234567;
  s.output_on = true;
  s.interval_s = 300;
  s.pending_acks = {{17, true, ""}, {18, false, "bad %value\n with spaces é"}};
  s.pending_events = {{core::EventType::kPowerLoss, core::FromUnixSeconds(1795256100), ""}};
  s.recent_commands = {{17, true}, {18, false}};
  auto back = DecodeDeviceState(EncodeDeviceState(s));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, s);
  EXPECT_FALSE(DecodeDeviceState("not a state file\n"));
  EXPECT_FALSE(DecodeDeviceState("meterd-device-state 1\ncount x\n"));
}

}  // namespace
}  // namespace meterd::device
