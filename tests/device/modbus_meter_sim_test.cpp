// SPDX-License-Identifier: Apache-2.0
// The simulator on the wire: requests built and answers checked byte for byte with the ADU codec,
// over a plain socket (no libmodbus on this side).
#include "device/modbus_meter_sim.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <string>
#include <vector>

#include "codec/modbus/adu.h"

namespace meterd::device {
namespace {

namespace modbus = codec::modbus;
using Bytes = std::vector<uint8_t>;

std::shared_ptr<const modbus::RegisterMap> Map(const char* file) {
  auto map = modbus::LoadRegisterMap(std::string(METERD_METERS_DIR) + "/" + file);
  EXPECT_TRUE(map) << map.error().message;
  return std::make_shared<const modbus::RegisterMap>(map.value_or(modbus::RegisterMap{}));
}

// A blocking client socket with a 5 s receive timeout, so a missing answer fails the test.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }

  // Sends `request` and returns the whole ADU that comes back (empty on timeout or EOF).
  Bytes Exchange(const Bytes& request) {
    if (!Send(request)) return {};
    return Receive();
  }
  bool Send(const Bytes& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // The next whole ADU.
  Bytes Receive() {
    Bytes adu = Read(modbus::kMbapSize);
    auto header = modbus::DecodeMbapHeader(adu);
    if (!header) return adu;
    Bytes rest = Read(modbus::AduSize(*header) - adu.size());
    adu.insert(adu.end(), rest.begin(), rest.end());
    return adu;
  }

 private:
  Bytes Read(size_t n) {
    Bytes out(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = recv(fd_, out.data() + got, n - got, 0);
      if (r <= 0) return {};
      got += static_cast<size_t>(r);
    }
    return out;
  }
  int fd_ = -1;
  bool connected_ = false;
};

Bytes Request(uint16_t tid, uint8_t unit, modbus::FunctionCode f, uint16_t address, uint16_t count) {
  return modbus::EncodeReadRequest({tid, unit, f, address, count}).value();
}

constexpr auto kInput = modbus::FunctionCode::kReadInputRegisters;
constexpr auto kHolding = modbus::FunctionCode::kReadHoldingRegisters;

TEST(ModbusMeterSim, AnswersReadsOnTheWire) {
  auto sim = ModbusMeterSim::Start({}, {{"sdm120", Map("eastron-sdm120.toml"), 1, 7}});
  ASSERT_TRUE(sim) << sim.error().message;
  Client client((*sim)->Port(0));
  ASSERT_TRUE(client.connected());

  // Voltage, a float32 at input 0: about 230 V.
  Bytes answer = client.Exchange(Request(0x1234, 1, kInput, 0, 2));
  auto response = modbus::DecodeResponse(answer);
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_TRUE(modbus::CheckAnswers({0x1234, 1, kInput, 0, 2}, *response));
  const auto& words = std::get<modbus::ReadResponse>(*response).registers;
  float volts = std::bit_cast<float>(static_cast<uint32_t>(words[0]) << 16 | words[1]);
  EXPECT_NEAR(volts, 230, 2.5);

  // The whole 80-register block the planner asks for, with its gaps reading 0.
  response = modbus::DecodeResponse(client.Exchange(Request(2, 1, kInput, 0, 80)));
  ASSERT_TRUE(response);
  EXPECT_EQ(std::get<modbus::ReadResponse>(*response).registers.size(), 80u);
  EXPECT_EQ(std::get<modbus::ReadResponse>(*response).registers[2], 0);  // 0x0002 is not in an SDM120

  // Exceptions, byte for byte: outside the map, a holding read, a write, a zero quantity.
  EXPECT_EQ(client.Exchange(Request(3, 1, kInput, 0x1000, 2)), (Bytes{0, 3, 0, 0, 0, 3, 1, 0x84, 0x02}));
  EXPECT_EQ(client.Exchange(Request(4, 1, kHolding, 0, 2)), (Bytes{0, 4, 0, 0, 0, 3, 1, 0x83, 0x02}));
  EXPECT_EQ(client.Exchange({0, 5, 0, 0, 0, 6, 1, 0x06, 0, 1, 0, 1}), (Bytes{0, 5, 0, 0, 0, 3, 1, 0x86, 0x01}));
  EXPECT_EQ(client.Exchange({0, 6, 0, 0, 0, 6, 1, 0x04, 0, 0, 0, 0}), (Bytes{0, 6, 0, 0, 0, 3, 1, 0x84, 0x03}));
  // Still in step afterwards.
  EXPECT_TRUE(modbus::DecodeResponse(client.Exchange(Request(7, 1, kInput, 0x48, 2))));
  auto counters = (*sim)->counters();
  EXPECT_EQ(counters.requests, 3u);
  EXPECT_EQ(counters.exceptions, 4u);
  EXPECT_EQ(counters.connections, 1u);
}

TEST(ModbusMeterSim, FramesPipelinedAndSplitRequests) {
  auto sim = ModbusMeterSim::Start({}, {{"sdm120", Map("eastron-sdm120.toml"), 1, 7}});
  ASSERT_TRUE(sim);
  Client client((*sim)->Port(0));
  // Three requests in one segment: three answers, in order.
  Bytes three;
  for (uint16_t tid : {1, 2, 3}) {
    Bytes r = Request(tid, 1, kInput, 0x46, 2);
    three.insert(three.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(client.Send(three));
  for (uint16_t tid : {1, 2, 3}) {
    auto response = modbus::DecodeResponse(client.Receive());
    ASSERT_TRUE(response) << tid;
    EXPECT_TRUE(modbus::CheckAnswers({tid, 1, kInput, 0x46, 2}, *response));
  }
  // One request in two segments, split inside the MBAP header.
  Bytes r = Request(4, 1, kInput, 0x48, 2);
  ASSERT_TRUE(client.Send(Bytes(r.begin(), r.begin() + 5)));
  ASSERT_TRUE(client.Send(Bytes(r.begin() + 5, r.end())));
  auto response = modbus::DecodeResponse(client.Receive());
  ASSERT_TRUE(response);
  EXPECT_TRUE(modbus::CheckAnswers({4, 1, kInput, 0x48, 2}, *response));
  // Not Modbus TCP (protocol id 1): the connection is closed.
  EXPECT_TRUE(client.Exchange({0, 5, 0, 1, 0, 6, 1, 4, 0, 0, 0, 2}).empty());
}

TEST(ModbusMeterSim, GatewayRoutesByUnitId) {
  ModbusMeterSim::Options options;
  options.layout = ModbusMeterSim::Layout::kGateway;
  auto sim = ModbusMeterSim::Start(options, {{"a", Map("eastron-sdm120.toml"), 1, 1},
                                             {"b", Map("abb-b23.toml"), 2, 2}});
  ASSERT_TRUE(sim) << sim.error().message;
  ASSERT_EQ((*sim)->Port(0), (*sim)->Port(1));
  Client client((*sim)->Port(0));
  EXPECT_TRUE(modbus::DecodeResponse(client.Exchange(Request(1, 1, kInput, 0, 2))));
  auto abb = modbus::DecodeResponse(client.Exchange(Request(2, 2, kHolding, 0x5B2C, 1)));  // frequency
  ASSERT_TRUE(abb);
  uint16_t centi_hz = std::get<modbus::ReadResponse>(*abb).registers.at(0);
  EXPECT_GE(centi_hz, 4994);
  EXPECT_LE(centi_hz, 5006);
  EXPECT_EQ(client.Exchange(Request(3, 2, kInput, 0, 2)), (Bytes{0, 3, 0, 0, 0, 3, 2, 0x84, 0x02}));  // ABB has none
  EXPECT_EQ(client.Exchange(Request(4, 9, kInput, 0, 2)), (Bytes{0, 4, 0, 0, 0, 3, 9, 0x84, 0x0B}));
}

TEST(ModbusMeterSim, EnergyIntegratesExactlyAndRegistersTruncate) {
  auto sim = ModbusMeterSim::Start({}, {{"abb", Map("abb-b23.toml"), 1, 3}});
  ASSERT_TRUE(sim);
  auto& s = **sim;
  using modbus::EnergyChannel;
  using modbus::Phase;
  core::Quantity before = s.Energy(0, EnergyChannel::kImportActive, Phase::kTotal);
  s.AdvanceTo(s.Now() + core::Seconds{6 * 3600});
  core::Quantity after = s.Energy(0, EnergyChannel::kImportActive, Phase::kTotal);
  // A household on each phase: a few hundred Wh to a few kWh in six hours.
  EXPECT_GT(after.value - before.value, 100'000);
  EXPECT_LT(after.value - before.value, 20'000'000);
  int64_t phases = 0;
  for (Phase p : {Phase::kL1, Phase::kL2, Phase::kL3}) phases += s.Energy(0, EnergyChannel::kImportActive, p).value;
  EXPECT_EQ(phases, after.value);
  // The register counts 0.01 kWh: the exact mWh truncated to 10 Wh.
  auto published = s.Published(0);
  ASSERT_TRUE(published);
  for (const auto& v : *published) {
    if (v.name == "import_active_energy") {
      EXPECT_EQ(v.value, (core::Quantity{after.value / 10000 * 10, 0, core::Unit::kWh}));
    }
    if (v.name == "net_active_energy") {
      int64_t net = s.Energy(0, EnergyChannel::kNetActive, Phase::kTotal).value;
      EXPECT_EQ(v.value.value, net / 10000 * 10);
    }
  }
  // Time never goes back.
  s.AdvanceTo(s.Now() - core::Seconds{3600});
  EXPECT_EQ(s.Energy(0, EnergyChannel::kImportActive, Phase::kTotal), after);
}

TEST(ModbusMeterSim, ManyMetersStartAndStopCleanly) {
  std::vector<ModbusSimMeter> meters;
  auto map = Map("eastron-sdm630.toml");
  for (int i = 0; i < 300; ++i) meters.push_back({"m" + std::to_string(i), map, 1, static_cast<uint64_t>(i)});
  auto sim = ModbusMeterSim::Start({}, std::move(meters));
  ASSERT_TRUE(sim) << sim.error().message;
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < (*sim)->size(); ++i) ports.push_back((*sim)->Port(i));
  std::sort(ports.begin(), ports.end());
  EXPECT_EQ(std::unique(ports.begin(), ports.end()), ports.end());
  Client last(ports.back());
  EXPECT_TRUE(modbus::DecodeResponse(last.Exchange(Request(1, 1, kInput, 0x0156, 4))));
  (*sim)->Stop();
  (*sim)->Stop();  // idempotent
  Client refused(ports.front());  // the listening sockets are closed
  EXPECT_FALSE(refused.connected());
}

TEST(ModbusMeterSim, RejectsBadMeters) {
  EXPECT_FALSE(ModbusMeterSim::Start({}, {{"nomap", nullptr, 1, 1}}));
  EXPECT_FALSE(ModbusMeterSim::Start({}, {{"unit0", Map("eastron-sdm120.toml"), 0, 1}}));
  ModbusMeterSim::Options gateway;
  gateway.layout = ModbusMeterSim::Layout::kGateway;
  auto map = Map("eastron-sdm120.toml");
  auto twice = ModbusMeterSim::Start(gateway, {{"a", map, 5, 1}, {"b", map, 5, 2}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().field, "unit_id");
}

}  // namespace
}  // namespace meterd::device
