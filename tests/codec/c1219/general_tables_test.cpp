// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/general_tables.h"

#include <gtest/gtest.h>

#include "codec/c1219/standard_tdl.h"
#include "codec/c1219/tdl_codec.h"
#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using testing::Hex;
using testing::RoundTrip;
using testing::SimSt0;
using testing::ToHex;

// SimSt0() by hand: format control, DEVICE_CLASS "SIM1", the DIM_ fields, then the six sets.
constexpr std::string_view kSimSt0 =
    "02 02 78 53 49 4d 31 02 00 0a 08 02 00 0a 01 02 01 01 00"
    " ab 01 e0 1f 00 00 f8 e0 81 1f"  // STD_TBLS_USED: 0 1 3 5 7 8 21-28 51-55 61-64 71-76
    " 07 00 04 02"                    // MFG_TBLS_USED MT0-2, STD_PROC_USED SP10, MFG_PROC_USED MP1
    " 80 00 00 00 00 00 10 00 00 00"  // STD_TBLS_WRITE: ST7, ST52
    " 04";                            // MFG_TBLS_WRITE: MT2

TEST(C1219St0, KnownAnswer) {
  TableContext ctx(StandardTdl());
  auto bytes = Hex(kSimSt0);
  auto st0 = DecodeSt0(bytes, ctx);
  ASSERT_TRUE(st0) << st0.error().ToString();
  EXPECT_EQ(*st0, SimSt0());
  EXPECT_EQ(st0->format.data_order, DataOrder::kLsbFirst);
  EXPECT_EQ(st0->format.ni_format1, 8);
  EXPECT_EQ(st0->format.ni_format2, 7);
  EXPECT_TRUE(st0->TableUsed(64));
  EXPECT_FALSE(st0->TableUsed(65));
  EXPECT_TRUE(st0->TableUsed(MfgTable(2)));
  EXPECT_TRUE(st0->TableWritable(52));
  EXPECT_FALSE(st0->TableWritable(23));
  EXPECT_TRUE(st0->ProcedureUsed({10, false}));
  EXPECT_TRUE(st0->ProcedureUsed({1, true}));
  EXPECT_EQ(ToHex(RoundTrip(SimSt0(), ctx, EncodeSt0, DecodeSt0)), ToHex(bytes));
}

TEST(C1219St0, ByteOrderFlagSwitchesEveryOtherTable) {
  // ST0 itself is all octets: the flag only changes its first byte.
  auto lsb = Hex(kSimSt0);
  auto msb = lsb;
  msb[0] = 0x03;
  TableContext ctx(StandardTdl());
  auto st0 = DecodeTable(ctx, 0, msb);
  ASSERT_TRUE(st0);
  ctx.Put(0, *st0);
  EXPECT_EQ(ctx.format().data_order, DataOrder::kMsbFirst);
  // ST51 NBR_TIER_SWITCHES and CALENDAR_TBL_SIZE are UINT16: 300 and 1000.
  auto st51 = Hex("00 00 00 00 00 01 2c 03 e8");
  auto t = DecodeTable(ctx, 51, st51);
  ASSERT_TRUE(t) << t.error().ToString();
  EXPECT_EQ(t->Find("NBR_TIER_SWITCHES")->AsUint(), 300u);
  EXPECT_EQ(t->Find("CALENDAR_TBL_SIZE")->AsUint(), 1000u);
  ctx.Put(0, *DecodeTable(ctx, 0, lsb));
  EXPECT_EQ(ctx.format().data_order, DataOrder::kLsbFirst);
  t = DecodeTable(ctx, 51, st51);
  EXPECT_EQ(t->Find("NBR_TIER_SWITCHES")->AsUint(), 0x2c01u);
  EXPECT_EQ(t->Find("CALENDAR_TBL_SIZE")->AsUint(), 0xe803u);
}

TEST(C1219St0, ReservedFormatsAreRefusedWhereTheyMatter) {
  TableContext ctx(StandardTdl());
  St0 st0 = SimSt0();
  st0.format.char_format = 6;
  ctx.Put(0, ToValue(st0));
  auto e = DecodeTable(ctx, 1, Hex("4d 54 52 44 53 49 4d 2d 33 50 48 20 01 02 03 04 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 31"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "ST1 MANUFACTURER: CHAR: CHAR_FORMAT 6 is reserved");
}

TEST(C1219St1, CharOrBcdSerialNumberByIdForm) {
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0()));
  St1 st1{"MTRD", "SIM-3PH ", 1, 2, 3, 4, "0000000000000001"};
  auto bytes = RoundTrip(st1, ctx, EncodeSt1, DecodeSt1);
  EXPECT_EQ(ToHex(bytes), "4d 54 52 44 53 49 4d 2d 33 50 48 20 01 02 03 04 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 31");
  // ID_FORM 1: the serial number is BCD(8).
  ctx.Put(0, ToValue(SimSt0(0x02, 0x22, 0x78)));
  bytes = RoundTrip(st1, ctx, EncodeSt1, DecodeSt1);
  EXPECT_EQ(ToHex(bytes), "4d 54 52 44 53 49 4d 2d 33 50 48 20 01 02 03 04 00 00 00 00 00 00 00 01");
  st1.mfg_serial_number = "12AB";
  EXPECT_FALSE(EncodeSt1(st1, ctx));
}

TEST(C1219St1, CharFormatSwitchesBetweenIso8859And7Bit) {
  // "Café" in ED_MODEL: fine as ISO 8859-1, refused as 7-bit, with the offset of the byte.
  auto bytes = Hex("4d 54 52 44 43 61 66 e9 20 20 20 20 01 02 03 04 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 31");
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0(0x04, 0x02, 0x78)));  // CHAR_FORMAT 2
  auto st1 = DecodeSt1(bytes, ctx);
  ASSERT_TRUE(st1) << st1.error().ToString();
  EXPECT_EQ(st1->ed_model, "Caf\xc3\xa9    ");
  EXPECT_EQ(*EncodeSt1(*st1, ctx), bytes);
  ctx.Put(0, ToValue(SimSt0(0x02, 0x02, 0x78)));  // CHAR_FORMAT 1
  auto e = DecodeSt1(bytes, ctx);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 7");
  EXPECT_EQ(e.error().message, "ST1 ED_MODEL: CHAR: expected a 7-bit character, got E9");
  EXPECT_FALSE(EncodeSt1(*st1, ctx));
}

TEST(C1219St3AndSt5, RoundTrip) {
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0()));
  St3 st3;
  st3.metering = true;
  st3.std_status1 = kStatus1LowBattery | kStatus1TamperDetect;
  st3.mfg_status.Assign(3, true);
  EXPECT_EQ(ToHex(RoundTrip(st3, ctx, EncodeSt3, DecodeSt3)), "01 00 11 00 08");
  St5 st5{"meter-0001          "};
  EXPECT_EQ(RoundTrip(st5, ctx, EncodeSt5, DecodeSt5).size(), 20u);
}

TEST(C1219St7AndSt8, ProcedureCallAndResponse) {
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0()));
  // SP10 set date and time, response in ST8 on completion, sequence 7.
  St7 st7{{10, false}, 0, 7, {0x03, 0x18, 0x03, 0x0f, 0x0c, 0x1e, 0x00, 0x05, 0, 0}};
  auto bytes = RoundTrip(st7, ctx, EncodeSt7, DecodeSt7);
  EXPECT_EQ(ToHex(bytes), "0a 00 07 03 18 03 0f 0c 1e 00 05 00 00");
  auto params = DecodeProcedureData(ctx, st7.procedure, false, st7.params);
  ASSERT_TRUE(params) << params.error().ToString();
  EXPECT_EQ(*params->Find("DATE_TIME"), Value::Time({2024, 3, 15, 12, 30, 0, 0}));
  EXPECT_EQ(params->Find("TIME_DATE_QUAL")->Find("DAY_OF_WEEK")->AsUint(), 5u);
  // A manufacturer procedure: MP1 with the std-vs-mfg flag (bit 11) and selector 2 (no response).
  St7 mp1{{1, true}, 2, 8, {0x07, 0x00}};
  EXPECT_EQ(ToHex(EncodeSt7(mp1, ctx).value()), "01 28 08 07 00 00 00 00 00 00 00 00 00");
  // ST8: result codes 0..6 have names.
  St8 st8{{1, true}, 0, 8, static_cast<uint8_t>(ProcedureResult::kNoAuthorization), {1, 2}};
  st8.response.resize(8, 0);
  bytes = RoundTrip(st8, ctx, EncodeSt8, DecodeSt8);
  EXPECT_EQ(ToHex(bytes), "01 08 08 05 01 02 00 00 00 00 00 00");
  EXPECT_EQ(ProcedureResultName(0), "completed");
  EXPECT_EQ(ProcedureResultName(5), "no authorization");
  EXPECT_EQ(ProcedureResultName(6), "unrecognized procedure");
  EXPECT_EQ(ProcedureResultName(9), "reserved");
}

}  // namespace
}  // namespace meterd::codec::c1219
