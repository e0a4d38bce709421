// SPDX-License-Identifier: Apache-2.0
// The M-Bus master against the simulated converter on loopback TCP (device/mbus_bus_sim.h):
// readouts equal the simulated registers, the FCB, multi-telegram answers, the secondary scan,
// collisions, silence and retries.
#include "headend/mbus_master.h"

#include <gtest/gtest.h>

#include <set>

#include "codec/mbus/control_field.h"
#include "device/mbus_bus_sim.h"
#include "headend/mbus_values.h"

namespace meterd::headend {
namespace {

namespace mb = codec::mbus;
using core::Quantity;
using core::Unit;
using device::MbusMeterKind;

core::Instant At(const char* text) { return *core::ParseInstant(text); }

device::MbusMeterConfig Meter(MbusMeterKind kind, uint8_t primary, uint32_t id) {
  device::MbusMeterConfig c;
  c.kind = kind;
  c.primary_address = primary;
  c.id = id;
  c.seed = 1000 + primary;
  return c;
}

uint32_t Bcd(uint32_t decimal) {
  uint32_t out = 0;
  for (int i = 0; i < 8; ++i, decimal /= 10) out |= (decimal % 10) << (4 * i);
  return out;
}

const MbusValue* Find(const MbusValues& v, std::string_view name, uint64_t storage = 0, uint32_t tariff = 0) {
  for (const auto& x : v.values) {
    if (x.name == name && x.storage_number == storage && x.tariff == tariff) return &x;
  }
  return nullptr;
}

std::optional<Quantity> Value(const MbusValues& v, std::string_view name, uint64_t storage = 0, uint32_t tariff = 0) {
  const MbusValue* x = Find(v, name, storage, tariff);
  return x ? x->quantity : std::nullopt;
}

class MbusMasterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(bus_.AddMeter(Meter(MbusMeterKind::kWater, 1, 10000001)));
    ASSERT_TRUE(bus_.AddMeter(Meter(MbusMeterKind::kWarmWater, 2, 10000002)));
    ASSERT_TRUE(bus_.AddMeter(Meter(MbusMeterKind::kHeat, 3, 10000003)));
    ASSERT_TRUE(bus_.AddMeter(Meter(MbusMeterKind::kGas, 4, 10000004)));
    ASSERT_TRUE(bus_.AddMeter(Meter(MbusMeterKind::kElectricity, 5, 10000005)));
    auto kj = Meter(MbusMeterKind::kHeat, 6, 10000006);
    kj.energy_in_kj = true;
    ASSERT_TRUE(bus_.AddMeter(kj));
    auto split = Meter(MbusMeterKind::kHeat, 7, 10000007);
    split.two_telegrams = true;
    ASSERT_TRUE(bus_.AddMeter(split));
    bus_.AdvanceTo(At("2026-02-03T12:00:00Z"));  // across 1 February: the due day
    auto port = bus_.Start();
    ASSERT_TRUE(port) << port.error().ToString();
    options_.port = *port;
    options_.answer_timeout = std::chrono::milliseconds(200);
    options_.byte_gap = std::chrono::milliseconds(20);
    auto master = MbusMaster::Connect(options_);
    ASSERT_TRUE(master) << master.error().ToString();
    master_ = std::move(*master);
  }

  // Reads `address` and checks the answer against the simulator's registers.
  MbusValues ReadAndMap(uint8_t address, const device::MbusMeterRegisters& r, uint32_t id, uint8_t medium) {
    auto readout = master_->ReadPrimary(address);
    EXPECT_TRUE(readout) << readout.error().ToString();
    if (!readout) return {};
    EXPECT_EQ(readout->primary_address, address);
    EXPECT_EQ(readout->secondary_address.id_digits, Bcd(id));
    EXPECT_EQ(readout->secondary_address.medium, medium);
    EXPECT_EQ(readout->data.header.access_number, r.access_number);
    const MbusValues v = MapMbusValues(readout->data);
    EXPECT_TRUE(v.skipped.empty()) << v.skipped.front().reason;
    EXPECT_TRUE(v.main);
    EXPECT_EQ(Find(v, "time_point")->time->ToString(), "2026-02-03T12:00");
    EXPECT_EQ(Find(v, "time_point", 1)->time->ToString(), "2026-02-01");
    EXPECT_EQ(Value(v, "fabrication_number"), (Quantity{r.fabrication_number, 0, Unit::kNone}));
    EXPECT_EQ(Value(v, "error_flags"), (Quantity{r.error_flags, 0, Unit::kNone}));
    return v;
  }

  device::MbusBusSim bus_{At("2026-01-20T00:00:00Z")};
  MbusMasterOptions options_;
  std::unique_ptr<MbusMaster> master_;
};

TEST_F(MbusMasterTest, PrimaryReadOfEachMediumEqualsTheRegisters) {
  for (uint8_t a : {1, 2, 4}) {
    const auto r = *bus_.Registers(a);
    ASSERT_GT(r.volume_l, 0);
    const uint8_t medium = a == 1 ? 0x07 : a == 2 ? 0x06 : 0x03;
    const MbusValues v = ReadAndMap(a, r, 10000000 + a, medium);
    ASSERT_TRUE(v.main);
    EXPECT_EQ(v.values[*v.main].name, "volume");
    EXPECT_EQ(v.values[*v.main].quantity, (Quantity{r.volume_l, -3, Unit::kM3}));
    EXPECT_EQ(Value(v, "volume", 1), (Quantity{r.due_day_value, -3, Unit::kM3}));
    EXPECT_EQ(Value(v, "volume_flow"), (Quantity{r.volume_flow_l_h, -3, Unit::kM3PerH}));
  }
  {
    const auto r = *bus_.Registers(3);
    const MbusValues v = ReadAndMap(3, r, 10000003, 0x04);
    ASSERT_TRUE(v.main);
    EXPECT_EQ(v.values[*v.main].quantity, (Quantity{r.energy_wh, 0, Unit::kWh}));
    EXPECT_EQ(Value(v, "energy", 1), (Quantity{r.due_day_value, 0, Unit::kWh}));
    EXPECT_EQ(Value(v, "volume"), (Quantity{r.volume_l, -3, Unit::kM3}));
    EXPECT_EQ(Value(v, "power"), (Quantity{r.power_w, 0, Unit::kW}));
    EXPECT_EQ(Value(v, "volume_flow"), (Quantity{r.volume_flow_l_h, -3, Unit::kM3PerH}));
    EXPECT_EQ(Value(v, "flow_temperature"), (Quantity{r.flow_temperature_dc, -1, Unit::kDegC}));
    EXPECT_EQ(Value(v, "return_temperature"), (Quantity{r.return_temperature_dc, -1, Unit::kDegC}));
    EXPECT_EQ(Value(v, "temperature_difference"), (Quantity{r.temperature_difference_ck, -2, Unit::kK}));
    EXPECT_GT(r.power_w, 0);
  }
  {
    const auto r = *bus_.Registers(5);
    const MbusValues v = ReadAndMap(5, r, 10000005, 0x02);
    ASSERT_TRUE(v.main);
    EXPECT_EQ(v.values[*v.main].quantity, (Quantity{r.energy_wh, 0, Unit::kWh}));
    EXPECT_EQ(Value(v, "energy", 0, 1), (Quantity{r.energy_t1_wh, 0, Unit::kWh}));
    EXPECT_EQ(Value(v, "energy", 0, 2), (Quantity{r.energy_t2_wh, 0, Unit::kWh}));
    EXPECT_EQ(r.energy_t1_wh + r.energy_t2_wh, r.energy_wh);
    EXPECT_EQ(Value(v, "power"), (Quantity{r.power_w, 0, Unit::kW}));
  }
  {
    const auto r = *bus_.Registers(6);
    const MbusValues v = ReadAndMap(6, r, 10000006, 0x04);
    ASSERT_TRUE(v.main);
    EXPECT_EQ(v.values[*v.main].quantity, (Quantity{r.energy_kj, 3, Unit::kJ}));
  }
}

TEST_F(MbusMasterTest, RegistersGrowBetweenReads) {
  auto first = master_->ReadPrimary(3);
  ASSERT_TRUE(first);
  bus_.AdvanceTo(At("2026-02-10T12:00:00Z"));
  auto second = master_->ReadPrimary(3);
  ASSERT_TRUE(second);
  const MbusValues v1 = MapMbusValues(first->data), v2 = MapMbusValues(second->data);
  ASSERT_TRUE(v1.main && v2.main);
  EXPECT_GT(v2.values[*v2.main].quantity->value, v1.values[*v1.main].quantity->value);
  EXPECT_EQ(v2.values[*v2.main].quantity, (Quantity{bus_.Registers(3)->energy_wh, 0, Unit::kWh}));
  EXPECT_EQ(second->data.header.access_number, static_cast<uint8_t>(first->data.header.access_number + 1));
}

TEST_F(MbusMasterTest, RepeatedFcbGetsTheSameAnswer) {
  auto nke = master_->Exchange(mb::SndNke(1));
  ASSERT_TRUE(nke);
  EXPECT_EQ(nke->kind, MbusAnswerKind::kAck);
  auto a = master_->Exchange(mb::ReqUd2(1, true));
  auto repeat = master_->Exchange(mb::ReqUd2(1, true));
  auto next = master_->Exchange(mb::ReqUd2(1, false));
  ASSERT_TRUE(a && repeat && next);
  ASSERT_EQ(a->kind, MbusAnswerKind::kFrame);
  EXPECT_EQ(repeat->bytes, a->bytes);  // the slave thinks its answer was lost
  ASSERT_EQ(next->kind, MbusAnswerKind::kFrame);
  EXPECT_NE(next->bytes, a->bytes);
  const uint8_t access_a = a->frame.data[8], access_next = next->frame.data[8];
  EXPECT_EQ(access_next, static_cast<uint8_t>(access_a + 1));
  // Without FCV (C 4B is not a valid REQ_UD2) the slaves stay silent: a wrong C field is no request.
  mb::Frame bad{mb::FrameType::kShort, 0x4B, 1, 0, {}};
  auto silent = master_->Exchange(bad);
  ASSERT_TRUE(silent);
  EXPECT_EQ(silent->kind, MbusAnswerKind::kSilence);
}

TEST_F(MbusMasterTest, MultiTelegramAnswerIsMerged) {
  const auto r = *bus_.Registers(7);
  auto readout = master_->ReadPrimary(7);
  ASSERT_TRUE(readout) << readout.error().ToString();
  EXPECT_EQ(readout->telegrams.size(), 2u);
  EXPECT_FALSE(readout->data.more_records_follow);
  EXPECT_EQ(readout->data.header.access_number, r.access_number);
  const MbusValues v = MapMbusValues(readout->data);
  EXPECT_TRUE(v.skipped.empty());
  EXPECT_EQ(v.values.size(), 12u);  // the same records as a one-telegram heat meter
  EXPECT_EQ(v.values[*v.main].quantity, (Quantity{r.energy_wh, 0, Unit::kWh}));
  EXPECT_EQ(Value(v, "energy", 1), (Quantity{r.due_day_value, 0, Unit::kWh}));
  // And by secondary address: select, then both telegrams at FD.
  auto by_secondary = master_->ReadSecondary(mb::SecondaryAddress{Bcd(10000007), 0xFFFF, 0xFF, 0xFF});
  ASSERT_TRUE(by_secondary) << by_secondary.error().ToString();
  EXPECT_EQ(by_secondary->telegrams.size(), 2u);
  EXPECT_EQ(by_secondary->data.records.size(), readout->data.records.size());
}

TEST_F(MbusMasterTest, SecondaryReadOfOneMeter) {
  const auto want = mb::SecondaryAddress{Bcd(10000005), 0xFFFF, 0xFF, 0x02};
  auto readout = master_->ReadSecondary(want);
  ASSERT_TRUE(readout) << readout.error().ToString();
  EXPECT_EQ(readout->primary_address, 5);
  EXPECT_EQ(readout->secondary_address.ToString().substr(0, 8), "10000005");
  // A mask that selects nobody: silence after the retries.
  auto none = master_->ReadSecondary(mb::SecondaryAddress{Bcd(99999999), 0xFFFF, 0xFF, 0xFF});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, core::ErrorCode::kUnavailable);
  // A mask that selects several: the E5s collide.
  auto many = master_->ReadSecondary(mb::SecondaryAddress{0x1000000F, 0xFFFF, 0xFF, 0xFF});
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().code, core::ErrorCode::kCorruption);
}

TEST_F(MbusMasterTest, BroadcastCollisionIsDetected) {
  const auto before = master_->stats();
  auto readout = master_->ReadPrimary(mb::address::kBroadcastReply);
  ASSERT_FALSE(readout);
  EXPECT_EQ(readout.error().code, core::ErrorCode::kCorruption) << readout.error().ToString();
  EXPECT_NE(readout.error().message.find("broadcast FE"), std::string::npos) << readout.error().message;
  EXPECT_NE(readout.error().message.find("collision"), std::string::npos);
  EXPECT_EQ(master_->stats().garbled - before.garbled, 3u);
  EXPECT_EQ(master_->stats().timeouts, before.timeouts);  // a collision is not silence
  EXPECT_EQ(bus_.stats().collisions, 3u);
  // FF: everybody listens, nobody answers.
  auto ff = master_->Exchange(mb::SndNke(mb::address::kBroadcastNoReply));
  ASSERT_TRUE(ff);
  EXPECT_EQ(ff->kind, MbusAnswerKind::kSilence);
}

TEST_F(MbusMasterTest, SilentAddressTimesOutAfterTheRetries) {
  const auto before = master_->stats();
  const auto start = std::chrono::steady_clock::now();
  auto readout = master_->ReadPrimary(77);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(readout);
  EXPECT_EQ(readout.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(readout.error().field, "primary address 77");
  EXPECT_NE(readout.error().message.find("no answer from primary address 77 to SND_NKE"), std::string::npos)
      << readout.error().message;
  EXPECT_NE(readout.error().message.find("3 tries"), std::string::npos);
  EXPECT_EQ(master_->stats().requests - before.requests, 3u);
  EXPECT_EQ(master_->stats().timeouts - before.timeouts, 3u);
  EXPECT_EQ(master_->stats().retries - before.retries, 2u);
  EXPECT_GE(waited, 3 * options_.answer_timeout);
}

TEST_F(MbusMasterTest, GarbledAnswerIsRetried) {
  ASSERT_TRUE(master_->SndNke(1));
  const auto r = *bus_.Registers(1);
  bus_.InjectFaults(1, 2, device::MbusFault::kBadChecksum);
  const auto before = master_->stats();
  auto readout = master_->ReadPrimary(1);
  ASSERT_TRUE(readout) << readout.error().ToString();
  EXPECT_EQ(master_->stats().garbled - before.garbled, 2u);
  EXPECT_EQ(master_->stats().retries - before.retries, 2u);
  // The slave repeated the same answer (same FCB), so one access number was used, not three.
  EXPECT_EQ(readout->data.header.access_number, r.access_number);
  EXPECT_EQ(bus_.Registers(1)->access_number, static_cast<uint8_t>(r.access_number + 1));

  bus_.InjectFaults(1, 1, device::MbusFault::kTruncated);
  auto truncated = master_->ReadPrimary(1);
  ASSERT_TRUE(truncated) << truncated.error().ToString();

  bus_.InjectFaults(1, 3, device::MbusFault::kBadChecksum);
  auto failed = master_->ReadPrimary(1);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, core::ErrorCode::kCorruption);
  EXPECT_NE(failed.error().message.find("checksum"), std::string::npos) << failed.error().message;
}

TEST(MbusMasterScan, FindsExactlyTheFiftyMeters) {
  device::MbusBusSim bus(At("2026-03-01T00:00:00Z"));
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < 10; ++i) ids.push_back(12345670 + i);  // seven digits shared
  for (uint32_t i = 0; i < 4; ++i) ids.push_back(12345600 + i);   // six shared with those
  ids.insert(ids.end(), {87654321, 87654320, 87654311, 1, 2, 10, 99999999, 99999998, 55555555, 55555556});
  uint64_t x = 42;
  while (ids.size() < 50) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint32_t id = static_cast<uint32_t>((x >> 33) % 100000000);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  const MbusMeterKind kinds[] = {MbusMeterKind::kWater, MbusMeterKind::kWarmWater, MbusMeterKind::kHeat,
                                 MbusMeterKind::kGas, MbusMeterKind::kElectricity};
  for (size_t i = 0; i < ids.size(); ++i) {
    auto c = Meter(kinds[i % 5], static_cast<uint8_t>(i + 1), ids[i]);
    c.two_telegrams = i % 7 == 0;
    ASSERT_TRUE(bus.AddMeter(c));
  }
  auto port = bus.Start();
  ASSERT_TRUE(port);
  MbusMasterOptions options;
  options.port = *port;
  // Loopback answers come within a millisecond; a silent select costs the whole timeout.
  options.answer_timeout = std::chrono::milliseconds(25);
  options.byte_gap = std::chrono::milliseconds(5);
  auto master = MbusMaster::Connect(options);
  ASSERT_TRUE(master);
  const auto start = std::chrono::steady_clock::now();
  auto scan = (*master)->ScanSecondary();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(scan) << scan.error().ToString();
  std::set<std::string> found, expected;
  for (const auto& m : scan->meters) found.insert(m.secondary_address.ToString());
  for (const auto& a : bus.SecondaryAddresses()) expected.insert(a.ToString());
  EXPECT_EQ(scan->meters.size(), 50u);
  EXPECT_EQ(found, expected);
  EXPECT_TRUE(scan->conflicts.empty());
  EXPECT_TRUE(scan->errors.empty());
  // Every select was silent, collided or got one E5 (a late answer asked again adds selects).
  EXPECT_GE(scan->selects - scan->silent - scan->collisions, 50u);
  EXPECT_GT(scan->requests, scan->selects);  // plus the readouts
  EXPECT_EQ(scan->requests, (*master)->stats().requests);
  ::testing::Test::RecordProperty("scan_requests", static_cast<int>(scan->requests));
  std::printf(
      "scan of 50 meters: %llu requests (%llu selects: %llu silent, %llu collisions; %llu asked again), %.2f s\n",
      static_cast<unsigned long long>(scan->requests), static_cast<unsigned long long>(scan->selects),
      static_cast<unsigned long long>(scan->silent), static_cast<unsigned long long>(scan->collisions),
      static_cast<unsigned long long>(scan->reprobes), seconds);
  // The ids sharing seven digits forced the search down to the last digit.
  EXPECT_GE(scan->collisions, 8u);
}

TEST(MbusMasterScan, LateAnswersAreAskedAgain) {
  device::MbusBusSim bus(At("2026-03-01T00:00:00Z"));
  for (uint32_t i = 0; i < 12; ++i) {
    ASSERT_TRUE(bus.AddMeter(Meter(MbusMeterKind::kWater, static_cast<uint8_t>(i + 1), 30000000 + 1111 * i)));
  }
  MbusMasterOptions options;
  options.answer_timeout = std::chrono::milliseconds(25);
  options.byte_gap = std::chrono::milliseconds(5);
  // Meter 1's first answer, its E5 in the collision on the first select, comes 40 ms late and
  // the collision with it: the select looks silent, but the master must not take the bus for
  // empty.
  bus.InjectFaults(1, 1, device::MbusFault::kLate, std::chrono::milliseconds(40));
  auto port = bus.Start();
  ASSERT_TRUE(port);
  options.port = *port;
  auto master = MbusMaster::Connect(options);
  ASSERT_TRUE(master);
  auto scan = (*master)->ScanSecondary();
  ASSERT_TRUE(scan) << scan.error().ToString();
  EXPECT_EQ(scan->meters.size(), 12u);
  EXPECT_GE(scan->reprobes, 1u);
  EXPECT_GE((*master)->stats().late_answers, 1u);
  EXPECT_TRUE(scan->errors.empty());
}

}  // namespace
}  // namespace meterd::headend
