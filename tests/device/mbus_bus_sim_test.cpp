// SPDX-License-Identifier: Apache-2.0
// The simulated M-Bus converter and meters, driven through Handle() without a socket, and the
// server's start and stop with a full bus of 250 meters.
#include "device/mbus_bus_sim.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "codec/mbus/frame.h"
#include "codec/mbus/requests.h"
#include "codec/mbus/user_data.h"

namespace meterd::device {
namespace {

namespace mb = codec::mbus;

core::Instant At(const char* text) { return *core::ParseInstant(text); }

std::vector<uint8_t> Bytes(const mb::Frame& f) { return *mb::EncodeFrame(f); }

MbusMeterConfig Meter(MbusMeterKind kind, uint8_t primary, uint32_t id) {
  MbusMeterConfig c;
  c.kind = kind;
  c.primary_address = primary;
  c.id = id;
  c.seed = primary;
  return c;
}

mb::VariableData Decode(const std::vector<uint8_t>& bytes) {
  auto frame = mb::DecodeFrame(bytes);
  EXPECT_TRUE(frame) << (frame ? "" : frame.error().ToString());
  auto data = mb::DecodeUserData(*frame);
  EXPECT_TRUE(data);
  return std::get<mb::VariableData>(*data);
}

TEST(MbusBusSim, AnswersAsSlavesDo) {
  MbusBusSim bus(At("2026-05-10T08:00:00Z"));
  ASSERT_TRUE(bus.AddMeter(Meter(MbusMeterKind::kWater, 1, 12345678)));
  ASSERT_TRUE(bus.AddMeter(Meter(MbusMeterKind::kGas, 2, 12345679)));
  EXPECT_EQ(bus.Handle(Bytes(mb::SndNke(1))), std::vector<uint8_t>{0xE5});
  EXPECT_TRUE(bus.Handle(Bytes(mb::SndNke(3))).empty());
  EXPECT_TRUE(bus.Handle(Bytes(mb::SndNke(0xFF))).empty());

  const auto data = Decode(bus.Handle(Bytes(mb::ReqUd2(1, true))));
  EXPECT_EQ(data.header.id, "12345678");
  EXPECT_EQ(data.header.manufacturer_code, "SEN");
  EXPECT_EQ(data.header.medium, 0x07);
  ASSERT_EQ(data.records.size(), 7u);
  EXPECT_EQ(data.records[1].quantity, "Volume");
  EXPECT_EQ(data.records[1].value, mb::Value(mb::Integer{bus.Registers(1)->volume_l}));
  EXPECT_EQ(data.records[3].quantity, "Time point (date & time)");
  EXPECT_EQ(std::get<mb::DateTime>(data.records[3].value).ToString(), "2026-05-10T08:00");

  // Select by a wildcard that matches one: E5, then it answers at FD.
  const mb::SecondaryAddress one{0x1234567F, 0xFFFF, 0xFF, 0x07};
  EXPECT_EQ(bus.Handle(Bytes(mb::SelectSecondary(one))), std::vector<uint8_t>{0xE5});
  EXPECT_EQ(Decode(bus.Handle(Bytes(mb::ReqUd2(0xFD, true)))).header.id, "12345678");
  // Matching both: the E5s collide; then both are selected and collide again at FD.
  const mb::SecondaryAddress both{0x1234567F, 0xFFFF, 0xFF, 0xFF};
  const auto collision = bus.Handle(Bytes(mb::SelectSecondary(both)));
  ASSERT_FALSE(collision.empty());
  EXPECT_FALSE(mb::DecodeFrame(collision));
  EXPECT_FALSE(mb::DecodeFrame(bus.Handle(Bytes(mb::ReqUd2(0xFD, true)))));
  // Matching none deselects all: silence at FD.
  EXPECT_TRUE(bus.Handle(Bytes(mb::SelectSecondary(mb::SecondaryAddress{0x9FFFFFFF, 0xFFFF, 0xFF, 0xFF}))).empty());
  EXPECT_TRUE(bus.Handle(Bytes(mb::ReqUd2(0xFD, false))).empty());
  // Broadcast FE: both answer, a collision.
  EXPECT_FALSE(mb::DecodeFrame(bus.Handle(Bytes(mb::ReqUd2(0xFE, true)))));
  const auto stats = bus.stats();
  EXPECT_EQ(stats.collisions, 3u);
  // Invalid telegrams are ignored.
  EXPECT_TRUE(bus.Handle(std::vector<uint8_t>{0x10, 0x5B, 0x01, 0x00, 0x16}).empty());
}

TEST(MbusBusSim, FcbRepeatAndTwoTelegrams) {
  MbusBusSim bus(At("2026-05-10T08:00:00Z"));
  auto c = Meter(MbusMeterKind::kHeat, 9, 1);
  c.two_telegrams = true;
  ASSERT_TRUE(bus.AddMeter(c));
  bus.Handle(Bytes(mb::SndNke(9)));
  const auto first = bus.Handle(Bytes(mb::ReqUd2(9, true)));
  EXPECT_EQ(bus.Handle(Bytes(mb::ReqUd2(9, true))), first);  // FCB not toggled: the same again
  const auto second = bus.Handle(Bytes(mb::ReqUd2(9, false)));
  const auto a = Decode(first), b = Decode(second);
  EXPECT_TRUE(a.more_records_follow);
  EXPECT_FALSE(b.more_records_follow);
  EXPECT_EQ(b.header.access_number, static_cast<uint8_t>(a.header.access_number + 1));
  EXPECT_EQ(a.records.size() - 1 + b.records.size(), 12u);                          // minus the 1F marker
  EXPECT_TRUE(Decode(bus.Handle(Bytes(mb::ReqUd2(9, true)))).more_records_follow);  // from the top
}

TEST(MbusBusSim, RegistersFollowTheLoadProfile) {
  MbusBusSim bus(At("2026-01-31T00:00:00Z"));
  ASSERT_TRUE(bus.AddMeter(Meter(MbusMeterKind::kElectricity, 1, 1)));
  ASSERT_TRUE(bus.AddMeter(Meter(MbusMeterKind::kHeat, 2, 2)));
  const auto e0 = *bus.Registers(1);
  const auto h0 = *bus.Registers(2);
  EXPECT_EQ(e0.due_day.month, 1u);
  bus.AdvanceTo(At("2026-02-02T00:00:00Z"));
  const auto e1 = *bus.Registers(1);
  const auto h1 = *bus.Registers(2);
  EXPECT_GT(e1.energy_wh, e0.energy_wh + 5000);  // two winter days of a household: several kWh
  EXPECT_EQ(e1.energy_t1_wh + e1.energy_t2_wh, e1.energy_wh);
  EXPECT_GT(e1.energy_t1_wh, e0.energy_t1_wh);
  EXPECT_GT(e1.energy_t2_wh, e0.energy_t2_wh);
  EXPECT_EQ(e1.due_day.month, 2u);
  EXPECT_EQ(e1.due_day.day, 1u);
  EXPECT_GT(e1.due_day_value, e0.energy_wh);
  EXPECT_LT(e1.due_day_value, e1.energy_wh);
  EXPECT_GT(h1.volume_l, h0.volume_l);
  EXPECT_GT(h1.energy_wh, h0.energy_wh);
  // Q = V c dT: the energy follows the volume exactly, to the Wh.
  const int64_t expected_e5 = (h1.volume_l - h0.volume_l) * h0.temperature_difference_ck * 1163;
  EXPECT_NEAR(static_cast<double>(h1.energy_wh - h0.energy_wh), expected_e5 / 1e5, 1.0);
}

TEST(MbusBusSim, RejectsBadConfig) {
  MbusBusSim bus(At("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(bus.AddMeter(Meter(MbusMeterKind::kWater, 251, 1)));
  EXPECT_FALSE(bus.AddMeter(Meter(MbusMeterKind::kWater, 1, 100000000)));
}

TEST(MbusBusSim, FullBusStartsAndStopsCleanly) {
  MbusBusSim bus(At("2026-01-01T00:00:00Z"));
  for (int i = 1; i <= 250; ++i) {
    ASSERT_TRUE(bus.AddMeter(Meter(static_cast<MbusMeterKind>(i % 5), static_cast<uint8_t>(i), 20000000 + i)));
  }
  for (int round = 0; round < 3; ++round) {
    auto port = bus.Start();
    ASSERT_TRUE(port) << port.error().ToString();
    ASSERT_NE(*port, 0);
    // Ready on return: connect and ask at once.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(*port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const auto request = Bytes(mb::SndNke(250));
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    uint8_t answer = 0;
    ASSERT_EQ(::recv(fd, &answer, 1, 0), 1);
    EXPECT_EQ(answer, 0xE5);
    bus.Stop();
    EXPECT_EQ(::recv(fd, &answer, 1, 0), 0);  // the converter closed the connection
    ::close(fd);
  }
  bus.Stop();  // idempotent
}

}  // namespace
}  // namespace meterd::device
