// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/wire.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using testing::Format;
using testing::Hex;
using testing::ToHex;

// LSB first, 7-bit characters, TM_FORMAT 2, two's complement, NI INT32/INT32.
const FormatControl kLsb = Format(0x02, 0x02, 0x88);
// The same, MSB first.
const FormatControl kMsb = Format(0x03, 0x02, 0x88);

FormatControl WithTm(uint8_t tm) {
  FormatControl f = kLsb;
  f.tm_format = tm;
  return f;
}

Decimal Ni(uint8_t format, std::string_view hex, const FormatControl& fc = kLsb) {
  auto bytes = Hex(hex);
  WireReader in(bytes, fc);
  auto d = ReadNi(in, format, "NI");
  EXPECT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(in.remaining(), 0u);
  // And back to the same bytes.
  WireWriter out(fc);
  if (d) {
    auto w = WriteNi(out, format, *d, "NI");
    EXPECT_TRUE(w) << w.error().ToString();
    EXPECT_EQ(ToHex(out.bytes()), ToHex(bytes)) << "format " << int{format};
  }
  return d.value_or(Decimal{});
}

TEST(C1219FormatControl, ReadsTheThreeSt0Bytes) {
  FormatControl f = Format(0x03, 0x6A, 0x78);
  EXPECT_EQ(f.data_order, DataOrder::kMsbFirst);
  EXPECT_EQ(f.char_format, 1);
  EXPECT_EQ(f.tm_format, 2);
  EXPECT_EQ(f.data_access_method, 1);
  EXPECT_EQ(f.id_form, 1);
  EXPECT_EQ(f.int_format, 1);
  EXPECT_EQ(f.ni_format1, 8);
  EXPECT_EQ(f.ni_format2, 7);
  EXPECT_EQ(f.ToBytes(), (std::array<uint8_t, 3>{0x03, 0x6A, 0x78}));
  const uint8_t filler[3] = {0x80, 0, 0};
  EXPECT_FALSE(FormatControl::FromBytes(filler));
}

TEST(C1219Wire, ByteOrderFlagDecidesIntegers) {
  auto bytes = Hex("12 34 56");
  WireReader lsb(bytes, kLsb), msb(bytes, kMsb);
  EXPECT_EQ(*lsb.Uint(2, "x"), 0x3412u);
  EXPECT_EQ(*msb.Uint(2, "x"), 0x1234u);
  EXPECT_EQ(*lsb.Uint(1, "x"), 0x56u);
  WireWriter out(kMsb);
  ASSERT_TRUE(out.Uint(0x010203, 3, "x"));
  EXPECT_EQ(ToHex(out.bytes()), "01 02 03");
  EXPECT_FALSE(out.Uint(0x100, 1, "x"));
}

TEST(C1219Wire, SignedIntegerFormats) {
  auto minus_one_ones = Hex("FE FF");
  FormatControl ones = kLsb, sign = kLsb;
  ones.int_format = 1;
  sign.int_format = 2;
  WireReader r1(minus_one_ones, ones);
  EXPECT_EQ(*r1.Int(2, "x"), -1);
  auto minus_one_sign = Hex("01 80");
  WireReader r2(minus_one_sign, sign);
  EXPECT_EQ(*r2.Int(2, "x"), -1);
  WireWriter w(sign);
  ASSERT_TRUE(w.Int(-300, 2, "x"));
  EXPECT_EQ(ToHex(w.bytes()), "2c 81");
  EXPECT_FALSE(w.Int(-32768, 2, "x"));  // no -2^15 in sign-magnitude
}

TEST(C1219Wire, NiFormatsKnownAnswers) {
  EXPECT_EQ(Ni(8, "FE FF FF FF"), (Decimal{-2, 0}));
  EXPECT_EQ(Ni(8, "FF FF FF FE", kMsb), (Decimal{-2, 0}));
  EXPECT_EQ(Ni(4, "39 30 00 00"), (Decimal{12345, -4}));  // INT32_1: 1.2345
  EXPECT_EQ(Ni(1, "00 80 66 43"), (Decimal{2305, -1}));   // FLOAT32 230.5
  EXPECT_EQ(Ni(0, "9a 99 99 99 99 99 b9 3f"), (Decimal{1, -1}));  // FLOAT64 0.1, exactly back
  EXPECT_EQ(Ni(2, "20 20 20 20 20 2d 31 32 2e 33 34 35"), (Decimal{-12345, -3}));  // "     -12.345"
  EXPECT_EQ(Ni(3, "20 20 31 35 30 30"), (Decimal{1500, 0}));                       // "  1500"
  auto exp = Hex("20 20 20 31 65 35");  // "   1e5": the exponent is multiplied out
  WireReader r(exp, kLsb);
  EXPECT_EQ(*ReadNi(r, 3, "NI"), (Decimal{100000, 0}));
  EXPECT_EQ(Ni(13, "20202020202020202020202020202020302e303031"), (Decimal{1, -3}));  // 21 chars "0.001"
  EXPECT_EQ(Ni(5, "12 34 56"), (Decimal{123456, 0}));
  EXPECT_EQ(Ni(6, "09 99"), (Decimal{999, 0}));
  EXPECT_EQ(Ni(12, "00 12 34 56"), (Decimal{123456, 0}));
  EXPECT_EQ(Ni(7, "FE FF FF"), (Decimal{-2, 0}));
  EXPECT_EQ(Ni(9, "00 00 00 00 80"), (Decimal{-549755813888, 0}));
  EXPECT_EQ(Ni(10, "01 00 00 00 00 00"), (Decimal{1, 0}));
  EXPECT_EQ(Ni(11, "FF FF FF FF FF FF FF FF"), (Decimal{-1, 0}));
}

TEST(C1219Wire, NiFormatsRefuseWhatTheyCannotHold) {
  auto bytes = Hex("00 00 00 00");
  WireReader in(bytes, kLsb);
  EXPECT_FALSE(ReadNi(in, 14, "NI"));  // reserved
  auto nan = Hex("00 00 c0 7f");
  WireReader n(nan, kLsb);
  EXPECT_FALSE(ReadNi(n, 1, "NI"));
  auto bad_bcd = Hex("1A 00 00");
  WireReader b(bad_bcd, kLsb);
  auto e = ReadNi(b, 5, "NI");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 0");
  WireWriter out(kLsb);
  EXPECT_FALSE(WriteNi(out, 8, {15, -1}, "NI"));        // 1.5 is no INT32
  EXPECT_FALSE(WriteNi(out, 7, {1 << 23, 0}, "NI"));    // beyond INT24
  EXPECT_FALSE(WriteNi(out, 3, {1234567, 0}, "NI"));    // 7 characters
  EXPECT_TRUE(WriteNi(out, 4, {15, -1}, "NI"));         // 1.5 = 15000 x 10^-4
  EXPECT_EQ(ToHex(out.bytes()), "98 3a 00 00");
}

TimeDate ReadT(TimeType type, const FormatControl& fc, std::string_view hex) {
  auto bytes = Hex(hex);
  WireReader in(bytes, fc);
  auto v = ReadTime(in, type, "T");
  EXPECT_TRUE(v) << v.error().ToString();
  EXPECT_EQ(in.remaining(), 0u) << hex;
  WireWriter out(fc);
  if (v && v->AsTime()) {
    auto w = WriteTime(out, type, *v->AsTime(), "T");
    EXPECT_TRUE(w) << w.error().ToString();
    EXPECT_EQ(ToHex(out.bytes()), ToHex(bytes));
  }
  return v && v->AsTime() ? *v->AsTime() : TimeDate{};
}

TEST(C1219Wire, TimeFormatsPerTmFormat) {
  const TimeDate minute{2024, 3, 15, 12, 30, 0, 0};
  const TimeDate second{2024, 3, 15, 12, 30, 5, 0};
  EXPECT_EQ(ReadT(TimeType::kStimeDate, WithTm(1), "24 03 15 12 30"), minute);
  EXPECT_EQ(ReadT(TimeType::kStimeDate, WithTm(2), "18 03 0f 0c 1e"), minute);
  EXPECT_EQ(ReadT(TimeType::kLtimeDate, WithTm(2), "18 03 0f 0c 1e 05"), second);
  EXPECT_EQ(ReadT(TimeType::kLtimeDate, WithTm(3), "0e 01 b3 01 05"), second);  // minutes + seconds
  EXPECT_EQ(ReadT(TimeType::kLtimeDate, WithTm(4), "4d 3f f4 65"), second);     // seconds
  FormatControl msb4 = WithTm(4);
  msb4.data_order = DataOrder::kMsbFirst;
  EXPECT_EQ(ReadT(TimeType::kLtimeDate, msb4, "65 f4 3f 4d"), second);
  EXPECT_EQ(ReadT(TimeType::kStimeDate, WithTm(3), "0e 01 b3 01"), minute);
  EXPECT_EQ(ReadT(TimeType::kHtimeDate, WithTm(2), "18 03 0f 0c 1e 05 19"), (TimeDate{2024, 3, 15, 12, 30, 5, 25}));
  EXPECT_EQ(ReadT(TimeType::kHtimeDate, WithTm(4), "4d 3f f4 65 19"), (TimeDate{2024, 3, 15, 12, 30, 5, 25}));
  EXPECT_EQ(ReadT(TimeType::kDate, WithTm(1), "99 12 31"), (TimeDate{1999, 12, 31, 0, 0, 0, 0}));
  EXPECT_EQ(ReadT(TimeType::kDate, WithTm(4), "18 03 0f"), (TimeDate{2024, 3, 15, 0, 0, 0, 0}));
  EXPECT_EQ(ReadT(TimeType::kTime, WithTm(1), "12 30 05"), (TimeDate{0, 0, 0, 12, 30, 5, 0}));
  // No clock: zero bytes, an absent value.
  std::vector<uint8_t> none;
  WireReader in(none, WithTm(0));
  auto v = ReadTime(in, TimeType::kLtimeDate, "T");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind(), Value::Kind::kAbsent);
  EXPECT_EQ(*TimeSize(TimeType::kHtimeDate, 3), 6u);
  EXPECT_FALSE(TimeSize(TimeType::kDate, 5));
}

TEST(C1219Wire, TimeRefusals) {
  auto bad = Hex("24 13 1A 00 00");
  WireReader in(bad, WithTm(1));
  auto e = ReadTime(in, TimeType::kStimeDate, "T");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 2");
  WireWriter out(WithTm(2));
  EXPECT_FALSE(WriteTime(out, TimeType::kStimeDate, {2200, 1, 1, 0, 0, 0, 0}, "T"));
  WireWriter bcd(WithTm(1));
  EXPECT_FALSE(WriteTime(bcd, TimeType::kStimeDate, {2100, 1, 1, 0, 0, 0, 0}, "T"));
  // As a UINT8, 2100 continues the 1900 base: byte 200 (and reads back as 2100).
  EXPECT_EQ(ReadT(TimeType::kDate, WithTm(2), "c8 01 01"), (TimeDate{2100, 1, 1, 0, 0, 0, 0}));
  WireWriter out3(WithTm(3));
  EXPECT_FALSE(WriteTime(out3, TimeType::kStimeDate, {2024, 1, 1, 0, 0, 7, 0}, "T"));
  EXPECT_FALSE(WriteTime(out3, TimeType::kLtimeDate, {1969, 12, 31, 0, 0, 0, 0}, "T"));
}

TEST(C1219Wire, CharacterFormats) {
  auto latin = Hex("43 61 66 e9");  // "Café" in ISO 8859-1
  FormatControl seven = kLsb, iso = kLsb, utf8 = kLsb;
  iso.char_format = 2;
  utf8.char_format = 3;
  WireReader r7(latin, seven);
  auto e = ReadChars(r7, 4, "CHAR");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 3");
  WireReader r8(latin, iso);
  EXPECT_EQ(*ReadChars(r8, 4, "CHAR"), "Caf\xc3\xa9");
  WireWriter w8(iso);
  ASSERT_TRUE(WriteChars(w8, "Caf\xc3\xa9", 5, "CHAR"));
  EXPECT_EQ(ToHex(w8.bytes()), "43 61 66 e9 20");
  WireWriter w7(seven);
  EXPECT_FALSE(WriteChars(w7, "Caf\xc3\xa9", 5, "CHAR"));
  auto u = Hex("43 61 66 c3 a9");
  WireReader ru(u, utf8);
  EXPECT_EQ(*ReadChars(ru, 5, "CHAR"), "Caf\xc3\xa9");
  FormatControl reserved = kLsb;
  reserved.char_format = 5;
  WireReader rr(u, reserved);
  EXPECT_FALSE(ReadChars(rr, 5, "CHAR"));
  WireWriter w(kLsb);
  EXPECT_FALSE(WriteChars(w, "toolong", 4, "CHAR"));
}

TEST(C1219Wire, CivilTimeConversionIsExact) {
  for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{1710505805}, int64_t{4102444799}}) {
    EXPECT_EQ(UnixSecondsFromCivil(CivilFromUnixSeconds(s)), s);
  }
  EXPECT_EQ(CivilFromUnixSeconds(951782400), (TimeDate{2000, 2, 29, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace meterd::codec::c1219
