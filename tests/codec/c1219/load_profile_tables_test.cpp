// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/load_profile_tables.h"

#include <gtest/gtest.h>

#include "codec/c1219/general_tables.h"
#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using core::Quantity;
using core::Unit;
using testing::Hex;
using testing::RoundTrip;
using testing::SimSt0;
using testing::SimTdl;
using testing::ToHex;

St61 Dims(uint16_t blocks = 1, uint16_t intervals = 1000, uint8_t channels = 2) {
  St61 t;
  t.lp_memory_len = 8192;
  t.extended_int_status = true;
  t.lp_fmats = 0x02;
  t.sets[0] = LpSetDims{blocks, intervals, channels, 15};
  return t;
}

St62 Control() {
  St62 t;
  t.sets[0] = LpSetControl{{{false, 0, 0}, {false, 2, 2}}, 2, {}, {}};
  return t;
}

TableContext Context(const St61& st61 = Dims(), const St62& st62 = Control()) {
  TableContext ctx(SimTdl());
  ctx.Put(0, ToValue(SimSt0()));
  ctx.Put(kSt61, ToValue(st61));
  ctx.Put(kSt62, ToValue(st62));
  return ctx;
}

TEST(C1219St61St62St63, RoundTrip) {
  TableContext ctx = Context();
  EXPECT_EQ(ToHex(RoundTrip(Dims(), ctx, EncodeSt61, DecodeSt61)), "00 20 00 00 00 04 02 01 00 e8 03 02 0f");
  EXPECT_EQ(ToHex(RoundTrip(Control(), ctx, EncodeSt62, DecodeSt62)), "00 00 00 00 02 02 02");
  St63 status;
  status.sets[0] = LpSetStatus{false, false, true, false, false, true, false, 1, 0, 17, 1, 999};
  EXPECT_EQ(ToHex(RoundTrip(status, ctx, EncodeSt63, DecodeSt63)), "24 01 00 00 00 11 00 00 00 01 00 e7 03");
}

TEST(C1219St61, SetsFollowSt0) {
  St0 st0 = SimSt0();
  st0.UseTable(65);
  TableContext ctx(SimTdl());
  ctx.Put(0, ToValue(st0));
  St61 two = Dims();
  two.sets[1] = LpSetDims{4, 96, 1, 15};
  auto bytes = RoundTrip(two, ctx, EncodeSt61, DecodeSt61);
  EXPECT_EQ(bytes.size(), 7u + 2 * 6);
  TableContext none(SimTdl());
  auto e = DecodeSt61(bytes, none);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("needs table ST0 (GEN_CONFIG_TBL)"), std::string::npos);
}

// ST64 with one block of 1,000 intervals of two UINT16 channels and extended status, built by
// hand: BLK_END_TIME, then per interval 2 status bytes (common flags and channel 1; channel 2 and
// a filler nibble) and the two values.
std::vector<uint8_t> ThousandIntervals() {
  std::vector<uint8_t> b = Hex("18 03 0f 0c 1e");
  for (int i = 0; i < 1000; ++i) {
    b.push_back(i == 0 ? 0x22 : 0x00);  // interval 0: power fail (common bit 1), channel 1 partial (2)
    b.push_back(i == 999 ? 0x40 : 0x00);  // interval 999: channel 2 skipped (4)
    b.push_back(static_cast<uint8_t>(i));
    b.push_back(static_cast<uint8_t>(i >> 8));
    b.push_back(static_cast<uint8_t>(1000 - i));
    b.push_back(static_cast<uint8_t>((1000 - i) >> 8));
  }
  return b;
}

TEST(C1219St64, ThousandIntervalBlockKnownAnswer) {
  TableContext ctx = Context();
  auto bytes = ThousandIntervals();
  ASSERT_EQ(bytes.size(), 6005u);
  EXPECT_EQ(ToHex({bytes.begin(), bytes.begin() + 17}), "18 03 0f 0c 1e 22 00 00 00 e8 03 00 00 01 00 e7 03");
  auto st64 = DecodeSt64(bytes, ctx);
  ASSERT_TRUE(st64) << st64.error().ToString();
  ASSERT_EQ(st64->blocks.size(), 1u);
  const LpBlock& block = st64->blocks[0];
  EXPECT_EQ(block.end_time, (TimeDate{2024, 3, 15, 12, 30, 0, 0}));
  EXPECT_EQ(block.end_readings.size(), 2u);
  ASSERT_EQ(block.intervals.size(), 1000u);
  const LpInterval& first = block.intervals[0];
  ASSERT_TRUE(first.status);
  EXPECT_TRUE(first.status->power_fail);
  EXPECT_FALSE(first.status->dst);
  EXPECT_EQ(first.status->channel, (std::vector<uint8_t>{2, 0}));
  EXPECT_EQ(ChannelStatusName(first.status->channel[0]), "partial");
  EXPECT_EQ(first.values, (std::vector<Quantity>{{0, 0, Unit::kWh}, {1000, 0, Unit::kVarh}}));
  const LpInterval& last = block.intervals[999];
  EXPECT_EQ(last.status->channel, (std::vector<uint8_t>{0, 4}));
  EXPECT_EQ(last.values, (std::vector<Quantity>{{999, 0, Unit::kWh}, {1, 0, Unit::kVarh}}));
  EXPECT_EQ(RoundTrip(*st64, ctx, EncodeSt64, DecodeSt64), bytes);
}

TEST(C1219St64, ScalarsDivisorsAndBlockEndReadings) {
  St61 dims = Dims(2, 4, 2);
  dims.scalar_divisor[0] = true;
  dims.blk_end_read = true;
  dims.extended_int_status = false;
  dims.simple_int_status = true;
  St62 control = Control();
  control.sets[0]->scalars = {10, 1};
  control.sets[0]->divisors = {100, 1000};
  control.sets[0]->int_fmt_cde = 64;  // NI_FMAT1 (INT32 here)
  TableContext ctx = Context(dims, control);
  auto block = [](int base) {
    LpBlock b;
    b.end_time = {2024, 3, 15, 13, 0, 0, 0};
    b.end_readings = {LpEndReading{Quantity{123456 + base, 0, Unit::kWh}, std::nullopt},
                      LpEndReading{Quantity{base, 0, Unit::kVarh}, std::nullopt}};
    b.simple_int_status = BitSet{{0x0b}};
    for (int i = 0; i < 4; ++i) {
      // raw 123 x 10 / 100 = 12.30 Wh; raw 7 / 1000 = 0.007 varh.
      b.intervals.push_back(LpInterval{std::nullopt, {{(123 + i) * 10, -2, Unit::kWh}, {7 + i, -3, Unit::kVarh}}});
    }
    return b;
  };
  St64 st64{{block(0), block(1)}};
  auto bytes = RoundTrip(st64, ctx, EncodeSt64, DecodeSt64);
  EXPECT_EQ(bytes.size(), 2u * (5 + 2 * 4 + 1 + 4 * 8));
  EXPECT_EQ(ToHex({bytes.begin() + 14, bytes.begin() + 22}), "7b 00 00 00 07 00 00 00");
  // 12.35 Wh is not a multiple of the scalar: refused, not rounded.
  st64.blocks[0].intervals[0].values[0] = {1235, -2, Unit::kWh};
  EXPECT_FALSE(EncodeSt64(st64, ctx));
  control.sets[0]->divisors = {3, 1};
  EXPECT_FALSE(DecodeSt64(bytes, Context(dims, control)));
}

}  // namespace
}  // namespace meterd::codec::c1219
