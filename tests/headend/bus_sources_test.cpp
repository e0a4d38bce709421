// SPDX-License-Identifier: Apache-2.0
// Polled meters end to end without wall-clock waits: a simulated M-Bus converter with 10 meters
// and 3 simulated Modbus TCP meters on loopback, a targets file naming them, two scheduler
// rounds, and the store holding each meter's consumption equal to what the simulators counted.
#include "headend/bus_sources.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "codec/modbus/register_map.h"
#include "core/time_zone.h"
#include "device/mbus_bus_sim.h"
#include "device/modbus_meter_sim.h"

namespace meterd::headend {
namespace {

namespace fs = std::filesystem;

core::Instant At(const char* s) { return *core::ParseInstant(s); }

class BusSourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("meterd-bus-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*store::OpenSqliteStore({(dir_ / "db").string(), false}));
    IngestService::Options options;
    options.normalise.zone = *core::TimeZone::Find("UTC");
    options.normalise.max_future = core::Seconds{400LL * 86400 * 365};  // simulated time is ahead of the wall clock
    ingest_ = std::make_unique<IngestService>(*store_, options);
  }
  void TearDown() override {
    ingest_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  core::Quantity Total(const std::string& meter, core::Channel channel) {
    auto intervals = store_->Intervals(meter, channel, *core::TimeZone::Find("UTC"),
                                       {At("2026-01-01T00:00:00Z"), At("2026-01-03T00:00:00Z")});
    EXPECT_TRUE(intervals) << meter;
    core::Quantity sum{0, -3, core::ChannelUnit(channel)};
    for (const auto& i : *intervals) sum = *core::Add(sum, i.value);
    return sum;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IngestService> ingest_;
};

TEST_F(BusSourcesTest, TwoRoundsOfMbusAndModbusMetersReachTheStoreExactly) {
  const core::Instant t0 = At("2026-01-01T00:00:00Z"), t1 = At("2026-01-01T06:00:00Z");
  device::MbusBusSim bus(t0);
  constexpr device::MbusMeterKind kKinds[] = {device::MbusMeterKind::kWater, device::MbusMeterKind::kWarmWater,
                                              device::MbusMeterKind::kHeat, device::MbusMeterKind::kGas,
                                              device::MbusMeterKind::kElectricity};
  for (int i = 0; i < 10; ++i) {
    device::MbusMeterConfig c;
    c.kind = kKinds[i % 5];
    c.primary_address = static_cast<uint8_t>(i + 1);
    c.id = 31000000 + static_cast<uint32_t>(i) * 11;
    c.seed = static_cast<uint64_t>(i) + 1;
    c.two_telegrams = i == 3;
    ASSERT_TRUE(bus.AddMeter(c));
  }
  auto bus_port = bus.Start(0);
  ASSERT_TRUE(bus_port);

  std::vector<device::ModbusSimMeter> meters;
  const char* models[] = {"eastron-sdm630", "eastron-sdm120", "abb-b23"};
  for (int i = 0; i < 3; ++i) {
    auto map = codec::modbus::LoadRegisterMap(fmt::format("{}/modbus/{}.toml", METERD_MODELS_DIR, models[i]));
    ASSERT_TRUE(map) << map.error().ToString();
    meters.push_back({models[i], std::make_shared<const codec::modbus::RegisterMap>(std::move(*map)), 1,
                      static_cast<uint64_t>(i) + 7});
  }
  device::ModbusMeterSim::Options options;
  options.start = t0;
  auto modbus = device::ModbusMeterSim::Start(options, std::move(meters));
  ASSERT_TRUE(modbus) << modbus.error().ToString();

  PollTargets targets;
  targets.mbus.push_back({"127.0.0.1", *bus_port, true, {}, 50});  // the simulated converter answers at once
  for (int i = 0; i < 3; ++i) {
    targets.modbus.push_back({"127.0.0.1", (*modbus)->Port(static_cast<size_t>(i)), 1, models[i], fmt::format("E-M{}", i)});
  }
  std::string path = (dir_ / "targets.toml").string();
  std::ofstream(path) << FormatPollTargets(targets);
  TargetsFile file(path, METERD_MODELS_DIR);
  PolledMeterSink sink(*ingest_, *store_);
  PollScheduler scheduler(sink, [&] { return file.Sources(); }, core::Seconds{900});

  // Register values the simulators will report at t0 and t1.
  std::vector<device::MbusMeterRegisters> before, after;
  for (int i = 0; i < 10; ++i) before.push_back(*bus.Registers(static_cast<uint8_t>(i + 1)));
  auto round0 = scheduler.RunRound(t0);
  EXPECT_EQ(round0.errors, 0) << round0.last_error;
  EXPECT_EQ(round0.meters_read, 13);
  std::vector<core::Quantity> energy0;
  for (int i = 0; i < 3; ++i) {
    energy0.push_back((*modbus)->Energy(static_cast<size_t>(i), codec::modbus::EnergyChannel::kImportActive,
                                        codec::modbus::Phase::kTotal));
  }
  bus.AdvanceTo(t1);
  (*modbus)->AdvanceTo(t1);
  for (int i = 0; i < 10; ++i) after.push_back(*bus.Registers(static_cast<uint8_t>(i + 1)));
  auto round1 = scheduler.RunRound(t1);
  EXPECT_EQ(round1.errors, 0) << round1.last_error;
  EXPECT_EQ(round1.meters_read, 13);

  // M-Bus: consumption between the two reads equals the registers' difference, per medium.
  auto listing = store_->ListMeters({});
  ASSERT_TRUE(listing);
  EXPECT_EQ(listing->total, 13);
  for (int i = 0; i < 10; ++i) {
    const auto& b = before[static_cast<size_t>(i)];
    const auto& a = after[static_cast<size_t>(i)];
    std::string id = fmt::format("{}", 31000000 + i * 11);
    std::string meter;
    for (const auto& m : listing->items) {
      if (m.id.ends_with(id)) meter = m.id;
    }
    ASSERT_FALSE(meter.empty()) << id;
    switch (kKinds[i % 5]) {
      case device::MbusMeterKind::kWater:
      case device::MbusMeterKind::kWarmWater:
      case device::MbusMeterKind::kGas:
        EXPECT_EQ(Total(meter, core::Channel::kVolume), (core::Quantity{a.volume_l - b.volume_l, -3, core::Unit::kM3})) << meter;
        EXPECT_GT(a.volume_l, b.volume_l) << meter;
        break;
      case device::MbusMeterKind::kHeat:
        EXPECT_EQ(Total(meter, core::Channel::kHeatEnergy).Rescaled(0).value(),
                  (core::Quantity{a.energy_wh - b.energy_wh, 0, core::Unit::kWh})) << meter;
        break;
      case device::MbusMeterKind::kElectricity:
        EXPECT_EQ(Total(meter, core::Channel::kActiveImport).Rescaled(0).value(),
                  (core::Quantity{a.energy_wh - b.energy_wh, 0, core::Unit::kWh})) << meter;
        break;
    }
  }
  // Each meter's other instantaneous values are kept as present values.
  auto heat = store_->PresentValues(fmt::format("Q-KAM-{}", 31000000 + 2 * 11));
  ASSERT_TRUE(heat);
  bool flow_temperature = false;
  for (const auto& v : *heat) {
    if (v.name == "flow_temperature") {
      flow_temperature = true;
      EXPECT_EQ(v.value, (core::Quantity{after[2].flow_temperature_dc, -1, core::Unit::kDegC}));
      EXPECT_EQ(v.at, t1);
    }
  }
  EXPECT_TRUE(flow_temperature);
  auto sdm630 = store_->PresentValues("E-M0");
  ASSERT_TRUE(sdm630);
  EXPECT_GE(sdm630->size(), 10u);
  // Modbus: the stored consumption is what the meter counted, to the register's resolution.
  for (int i = 0; i < 3; ++i) {
    core::Quantity e1 = (*modbus)->Energy(static_cast<size_t>(i), codec::modbus::EnergyChannel::kImportActive,
                                          codec::modbus::Phase::kTotal);
    core::Quantity counted = *core::Add(e1, core::Quantity{-energy0[static_cast<size_t>(i)].value, e1.scale, e1.unit});
    core::Quantity stored = Total(fmt::format("E-M{}", i), core::Channel::kActiveImport);
    auto diff = core::Add(counted, core::Quantity{-stored.Rescaled(counted.scale)->value, counted.scale, counted.unit});
    ASSERT_TRUE(diff);
    // Registers are truncated to their resolution at both reads: off by less than one step (10 Wh).
    EXPECT_LT(std::abs(diff->Rescaled(-3)->value), 10'000) << "meter " << i << " counted " << counted.ToString()
                                                          << " stored " << stored.ToString();
    EXPECT_GT(stored.value, 0);
  }
}

TEST_F(BusSourcesTest, UnreachableTargetsAreErrorsNotReadings) {
  PollTargets targets;
  targets.mbus.push_back({"127.0.0.1", 1, true, {}, 50});  // nothing listens on port 1
  targets.modbus.push_back({"127.0.0.1", 1, 1, "eastron-sdm120", "E-GONE"});
  targets.modbus.push_back({"127.0.0.1", 1, 1, "no-such-model", "E-NOMAP"});
  std::string path = (dir_ / "targets.toml").string();
  std::ofstream(path) << FormatPollTargets(targets);
  TargetsFile file(path, METERD_MODELS_DIR);
  PolledMeterSink sink(*ingest_, *store_);
  PollScheduler scheduler(sink, [&] { return file.Sources(); }, core::Seconds{900});
  auto round = scheduler.RunRound(At("2026-01-01T00:00:00Z"));
  EXPECT_EQ(round.meters_read, 0);
  EXPECT_EQ(round.errors, 3);
  EXPECT_EQ(store_->ListMeters({})->total, 0);
  // A broken targets file keeps the previous sources.
  std::ofstream(path) << "[[mbus]]\naddress = \"nohost\"\n";
  EXPECT_EQ(file.Sources().size(), 2u);
  EXPECT_NE(file.last_error().find("targets.toml:2"), std::string::npos) << file.last_error();
}

}  // namespace
}  // namespace meterd::headend
