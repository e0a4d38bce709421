// SPDX-License-Identifier: Apache-2.0
#include "codec/modbus/register_map.h"

#include <gtest/gtest.h>

#include <string>

namespace meterd::codec::modbus {
namespace {

using core::Unit;

std::string MapPath(const char* file) { return std::string(METERD_METERS_DIR) + "/" + file; }

// A minimal valid map followed by `extra`.
std::string WithEntry(const std::string& entry) {
  return "[meter]\nmodel = \"Test\"\n\n[[register]]\nname = \"voltage\"\naddress = 0\nfunction = 4\n"
         "type = \"uint16\"\nunit = \"V\"\nscale = -1\n\n" +
         entry;
}

// The message of the error parsing `text`, which must fail.
std::string ErrorOf(const std::string& text) {
  auto map = ParseRegisterMap(text, "test.toml");
  EXPECT_FALSE(map.has_value());
  return map ? std::string() : map.error().message;
}

TEST(RegisterMap, LoadsTheShippedMaps) {
  auto sdm630 = LoadRegisterMap(MapPath("eastron-sdm630.toml"));
  ASSERT_TRUE(sdm630) << sdm630.error().message;
  EXPECT_EQ(sdm630->model, "Eastron SDM630");
  EXPECT_EQ(sdm630->batching.max_registers, 80);
  const RegisterDef* energy = sdm630->Find("import_active_energy");
  ASSERT_NE(energy, nullptr);
  EXPECT_EQ(energy->address, 0x48);
  EXPECT_EQ(energy->function, FunctionCode::kReadInputRegisters);
  EXPECT_EQ(energy->type, DataType::kFloat32);
  EXPECT_EQ(energy->word_order, WordOrder::kBig);
  EXPECT_EQ(energy->unit, Unit::kWh);
  EXPECT_EQ(energy->exponent, 0);  // 0.001 kWh = 1 Wh
  EXPECT_EQ(energy->unit_prefix, 3);
  EXPECT_EQ(energy->channel, EnergyChannel::kImportActive);
  EXPECT_EQ(sdm630->Find("voltage_l2")->phase, Phase::kL2);
  EXPECT_EQ(sdm630->Find("voltage_l2")->exponent, -2);
  EXPECT_EQ(sdm630->Find("power_factor")->unit, Unit::kPF);

  auto sdm120 = LoadRegisterMap(MapPath("eastron-sdm120.toml"));
  ASSERT_TRUE(sdm120) << sdm120.error().message;
  EXPECT_EQ(sdm120->registers.size(), 13u);

  auto abb = LoadRegisterMap(MapPath("abb-b23.toml"));
  ASSERT_TRUE(abb) << abb.error().message;
  const RegisterDef* abb_energy = abb->Find("import_active_energy");
  ASSERT_NE(abb_energy, nullptr);
  EXPECT_EQ(abb_energy->function, FunctionCode::kReadHoldingRegisters);
  EXPECT_EQ(abb_energy->type, DataType::kUint64);
  EXPECT_EQ(abb_energy->exponent, 1);  // 0.01 kWh = 10 Wh
  EXPECT_EQ(abb->Find("net_active_energy")->type, DataType::kInt64);
  EXPECT_EQ(abb->Find("power_factor_l3")->address, 0x5B3D);
}

TEST(RegisterMap, MissingFileIsNotFound) {
  auto map = LoadRegisterMap(MapPath("no-such-meter.toml"));
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().code, core::ErrorCode::kNotFound);
  EXPECT_NE(map.error().message.find("no-such-meter.toml"), std::string::npos);
}

TEST(RegisterMap, DefaultsApplyAndEntriesOverride) {
  auto map = ParseRegisterMap(R"([defaults]
function = "holding"
type = "int32"
word_order = "little"
scale = -2

[[register]]
name = "power"
address = 10
unit = "W"

[[register]]
name = "frequency"
address = 12
type = "uint16"
scale = -1
function = 0x04
unit = "Hz"
)",
                              "d.toml");
  ASSERT_TRUE(map) << map.error().message;
  const auto& p = map->registers[0];
  EXPECT_EQ(p.function, FunctionCode::kReadHoldingRegisters);
  EXPECT_EQ(p.type, DataType::kInt32);
  EXPECT_EQ(p.word_order, WordOrder::kLittle);
  EXPECT_EQ(p.exponent, -2);
  EXPECT_EQ(p.line, 7);
  const auto& f = map->registers[1];
  EXPECT_EQ(f.function, FunctionCode::kReadInputRegisters);
  EXPECT_EQ(f.exponent, -1);
  EXPECT_EQ(f.phase, Phase::kTotal);
}

TEST(RegisterMap, UnknownTypeNamesFileLineAndKey) {
  std::string message = ErrorOf(WithEntry("[[register]]\nname = \"p\"\naddress = 2\nfunction = 4\n"
                                          "type = \"float\"\nunit = \"W\"\n"));
  EXPECT_NE(message.find("test.toml:16:"), std::string::npos) << message;
  EXPECT_NE(message.find("register[1].type"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown type 'float'"), std::string::npos) << message;
}

TEST(RegisterMap, BadWordOrderNamesLine) {
  std::string message = ErrorOf(WithEntry("[[register]]\nname = \"p\"\naddress = 2\nfunction = 4\n"
                                          "type = \"int32\"\nword_order = \"middle\"\nscale = 0\nunit = \"W\"\n"));
  EXPECT_NE(message.find("test.toml:17:"), std::string::npos) << message;
  EXPECT_NE(message.find("register[1].word_order"), std::string::npos) << message;
}

TEST(RegisterMap, OverlapNamesBothEntries) {
  auto map = ParseRegisterMap(WithEntry("[[register]]\nname = \"p\"\naddress = 0\nfunction = 4\n"
                                        "type = \"int32\"\nword_order = \"big\"\nunit = \"W\"\n"),
                              "test.toml");
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().field, "register[1].address");
  EXPECT_NE(map.error().message.find("test.toml:14:"), std::string::npos) << map.error().message;
  EXPECT_NE(map.error().message.find("overlaps 'voltage' (line 4"), std::string::npos) << map.error().message;
  // The same addresses under different functions do not overlap.
  EXPECT_TRUE(ParseRegisterMap(WithEntry("[[register]]\nname = \"p\"\naddress = 0\nfunction = 3\n"
                                         "type = \"int32\"\nword_order = \"big\"\nunit = \"W\"\n"),
                               "test.toml"));
}

TEST(RegisterMap, MissingFieldsAreNamed) {
  struct Case {
    const char* entry;
    const char* key;
  };
  const Case cases[] = {
      {"address = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"W\"\n", "register[1].name"},
      {"name = \"p\"\nfunction = 4\ntype = \"uint16\"\nunit = \"W\"\n", "register[1].address"},
      {"name = \"p\"\naddress = 2\ntype = \"uint16\"\nunit = \"W\"\n", "register[1].function"},
      {"name = \"p\"\naddress = 2\nfunction = 4\nunit = \"W\"\n", "register[1].type"},
      {"name = \"p\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\n", "register[1].unit"},
      {"name = \"p\"\naddress = 2\nfunction = 4\ntype = \"uint32\"\nunit = \"W\"\n", "register[1].word_order"},
      {"name = \"p\"\naddress = 2\nfunction = 4\ntype = \"float32\"\nword_order = \"big\"\nunit = \"W\"\n",
       "register[1].resolution"},
      {"name = \"e\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"kWh\"\n", "register[1].channel"},
  };
  for (const auto& c : cases) {
    auto map = ParseRegisterMap(WithEntry(std::string("[[register]]\n") + c.entry), "test.toml");
    ASSERT_FALSE(map) << c.key;
    EXPECT_EQ(map.error().field, c.key) << map.error().message;
    EXPECT_NE(map.error().message.find("test.toml:12:"), std::string::npos) << map.error().message;
    EXPECT_NE(map.error().message.find("missing"), std::string::npos) << map.error().message;
  }
}

TEST(RegisterMap, RejectsContradictionsAndTypos) {
  auto entry = [](const char* body) { return WithEntry(std::string("[[register]]\n") + body); };
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"W\"\n"
                          "signed = true\n"))
                .find("contradicts type uint16"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"W\"\nscael = 1\n"))
                .find("register[1].scael: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"e\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"kWh\"\n"
                          "channel = \"import_reactive\"\n"))
                .find("does not fit unit kWh"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 2\nfunction = 4\ntype = \"float32\"\nword_order = \"big\"\n"
                          "unit = \"W\"\nresolution = 0.3\n"))
                .find("power of ten"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 65535\nfunction = 4\ntype = \"uint32\"\nword_order = \"big\"\n"
                          "unit = \"W\"\n"))
                .find("runs past register 65535"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"voltage\"\naddress = 9\nfunction = 4\ntype = \"uint16\"\nunit = \"V\"\n"))
                .find("duplicate name 'voltage' (first at line 4)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 2\nfunction = 6\ntype = \"uint16\"\nunit = \"W\"\n"))
                .find("expected 3, 4"),
            std::string::npos);
  EXPECT_NE(ErrorOf(entry("name = \"p\"\naddress = 2\nfunction = 4\ntype = \"uint16\"\nunit = \"degC\"\n"))
                .find("unknown unit 'degC'"),
            std::string::npos);
}

TEST(RegisterMap, RefusesControlCharacters) {
  // The fuzzer's input that tripped an assert inside toml++ 3.3: "[[[" then NULs.
  std::string crasher = "[[[" + std::string(64, '\0') + "register]\nname = 1\n";
  auto map = ParseRegisterMap(crasher, "crash.toml");
  ASSERT_FALSE(map);
  EXPECT_NE(map.error().message.find("crash.toml:1:4: control character 0x00"), std::string::npos)
      << map.error().message;
  EXPECT_FALSE(ParseRegisterMap(WithEntry("# a comment with a bell \a\n"), "t.toml"));
  // Tabs and CRLF line ends are fine.
  EXPECT_TRUE(ParseRegisterMap("[[register]]\r\nname\t= \"v\"\r\naddress = 0\r\nfunction = 4\r\n"
                               "type = \"uint16\"\r\nunit = \"V\"\r\n",
                               "crlf.toml"));
}

TEST(RegisterMap, BadTableHeadersAreSyntaxErrors) {
  // Found by fuzzing: a header bracket followed by a non-key character. Header-only toml++ 3.3
  // with assertions aborts on these; the shared library we link reports them.
  for (const char* text : {"[=]\n", "[[ +]]\n", "[[register]]\nname = \"a\"\n[[= \"x\"\n"}) {
    auto map = ParseRegisterMap(text, "h.toml");
    ASSERT_FALSE(map) << text;
    EXPECT_NE(map.error().message.find("h.toml:"), std::string::npos) << map.error().message;
  }
}

TEST(RegisterMap, OddKeysAreQuotedInErrors) {
  auto map = ParseRegisterMap("\"\" = \"v\"\naddress = 0.000\n", "k.toml");  // found by fuzzing
  ASSERT_FALSE(map);
  EXPECT_EQ(map.error().field, "\"\"");
  EXPECT_EQ(ParseRegisterMap("[meter]\n\"a b\" = \"x\"\n", "k.toml").error().field, "meter.\"a b\"");
}

TEST(RegisterMap, SyntaxErrorNamesLine) {
  std::string message = ErrorOf("[meter]\nmodel = \"x\"\n\n[[register]\nname = 1\n");
  EXPECT_NE(message.find("test.toml:4:"), std::string::npos) << message;
  EXPECT_NE(ErrorOf("[meter]\nmodel = \"x\"\n").find("at least one [[register]]"), std::string::npos);
}

}  // namespace
}  // namespace meterd::codec::modbus
