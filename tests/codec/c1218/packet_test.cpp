// SPDX-License-Identifier: Apache-2.0
// Known answers from /work/shared/vectors/c12/NOTES.md §1 (the MeteringSDK optical-port trace and
// the constructed frames), and the framing errors.
#include <gtest/gtest.h>

#include <string>

#include "codec/c1218/crc.h"
#include "codec/c1218/packet.h"
#include "hex.h"

namespace meterd::codec::c1218 {
namespace {

using testing::Hex;

TEST(c1218Crc16X25, CheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(Crc16X25({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0x906E);
  EXPECT_EQ(Crc16X25({}), 0x0000);
}

TEST(c1218Crc16X25, IdentifyFrameFromTrace) {
  // EE 00 00 00 00 01 20, CRC 0x1013 sent 13 10.
  EXPECT_EQ(Crc16X25(Hex("EE 00 00 00 00 01 20")), 0x1013);
}

// Every frame in NOTES.md §1a and §1b.
const char* const kNotesFrames[] = {
    "EE 00 00 00 00 01 20 13 10",
    "EE 00 00 00 00 05 00 00 01 00 00 C6 B5",
    "EE 00 20 00 00 05 61 04 00 80 06 C2 29",
    "EE 00 20 00 00 05 00 04 00 80 06 35 83",
    "EE 00 20 00 00 0D 50 00 02 53 4D 49 54 48 20 20 20 20 20 4D AC",
    "EE 00 00 00 00 15 51 50 41 53 53 57 4F 52 44 00 00 00 00 00 00 00 00 00 00 00 00 DB 31",
    "EE 00 20 00 00 03 30 00 01 D6 6E",
    "EE 00 00 00 00 08 3F 00 01 00 00 10 00 10 A5 9A",
    "EE 00 20 00 00 03 30 08 00 9F B1",
    "EE 00 00 00 00 09 40 00 07 00 03 02 00 05 F9 35 68",
    "EE 00 20 00 00 03 30 00 08 17 F3",
    "EE 00 00 00 00 14 00 00 10 4D 41 4E 55 46 41 43 54 55 52 45 52 20 53 4E 20 92 33 11",
    "EE 00 00 00 00 02 70 1E 1E 17",
    "EE 00 20 00 00 01 52 17 20",
    "EE 00 00 00 00 01 21 9A 01",
    "EE 00 00 00 00 01 03 8A 03",
};

TEST(c1218Packet, NotesFramesDecodeAndEncodeBack) {
  for (const char* hex : kNotesFrames) {
    SCOPED_TRACE(hex);
    const auto bytes = Hex(hex);
    auto packet = DecodePacket(bytes);
    ASSERT_TRUE(packet) << packet.error().ToString();
    EXPECT_EQ(packet->identity, 0);
    EXPECT_FALSE(packet->multi_packet);
    EXPECT_EQ(packet->sequence, 0);
    EXPECT_EQ(packet->data.size(), bytes.size() - kPacketOverhead);
    auto again = EncodePacket(*packet);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, bytes);
    auto size = PacketSize(bytes);
    ASSERT_TRUE(size && *size);
    EXPECT_EQ(**size, bytes.size());
  }
}

TEST(c1218Packet, ToggleBitFromTrace) {
  auto negotiate = DecodePacket(Hex("EE 00 20 00 00 05 61 04 00 80 06 C2 29"));
  ASSERT_TRUE(negotiate);
  EXPECT_TRUE(negotiate->toggle);
  EXPECT_EQ(negotiate->data, Hex("61 04 00 80 06"));
  EXPECT_EQ(ControlByte(*negotiate), 0x20);
}

TEST(c1218Packet, RejectsWrongCrcNamingItsOffset) {
  auto p = DecodePacket(Hex("EE 00 00 00 00 01 20 13 11"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().field, "offset 7");
  EXPECT_EQ(p.error().message,
            "c1218: byte 7: expected CRC 13 10 (0x1013, low byte first), got 13 11");
}

TEST(c1218Packet, RejectsLengthAboveMaximum) {
  // 9000 = 0x2328.
  auto p = DecodePacket(Hex("EE 00 00 00 23 28 20"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "c1218: byte 4: expected length <= 8183, got 9000");
  EXPECT_EQ(p.error().field, "offset 4");
  auto size = PacketSize(Hex("EE 00 00 00 23 28"));
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().field, "offset 4");
}

TEST(c1218Packet, RejectsWrongStartTruncationAndTrailingBytes) {
  auto start = DecodePacket(Hex("EF 00 00 00 00 01 20 13 10"));
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().message, "c1218: byte 0: expected start of packet 0xEE, got 0xEF");
  auto truncated = DecodePacket(Hex("EE 00 00 00 00 05 00 00"));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().field, "offset 6");
  auto no_crc = DecodePacket(Hex("EE 00 00 00 00 01 20 13"));
  ASSERT_FALSE(no_crc);
  EXPECT_EQ(no_crc.error().field, "offset 7");
  auto trailing = DecodePacket(Hex("EE 00 00 00 00 01 20 13 10 06"));
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().field, "offset 9");
  auto empty = DecodePacket({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().field, "offset 0");
}

TEST(c1218Packet, RejectsInconsistentControl) {
  // First-packet bit without multi-packet.
  std::vector<uint8_t> bytes = Hex("EE 00 40 00 00 01 20");
  auto crc = Crc16X25(bytes);
  bytes.push_back(crc & 0xFF);
  bytes.push_back(crc >> 8);
  auto p = DecodePacket(bytes);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().field, "offset 2");
  // Single packet with a sequence number.
  bytes = Hex("EE 00 00 03 00 01 20");
  crc = Crc16X25(bytes);
  bytes.push_back(crc & 0xFF);
  bytes.push_back(crc >> 8);
  p = DecodePacket(bytes);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "c1218: byte 3: expected sequence number 0 in a single packet, got 3");
}

TEST(c1218Packet, EncodeRefusesWhatCannotBeSent) {
  Packet p;
  p.data.assign(kMaxPacketData + 1, 0);
  EXPECT_FALSE(EncodePacket(p));
  p.data.assign(1, 0x20);
  p.first_packet = true;
  EXPECT_FALSE(EncodePacket(p));
  p.first_packet = false;
  p.sequence = 1;
  EXPECT_FALSE(EncodePacket(p));
}

TEST(c1218Packet, PacketSizeWaitsForTheHeader) {
  auto none = PacketSize(Hex("EE 00 00"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto ack = PacketSize(Hex("06"));
  EXPECT_FALSE(ack);  // ACK bytes are the caller's to strip
}

TEST(c1218Packet, SegmentsLongMessagesCountingDown) {
  std::vector<uint8_t> message(150);
  for (size_t i = 0; i < message.size(); ++i) message[i] = static_cast<uint8_t>(i);
  bool toggle = true;
  auto packets = SegmentMessage(message, 64, toggle);
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 3u);  // 56 + 56 + 38
  EXPECT_TRUE((*packets)[0].multi_packet && (*packets)[0].first_packet);
  EXPECT_EQ((*packets)[0].sequence, 2);
  EXPECT_TRUE((*packets)[0].toggle);
  EXPECT_FALSE((*packets)[1].first_packet);
  EXPECT_EQ((*packets)[1].sequence, 1);
  EXPECT_FALSE((*packets)[1].toggle);
  EXPECT_EQ((*packets)[2].sequence, 0);
  EXPECT_EQ((*packets)[2].data.size(), 38u);
  EXPECT_FALSE(toggle);  // next packet after three flips
  auto first = EncodePacket((*packets)[0]);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ((*first)[2], 0xE0);  // multi, first, toggle

  bool t = false;
  auto single = SegmentMessage(Hex("20"), 64, t);
  ASSERT_TRUE(single);
  ASSERT_EQ(single->size(), 1u);
  EXPECT_FALSE((*single)[0].multi_packet);
  EXPECT_TRUE(t);

  EXPECT_FALSE(SegmentMessage({}, 64, t));
  EXPECT_FALSE(SegmentMessage(message, 8, t));
  std::vector<uint8_t> huge(257 * 10);
  EXPECT_FALSE(SegmentMessage(huge, 18, t));
}

}  // namespace
}  // namespace meterd::codec::c1218
