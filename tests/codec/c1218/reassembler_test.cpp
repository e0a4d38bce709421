// SPDX-License-Identifier: Apache-2.0
#include "codec/c1218/reassembler.h"

#include <gtest/gtest.h>

#include "hex.h"

namespace meterd::codec::c1218 {
namespace {

using testing::Hex;
using Outcome = Reassembler::Outcome;

Packet Make(bool multi, bool first, bool toggle, uint8_t seq, std::vector<uint8_t> data) {
  Packet p;
  p.multi_packet = multi;
  p.first_packet = first;
  p.toggle = toggle;
  p.sequence = seq;
  p.data = std::move(data);
  return p;
}

TEST(c1218Reassembler, SinglePacketIsAMessage) {
  Reassembler r;
  auto o = r.Push(Make(false, false, false, 0, Hex("20")));
  ASSERT_TRUE(o);
  EXPECT_EQ(*o, Outcome::kComplete);
  EXPECT_EQ(r.TakeMessage(), Hex("20"));
}

TEST(c1218Reassembler, SameToggleIsARetransmission) {
  Reassembler r;
  ASSERT_EQ(*r.Push(Make(false, false, true, 0, Hex("20"))), Outcome::kComplete);
  EXPECT_EQ(*r.Push(Make(false, false, true, 0, Hex("20"))), Outcome::kDuplicate);
  EXPECT_EQ(*r.Push(Make(false, false, false, 0, Hex("21"))), Outcome::kComplete);
  EXPECT_EQ(r.TakeMessage(), Hex("21"));
  r.Reset();
  EXPECT_EQ(*r.Push(Make(false, false, false, 0, Hex("22"))), Outcome::kComplete);
}

TEST(c1218Reassembler, JoinsAMultiPacketTransmission) {
  Reassembler r;
  EXPECT_EQ(*r.Push(Make(true, true, false, 2, Hex("00 00 0A"))), Outcome::kNeedMore);
  EXPECT_TRUE(r.in_progress());
  // A retransmission in the middle is dropped without breaking the count.
  EXPECT_EQ(*r.Push(Make(true, true, false, 2, Hex("00 00 0A"))), Outcome::kDuplicate);
  EXPECT_EQ(*r.Push(Make(true, false, true, 1, Hex("01 02 03 04 05"))), Outcome::kNeedMore);
  EXPECT_EQ(*r.Push(Make(true, false, false, 0, Hex("06 07 08 09 0A F5"))), Outcome::kComplete);
  EXPECT_FALSE(r.in_progress());
  EXPECT_EQ(r.TakeMessage(), Hex("00 00 0A 01 02 03 04 05 06 07 08 09 0A F5"));
}

TEST(c1218Reassembler, RejectsOutOfOrderSequence) {
  Reassembler r;
  ASSERT_EQ(*r.Push(Make(true, true, false, 3, Hex("01"))), Outcome::kNeedMore);
  auto skipped = r.Push(Make(true, false, true, 1, Hex("02")));
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error().message, "c1218: byte 3: expected sequence number 2, got 1");
  EXPECT_FALSE(r.in_progress());
  // After the error the sender can start again (toggle of the bad packet was not recorded).
  EXPECT_EQ(*r.Push(Make(true, true, true, 1, Hex("01"))), Outcome::kNeedMore);
  EXPECT_EQ(*r.Push(Make(true, false, false, 0, Hex("02"))), Outcome::kComplete);
  EXPECT_EQ(r.TakeMessage(), Hex("01 02"));
}

TEST(c1218Reassembler, RejectsContinuationWithoutFirstAndInterruptions) {
  Reassembler r;
  auto orphan = r.Push(Make(true, false, false, 0, Hex("01")));
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().field, "offset 2");

  ASSERT_EQ(*r.Push(Make(true, true, false, 2, Hex("01"))), Outcome::kNeedMore);
  auto single = r.Push(Make(false, false, true, 0, Hex("20")));
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().message,
            "c1218: byte 2: expected a continuation packet with sequence number 1, got a single packet");

  ASSERT_EQ(*r.Push(Make(true, true, true, 2, Hex("01"))), Outcome::kNeedMore);
  auto restart = r.Push(Make(true, true, false, 2, Hex("01")));
  ASSERT_FALSE(restart);
  EXPECT_EQ(restart.error().field, "offset 2");
}

TEST(c1218Reassembler, EnforcesTheSizeLimit) {
  Reassembler r(4);
  ASSERT_EQ(*r.Push(Make(true, true, false, 1, Hex("01 02 03"))), Outcome::kNeedMore);
  auto big = r.Push(Make(true, false, true, 0, Hex("04 05")));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().field, "offset 4");
  auto single = r.Push(Make(false, false, true, 0, Hex("01 02 03 04 05")));
  EXPECT_FALSE(single);
}

TEST(c1218Reassembler, RoundTripsSegmentedMessages) {
  std::vector<uint8_t> message(1000);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i * 7);
  bool toggle = false;
  auto packets = SegmentMessage(message, 64, toggle);
  ASSERT_TRUE(packets);
  Reassembler r;
  for (size_t i = 0; i < packets->size(); ++i) {
    auto bytes = EncodePacket((*packets)[i]);
    ASSERT_TRUE(bytes);
    auto packet = DecodePacket(*bytes);
    ASSERT_TRUE(packet);
    auto o = r.Push(*packet);
    ASSERT_TRUE(o);
    EXPECT_EQ(*o, i + 1 == packets->size() ? Outcome::kComplete : Outcome::kNeedMore);
  }
  EXPECT_EQ(r.TakeMessage(), message);
}

}  // namespace
}  // namespace meterd::codec::c1218
