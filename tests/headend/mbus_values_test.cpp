// SPDX-License-Identifier: Apache-2.0
// MapMbusValues on real meters' telegrams from the libmbus corpus (/work/shared/vectors/mbus)
// and on records built here for the cases the corpus lacks.
#include "headend/mbus_values.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <sstream>

#include "codec/mbus/frame.h"
#include "codec/mbus/user_data.h"

namespace meterd::headend {
namespace {

namespace mb = codec::mbus;
using core::Quantity;
using core::Unit;

mb::VariableData Vector(const std::string& name) {
  std::ifstream in(std::string(METERD_VECTORS_DIR) + "/mbus/test-frames/" + name + ".hex");
  EXPECT_TRUE(in) << name;
  std::vector<uint8_t> bytes;
  std::string token;
  while (in >> token) bytes.push_back(static_cast<uint8_t>(std::stoul(token, nullptr, 16)));
  auto frame = mb::DecodeFrame(bytes);
  EXPECT_TRUE(frame) << name;
  auto data = mb::DecodeUserData(*frame);
  EXPECT_TRUE(data) << name;
  return std::get<mb::VariableData>(*data);
}

const MbusValue* Find(const MbusValues& v, std::string_view name, uint64_t storage = 0, uint32_t tariff = 0) {
  for (const auto& x : v.values) {
    if (x.name == name && x.storage_number == storage && x.tariff == tariff) return &x;
  }
  return nullptr;
}

Quantity Q(int64_t value, int8_t scale, Unit unit) { return Quantity{value, scale, unit}; }

TEST(MbusValues, HeatMeterSensusPolluTherm) {
  const auto data = Vector("sen_pollutherm");
  const MbusValues v = MapMbusValues(data);
  ASSERT_TRUE(v.main);
  const MbusValue& main = v.values[*v.main];
  EXPECT_EQ(main.name, "energy");
  EXPECT_EQ(main.quantity, Q(864, 4, Unit::kWh));  // 8640 kWh, BCD with VIF 07 (10^4 Wh)
  EXPECT_TRUE(main.main);
  EXPECT_EQ(Find(v, "volume")->quantity, Q(799892, -2, Unit::kM3));
  EXPECT_EQ(Find(v, "power")->quantity, Q(5458, 1, Unit::kW));
  EXPECT_EQ(Find(v, "flow_temperature")->quantity, Q(755, -1, Unit::kDegC));
  EXPECT_EQ(Find(v, "return_temperature")->quantity, Q(594, -1, Unit::kDegC));
  EXPECT_EQ(Find(v, "temperature_difference")->quantity, Q(16076, -3, Unit::kK));
  EXPECT_EQ(Find(v, "fabrication_number")->quantity, Q(21050076, 0, Unit::kNone));
  // A reserved VIF (7B without its extension bit), "Customer location" and the 1F marker.
  ASSERT_EQ(v.skipped.size(), 3u);
  EXPECT_EQ(v.skipped[2].reason, "manufacturer data");
  EXPECT_EQ(main.quantity->ToString(), "8640000 Wh");
}

TEST(MbusValues, HeatCoolingMeterWithRealsSensusPolluStat) {
  const auto data = Vector("SEN_Pollustat");
  const MbusValues v = MapMbusValues(data);
  ASSERT_TRUE(v.main);  // medium 0D, heat / cooling: energy
  // 04 86 3B: kWh, accumulation of positive contributions only: the forward register.
  EXPECT_EQ(v.values[*v.main].name, "energy");
  EXPECT_EQ(v.values[*v.main].quantity, Q(39831, 3, Unit::kWh));
  EXPECT_EQ(Find(v, "volume")->quantity, Q(6162878, -3, Unit::kM3));
  // Reals: the float's shortest decimal, exactly; libmbus prints -170.721784 from the double.
  EXPECT_EQ(Find(v, "power")->quantity->ToString(), "-170.72178 W");
  EXPECT_EQ(Find(v, "flow_temperature")->quantity->ToString(), "31.147324 degC");
  EXPECT_EQ(Find(v, "temperature_difference")->quantity->ToString(), "-0.045776367 K");
  const MbusValue* flags = Find(v, "error_flags");
  ASSERT_NE(flags, nullptr);
  EXPECT_EQ(flags->function, mb::Function::kDuringError);
  EXPECT_EQ(flags->quantity, Q(67108864, 0, Unit::kNone));
  EXPECT_EQ(Find(v, "time_point")->time->ToString(), "2015-04-07T14:59");
  EXPECT_EQ(Find(v, "on_time")->quantity, Q(15803026, 0, Unit::kS));
}

TEST(MbusValues, WaterMeterWithDueDayElsterFalcon) {
  const auto data = Vector("els_falcon");
  const MbusValues v = MapMbusValues(data);
  ASSERT_TRUE(v.main);
  EXPECT_EQ(v.values[*v.main].quantity, Q(1234567, -3, Unit::kM3));
  EXPECT_EQ(Find(v, "volume", 1)->quantity, Q(456951, -3, Unit::kM3));  // the due-day value
  EXPECT_FALSE(Find(v, "volume", 1)->main);
  EXPECT_EQ(Find(v, "time_point", 1)->time->ToString(), "2007-01-01");
  const auto flows =
      std::count_if(v.values.begin(), v.values.end(), [](const MbusValue& x) { return x.name == "volume_flow"; });
  EXPECT_EQ(flows, 2);
  EXPECT_EQ(Find(v, "volume_flow")->function, mb::Function::kMaximum);
  EXPECT_EQ(Find(v, "volume_flow")->quantity, Q(5945, -3, Unit::kM3PerH));
}

TEST(MbusValues, ElectricityMeterTariffsOnly) {
  const auto data = Vector("electricity-meter-1");
  const MbusValues v = MapMbusValues(data);
  EXPECT_FALSE(v.main);  // it reports tariffs 1 and 2, no total
  EXPECT_EQ(Find(v, "energy", 0, 1)->quantity, Q(1252, 1, Unit::kWh));
  EXPECT_EQ(Find(v, "energy", 2, 2)->quantity, Q(1774433, 1, Unit::kWh));
  // Its voltages, currents and powers per phase carry VIFE FF (manufacturer specific).
  EXPECT_EQ(Find(v, "voltage"), nullptr);
  EXPECT_GE(v.skipped.size(), 12u);
}

mb::Record RealRecord(uint8_t vif, float value) {
  mb::Record r;
  r.coding = mb::DataCoding::kReal32;
  r.vib = {vif};
  std::vector<uint8_t> bytes{0x05, vif};
  const auto bits = std::bit_cast<uint32_t>(value);
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  auto data = mb::DecodeVariableData(bytes, mb::HeaderKind::kNone);
  EXPECT_TRUE(data);
  return data->records.at(0);
}

TEST(MbusValues, RealCodedRegisterNeedsDeclaredResolution) {
  mb::VariableData data;
  data.header.medium = 0x04;
  data.records.push_back(RealRecord(0x06, 1234.5678f));  // kWh as a float
  const MbusValues refused = MapMbusValues(data);
  EXPECT_TRUE(refused.values.empty());
  ASSERT_EQ(refused.skipped.size(), 1u);
  EXPECT_NE(refused.skipped[0].reason.find("refused"), std::string::npos) << refused.skipped[0].reason;

  MbusValueOptions options;
  options.real_register_scale = 0;  // to the Wh: 1234.5677 kWh (the float) = 1234567.7 Wh
  const MbusValues rounded = MapMbusValues(data, options);
  ASSERT_TRUE(rounded.main);
  EXPECT_EQ(rounded.values[0].quantity, Q(1234568, 0, Unit::kWh));
}

TEST(MbusValues, VolumeFlowPerMinuteAndReverseVolume) {
  // 02 43 (m3/min x 10^-4) 0A 00 = 0.001 m3/min = 0.06 m3/h; 04 93 3C: reverse volume in litres;
  // 04 93 3A: a volume in the uncorrected unit.
  const std::vector<uint8_t> bytes{0x02, 0x43, 0x0A, 0x00, 0x04, 0x93, 0x3C, 0x07, 0x00,
                                   0x00, 0x00, 0x04, 0x93, 0x3A, 0x01, 0x00, 0x00, 0x00};
  auto data = mb::DecodeVariableData(bytes, mb::HeaderKind::kNone);
  ASSERT_TRUE(data) << data.error().ToString();
  MbusValueOptions options;
  options.medium = 0x07;
  const MbusValues v = MapMbusValues(*data, options);
  EXPECT_EQ(Find(v, "volume_flow")->quantity, Q(600, -4, Unit::kM3PerH));
  EXPECT_EQ(Find(v, "volume_reverse")->quantity, Q(7, -3, Unit::kM3));
  EXPECT_FALSE(v.main);  // no plain volume register: 3A ("uncorrected unit") changes the meaning
  ASSERT_EQ(v.skipped.size(), 1u);
  EXPECT_NE(v.skipped[0].reason.find("0x3A"), std::string::npos) << v.skipped[0].reason;
}

}  // namespace
}  // namespace meterd::headend
