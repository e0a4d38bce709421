// SPDX-License-Identifier: Apache-2.0
// The generic codec: any table from its TDL definition (here the simulated meter's manufacturer
// tables and small purpose-made TDLs).
#include "codec/c1219/tdl_codec.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using core::Quantity;
using core::Unit;
using testing::Hex;
using testing::SimSt0;
using testing::SimTdl;
using testing::ToHex;

TableContext SimContext() {
  TableContext ctx(SimTdl());
  ctx.Put(0, ToValue(SimSt0()));
  return ctx;
}

TEST(C1219TdlCodec, ManufacturerTablesNeedOnlyTheirTdl) {
  TableContext ctx = SimContext();
  // MT0 with its defaults: "meterd-sim 1.0", 3 phases, 230.0 V, 80.0 A, features 0x23.
  auto mt0 = DefaultTable(ctx, MfgTable(0));
  ASSERT_TRUE(mt0) << mt0.error().ToString();
  auto mt0_bytes = EncodeTable(ctx, MfgTable(0), *mt0);
  ASSERT_TRUE(mt0_bytes) << mt0_bytes.error().ToString();
  EXPECT_EQ(ToHex(*mt0_bytes), "6d 65 74 65 72 64 2d 73 69 6d 20 31 2e 30 20 20 03 fc 08 20 03 23");
  ctx.Put(MfgTable(0), *mt0);

  // MT1: one record per phase, sized by MT0.PHASES, values with units.
  auto bytes = Hex(
      "18 03 0f 0c 1e 05"                              // 2024-03-15 12:30:05
      "fd 08 10 27 00 00 c4 08 00 00 2c 01 00 00 98 03"  // L1: 230.1 V, 10.000 A, 2244 W, 300 var, 0.920
      "00 09 e8 03 00 00 e6 00 00 00 00 00 00 00 e8 03"  // L2: 230.4 V, 1.000 A, 230 W, 0 var, 1.000
      "f0 08 18 fc ff ff 1e ff ff ff 00 00 00 00 18 fc"  // L3: 228.8 V, -1.000 A, -226 W, 0 var, -1.000
      "88 13");                                          // 50.00 Hz
  auto mt1 = DecodeTable(ctx, MfgTable(1), bytes);
  ASSERT_TRUE(mt1) << mt1.error().ToString();
  const Value* phases = mt1->Find("PHASE");
  ASSERT_NE(phases, nullptr);
  ASSERT_EQ(phases->items().size(), 3u);
  EXPECT_EQ(*phases->items()[0].Find("VOLTAGE"), Value::Measured({2301, -1, Unit::kV}));
  EXPECT_EQ(*phases->items()[0].Find("CURRENT"), Value::Measured({10000, -3, Unit::kA}));
  EXPECT_EQ(*phases->items()[2].Find("ACTIVE_POWER"), Value::Measured({-226, 0, Unit::kW}));
  EXPECT_EQ(*phases->items()[2].Find("POWER_FACTOR"), Value::Measured({-1000, -3, Unit::kPF}));
  EXPECT_EQ(*mt1->Find("FREQUENCY"), Value::Measured({5000, -2, Unit::kHz}));
  EXPECT_EQ(*mt1->Find("TIMESTAMP"), Value::Time({2024, 3, 15, 12, 30, 5, 0}));
  auto back = EncodeTable(ctx, MfgTable(1), *mt1);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, bytes);

  // A quantity at another scale encodes when exact: 230.10 V -> 2301.
  Value edited = *mt1;
  *edited.Find("PHASE")->items()[0].Find("VOLTAGE") = Value::Measured({23010, -2, Unit::kV});
  EXPECT_EQ(*EncodeTable(ctx, MfgTable(1), edited), bytes);
  *edited.Find("PHASE")->items()[0].Find("VOLTAGE") = Value::Measured({23015, -2, Unit::kV});
  EXPECT_FALSE(EncodeTable(ctx, MfgTable(1), edited));
  *edited.Find("PHASE")->items()[0].Find("VOLTAGE") = Value::Measured({2301, -1, Unit::kA});
  EXPECT_FALSE(EncodeTable(ctx, MfgTable(1), edited));
}

TEST(C1219TdlCodec, RelayTableAndProcedureData) {
  TableContext ctx = SimContext();
  auto bytes = Hex("02 01 18 03 0f 0c 1e 05 20 03 24 18 03 0f 0d 00 00 20 03");
  auto mt2 = DecodeTable(ctx, MfgTable(2), bytes);
  ASSERT_TRUE(mt2) << mt2.error().ToString();
  const Value& r1 = mt2->Find("RELAY")->items()[1];
  EXPECT_TRUE(r1.Find("STATE")->Find("TRIPPED_OVERCURRENT")->AsBool());
  EXPECT_EQ(r1.Find("STATE")->Find("LAST_COMMAND")->AsUint(), 2u);
  EXPECT_EQ(*EncodeTable(ctx, MfgTable(2), *mt2), bytes);

  // MP1 parameters, padded to MAX_PROC_PARM_LENGTH in ST7: the padding is ignored.
  auto params = DecodeProcedureData(ctx, {1, true}, false, Hex("05 01 00 00 00 00 00 00 00 00"));
  ASSERT_TRUE(params) << params.error().ToString();
  EXPECT_EQ(params->Find("RELAY_MASK")->AsUint(), 5u);
  EXPECT_EQ(params->Find("ACTION")->AsUint(), 1u);
  EXPECT_EQ(ToHex(*EncodeProcedureData(ctx, {1, true}, false, *params)), "05 01");
  auto response = DecodeProcedureData(ctx, {1, true}, true, Hex("03 01 01 00 00 00 00 00"));
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->Find("STATE")->items().size(), 3u);
  EXPECT_FALSE(DecodeProcedureData(ctx, {2, true}, false, Hex("00")));
}

TEST(C1219TdlCodec, ConditionalsSwitchesChoicesAndUncoveredBits) {
  auto tdl = ParseTdl(R"(<tdl name="t">
    <type name="V" select="KIND"><when value="1" type="UINT8"/><when value="2 3" type="INT16"/></type>
    <table id="MT5" name="T">
      <bitfield name="HDR" type="UINT8"><bits name="KIND" from="0" to="1"/><bits name="HAS_X" bit="7"/></bitfield>
      <field name="X" type="UINT8" if="HAS_X"/>
      <switch on="KIND">
        <case value="1"><field name="ONE" type="CHAR" size="2"/></case>
        <default><field name="OTHER" type="BCD" size="1"/></default>
      </switch>
      <field name="VALUES" type="V" count="2"/>
    </table></tdl>)",
                      "t.xml");
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  TableContext ctx(*tdl);
  auto a = DecodeTable(ctx, MfgTable(5), Hex("81 09 6f 6b 01 02"));
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(a->ToJson(), R"({"HDR":{"KIND":1,"HAS_X":true},"X":9,"ONE":"ok","VALUES":[1,2]})");
  auto b = DecodeTable(ctx, MfgTable(5), Hex("2e 42 fe ff 02 00"));  // bits 2,3,5 are no member's
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(b->ToJson(), R"({"HDR":{"KIND":2,"HAS_X":false,"_FILL":44},"OTHER":"42","VALUES":[-2,2]})");
  EXPECT_EQ(ToHex(*EncodeTable(ctx, MfgTable(5), *b)), "2e 42 fe ff 02 00");
  auto c = DecodeTable(ctx, MfgTable(5), Hex("00 42 00"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("MT5 VALUES[0]: V has no alternative for KIND = 0"), std::string::npos)
      << c.error().message;
}

TEST(C1219TdlCodec, ErrorsNameTableFieldPathAndOffset) {
  TableContext ctx = SimContext();
  ctx.Put(MfgTable(0), *DefaultTable(ctx, MfgTable(0)));
  auto short_mt1 = Hex("18 03 0f 0c 1e 05 fd 08 10 27 00 00 c4 08 00 00 2c 01 00 00 98 03 00 09 e8");
  auto e = DecodeTable(ctx, MfgTable(1), short_mt1);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 24");
  EXPECT_EQ(e.error().message, "MT1 PHASE[1].CURRENT: INT32: expected 4 bytes, but only 1 left");
  auto extra = Hex("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff");  // 19 bytes + 1
  e = DecodeTable(ctx, MfgTable(2), extra);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "offset 19");
  EXPECT_EQ(e.error().message, "MT2: expected the end of the table, but 1 byte is left");
  // A table that needs another table not yet known.
  TableContext bare(SimTdl());
  bare.Put(0, ToValue(SimSt0()));
  e = DecodeTable(bare, MfgTable(1), short_mt1);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("needs table MT0 (SIM_IDENT_TBL)"), std::string::npos) << e.error().message;
  e = DecodeTable(bare, MfgTable(9), short_mt1);
  EXPECT_EQ(e.error().code, core::ErrorCode::kNotFound);
  // A BOOL that is neither 0 nor 1.
  auto t = ParseTdl(R"(<tdl name="b"><table id="ST0" name="B"><field name="F" type="BOOL"/></table></tdl>)", "b.xml");
  TableContext bctx(*t);
  e = DecodeTable(bctx, 0, Hex("02"));
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "ST0 F: BOOL: expected 0 or 1, got 2");
  // Encoding a missing field with no default.
  Value partial = Value::Record({});
  partial.Add("NBR_RELAYS", Value::Uint(1));
  auto enc = EncodeTable(ctx, MfgTable(2), partial);
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().message, "MT2 RELAY: missing");
}

TEST(C1219TdlCodec, HugeCountsAreRefusedNotAllocated) {
  auto tdl = ParseTdl(R"(<tdl name="t"><table id="MT0" name="T">
      <field name="N" type="UINT32"/>
      <record name="R" count="N"><record name="S" count="N"/></record>
    </table></tdl>)",
                      "t.xml");
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  TableContext ctx(*tdl);
  auto e = DecodeTable(ctx, MfgTable(0), Hex("ff ff ff 0f"));
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("out of range"), std::string::npos) << e.error().message;
}

}  // namespace
}  // namespace meterd::codec::c1219
