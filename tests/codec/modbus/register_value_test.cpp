// SPDX-License-Identifier: Apache-2.0
#include "codec/modbus/register_value.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace meterd::codec::modbus {
namespace {

using core::Quantity;
using core::Unit;

RegisterDef Def(DataType type, WordOrder order, int exponent, Unit unit, int prefix = 0) {
  RegisterDef d;
  d.name = "value";
  d.address = 0x10;
  d.type = type;
  d.word_order = order;
  d.exponent = static_cast<int8_t>(exponent + prefix);
  d.unit_prefix = static_cast<int8_t>(prefix);
  d.unit = unit;
  return d;
}

Quantity Decode(const RegisterDef& def, std::vector<uint16_t> words) {
  auto q = DecodeRegister(def, words);
  EXPECT_TRUE(q) << q.error().message;
  return q.value_or(Quantity{});
}

constexpr auto kBig = WordOrder::kBig;
constexpr auto kLittle = WordOrder::kLittle;

TEST(RegisterValue, IntegersInBothWordOrders) {
  EXPECT_EQ(Decode(Def(DataType::kUint16, kBig, 0, Unit::kV), {0xFFFF}), (Quantity{65535, 0, Unit::kV}));
  EXPECT_EQ(Decode(Def(DataType::kInt16, kBig, -3, Unit::kPF), {0xFC18}), (Quantity{-1000, -3, Unit::kPF}));
  EXPECT_EQ(Decode(Def(DataType::kUint32, kBig, 0, Unit::kW), {0x0001, 0x0002}), (Quantity{65538, 0, Unit::kW}));
  EXPECT_EQ(Decode(Def(DataType::kUint32, kLittle, 0, Unit::kW), {0x0001, 0x0002}), (Quantity{131073, 0, Unit::kW}));
  EXPECT_EQ(Decode(Def(DataType::kInt32, kBig, -2, Unit::kW), {0xFFFF, 0xFFFE}), (Quantity{-2, -2, Unit::kW}));
  EXPECT_EQ(Decode(Def(DataType::kInt32, kLittle, -2, Unit::kW), {0xFFFE, 0xFFFF}), (Quantity{-2, -2, Unit::kW}));
  EXPECT_EQ(Decode(Def(DataType::kInt64, kBig, 0, Unit::kWh), {0xFFFF, 0xFFFF, 0xFFFF, 0xFF9C}),
            (Quantity{-100, 0, Unit::kWh}));
  EXPECT_EQ(Decode(Def(DataType::kUint64, kLittle, 0, Unit::kWh), {0x86A0, 0x0001, 0, 0}),
            (Quantity{100000, 0, Unit::kWh}));
}

TEST(RegisterValue, PrefixAndScaleFoldIntoAnExactQuantity) {
  // ABB: uint64 of 0.01 kWh. 100000 x 0.01 kWh = 1000 kWh = 1000000 Wh, kept at scale 0.
  EXPECT_EQ(Decode(Def(DataType::kUint64, kBig, -2, Unit::kWh, 3), {0, 0, 0x0001, 0x86A0}),
            (Quantity{1000000, 0, Unit::kWh}));
  // 0.1 V steps stay decimal: 2304 -> 230.4 V.
  EXPECT_EQ(Decode(Def(DataType::kUint32, kBig, -1, Unit::kV), {0, 2304}), (Quantity{2304, -1, Unit::kV}));
}

TEST(RegisterValue, FloatIsRoundedToTheResolution) {
  auto volts = Def(DataType::kFloat32, kBig, -2, Unit::kV);
  EXPECT_EQ(Decode(volts, {0x4366, 0x8000}), (Quantity{23050, -2, Unit::kV}));  // 230.5f
  EXPECT_EQ(Decode(Def(DataType::kFloat32, kLittle, -2, Unit::kV), {0x8000, 0x4366}), (Quantity{23050, -2, Unit::kV}));
  // 230.456f is 230.45599365...: to 0.01 V it is 230.46.
  auto words = [](float f) {
    uint32_t b = std::bit_cast<uint32_t>(f);
    return std::vector<uint16_t>{static_cast<uint16_t>(b >> 16), static_cast<uint16_t>(b)};
  };
  EXPECT_EQ(Decode(volts, words(230.456f)), (Quantity{23046, -2, Unit::kV}));
  // Ties go away from zero (not to even).
  auto whole = Def(DataType::kFloat32, kBig, 0, Unit::kW);
  EXPECT_EQ(Decode(whole, words(2.5f)), (Quantity{3, 0, Unit::kW}));
  EXPECT_EQ(Decode(whole, words(-0.5f)), (Quantity{-1, 0, Unit::kW}));
  // Eastron energy: float kWh at 0.001 kWh becomes whole Wh. 12345.678f is 12345.677734375.
  auto kwh = Def(DataType::kFloat32, kBig, -3, Unit::kWh, 3);
  EXPECT_EQ(kwh.exponent, 0);
  EXPECT_EQ(Decode(kwh, words(12345.678f)), (Quantity{12345678, 0, Unit::kWh}));
  // A resolution coarser than the unit: 10 W steps.
  EXPECT_EQ(Decode(Def(DataType::kFloat32, kBig, 1, Unit::kW), words(1234.0f)), (Quantity{1230, 0, Unit::kW}));
}

TEST(RegisterValue, ErrorsNameTheRegister) {
  auto def = Def(DataType::kFloat32, kBig, -2, Unit::kV);
  def.name = "voltage_l1";
  auto nan = DecodeRegister(def, std::vector<uint16_t>{0x7FC0, 0x0000});
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code, core::ErrorCode::kOutOfRange);
  EXPECT_EQ(nan.error().field, "voltage_l1");
  EXPECT_NE(nan.error().message.find("register 'voltage_l1' (input 16, float32)"), std::string::npos)
      << nan.error().message;
  EXPECT_FALSE(DecodeRegister(def, std::vector<uint16_t>{0x7F80, 0x0000}));  // +inf
  EXPECT_FALSE(DecodeRegister(def, std::vector<uint16_t>{0x7F7F, 0xFFFF}));  // 3.4e38 does not fit int64
  auto u64 = Def(DataType::kUint64, kBig, 0, Unit::kWh);
  EXPECT_FALSE(DecodeRegister(u64, std::vector<uint16_t>{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}));
  auto scaled = Def(DataType::kInt64, kBig, 12, Unit::kWh);
  EXPECT_FALSE(DecodeRegister(scaled, std::vector<uint16_t>{0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF}));
  EXPECT_FALSE(DecodeRegister(u64, std::vector<uint16_t>{1, 2}));  // wrong word count
}

TEST(RegisterValue, EncodeRoundsAndChecksRange) {
  auto def = Def(DataType::kInt16, kBig, -1, Unit::kV);
  std::vector<uint16_t> w(1);
  ASSERT_TRUE(EncodeRegister(def, Quantity{230456, -3, Unit::kV}, w));
  EXPECT_EQ(w[0], 2305);
  ASSERT_TRUE(EncodeRegister(def, Quantity{230456, -3, Unit::kV}, w, Rounding::kTowardZero));
  EXPECT_EQ(w[0], 2304);
  ASSERT_TRUE(EncodeRegister(def, Quantity{-230456, -3, Unit::kV}, w));
  EXPECT_EQ(static_cast<int16_t>(w[0]), -2305);
  EXPECT_FALSE(EncodeRegister(def, Quantity{4000, 0, Unit::kV}, w));  // 40000 > int16
  EXPECT_FALSE(EncodeRegister(def, Quantity{230, 0, Unit::kA}, w));   // wrong unit
  auto u32 = Def(DataType::kUint32, kLittle, -2, Unit::kWh, 3);  // 0.01 kWh = 10 Wh
  std::vector<uint16_t> w2(2);
  ASSERT_TRUE(EncodeRegister(u32, Quantity{1234567, -3, Unit::kWh}, w2, Rounding::kTowardZero));  // 1234.567 Wh
  EXPECT_EQ(w2, (std::vector<uint16_t>{123, 0}));
  EXPECT_FALSE(EncodeRegister(u32, Quantity{-10, 0, Unit::kWh}, w2));
}

TEST(RegisterValue, IntegersRoundTripExactly) {
  std::mt19937_64 rng(42);
  for (DataType t : {DataType::kUint16, DataType::kInt16, DataType::kUint32, DataType::kInt32, DataType::kUint64,
                     DataType::kInt64}) {
    for (WordOrder order : {kBig, kLittle}) {
      auto def = Def(t, order, -2, Unit::kWh);
      for (int i = 0; i < 200; ++i) {
        std::vector<uint16_t> words(def.words());
        for (auto& w : words) w = static_cast<uint16_t>(rng());
        if (t == DataType::kUint64) words[order == kBig ? 0 : 3] &= 0x7FFF;
        auto q = DecodeRegister(def, words);
        ASSERT_TRUE(q) << q.error().message;
        std::vector<uint16_t> again(def.words());
        ASSERT_TRUE(EncodeRegister(def, *q, again));
        EXPECT_EQ(again, words);
      }
    }
  }
}

TEST(RegisterValue, FloatEnergyRoundTripsAtMeterSizes) {
  auto kwh = Def(DataType::kFloat32, kBig, -3, Unit::kWh, 3);
  std::vector<uint16_t> w(2);
  // Below 2^24 Wh (16,777 kWh) a float holds every whole Wh.
  for (int64_t wh : {0LL, 1LL, 999LL, 1234567LL, 16777215LL}) {
    ASSERT_TRUE(EncodeRegister(kwh, Quantity{wh, 0, Unit::kWh}, w));
    EXPECT_EQ(Decode(kwh, w), (Quantity{wh, 0, Unit::kWh}));
  }
}

TEST(RegisterValue, DecodeValuesUsesThePlan) {
  auto map = ParseRegisterMap(R"(
[defaults]
function = "input"
word_order = "big"
[[register]]
name = "voltage"
address = 0
type = "uint16"
scale = -1
unit = "V"
[[register]]
name = "energy"
address = 1
type = "uint32"
unit = "kWh"
scale = -2
channel = "import_active"
[[register]]
name = "power"
address = 200
type = "int16"
unit = "W"
)",
                              "t.toml");
  ASSERT_TRUE(map) << map.error().message;
  auto plan = PlanBatches(*map);
  ASSERT_EQ(plan.size(), 2u);
  std::vector<std::vector<uint16_t>> words = {{2301, 0x0001, 0x0000}, {0xFFF6}};
  auto values = DecodeValues(*map, plan, words);
  ASSERT_TRUE(values) << values.error().message;
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0], (NamedValue{"voltage", Quantity{2301, -1, Unit::kV}}));
  EXPECT_EQ((*values)[1], (NamedValue{"energy", Quantity{655360, 0, Unit::kWh}}));
  EXPECT_EQ((*values)[2], (NamedValue{"power", Quantity{-10, 0, Unit::kW}}));
  words[1].clear();
  auto short_batch = DecodeValues(*map, plan, words);
  ASSERT_FALSE(short_batch);
  EXPECT_EQ(short_batch.error().field, "batch 1");
}

}  // namespace
}  // namespace meterd::codec::modbus
