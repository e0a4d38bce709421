// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/tdl.h"

#include <gtest/gtest.h>

#include "codec/c1219/standard_tdl.h"
#include "codec/c1219/tdl_merge.h"
#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using testing::ReadFile;

TdlDocument Doc(std::string_view xml, std::string_view source = "test.xml") {
  auto d = ParseTdlDocument(xml, source);
  EXPECT_TRUE(d) << d.error().ToString();
  return d.value_or(TdlDocument{});
}

core::Error MergeError(std::string_view base, std::string_view fragment) {
  auto merged = ApplyFragment(Doc(base, "base.xml"), Doc(fragment, "frag.xml"));
  EXPECT_FALSE(merged);
  return merged ? core::Error{} : merged.error();
}

core::Error CompileError(std::string_view xml) {
  auto tdl = ParseTdl(xml, "bad.xml");
  EXPECT_FALSE(tdl);
  return tdl ? core::Error{} : tdl.error();
}

constexpr std::string_view kBase = R"(<tdl name="base">
  <table id="MT0" name="A_TBL">
    <field name="N" type="UINT8"/>
    <field name="X" type="UINT16" count="N"/>
    <bitfield name="FLAGS" type="UINT8">
      <bits name="F0" bit="0"/>
    </bitfield>
  </table>
</tdl>)";

TEST(C1219Tdl, ShippedStandardFileCompilesAndMatchesTheBuiltIn) {
  std::string text = ReadFile("standard.xml");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text, StandardTdlXml());
  auto tdl = ParseTdl(text, "standard.xml");
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  for (int id : {0, 1, 3, 5, 7, 8, 21, 22, 23, 24, 25, 26, 27, 28, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72, 73, 74,
                 75, 76}) {
    EXPECT_NE(tdl->Table(StdTable(static_cast<uint16_t>(id))), nullptr) << id;
  }
  EXPECT_EQ(tdl->TableNamed("GEN_CONFIG_TBL")->id, 0);
  EXPECT_EQ(tdl->TableNamed("ST64")->name, "LP_DATA_SET1_TBL");
  EXPECT_EQ(StandardTdl().name(), "ANSI C12.19 standard tables");
  EXPECT_NE(tdl->Procedure({10, false}), nullptr);
}

TEST(C1219Tdl, SimulatedMeterFragmentMergesOverTheStandard) {
  auto tdl = ParseTdlWithFragments(StandardTdlXml(), "standard.xml", {{ReadFile("meterd-sim.xml"), "meterd-sim.xml"}});
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  EXPECT_EQ(tdl->name(), "meterd-sim");
  ASSERT_NE(tdl->Table(MfgTable(1)), nullptr);
  EXPECT_EQ(tdl->Table(MfgTable(1))->name, "SIM_INSTANTANEOUS_TBL");
  EXPECT_NE(tdl->Table(StdTable(24)), nullptr);
  ASSERT_NE(tdl->Source(4), nullptr);
  EXPECT_EQ(tdl->Source(4)->symbol, "VAh");
  EXPECT_EQ(tdl->Source(4)->unit, core::Unit::kVAh);
  EXPECT_EQ(tdl->Source(6)->unit, core::Unit::kV);
  EXPECT_EQ(tdl->Source(6)->scale, -1);
  EXPECT_NE(tdl->Procedure({1, true}), nullptr);
  // The modified default is in the merged ST1.
  const TableDef* st1 = tdl->Table(1);
  ASSERT_NE(st1, nullptr);
  EXPECT_EQ(*st1->body[0].default_value, Value::Chars("MTRD"));
}

TEST(C1219TdlMerge, AddsFieldsTablesAndAttributes) {
  auto merged = ApplyFragment(Doc(kBase), Doc(R"(<tdl-fragment name="f" base="base">
    <add table="A_TBL" after="N"><field name="M" type="UINT8" default="7"/></add>
    <add table="MT0" field="FLAGS"><bits name="F7" bit="7"/></add>
    <add><table id="MT1" name="B_TBL"><field name="Y" type="INT32"/></table></add>
    <modify table="MT0" field="X" type="UINT32" unit="Wh"/>
  </tdl-fragment>)"));
  ASSERT_TRUE(merged) << merged.error().ToString();
  auto tdl = CompileTdl(*merged);
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  const TableDef* a = tdl->Table(MfgTable(0));
  ASSERT_EQ(a->body.size(), 4u);
  EXPECT_EQ(a->body[1].name, "M");
  EXPECT_EQ(a->body[2].name, "X");
  EXPECT_EQ(a->body[2].width, 4);
  EXPECT_EQ(a->body[2].unit, core::Unit::kWh);
  EXPECT_EQ(a->body[3].bits.size(), 2u);
  EXPECT_NE(tdl->Table(MfgTable(1)), nullptr);
  EXPECT_EQ(tdl->name(), "f");
}

TEST(C1219TdlMerge, RemovesFieldsTablesAndAttributes) {
  auto merged = ApplyFragment(Doc(kBase), Doc(R"(<tdl-fragment name="f">
    <remove table="MT0" field="FLAGS.F0"/>
    <remove table="A_TBL" field="X" attribute="count"/>
  </tdl-fragment>)"));
  ASSERT_TRUE(merged) << merged.error().ToString();
  auto tdl = CompileTdl(*merged);
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  EXPECT_FALSE(tdl->Table(MfgTable(0))->body[1].is_array());
  EXPECT_TRUE(tdl->Table(MfgTable(0))->body[2].bits.empty());
  auto gone = ApplyFragment(Doc(kBase), Doc(R"(<tdl-fragment name="f"><remove table="MT0"/></tdl-fragment>)"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(CompileTdl(*gone)->Table(MfgTable(0)), nullptr);
}

TEST(C1219TdlMerge, WritesTheResultBackOutAsXmlThatReadsTheSame) {
  auto merged = ApplyFragment(Doc(StandardTdlXml(), "standard.xml"), Doc(ReadFile("meterd-sim.xml"), "meterd-sim.xml"));
  ASSERT_TRUE(merged) << merged.error().ToString();
  std::string xml = WriteTdlDocument(*merged);
  EXPECT_NE(xml.find("<tdl name=\"meterd-sim\""), std::string::npos);
  EXPECT_NE(xml.find("base=\"ANSI C12.19 standard tables\""), std::string::npos);
  EXPECT_NE(xml.find("<table id=\"MT1\" name=\"SIM_INSTANTANEOUS_TBL\">"), std::string::npos);
  EXPECT_NE(xml.find("default=\"MTRD\""), std::string::npos);
  auto again = ParseTdlDocument(xml, "out.xml");
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(WriteTdlDocument(*again), xml);
  auto tdl = CompileTdl(*again);
  ASSERT_TRUE(tdl) << tdl.error().ToString();
  EXPECT_EQ(tdl->tables().size(), CompileTdl(*merged)->tables().size());
}

TEST(C1219TdlMerge, RefusesAMissingTableWithTheFragmentLine) {
  core::Error e = MergeError(kBase, "<tdl-fragment name=\"f\">\n\n  <modify table=\"ST99\" default=\"1\"/>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:3");
  EXPECT_NE(e.message.find("table 'ST99' is not in the base TDL"), std::string::npos) << e.message;
}

TEST(C1219TdlMerge, RefusesAMissingFieldWithTheFragmentLine) {
  core::Error e = MergeError(kBase, "<tdl-fragment name=\"f\">\n  <add table=\"MT0\" after=\"NOPE\">\n"
                                    "    <field name=\"Z\" type=\"UINT8\"/>\n  </add>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:2");
  EXPECT_NE(e.message.find("has no field 'NOPE'"), std::string::npos) << e.message;
  e = MergeError(kBase, "<tdl-fragment name=\"f\">\n\n\n\n  <remove table=\"MT0\" field=\"FLAGS.F9\"/>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:5");
  e = MergeError(kBase, "<tdl-fragment name=\"f\">\n <modify table=\"MT0\" field=\"X\" nothing_changed_here=\"\"/>\n"
                        " <modify type=\"NO_TYPE\" name=\"Y\"/>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:3");
}

TEST(C1219TdlMerge, RefusesDuplicatesAndAWrongBase) {
  core::Error e = MergeError(kBase, "<tdl-fragment name=\"f\">\n<add>\n<table id=\"MT0\" name=\"Z\"/>\n</add>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:3");
  EXPECT_NE(e.message.find("already defined at base.xml:2"), std::string::npos) << e.message;
  e = MergeError(kBase, "<tdl-fragment name=\"f\">\n<add table=\"MT0\"><field name=\"N\" type=\"UINT8\"/></add>\n</tdl-fragment>");
  EXPECT_EQ(e.field, "frag.xml:2");
  e = MergeError(kBase, "<tdl-fragment name=\"f\" base=\"other\"/>");
  EXPECT_NE(e.message.find("applies to base 'other'"), std::string::npos);
}

TEST(C1219Tdl, RefusesBadDefinitionsWithTheirLine) {
  EXPECT_EQ(CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\">\n<field name=\"A\" type=\"UINT12\"/>\n</table>\n</tdl>").field,
            "bad.xml:3");
  EXPECT_EQ(CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\">\n<field name=\"A\" type=\"UINT8\" colour=\"red\"/>\n</table></tdl>").field,
            "bad.xml:3");
  // A reference to a field the table does not define.
  core::Error e = CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\">\n<field name=\"N\" type=\"UINT8\"/>\n"
                               "<field name=\"A\" type=\"UINT8\" count=\"M\"/>\n</table></tdl>");
  EXPECT_EQ(e.field, "bad.xml:4");
  // ... or of another table.
  e = CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\"><field name=\"N\" type=\"UINT8\"/></table>\n"
                   "<table id=\"ST1\" name=\"U\">\n<field name=\"A\" type=\"CHAR\" size=\"T.NOPE\"/>\n</table></tdl>");
  EXPECT_EQ(e.field, "bad.xml:4");
  EXPECT_NE(e.message.find("'NOPE'"), std::string::npos) << e.message;
  EXPECT_EQ(CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\">\n<field name=\"A\" type=\"UINT8\" count=\"(1\"/>\n</table></tdl>").field,
            "bad.xml:3");
  EXPECT_EQ(CompileError("<tdl name=\"x\">\n<type name=\"R\"><field name=\"A\" type=\"R\"/></type>\n</tdl>").field, "bad.xml:2");
  EXPECT_EQ(CompileError("<tdl name=\"x\">\n<table id=\"ST0\" name=\"T\"><field name=\"A\" type=\"UINT8\"/>\n"
                         "<field name=\"A\" type=\"UINT8\"/></table></tdl>").field,
            "bad.xml:3");
  EXPECT_EQ(CompileError("<tdl name=\"x\"><table id=\"ST0\" name=\"T\">\n<bitfield name=\"B\" type=\"UINT8\">\n"
                         "<bits name=\"A\" from=\"0\" to=\"3\"/>\n<bits name=\"C\" from=\"3\" to=\"4\"/></bitfield></table></tdl>").field,
            "bad.xml:4");
}

TEST(C1219TdlDocument, MalformedXmlNamesItsLine) {
  auto d = ParseTdlDocument("<tdl name=\"x\">\n<table id=\"ST0\">\n</tdl>\n", "broken.xml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().field, "broken.xml:3");
  d = ParseTdlDocument("<other/>", "o.xml");
  ASSERT_FALSE(d);
  d = ParseTdlDocument("<tdl name=\"x\">text</tdl>", "t.xml");
  ASSERT_FALSE(d);
}

}  // namespace
}  // namespace meterd::codec::c1219
