// SPDX-License-Identifier: Apache-2.0
// The poller against the simulator over loopback: one meter of each shipped model, then the ways
// a poll fails (an exception, a server that never answers, a server that goes away).
#include "headend/modbus_poller.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <cmath>
#include <string>
#include <vector>

#include "device/modbus_meter_sim.h"

namespace meterd::headend {
namespace {

namespace modbus = codec::modbus;
using core::Quantity;
using device::ModbusMeterSim;

std::shared_ptr<const modbus::RegisterMap> Map(const char* file) {
  auto map = modbus::LoadRegisterMap(std::string(METERD_METERS_DIR) + "/" + file);
  EXPECT_TRUE(map) << map.error().message;
  return std::make_shared<const modbus::RegisterMap>(map.value_or(modbus::RegisterMap{}));
}

// A value as a double, for plausibility ranges only.
double Approx(const Quantity& q) { return static_cast<double>(q.value) * std::pow(10.0, q.scale); }

class ModbusLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    maps_ = {Map("eastron-sdm630.toml"), Map("eastron-sdm120.toml"), Map("abb-b23.toml")};
    ModbusMeterSim::Options options;
    options.start = *core::ParseInstant("2026-01-05T06:00:00Z");  // a Monday morning
    auto sim = ModbusMeterSim::Start(options, {{"sdm630", maps_[0], 1, 11}, {"sdm120", maps_[1], 1, 12},
                                               {"b23", maps_[2], 1, 13}});
    ASSERT_TRUE(sim) << sim.error().message;
    sim_ = std::move(*sim);
  }
  ModbusTarget Target(size_t i) const { return {"127.0.0.1", sim_->Port(i), sim_->UnitId(i), maps_[i]}; }

  std::vector<std::shared_ptr<const modbus::RegisterMap>> maps_;
  std::unique_ptr<ModbusMeterSim> sim_;
};

void ExpectPlausible(const ModbusReading& r, const modbus::RegisterMap& map) {
  for (const auto& v : r.values) {
    const modbus::RegisterDef& def = *map.Find(v.name);
    double x = Approx(v.value);
    switch (def.unit) {
      case core::Unit::kV: EXPECT_NEAR(x, 230, 2.5) << v.name; break;
      case core::Unit::kHz: EXPECT_NEAR(x, 50, 0.06) << v.name; break;
      case core::Unit::kPF: EXPECT_TRUE(x >= 0.899 && x <= 1.0) << v.name << " " << x; break;
      case core::Unit::kW:
      case core::Unit::kVA:
      case core::Unit::kVar:
      case core::Unit::kA: EXPECT_TRUE(x >= 0 && x < 20000) << v.name << " " << x; break;
      case core::Unit::kWh:
        if (def.channel == modbus::EnergyChannel::kImportActive && def.phase == modbus::Phase::kTotal) {
          EXPECT_TRUE(x > 999'000 && x < 20'000'001) << v.name << " " << x;  // 1,000..20,000 kWh
        }
        break;
      default: break;
    }
  }
  // Totals are the sums of the phases.
  if (const Quantity* l1 = r.Find("active_power_l1"); l1 && r.Find("active_power_l3")) {
    double sum = Approx(*l1) + Approx(*r.Find("active_power_l2")) + Approx(*r.Find("active_power_l3"));
    EXPECT_NEAR(Approx(*r.Find("active_power")), sum, 0.3);
  }
}

TEST_F(ModbusLoopback, PollsEachModelAndEnergyOnlyRises) {
  ModbusPoller poller;
  const core::Instant t0 = sim_->Now();
  std::vector<ModbusReading> first(3);
  sim_->AdvanceTo(t0 + core::Seconds{600});
  for (size_t i = 0; i < 3; ++i) {
    auto reading = poller.Poll(Target(i));
    ASSERT_TRUE(reading) << maps_[i]->model << ": " << reading.error().message;
    ASSERT_EQ(reading->values.size(), maps_[i]->registers.size());
    // Exactly what the simulator's registers say.
    auto published = sim_->Published(i);
    ASSERT_TRUE(published);
    EXPECT_EQ(reading->values, *published) << maps_[i]->model;
    ExpectPlausible(*reading, *maps_[i]);
    // ... and what it counted: the ABB truncates to 10 Wh; an Eastron float to within its precision.
    const Quantity* polled = reading->Find("import_active_energy");
    ASSERT_NE(polled, nullptr);
    int64_t exact_mwh = sim_->Energy(i, modbus::EnergyChannel::kImportActive, modbus::Phase::kTotal).value;
    if (maps_[i]->model == "ABB B23") {
      EXPECT_EQ(*polled, (Quantity{exact_mwh / 10000 * 10, 0, core::Unit::kWh}));
    } else {
      double wh = static_cast<double>(exact_mwh) / 1000;
      EXPECT_NEAR(static_cast<double>(polled->value), wh, 1 + wh * 0x1.0p-23);  // float32: 24 bits
    }
    first[i] = std::move(*reading);
  }
  // Two hours later every energy register has moved up or stayed, the import has moved.
  sim_->AdvanceTo(t0 + core::Seconds{7800});
  for (size_t i = 0; i < 3; ++i) {
    auto reading = poller.Poll(Target(i));
    ASSERT_TRUE(reading) << reading.error().message;
    EXPECT_EQ(reading->values, *sim_->Published(i));
    for (const auto& def : maps_[i]->registers) {
      if (def.channel == modbus::EnergyChannel::kNone || def.channel == modbus::EnergyChannel::kNetActive) continue;
      EXPECT_GE(reading->Find(def.name)->value, first[i].Find(def.name)->value) << def.name;
    }
    EXPECT_GT(reading->Find("import_active_energy")->value, first[i].Find("import_active_energy")->value);
    EXPECT_GE(reading->at, first[i].at);
  }
  EXPECT_EQ(poller.counters().polls, 6u);
  EXPECT_EQ(poller.counters().connects, 3u);            // one per meter, kept between polls
  EXPECT_EQ(poller.counters().requests, 2u * (2 + 3 + 3));  // reads per poll: SDM630 2, SDM120 3, B23 3
}

TEST_F(ModbusLoopback, ExceptionFailsThePollAndKeepsTheConnection) {
  // The SDM120 map plus a register the meter does not have.
  auto text = std::string(R"([[register]]
name = "voltage"
address = 0
function = 4
type = "float32"
word_order = "big"
unit = "V"
resolution = 0.1
[[register]]
name = "not_there"
address = 0x2000
function = 4
type = "uint16"
unit = "W"
)");
  auto bad = modbus::ParseRegisterMap(text, "bad.toml");
  ASSERT_TRUE(bad) << bad.error().message;
  ModbusPoller poller;
  ModbusTarget target = Target(1);
  target.map = std::make_shared<const modbus::RegisterMap>(*bad);
  auto reading = poller.Poll(target);
  ASSERT_FALSE(reading);
  EXPECT_EQ(reading.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(reading.error().field, "not_there");
  EXPECT_NE(reading.error().message.find("exception 2 (illegal data address)"), std::string::npos)
      << reading.error().message;
  EXPECT_TRUE(poller.Poll(Target(1)));  // same connection, still in step
  EXPECT_EQ(poller.counters().connects, 1u);
  EXPECT_EQ(poller.counters().failures, 1u);
}

TEST_F(ModbusLoopback, ServerThatNeverAnswersTimesOut) {
  // Listens (the kernel completes the handshake) but never accepts, so never answers.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  ModbusPoller::Options options;
  options.response_timeout = std::chrono::milliseconds(200);
  ModbusPoller poller(options);
  auto start = std::chrono::steady_clock::now();
  auto reading = poller.Poll({"127.0.0.1", ntohs(addr.sin_port), 1, maps_[0]});
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reading);
  EXPECT_EQ(reading.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(reading.error().message.find("timed out"), std::string::npos) << reading.error().message;
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(3));
  close(fd);
  // Other meters on the same poller are unaffected.
  EXPECT_TRUE(poller.Poll(Target(0)));
}

TEST_F(ModbusLoopback, ReconnectsAfterTheServerGoesAway) {
  ModbusPoller poller;
  ASSERT_TRUE(poller.Poll(Target(2)));
  uint16_t port = sim_->Port(2);
  sim_.reset();  // every connection closed
  auto gone = poller.Poll({"127.0.0.1", port, 1, maps_[2]});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, core::ErrorCode::kUnavailable);
  // The same meter back on the same port.
  ModbusMeterSim::Options options;
  options.base_port = port;
  auto again = ModbusMeterSim::Start(options, {{"b23", maps_[2], 1, 13}});
  ASSERT_TRUE(again) << again.error().message;
  auto reading = poller.Poll({"127.0.0.1", port, 1, maps_[2]});
  ASSERT_TRUE(reading) << reading.error().message;
  EXPECT_EQ(poller.counters().connects, 2u);
}

TEST_F(ModbusLoopback, RefusedConnectionAndBadTargetsAreErrors) {
  ModbusPoller poller;
  ModbusTarget target = Target(0);
  target.map = nullptr;
  EXPECT_EQ(poller.Poll(target).error().field, "map");
  target = Target(0);
  target.unit_id = 250;
  EXPECT_EQ(poller.Poll(target).error().field, "unit_id");
  // A port nobody listens on: bind one, note it, close it.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  auto refused = poller.Poll({"127.0.0.1", ntohs(addr.sin_port), 1, maps_[0]});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("connect"), std::string::npos);
}

TEST_F(ModbusLoopback, RefusesSocketsLibmodbusCannotSelectOn) {
  // Fill every descriptor below FD_SETSIZE, so the next socket would be numbered 1024 or more.
  std::vector<int> fillers;
  for (int fd = open("/dev/null", O_RDONLY | O_CLOEXEC); fd >= 0; fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    fillers.push_back(fd);
    if (fd >= FD_SETSIZE - 1) break;
  }
  ASSERT_GE(fillers.back(), FD_SETSIZE - 1) << "cannot open enough descriptors";
  ModbusPoller poller;
  auto reading = poller.Poll(Target(0));
  for (int fd : fillers) close(fd);
  ASSERT_FALSE(reading);  // an Error, not a crash inside libmodbus's select()
  EXPECT_EQ(reading.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(reading.error().message.find("select() limit"), std::string::npos) << reading.error().message;
  EXPECT_TRUE(poller.Poll(Target(0)));  // with descriptors free again, it connects
}

TEST(ModbusGateway, PollsMetersBehindOnePortByUnitId) {
  auto sdm = Map("eastron-sdm120.toml");
  ModbusMeterSim::Options options;
  options.layout = ModbusMeterSim::Layout::kGateway;
  auto sim = ModbusMeterSim::Start(options, {{"a", sdm, 1, 1}, {"b", sdm, 2, 2}, {"c", sdm, 3, 3}});
  ASSERT_TRUE(sim);
  ModbusPoller poller;
  for (uint8_t unit : {1, 2, 3}) {
    auto reading = poller.Poll({"127.0.0.1", (*sim)->Port(0), unit, sdm});
    ASSERT_TRUE(reading) << reading.error().message;
    EXPECT_EQ(reading->values, *(*sim)->Published(unit - 1));
  }
  EXPECT_EQ(poller.counters().connects, 1u);  // one connection to the gateway
  auto missing = poller.Poll({"127.0.0.1", (*sim)->Port(0), 9, sdm});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::kUnavailable);  // gateway target did not respond
}

}  // namespace
}  // namespace meterd::headend
