// SPDX-License-Identifier: Apache-2.0
// Link layer (src/codec/mbus/frame.cpp) and the master's requests (requests.cpp,
// secondary_address.cpp): known answers, round trips and error offsets.
#include "codec/mbus/frame.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "codec/mbus/control_field.h"
#include "codec/mbus/manufacturer.h"
#include "codec/mbus/requests.h"
#include "codec/mbus/secondary_address.h"
#include "norm_xml.h"

namespace meterd::codec::mbus {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Encode(const Frame& f) {
  auto b = EncodeFrame(f);
  EXPECT_TRUE(b) << b.error().ToString();
  return b ? *b : Bytes{};
}

// The error's offset ("offset 12" -> 12), or -1.
long ErrorOffset(const core::Error& e) {
  if (!e.field.starts_with("offset ")) return -1;
  return std::stol(e.field.substr(7));
}

TEST(mbusRequests, SndNke) {
  EXPECT_EQ(Encode(SndNke(5)), (Bytes{0x10, 0x40, 0x05, 0x45, 0x16}));
  EXPECT_EQ(Encode(SndNke(address::kNetworkLayer)), (Bytes{0x10, 0x40, 0xFD, 0x3D, 0x16}));
}

TEST(mbusRequests, ReqUd2CarriesTheFrameCountBit) {
  EXPECT_EQ(Encode(ReqUd2(5, false)), (Bytes{0x10, 0x5B, 0x05, 0x60, 0x16}));
  EXPECT_EQ(Encode(ReqUd2(5, true)), (Bytes{0x10, 0x7B, 0x05, 0x80, 0x16}));
  EXPECT_EQ(Encode(ReqUd2(0xFE, true)), (Bytes{0x10, 0x7B, 0xFE, 0x79, 0x16}));
}

TEST(mbusRequests, FcbTogglesAndRestartsAtOneAfterSndNke) {
  FcbSequence fcb;
  EXPECT_TRUE(fcb.Next());
  EXPECT_FALSE(fcb.Next());
  EXPECT_FALSE(fcb.Current());  // a retry repeats the bit
  EXPECT_TRUE(fcb.Next());
  EXPECT_TRUE(fcb.Next() == false);
  fcb.Reset();
  EXPECT_TRUE(fcb.Next());
  // The bytes of a poll cycle: SND_NKE, then REQ_UD2 with 7B, 5B, 7B.
  fcb.Reset();
  std::vector<Bytes> sent{Encode(SndNke(1))};
  for (int i = 0; i < 3; ++i) sent.push_back(Encode(ReqUd2(1, fcb.Next())));
  EXPECT_EQ(sent[1][1], 0x7B);
  EXPECT_EQ(sent[2][1], 0x5B);
  EXPECT_EQ(sent[3][1], 0x7B);
}

TEST(mbusRequests, SelectSecondaryAddressWithWildcards) {
  auto mask = SecondaryAddress::Parse("1234567FFFFFFFFF");
  ASSERT_TRUE(mask) << mask.error().ToString();
  EXPECT_EQ(Encode(SelectSecondary(*mask)), (Bytes{0x68, 0x0B, 0x0B, 0x68, 0x53, 0xFD, 0x52, 0x7F, 0x56, 0x34, 0x12,
                                                   0xFF, 0xFF, 0xFF, 0xFF, 0xB9, 0x16}));
  // Fully specified: 12345678, KAM, version 1, electricity.
  auto full = SecondaryAddress::Parse("123456782c2d0102");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->manufacturer, *ManufacturerField("KAM"));
  EXPECT_EQ(full->ToString(), "123456782C2D0102");
  EXPECT_EQ(Encode(SelectSecondary(*full)), (Bytes{0x68, 0x0B, 0x0B, 0x68, 0x53, 0xFD, 0x52, 0x78, 0x56, 0x34, 0x12,
                                                   0x2D, 0x2C, 0x01, 0x02, 0x12, 0x16}));
  // FCB set: C = 73.
  EXPECT_EQ(Encode(SelectSecondary(*full, true))[4], 0x73);
  // The default mask matches every slave.
  EXPECT_EQ(SecondaryAddress{}.ToString(), "FFFFFFFFFFFFFFFF");
}

TEST(mbusRequests, SecondaryAddressRejectsBadText) {
  EXPECT_FALSE(SecondaryAddress::Parse("12345678"));              // too short
  EXPECT_FALSE(SecondaryAddress::Parse("1234567A2C2D0102"));      // A is not a digit or wildcard
  EXPECT_FALSE(SecondaryAddress::Parse("12345678GC2D0102"));      // not hex
  auto e = SecondaryAddress::Parse("1234567A2C2D0102");
  EXPECT_NE(e.error().message.find("character 7"), std::string::npos) << e.error().message;
}

TEST(mbusRequests, ApplicationReset) {
  EXPECT_EQ(Encode(ApplicationReset(5)), (Bytes{0x68, 0x03, 0x03, 0x68, 0x53, 0x05, 0x50, 0xA8, 0x16}));
  EXPECT_EQ(Encode(ApplicationReset(5, 0x10)), (Bytes{0x68, 0x04, 0x04, 0x68, 0x53, 0x05, 0x50, 0x10, 0xB8, 0x16}));
}

TEST(mbusRequests, DecodeBackToTheSameFrame) {
  for (const Frame& f : {SndNke(7), ReqUd2(7, true), ReqUd2(250, false), ApplicationReset(1), ApplicationReset(1, 0),
                         SelectSecondary(SecondaryAddress{})}) {
    auto back = DecodeFrame(Encode(f));
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, f);
  }
}

TEST(mbusControlField, Bits) {
  EXPECT_TRUE(control::Fcb(0x7B));
  EXPECT_TRUE(control::Fcv(0x7B));
  EXPECT_FALSE(control::Fcb(0x5B));
  EXPECT_FALSE(control::Fcv(0x40));
  EXPECT_TRUE(control::Acd(0x28));
  EXPECT_TRUE(control::Dfc(0x18));
  EXPECT_FALSE(control::Acd(0x7B));  // from the master, bit 5 is the FCB
  EXPECT_TRUE(control::IsRspUd(0x38));
  EXPECT_FALSE(control::IsRspUd(0x53));
  EXPECT_EQ(ControlName(0x7B), "REQ_UD2");
  EXPECT_EQ(ControlName(0x40), "SND_NKE");
  EXPECT_EQ(ControlName(0x73), "SND_UD");
  EXPECT_EQ(ControlName(0x18), "RSP_UD");
}

TEST(mbusManufacturer, ThreeLettersInFifteenBits) {
  EXPECT_EQ(ManufacturerCode(0x2C2D), "KAM");
  EXPECT_EQ(ManufacturerCode(0x0442), "ABB");
  EXPECT_EQ(*ManufacturerField("abb"), 0x0442);
  EXPECT_FALSE(ManufacturerField("AB"));
  EXPECT_FALSE(ManufacturerField("A1B"));
  for (uint16_t f : {0x0421, 0x6B5A, 0x2C2D}) EXPECT_EQ(*ManufacturerField(ManufacturerCode(f)), f);
}

TEST(mbusFrame, DecodesTheFourFormats) {
  auto ack = DecodeFrame(Bytes{0xE5});
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, FrameType::kAck);
  auto shortf = DecodeFrame(Bytes{0x10, 0x7B, 0x05, 0x80, 0x16});
  ASSERT_TRUE(shortf);
  EXPECT_EQ(*shortf, (Frame{FrameType::kShort, 0x7B, 0x05, 0, {}}));
  auto control = DecodeFrame(Bytes{0x68, 0x03, 0x03, 0x68, 0x53, 0x05, 0x50, 0xA8, 0x16});
  ASSERT_TRUE(control);
  EXPECT_EQ(control->type, FrameType::kControl);
  EXPECT_EQ(control->ci, 0x50);
  auto longf = DecodeFrame(Bytes{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x81, 0x16});
  ASSERT_TRUE(longf);
  EXPECT_EQ(*longf, (Frame{FrameType::kLong, 0x08, 0x01, 0x70, {0x08}}));
}

struct BadFrame {
  Bytes bytes;
  long offset;
  std::string_view says;
};

TEST(mbusFrame, ErrorsNameTheOffsetAndWhatWasExpected) {
  const BadFrame cases[] = {
      {{}, 0, "empty"},
      {{0x42}, 0, "start byte"},
      {{0xE5, 0xE5}, 1, "after a single-character"},
      {{0x10, 0x7B, 0x05, 0x80}, 4, "truncated"},
      {{0x10, 0x7B, 0x05, 0x80, 0x16, 0x00}, 5, "after the end"},
      {{0x10, 0x7B, 0x05, 0x81, 0x16}, 3, "checksum"},
      {{0x10, 0x7B, 0x05, 0x80, 0x17}, 4, "stop byte"},
      {{0x10, 0x08, 0x05, 0x0D, 0x16}, 1, "not allowed in a short frame"},
      {{0x68, 0x04}, 2, "truncated"},
      {{0x68, 0x02, 0x02, 0x68}, 1, "below 3"},
      {{0x68, 0x04, 0x05, 0x68}, 2, "differs"},
      {{0x68, 0x04, 0x04, 0x69}, 3, "second start byte"},
      {{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x81}, 9, "needs 10 bytes"},
      {{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x81, 0x16, 0x16}, 10, "after the end"},
      {{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x80, 0x16}, 8, "checksum 0x80 does not match 0x81"},
      {{0x68, 0x04, 0x04, 0x68, 0x08, 0x01, 0x70, 0x08, 0x81, 0x10}, 9, "stop byte"},
      {{0x68, 0x04, 0x04, 0x68, 0x5B, 0x01, 0x70, 0x08, 0xD4, 0x16}, 4, "not allowed in a long frame"},
  };
  for (const BadFrame& c : cases) {
    auto f = DecodeFrame(c.bytes);
    ASSERT_FALSE(f) << "accepted case '" << c.says << "'";
    EXPECT_EQ(ErrorOffset(f.error()), c.offset) << f.error().ToString();
    EXPECT_NE(f.error().message.find(c.says), std::string::npos) << f.error().ToString();
  }
}

TEST(mbusFrame, EncodeRefusesWhatNoFrameCanCarry) {
  EXPECT_FALSE(EncodeFrame(Frame{FrameType::kLong, 0x53, 1, 0x51, {}}));
  EXPECT_FALSE(EncodeFrame(Frame{FrameType::kControl, 0x53, 1, 0x51, {0x00}}));
  EXPECT_FALSE(EncodeFrame(Frame{FrameType::kLong, 0x53, 1, 0x51, Bytes(253, 0x2F)}));
  auto max = EncodeFrame(Frame{FrameType::kLong, 0x53, 1, 0x51, Bytes(252, 0x2F)});
  ASSERT_TRUE(max);
  EXPECT_EQ(max->size(), 261u);
  EXPECT_EQ((*max)[1], 0xFF);
}

// Every frame of the libmbus corpus decodes and encodes back to the same bytes, and the notes
// of the link layer cover the envelope.
TEST(mbusFrame, RoundTripsTheCorpus) {
  const auto files = testing::HexFiles("test-frames");
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const Bytes bytes = testing::ReadHexFile(path);
    CollectingExplainer explain;
    auto f = DecodeFrame(bytes, &explain);
    ASSERT_TRUE(f) << f.error().ToString();
    EXPECT_EQ(Encode(*f), bytes);
    size_t covered = 0;
    for (const auto& n : explain.notes()) covered += n.length;
    EXPECT_EQ(covered, kFrameDataOffset + 2);  // 68 L L 68 C A CI ... CS 16
  }
}

}  // namespace
}  // namespace meterd::codec::mbus
