// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/register_tables.h"

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

St21 Dims() {
  St21 st21;
  st21.date_time_field = true;
  st21.demand_reset_ctr = true;
  st21.cum_demand = true;
  st21.nbr_summations = 2;
  st21.nbr_demands = 1;
  st21.nbr_coin_values = 1;
  st21.nbr_occur = 1;
  st21.nbr_tiers = 2;
  return st21;
}

St22 Selection() { return St22{{0, 2}, {5}, BitSet{{0x01}}, {6}, {0}}; }

// LSB first, TM_FORMAT 2, NI_FMAT1 INT32, NI_FMAT2 INT24; sources of meterd-sim.xml.
TableContext Context(const St21& st21, bool with_selection = true) {
  TableContext ctx(SimTdl());
  ctx.Put(0, ToValue(SimSt0()));
  ctx.Put(kSt21, ToValue(st21));
  if (with_selection) ctx.Put(kSt22, ToValue(Selection()));
  return ctx;
}

// By hand: NBR_DEMAND_RESETS, then three DATA_BLK_RCDs (total, two tiers) of two INT32
// summations, one DEMANDS_RCD (STIME_DATE, INT32 cumulative, INT24 demand) and one INT24
// coincident value.
constexpr std::string_view kSt23 =
    "07"
    " 15 cd 5b 07  e8 03 00 00  18 03 0f 0c 1e  88 13 00 00  68 10 00  fd 08 00"
    " 64 00 00 00  fb ff ff ff  18 03 0f 0d 00  00 00 00 00  00 01 00  ff ff ff"
    " 00 00 00 00  00 00 00 00  00 00 00 00 00  00 00 00 00  00 00 00  00 00 00";

TEST(C1219St21St22, RoundTrip) {
  TableContext ctx = Context(Dims());
  EXPECT_EQ(ToHex(RoundTrip(Dims(), ctx, EncodeSt21, DecodeSt21)), "16 00 00 02 01 01 01 02 00 00");
  EXPECT_EQ(ToHex(RoundTrip(Selection(), ctx, EncodeSt22, DecodeSt22)), "00 02 05 01 06 00");
}

TEST(C1219St23, KnownAnswerWithUnitsFromTheSources) {
  TableContext ctx = Context(Dims());
  auto bytes = Hex(kSt23);
  ASSERT_EQ(bytes.size(), 70u);
  auto st23 = DecodeSt23(bytes, ctx);
  ASSERT_TRUE(st23) << st23.error().ToString();
  EXPECT_EQ(st23->nbr_demand_resets, 7);
  ASSERT_EQ(st23->total.summations.size(), 2u);
  EXPECT_EQ(st23->total.summations[0], (Quantity{123456789, 0, Unit::kWh}));
  EXPECT_EQ(st23->total.summations[1], (Quantity{1000, 0, Unit::kVarh}));
  ASSERT_EQ(st23->total.demands.size(), 1u);
  const DemandRecord& d = st23->total.demands[0];
  EXPECT_EQ(d.event_time, (std::vector<TimeDate>{{2024, 3, 15, 12, 30, 0, 0}}));
  EXPECT_EQ(d.cum_demand, (Quantity{5000, 0, Unit::kW}));
  EXPECT_FALSE(d.cont_cum_demand);
  EXPECT_EQ(d.demand, (std::vector<Quantity>{{4200, 0, Unit::kW}}));
  EXPECT_EQ(st23->total.coincidents, (std::vector<std::vector<Quantity>>{{{2301, -1, Unit::kV}}}));
  ASSERT_EQ(st23->tiers.size(), 2u);
  EXPECT_EQ(st23->tiers[0].summations[1], (Quantity{-5, 0, Unit::kVarh}));
  EXPECT_EQ(st23->tiers[0].demands[0].demand[0], (Quantity{256, 0, Unit::kW}));
  EXPECT_EQ(st23->tiers[0].coincidents[0][0], (Quantity{-1, -1, Unit::kV}));
  EXPECT_EQ(ToHex(RoundTrip(*st23, ctx, EncodeSt23, DecodeSt23)), ToHex(bytes));
}

TEST(C1219St23, WithoutTheSelectionValuesKeepTheirRawDecimal) {
  TableContext ctx = Context(Dims(), false);
  auto st23 = DecodeSt23(Hex(kSt23), ctx);
  ASSERT_TRUE(st23) << st23.error().ToString();
  EXPECT_EQ(st23->total.summations[0], (Quantity{123456789, 0, Unit::kNone}));
  EXPECT_EQ(st23->total.coincidents[0][0], (Quantity{2301, 0, Unit::kNone}));
}

TEST(C1219St23, ApparentEnergyIsInVAhWithItsScale) {
  St21 st21 = Dims();
  TableContext ctx = Context(st21);
  ctx.Put(kSt22, ToValue(St22{{4, 6}, {5}, BitSet{{0x01}}, {6}, {0}}));  // VAh, then volts
  auto st23 = DecodeSt23(Hex(kSt23), ctx);
  ASSERT_TRUE(st23) << st23.error().ToString();
  EXPECT_EQ(st23->total.summations[0], (Quantity{123456789, 0, Unit::kVAh}));
  EXPECT_EQ(st23->total.summations[1], (Quantity{1000, -1, Unit::kV}));
  EXPECT_EQ(ToHex(RoundTrip(*st23, ctx, EncodeSt23, DecodeSt23)), ToHex(Hex(kSt23)));
  St23 wrong = *st23;
  wrong.total.summations[0].unit = Unit::kNone;  // VAh is a unit now: a bare number no longer fits
  EXPECT_FALSE(EncodeSt23(wrong, ctx));
  wrong = *st23;
  wrong.total.summations[1].unit = Unit::kWh;
  EXPECT_FALSE(EncodeSt23(wrong, ctx));
}

TEST(C1219St23, ShortTableNamesPathAndOffset) {
  TableContext ctx = Context(Dims());
  auto bytes = Hex(kSt23);
  bytes.resize(30);
  auto e = DecodeSt23(bytes, ctx);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 28");
  EXPECT_EQ(e.error().message, "ST23 TIER_DATA_BLOCK[0].SUMMATIONS[1]: NI_FMAT1: expected 4 bytes, but only 2 left");
  TableContext no_dims(SimTdl());
  no_dims.Put(0, ToValue(SimSt0()));
  e = DecodeSt23(Hex(kSt23), no_dims);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("needs table ST21 (ACT_REGS_TBL)"), std::string::npos) << e.error().message;
}

RegisterData Data(int64_t base) {
  RegisterData d;
  d.nbr_demand_resets = 3;
  auto block = [&](int64_t v) {
    DataBlock b;
    b.summations = {{v, 0, Unit::kWh}, {v / 2, 0, Unit::kVarh}};
    b.demands = {DemandRecord{{{2024, 1, 31, 23, 45, 0, 0}}, Quantity{v / 10, 0, Unit::kW}, std::nullopt,
                              {{v / 100, 0, Unit::kW}}}};
    b.coincidents = {{{2300, -1, Unit::kV}}};
    return b;
  };
  d.total = block(base);
  d.tiers = {block(base / 2), block(base / 4)};
  return d;
}

TEST(C1219St24St25St26, SnapshotsRoundTrip) {
  St21 st21 = Dims();
  st21.season_info_field = true;
  st21.self_read_seq_nbr = true;
  st21.nbr_self_reads = 2;
  TableContext ctx = Context(st21);
  RegisterSnapshot season{RegisterInfo{TimeDate{2024, 4, 1, 0, 0, 0, 0}, 1}, Data(880000)};
  auto st24 = RoundTrip(season, ctx, EncodeSt24, DecodeSt24);
  EXPECT_EQ(st24.size(), 5u + 1 + 70);
  RegisterSnapshot reset{RegisterInfo{TimeDate{2024, 5, 1, 0, 0, 0, 0}, 2}, Data(990000)};
  RoundTrip(reset, ctx, EncodeSt25, DecodeSt25);
  St26 st26;
  st26.list_status.circular = true;
  st26.nbr_valid_entries = 2;
  st26.last_entry_element = 1;
  st26.last_entry_seq_nbr = 41;
  st26.entries = {SelfRead{40, season.info, Data(100)}, SelfRead{41, reset.info, Data(200)}};
  auto bytes = RoundTrip(st26, ctx, EncodeSt26, DecodeSt26);
  EXPECT_EQ(bytes.size(), 6u + 2 * (2 + 6 + 70));
  // An entry count that does not match ST21 is refused.
  st26.entries.pop_back();
  auto e = EncodeSt26(st26, ctx);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("SELF_READ_ENTRIES: expected an array of 2 items"), std::string::npos) << e.error().message;
}

TEST(C1219St27St28, PresentValuesInVoltsAmpsAndWatts) {
  St21 st21;
  st21.time_remaining = true;
  st21.nbr_present_demands = 1;
  st21.nbr_present_values = 3;
  TableContext ctx = Context(st21);
  St27 st27{{12}, {6, 9, 13}};
  EXPECT_EQ(ToHex(RoundTrip(st27, ctx, EncodeSt27, DecodeSt27)), "0c 06 09 0d");
  ctx.Put(kSt27, ToValue(st27));
  St28 st28{{PresentDemand{TimeDate{0, 0, 0, 0, 7, 30, 0}, {3000, 0, Unit::kW}}},
            {{2301, -1, Unit::kV}, {5123, -3, Unit::kA}, {5000, -2, Unit::kHz}}};
  EXPECT_EQ(ToHex(RoundTrip(st28, ctx, EncodeSt28, DecodeSt28)),
            "00 07 1e b8 0b 00 fd 08 00 00 03 14 00 00 88 13 00 00");
  // 230.10 V is the same amount at another scale: it encodes to the same bytes.
  St28 rescaled = st28;
  rescaled.present_value[0] = {23010, -2, Unit::kV};
  EXPECT_EQ(*EncodeSt28(rescaled, ctx), *EncodeSt28(st28, ctx));
}

}  // namespace
}  // namespace meterd::codec::c1219
