// SPDX-License-Identifier: Apache-2.0
// ApTitles, BER, ACSE APDUs and EPSEM: round trips and errors.
#include <gtest/gtest.h>

#include "../c1218/hex.h"
#include "codec/c1222/acse.h"
#include "codec/c1222/ap_title.h"
#include "codec/c1222/epsem.h"

namespace meterd::codec::c1222 {
namespace {

using testing::Hex;

ApTitle Title(const char* text) {
  auto t = ParseApTitle(text);
  EXPECT_TRUE(t) << text;
  return t ? *t : ApTitle{};
}

TEST(c1222ApTitle, AbsoluteAndRelativeContent) {
  auto abs = DecodeOidContent(ApTitleForm::kAbsolute, Hex("2b06010401828563"), 0);
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->ToString(), "1.3.6.1.4.1.33507");
  auto deep = DecodeOidContent(ApTitleForm::kAbsolute, Hex("2b060104018285638e7f85f1c24e00"), 0);
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->ToString(), "1.3.6.1.4.1.33507.1919.12345678.0");
  auto rel = DecodeOidContent(ApTitleForm::kRelative, Hex("7bc175"), 0);
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->ToString(), ".123.8437");
  EXPECT_EQ(*EncodeOidContent(*rel), Hex("7bc175"));
  EXPECT_EQ(*EncodeOidContent(*deep), Hex("2b060104018285638e7f85f1c24e00"));
  EXPECT_EQ(*ParseApTitle(".123.4"), (ApTitle{ApTitleForm::kRelative, {123, 4}}));
  EXPECT_EQ(Title("2.16.124.113620.1.22.0"), DefaultApTitleBase());
  auto big_first = DecodeOidContent(ApTitleForm::kAbsolute, Hex("8837"), 0);  // 2.999
  ASSERT_TRUE(big_first);
  EXPECT_EQ(big_first->ToString(), "2.999");
  EXPECT_EQ(*EncodeOidContent(*big_first), Hex("8837"));
}

TEST(c1222ApTitle, ToAbsoluteAppendsToTheBase) {
  auto abs = ToAbsolute(Title(".123.8437"), DefaultApTitleBase());
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->ToString(), "2.16.124.113620.1.22.0.123.8437");
  EXPECT_EQ(*EncodeOidContent(*abs), Hex("607c86f7540116007bc175"));
}

TEST(c1222ApTitle, RejectsNonCanonicalAndTruncatedOids) {
  auto leading = DecodeOidContent(ApTitleForm::kRelative, Hex("7b80 01"), 10);
  ASSERT_FALSE(leading);
  EXPECT_EQ(leading.error().message, "c1222: byte 11: expected the shortest sub-identifier, got a leading 0x80");
  auto cut = DecodeOidContent(ApTitleForm::kRelative, Hex("7b81"), 0);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().field, "offset 1");
  EXPECT_FALSE(DecodeOidContent(ApTitleForm::kRelative, {}, 0));
  EXPECT_FALSE(DecodeOidContent(ApTitleForm::kRelative, Hex("9fffffffff7f"), 0));  // > 32 bits
  EXPECT_FALSE(ParseApTitle("1"));
  EXPECT_FALSE(ParseApTitle("3.1"));
  EXPECT_FALSE(ParseApTitle("1.2..3"));
  EXPECT_FALSE(ParseApTitle(""));
}

TEST(c1222ApTitle, UniversalIdElements) {
  auto abs = DecodeUniversalId(Hex("06082b06010401828563"));
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->form, ApTitleForm::kAbsolute);
  auto rel = DecodeUniversalId(Hex("0d027b04"));
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->ToString(), ".123.4");
  std::vector<uint8_t> out;
  ASSERT_TRUE(PutUniversalId(out, *rel));
  EXPECT_EQ(out, Hex("0d027b04"));
  auto wrong = DecodeUniversalId(Hex("80027b04"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "c1222: byte 0: expected universal id as a universal id (tag 0x06 or 0x0D), got tag 0x80");
}

TEST(c1222Ber, LengthsShortAndLong) {
  std::vector<uint8_t> out;
  c1218::PutBerLength(out, 0x7F);
  c1218::PutBerLength(out, 0x80);
  c1218::PutBerLength(out, 0x1234);
  c1218::PutBerLength(out, 0x123456);
  EXPECT_EQ(out, Hex("7F 8180 821234 83123456"));
  c1218::Reader r(out, "c1222");
  EXPECT_EQ(*c1218::ReadBerLength(r, "x"), 0x7Fu);
  EXPECT_EQ(*c1218::ReadBerLength(r, "x"), 0x80u);
  EXPECT_EQ(*c1218::ReadBerLength(r, "x"), 0x1234u);
  EXPECT_EQ(*c1218::ReadBerLength(r, "x"), 0x123456u);
  const auto non_minimal = Hex("8105");
  c1218::Reader n(non_minimal, "c1222");
  auto e = c1218::ReadBerLength(n, "APDU length");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "c1222: byte 0: expected the shortest BER length encoding for APDU length, got 5 in 2 bytes");
  const auto indefinite = Hex("80");
  c1218::Reader i(indefinite, "c1222");
  EXPECT_FALSE(c1218::ReadBerLength(i, "x"));
}

TEST(c1222Ber, UnsignedIntegers) {
  EXPECT_EQ(EncodeUnsigned(0), Hex("00"));
  EXPECT_EQ(EncodeUnsigned(3), Hex("03"));
  EXPECT_EQ(EncodeUnsigned(0x80), Hex("0080"));
  EXPECT_EQ(EncodeUnsigned(333976609), Hex("13e81421"));
  EXPECT_EQ(EncodeUnsigned(0xFFFFFFFF), Hex("00ffffffff"));
}

Apdu FullApdu() {
  Apdu a;
  a.application_context = C1222ApplicationContext();
  a.called_ap_title = Title(".123.8437");
  a.called_ae_qualifier = 1;
  a.called_ap_invocation_id = 7;
  a.called_ae_invocation_id = 8;
  a.calling_ap_title = Title("1.3.6.1.4.1.33507");
  a.calling_ae_qualifier = kAeQualifierUrgent | kAeQualifierTest;
  a.calling_ap_invocation_id = 0xFFFFFFFF;
  a.calling_ae_invocation_id = 0;
  a.mechanism_name = C1222SecurityMechanism();
  a.calling_authentication_value = AuthenticationValue{2, Hex("01020304"), {}};
  a.user_information = Hex("80 01 20");
  return a;
}

TEST(c1222Apdu, EveryElementRoundTrips) {
  auto a = FullApdu();
  auto bytes = EncodeApdu(a);
  ASSERT_TRUE(bytes) << bytes.error().ToString();
  auto back = DecodeApdu(*bytes);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, a);
  auto size = ApduSize(*bytes);
  ASSERT_TRUE(size && *size);
  EXPECT_EQ(**size, bytes->size());

  a.calling_authentication_value = AuthenticationValue{std::nullopt, Hex("0a0b0c0d"), {}};
  a.user_information_indirect_reference = 0;
  bytes = EncodeApdu(a);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*DecodeApdu(*bytes), a);

  // Another authentication form is kept whole.
  a.calling_authentication_value = AuthenticationValue{std::nullopt, {}, Hex("a2 05 a0 03 81 01 ff")};
  bytes = EncodeApdu(a);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*DecodeApdu(*bytes), a);
}

TEST(c1222Apdu, LongFormLengths) {
  Apdu a;
  a.called_ap_title = Title("1.3.6.1.4.1.33507");
  a.calling_ap_invocation_id = 1;
  a.user_information = Hex("80");
  a.user_information.push_back(0x82);  // service length 0x0120 in long form
  a.user_information.push_back(0x01);
  a.user_information.push_back(0x20);
  a.user_information.resize(a.user_information.size() + 0x120, 0x30);
  auto bytes = EncodeApdu(a);
  ASSERT_TRUE(bytes);
  EXPECT_EQ((*bytes)[0], 0x60);
  EXPECT_EQ((*bytes)[1], 0x82);
  auto back = DecodeApdu(*bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, a);
  auto epsem = DecodeEpsem(back->user_information);
  ASSERT_TRUE(epsem);
  ASSERT_EQ(epsem->services.size(), 1u);
  EXPECT_EQ(epsem->services[0].size(), 0x120u);
  // The stream framer needs the whole length before it can say.
  auto partial = ApduSize(std::span(*bytes).first(3));
  ASSERT_TRUE(partial);
  EXPECT_FALSE(*partial);
}

TEST(c1222Apdu, RejectsMalformedInput) {
  auto wrong_tag = DecodeApdu(Hex("61 03 be 01 00"));
  ASSERT_FALSE(wrong_tag);
  EXPECT_EQ(wrong_tag.error().message, "c1222: byte 0: expected ACSE APDU (tag 0x60), got tag 0x61");
  auto overrun = DecodeApdu(Hex("60 10 a2 04 80 02 7b 04"));
  ASSERT_FALSE(overrun);
  EXPECT_EQ(overrun.error().field, "offset 2");
  auto no_user = DecodeApdu(Hex("60 06 a2 04 80 02 7b 04"));
  ASSERT_FALSE(no_user);
  EXPECT_EQ(no_user.error().message,
            "c1222: byte 8: expected a user-information element (0xBE) with the EPSEM, but the APDU ends");
  auto twice = DecodeApdu(Hex("60 0c a2 04 80 02 7b 04 a2 04 80 02 7b 04"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "offset 8");
  auto unknown = DecodeApdu(Hex("60 03 aa 01 00"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "c1222: byte 2: expected an ACSE element (A1..A9, 8B, AC, BE), got tag 0xAA");
  auto bad_title = DecodeApdu(Hex("60 06 a2 04 81 02 7b 04"));
  ASSERT_FALSE(bad_title);
  EXPECT_EQ(bad_title.error().field, "offset 4");
  auto negative = DecodeApdu(Hex("60 05 a8 03 02 01 80"));
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().field, "offset 6");
  auto not_octets = DecodeApdu(Hex("60 07 be 05 28 03 82 01 80"));
  ASSERT_FALSE(not_octets);
  EXPECT_EQ(not_octets.error().message, "c1222: byte 6: expected octet-aligned EPSEM (tag 0x81), got tag 0x82");
  auto trailing = DecodeApdu(Hex("60 07 be 05 28 03 81 01 80 00"));
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().field, "offset 9");
  EXPECT_FALSE(ApduSize(Hex("30 00")));
  EXPECT_FALSE(ApduSize(Hex("60 85 00 00 00 00 01")));
}

TEST(c1222Epsem, ControlAndServices) {
  auto e = DecodeEpsem(Hex("d6 00 00 00 2a 01 20 02 30 00 00"));
  ASSERT_TRUE(e) << e.error().ToString();
  EXPECT_TRUE(e->recovery_session);
  EXPECT_FALSE(e->proxy_service_used);
  EXPECT_EQ(e->security_mode, SecurityMode::kCleartextAuthenticated);
  EXPECT_EQ(e->response_control, ResponseControl::kNever);
  ASSERT_TRUE(e->ed_class);
  EXPECT_EQ((*e->ed_class)[3], 0x2a);
  ASSERT_EQ(e->services.size(), 2u);
  EXPECT_EQ(e->services[1], Hex("30 00"));
  EXPECT_TRUE(e->end_of_list);
  EXPECT_EQ(*EncodeEpsem(*e), Hex("d6 00 00 00 2a 01 20 02 30 00 00"));
  EXPECT_EQ(ControlByte(*e), 0xd6);
}

TEST(c1222Epsem, RejectsMalformed) {
  auto reserved = DecodeEpsem(Hex("00 01 20"));
  ASSERT_FALSE(reserved);
  EXPECT_EQ(reserved.error().message, "c1222: byte 0: expected EPSEM control bit 7 (reserved) = 1, got 0x00");
  EXPECT_FALSE(DecodeEpsem(Hex("8c 01 20")));  // security mode 3
  EXPECT_FALSE(DecodeEpsem(Hex("83 01 20")));  // response control 3
  auto no_ed_class = DecodeEpsem(Hex("90 00 00"), 40);
  ASSERT_FALSE(no_ed_class);
  EXPECT_EQ(no_ed_class.error().field, "offset 41");
  auto overrun = DecodeEpsem(Hex("80 05 20"));
  ASSERT_FALSE(overrun);
  EXPECT_EQ(overrun.error().message, "c1222: byte 2: expected a service of 5 bytes (5 bytes), but only 1 left");
  auto zero_then_more = DecodeEpsem(Hex("80 01 20 00 01 21"));
  ASSERT_FALSE(zero_then_more);
  EXPECT_EQ(zero_then_more.error().field, "offset 3");
  auto none = DecodeEpsem(Hex("80"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "c1222: byte 1: expected at least one service, but the EPSEM ends");
  EXPECT_FALSE(EncodeEpsem(Epsem{}));
}

}  // namespace
}  // namespace meterd::codec::c1222
