// SPDX-License-Identifier: Apache-2.0
#include "codec/modbus/batch_planner.h"

#include <gtest/gtest.h>

#include <string>

namespace meterd::codec::modbus {
namespace {

RegisterDef Def(std::string name, FunctionCode function, uint16_t address, DataType type) {
  RegisterDef d;
  d.name = std::move(name);
  d.function = function;
  d.address = address;
  d.type = type;
  return d;
}

constexpr auto kInput = FunctionCode::kReadInputRegisters;
constexpr auto kHolding = FunctionCode::kReadHoldingRegisters;

TEST(BatchPlanner, MergesContiguousAndSplitsOnGaps) {
  RegisterMap map;
  map.registers = {Def("a", kInput, 0, DataType::kFloat32), Def("b", kInput, 2, DataType::kFloat32),
                   Def("c", kInput, 10, DataType::kUint16), Def("d", kInput, 4, DataType::kUint64)};
  // Contiguous only: a, b, d (0..7) then c after a gap of 2.
  auto plan = PlanBatches(map, {0, 125});
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0], (ReadBatch{kInput, 0, 8, {0, 1, 3}}));
  EXPECT_EQ(plan[1], (ReadBatch{kInput, 10, 1, {2}}));
  // A gap of 2 is allowed: one read of 11 registers.
  plan = PlanBatches(map, {2, 125});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (ReadBatch{kInput, 0, 11, {0, 1, 3, 2}}));
}

TEST(BatchPlanner, SeparatesFunctionsAndRespectsTheSizeLimit) {
  RegisterMap map;
  for (uint16_t i = 0; i < 100; ++i) map.registers.push_back(Def("i" + std::to_string(i), kInput, 2 * i, DataType::kInt32));
  map.registers.push_back(Def("h", kHolding, 0, DataType::kUint16));
  auto plan = PlanBatches(map, {0, 125});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].function, kHolding);
  EXPECT_EQ(plan[1].address, 0);
  EXPECT_EQ(plan[1].count, 124);  // 62 int32s; the 63rd would make 126
  EXPECT_EQ(plan[2].address, 124);
  EXPECT_EQ(plan[2].count, 76);
  // Never above 125 even if asked, never below 4 (a uint64 must fit).
  EXPECT_EQ(PlanBatches(map, {0, 1000})[1].count, 124);
  EXPECT_EQ(PlanBatches(map, {0, 1})[1].count, 4);
}

TEST(BatchPlanner, EveryEntryIsInExactlyOneBatch) {
  RegisterMap map;
  uint16_t address = 0;
  for (int i = 0; i < 200; ++i) {
    DataType t = (i % 3 == 0) ? DataType::kUint64 : (i % 3 == 1 ? DataType::kUint16 : DataType::kFloat32);
    map.registers.push_back(Def("r" + std::to_string(i), i % 5 == 0 ? kHolding : kInput, address, t));
    address = static_cast<uint16_t>(address + WordCount(t) + i % 7);
  }
  for (uint16_t gap : {0, 3, 10}) {
    auto plan = PlanBatches(map, {gap, 60});
    std::vector<int> seen(map.registers.size(), 0);
    for (const auto& b : plan) {
      EXPECT_LE(b.count, 60);
      for (size_t i : b.registers) {
        ++seen[i];
        const auto& r = map.registers[i];
        EXPECT_EQ(r.function, b.function);
        EXPECT_GE(r.address, b.address);
        EXPECT_LE(r.end(), b.address + b.count);
      }
    }
    for (int s : seen) EXPECT_EQ(s, 1);
  }
}

TEST(BatchPlanner, ShippedMapsNeedFewReads) {
  auto sdm630 = LoadRegisterMap(std::string(METERD_METERS_DIR) + "/eastron-sdm630.toml");
  ASSERT_TRUE(sdm630);
  auto plan = PlanBatches(*sdm630);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0], (ReadBatch{kInput, 0x0000, 80, plan[0].registers}));  // 0x0000..0x004F, the 80 limit
  EXPECT_EQ(plan[1].address, 0x0156);
  EXPECT_EQ(plan[1].count, 4);

  auto abb = LoadRegisterMap(std::string(METERD_METERS_DIR) + "/abb-b23.toml");
  ASSERT_TRUE(abb);
  plan = PlanBatches(*abb);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].address, 0x5000);
  EXPECT_EQ(plan[0].count, 20);
  EXPECT_EQ(plan[1].address, 0x5460);
  EXPECT_EQ(plan[1].count, 24);
  EXPECT_EQ(plan[2].address, 0x5B00);
  EXPECT_EQ(plan[2].count, 62);  // 0x5B00..0x5B3D, gaps of 6 and 2 bridged
}

}  // namespace
}  // namespace meterd::codec::modbus
