// SPDX-License-Identifier: Apache-2.0
// The simulated C12.19 meters on the wire: a client made of the codecs talks to them over real
// loopback TCP and UDP, decodes the tables with the c1219 decoders and the meter type's TDL, and
// compares with the simulator's own state. Time is the test's clock: nothing sleeps.
#include "device/c1222_meter_sim.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "c1222_test_client.h"
#include "codec/c1219/tables.h"

namespace meterd::device {
namespace {

namespace c1218 = codec::c1218;
namespace c1219 = codec::c1219;
namespace c1222 = codec::c1222;
using testing::Bytes;
using testing::C1222Client;
using c1218::CodeOf;
using c1218::Request;
using c1218::ResponseCode;

constexpr int64_t kStart = 1768471200;  // Thursday 2026-01-15 10:00:00Z: a weekday, peak tier
const std::string kTdlPath = std::string(METERD_METERS_DIR) + "/c1219/meterd-sim.xml";
const c1222::AesKey kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

c1222::ApTitle Title(const char* text) { return c1222::ParseApTitle(text).value(); }
Request Security(std::string_view password, std::optional<uint16_t> user = std::nullopt) {
  return Request{c1218::SecurityRequest{c1218::PadPassword(password), user}};
}
Request Logon(uint16_t user_id, std::string name, uint16_t timeout_s) {
  return Request{c1218::LogonRequest{user_id, std::move(name), timeout_s}};
}
Request FullRead(uint16_t table) { return Request{c1218::FullReadRequest{table}}; }
Request FullWrite(uint16_t table, Bytes data) { return Request{c1218::FullWriteRequest{table, std::move(data)}}; }

// The bytes of a read that must have worked (a failure is reported, and decodes as nothing).
Bytes Must(std::optional<Bytes> bytes) {
  if (!bytes) ADD_FAILURE() << "read failed";
  return bytes.value_or(Bytes{});
}

const c1219::Tdl& SimTdl() {  // the head-end's copy of the meter type, read from the file
  static const c1219::Tdl* tdl = [] {
    std::ifstream in(kTdlPath);
    std::stringstream text;
    text << in.rdbuf();
    auto t = c1219::ParseTdlWithFragments(c1219::StandardTdlXml(), "standard.xml", {{text.str(), "meterd-sim.xml"}});
    EXPECT_TRUE(t) << t.error().ToString();
    return new c1219::Tdl(std::move(*t));
  }();
  return *tdl;
}

class C1222MeterSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    C1222MeterSim::Options o;
    o.port = 0;
    o.tdl_path = kTdlPath;
    o.clock = [this] { return core::FromUnixSeconds(now_.load()); };
    std::vector<C1222SimMeter> meters(3);
    meters[0] = {"C12-000001", Title(".1153.1"), {3, 11, 0, false}};
    meters[1] = {"C12-000002", Title(".1153.2"), {1, 12, 3000, false}};
    meters[2] = {"C12-000003", Title(".1153.3"), {3, 13, 0, false}};
    meters[2].key = kKey;
    meters[2].key_id = 1;
    meters[2].require_security = true;
    auto sim = C1222MeterSim::Start(std::move(o), std::move(meters));
    ASSERT_TRUE(sim) << sim.error().ToString();
    sim_ = std::move(*sim);
    ASSERT_NE(sim_->port(), 0);
  }
  void Advance(int64_t seconds) { now_ += seconds; }

  // What a head-end learns first: ST0 and the dimension and selection tables.
  c1219::TableContext Context(C1222Client& c) {
    c1219::TableContext ctx(SimTdl());
    for (c1219::TableId id : {0, 21, 22, 27, 51, 61, 62, 71, 2048}) {
      auto bytes = c.Read(id);
      EXPECT_TRUE(bytes) << c1219::TableIdName(id);
      if (!bytes) continue;
      auto v = c1219::DecodeTable(ctx, id, *bytes);
      EXPECT_TRUE(v) << v.error().ToString();
      if (v) ctx.Put(id, std::move(*v));
    }
    return ctx;
  }

  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<C1222MeterSim> sim_;
};

TEST_F(C1222MeterSimTest, IdentifiesItselfOverTcpAndUdp) {
  for (bool udp : {false, true}) {
    C1222Client c(sim_->port(), Title(".1153.1"), udp);
    ASSERT_TRUE(c.connected());
    auto r = c.Call({Request{c1218::IdentifyRequest{}}});
    ASSERT_EQ(r.size(), 1u) << (udp ? "udp" : "tcp");
    const auto* id = std::get_if<c1218::IdentifyResponse>(&r[0]);
    ASSERT_NE(id, nullptr);
    EXPECT_EQ(id->standard, 3);  // C12.22
    ASSERT_GE(id->features.size(), 2u);
    EXPECT_EQ(id->features[0].code, c1218::FeatureCode::kSessionControl);
    EXPECT_EQ(std::string(id->features[1].identity.begin(), id->features[1].identity.end()), "C12-000001");
    // The reply is addressed back: called = our calling title, invocation id echoed.
    auto apdu = c1222::DecodeApdu(c.last());
    ASSERT_TRUE(apdu);
    EXPECT_EQ(apdu->called_ap_title, Title(".99.7"));
    EXPECT_EQ(apdu->calling_ap_title, Title(".1153.1"));
    EXPECT_EQ(apdu->called_ap_invocation_id, 1u);
  }
}

TEST_F(C1222MeterSimTest, UnknownApTitleIsAnsweredUat) {
  C1222Client c(sim_->port(), Title(".1153.99"));
  auto r = c.Call({FullRead(1)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kUat);
  // The absolute form of a known title reaches the meter.
  c.SetCalled(Title("2.16.124.113620.1.22.0.1153.2"));
  auto st1 = c.Read(1);
  ASSERT_TRUE(st1);
  EXPECT_NE(std::string(st1->begin(), st1->end()).find("SIM-1PH"), std::string::npos);
  EXPECT_EQ(sim_->counters().unknown_title, 1u);
}

TEST_F(C1222MeterSimTest, WrongPasswordIsRefusedAndKeepsTablesClosed) {
  C1222Client c(sim_->port(), Title(".1153.1"));
  auto r = c.Call({Logon(2, "operator", 30), Security("wrong", 2), FullRead(23)});
  ASSERT_EQ(r.size(), 3u);
  ASSERT_NE(std::get_if<c1218::LogonResponse>(&r[0]), nullptr);
  EXPECT_EQ(std::get<c1218::LogonResponse>(r[0]).session_idle_timeout_s, 30);
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kErr);
  EXPECT_EQ(CodeOf(r[2]), ResponseCode::kIsc);
  EXPECT_TRUE(c.Read(0)) << "ST0 is public";
  // The right password opens the session: later messages need no security service.
  r = c.Call({Security("operator")});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kOk);
  EXPECT_TRUE(c.Read(23));
  // The session times out on the meter's clock.
  Advance(31);
  r = c.Call({FullRead(23)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kIsc);
  // Sessionless: security with the user id in the same EPSEM as the read.
  r = c.Call({Security("reader", 1), FullRead(23), Request{c1218::TerminateRequest{}}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kOk);
  EXPECT_EQ(CodeOf(r[2]), ResponseCode::kOk);
  r = c.Call({FullRead(23), FullRead(24), Request{c1218::PartialReadIndexRequest{23, {0}, 1}}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kIsc) << "sessionless access lasts one EPSEM";
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kIar) << "ST24 is not in ST0";
  EXPECT_EQ(CodeOf(r[2]), ResponseCode::kSns);
}

TEST_F(C1222MeterSimTest, RegistersDecodeToTheSimulatedMetrology) {
  Advance(6 * 3600 + 1234);  // through the evening peak, off the quarter hour
  C1222Client c(sim_->port(), Title(".1153.1"));
  c.Call({Logon(1, "reader", 60), Security("reader")});
  c1219::TableContext ctx = Context(c);
  auto bytes = c.Read(23);
  ASSERT_TRUE(bytes);
  auto st23 = c1219::DecodeSt23(*bytes, ctx);
  ASSERT_TRUE(st23) << st23.error().ToString();
  const C1222Registers regs = sim_->Registers(0);
  ASSERT_EQ(st23->total.summations.size(), 4u);
  EXPECT_EQ(st23->total.summations[0], (core::Quantity{regs.total.summations[kWhDelivered], 0, core::Unit::kWh}));
  EXPECT_EQ(st23->total.summations[2], (core::Quantity{regs.total.summations[kVarhQ1], 0, core::Unit::kVarh}));
  ASSERT_EQ(st23->tiers.size(), 2u);
  for (int i = 0; i < kC1222Summations; ++i) {
    EXPECT_EQ(st23->tiers[0].summations[i].value + st23->tiers[1].summations[i].value, st23->total.summations[i].value);
  }
  EXPECT_EQ(st23->total.demands[0].demand[0], (core::Quantity{regs.total.max_demand_w, 0, core::Unit::kW}));
  EXPECT_GT(regs.total.max_demand_w, 0);
  EXPECT_EQ(st23->nbr_demand_resets, 0);

  // Present values: three voltages near 230 V, three currents, total power, frequency.
  auto st28 = c1219::DecodeSt28(Must(c.Read(28)), ctx);
  ASSERT_TRUE(st28) << st28.error().ToString();
  const C1222Present p = sim_->Present(0);
  ASSERT_EQ(st28->present_value.size(), 8u);
  EXPECT_EQ(st28->present_value[0], (core::Quantity{p.phases[0].voltage_dv, -1, core::Unit::kV}));
  EXPECT_NEAR(static_cast<double>(p.phases[2].voltage_dv), 2300, 25);
  EXPECT_EQ(st28->present_value[4], (core::Quantity{p.phases[1].current_ma, -3, core::Unit::kA}));
  EXPECT_EQ(st28->present_value[6], (core::Quantity{p.total_power_w, 0, core::Unit::kW}));

  // The clock, the tier (16:20 on a Thursday: peak), the manufacturer's per-phase table.
  auto st55 = c1219::DecodeSt55(Must(c.Read(55)), ctx);
  ASSERT_TRUE(st55);
  EXPECT_EQ(st55->clock_calendar, (c1219::TimeDate{2026, 1, 15, 16, 20, 34, 0}));
  EXPECT_EQ(st55->curr_tier, 1);
  auto mt1 = c1219::DecodeTable(ctx, c1219::MfgTable(1), Must(c.Read(c1219::MfgTable(1))));
  ASSERT_TRUE(mt1) << mt1.error().ToString();
  ASSERT_EQ(mt1->Find("PHASE")->items().size(), 3u);
  EXPECT_EQ(*mt1->Find("PHASE")->items()[1].Find("ACTIVE_POWER"), c1219::Value::Measured({p.phases[1].power_w, 0, core::Unit::kW}));
}

TEST_F(C1222MeterSimTest, LoadProfileBlocksAddUpToTheirEndReadings) {
  C1222Client c(sim_->port(), Title(".1153.1"));
  c.Call({Logon(1, "reader", 60), Security("reader")});
  c1219::TableContext ctx = Context(c);
  auto st61 = c1219::DecodeSt61(Must(c.Read(61)), ctx);
  ASSERT_TRUE(st61);
  ASSERT_TRUE(st61->sets[0]);
  EXPECT_EQ(st61->sets[0]->nbr_blks, 8);
  EXPECT_EQ(st61->sets[0]->nbr_blk_ints, 96);
  auto st63 = c1219::DecodeSt63(Must(c.Read(63)), ctx);
  ASSERT_TRUE(st63);
  const c1219::LpSetStatus& s = *st63->sets[0];
  EXPECT_EQ(s.nbr_valid_blocks, 8);  // installed 7 days before the start day
  EXPECT_EQ(s.nbr_valid_int, 40);    // 00:00 .. 10:00
  auto full = c.Read(64);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->size(), st61->lp_memory_len);
  // The same bytes in partial reads by offset.
  Bytes pieces;
  for (uint32_t off = 0; off < full->size(); off += 1000) {
    const auto n = static_cast<uint16_t>(std::min<size_t>(1000, full->size() - off));
    auto r = c.Call({Request{c1218::PartialReadOffsetRequest{64, off, n}}});
    ASSERT_EQ(r.size(), 1u);
    const auto& d = std::get<c1218::ReadResponse>(r[0]).data;
    pieces.insert(pieces.end(), d.begin(), d.end());
  }
  EXPECT_EQ(pieces, *full);
  auto past = c.Call({Request{c1218::PartialReadOffsetRequest{64, static_cast<uint32_t>(full->size() - 10), 11}},
                      Request{c1218::PartialReadOffsetRequest{23, 1000, 1}}});
  ASSERT_EQ(past.size(), 2u);
  EXPECT_EQ(CodeOf(past[0]), ResponseCode::kOnp);
  EXPECT_EQ(CodeOf(past[1]), ResponseCode::kOnp);
  auto st64 = c1219::DecodeSt64(*full, ctx);
  ASSERT_TRUE(st64) << st64.error().ToString();
  ASSERT_EQ(st64->blocks.size(), 8u);
  const c1219::LpBlock& newest = st64->blocks[s.last_block_element];
  EXPECT_EQ(newest.end_time, (c1219::TimeDate{2026, 1, 15, 10, 0, 0, 0}));
  const C1222Registers regs = sim_->Registers(0);
  EXPECT_EQ(newest.end_readings[0].block_end_read, (core::Quantity{regs.total.summations[0], 0, core::Unit::kWh}));
  // Yesterday's block ends where today's begins: its end reading plus today's intervals.
  const c1219::LpBlock& yesterday = st64->blocks[(s.last_block_element + 7) % 8];
  EXPECT_EQ(yesterday.end_time, (c1219::TimeDate{2026, 1, 15, 0, 0, 0, 0}));
  for (size_t ch = 0; ch < 4; ++ch) {
    int64_t sum = yesterday.end_readings[ch].block_end_read->value;
    for (size_t i = 0; i < s.nbr_valid_int; ++i) sum += newest.intervals[i].values[ch].value;
    EXPECT_EQ(sum, newest.end_readings[ch].block_end_read->value) << "channel " << ch;
  }
  EXPECT_TRUE(newest.simple_int_status->Test(39));
  EXPECT_FALSE(newest.simple_int_status->Test(40));
}

// Writes ST7 (MP1 with sequence number `seq`) and reads ST8 in the same EPSEM.
std::pair<std::vector<c1218::Response>, std::optional<c1219::St8>> Relay(C1222Client& c, const c1219::TableContext& ctx,
                                                                          uint8_t mask, uint8_t action, uint8_t seq) {
  auto st7 = c1219::EncodeSt7({{1, true}, 0, seq, {mask, action}}, ctx);
  auto r = c.Call({FullWrite(7, *st7), FullRead(8)});
  if (r.size() != 2 || !std::get_if<c1218::ReadResponse>(&r[1])) return {r, std::nullopt};
  auto st8 = c1219::DecodeSt8(std::get<c1218::ReadResponse>(r[1]).data, ctx);
  return {r, st8 ? std::optional<c1219::St8>(*st8) : std::nullopt};
}

TEST_F(C1222MeterSimTest, RemoteDisconnectOpensTheRelaysAndStopsEnergy) {
  C1222Client c(sim_->port(), Title(".1153.1"));
  c.Call({Logon(2, "operator", 600), Security("operator")});
  c1219::TableContext ctx = Context(c);
  auto [r, st8] = Relay(c, ctx, 0x07, 0, 42);
  ASSERT_EQ(CodeOf(r[0]), ResponseCode::kOk);
  ASSERT_TRUE(st8);
  EXPECT_EQ(st8->procedure, (c1219::ProcedureId{1, true}));
  EXPECT_EQ(st8->sequence_number, 42);
  EXPECT_EQ(st8->result_code, static_cast<uint8_t>(c1219::ProcedureResult::kCompleted));
  auto resp = c1219::DecodeProcedureData(ctx, {1, true}, true, st8->response);
  ASSERT_TRUE(resp) << resp.error().ToString();
  EXPECT_EQ(resp->Find("NBR_RELAYS")->AsUint(), 3u);
  EXPECT_FALSE(resp->Find("STATE")->items()[0].Find("CLOSED")->AsBool());
  for (const auto& relay : sim_->Relays(0)) EXPECT_FALSE(relay.closed);
  auto mt2 = c1219::DecodeTable(ctx, c1219::MfgTable(2), Must(c.Read(c1219::MfgTable(2))));
  ASSERT_TRUE(mt2);
  EXPECT_FALSE(mt2->Find("RELAY")->items()[2].Find("STATE")->Find("CLOSED")->AsBool());

  const C1222Registers before = sim_->Registers(0);
  Advance(3 * 3600);
  EXPECT_EQ(sim_->Registers(0).total.summations, before.total.summations) << "no energy while disconnected";
  EXPECT_EQ(sim_->Present(0).total_power_w, 0);

  // The event log has one control-point entry per relay, by user 2.
  c.Call({Logon(2, "operator", 600), Security("operator")});  // the session timed out meanwhile
  auto st76_bytes = c.Read(76);
  ASSERT_TRUE(st76_bytes);
  auto st76 = c1219::DecodeSt76(*st76_bytes, ctx);
  ASSERT_TRUE(st76) << st76.error().ToString();
  EXPECT_EQ(st76->header.nbr_valid_entries, 3);
  EXPECT_EQ(st76->entries[2].code.number, kEventControlByCommand);
  EXPECT_EQ(st76->entries[2].user_id, 2);
  EXPECT_EQ(st76->entries[2].argument, (Bytes{2, 0x00}));

  // Reconnect: energy flows again.
  auto [r2, st8b] = Relay(c, ctx, 0x07, 1, 43);
  ASSERT_TRUE(st8b);
  EXPECT_EQ(st8b->sequence_number, 43);
  EXPECT_EQ(st8b->result_code, 0);
  Advance(3600);
  EXPECT_GT(sim_->Registers(0).total.summations[kWhDelivered], before.total.summations[kWhDelivered]);
  // A bad action is an invalid parameter; an unknown procedure is unrecognized.
  c.Call({Logon(2, "operator", 600), Security("operator")});
  auto bad = Relay(c, ctx, 0x07, 9, 44).second;
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_code, static_cast<uint8_t>(c1219::ProcedureResult::kInvalidParameter));
  auto sp3 = c1219::EncodeSt7({{3, false}, 0, 45, {}}, ctx);
  auto r3 = c.Call({FullWrite(7, *sp3), FullRead(8)});
  ASSERT_EQ(r3.size(), 2u);
  ASSERT_NE(std::get_if<c1218::ReadResponse>(&r3[1]), nullptr);
  EXPECT_EQ(c1219::DecodeSt8(std::get<c1218::ReadResponse>(r3[1]).data, ctx)->result_code,
            static_cast<uint8_t>(c1219::ProcedureResult::kUnrecognizedProcedure));
}

TEST_F(C1222MeterSimTest, SetsItsClockAndResetsDemandByProcedure) {
  Advance(3 * 3600);  // some demand to reset
  C1222Client c(sim_->port(), Title(".1153.2"));
  c.Call({Logon(2, "operator", 600), Security("operator")});
  c1219::TableContext ctx = Context(c);
  // SP10: set date and time to 2026-01-15 13:30:00 (the true time is 13:00:00).
  c1219::Value p = c1219::Value::Record({});
  c1219::Value& mask = p.Add("SET_MASK", c1219::Value::Record({}));
  mask.Add("SET_TIME_FLAG", c1219::Value::Bool(true));
  mask.Add("SET_DATE_FLAG", c1219::Value::Bool(true));
  mask.Add("SET_TIME_DATE_QUAL", c1219::Value::Bool(false));
  p.Add("DATE_TIME", c1219::Value::Time({2026, 1, 15, 13, 30, 0, 0}));
  p.Add("TIME_DATE_QUAL", c1219::Value::Record({}));
  auto params = c1219::EncodeProcedureData(ctx, {10, false}, false, p);
  ASSERT_TRUE(params) << params.error().ToString();
  auto sp10 = c1219::EncodeSt7({{10, false}, 0, 1, *params}, ctx);
  auto sp9 = c1219::EncodeSt7({{9, false}, 0, 2, {0x01}}, ctx);
  auto r = c.Call({FullWrite(7, *sp10), FullRead(8), FullWrite(7, *sp9), FullRead(8), FullRead(52), FullRead(23),
                   FullRead(25)});
  ASSERT_EQ(r.size(), 7u);
  for (size_t i : {1, 3, 4, 5, 6}) ASSERT_NE(std::get_if<c1218::ReadResponse>(&r[i]), nullptr) << i;
  EXPECT_EQ(c1219::DecodeSt8(std::get<c1218::ReadResponse>(r[1]).data, ctx)->result_code, 0);
  EXPECT_EQ(c1219::DecodeSt8(std::get<c1218::ReadResponse>(r[3]).data, ctx)->sequence_number, 2);
  EXPECT_EQ(c1219::DecodeSt52(std::get<c1218::ReadResponse>(r[4]).data, ctx)->clock_calendar,
            (c1219::TimeDate{2026, 1, 15, 13, 30, 0, 0}));
  auto st23 = c1219::DecodeSt23(std::get<c1218::ReadResponse>(r[5]).data, ctx);
  auto st25 = c1219::DecodeSt25(std::get<c1218::ReadResponse>(r[6]).data, ctx);
  ASSERT_TRUE(st23 && st25);
  EXPECT_EQ(st23->nbr_demand_resets, 1);
  EXPECT_EQ(st23->total.demands[0].demand[0].value, 0);
  EXPECT_GT(st25->data.total.demands[0].demand[0].value, 0);
  EXPECT_EQ(st23->total.demands[0].cum_demand, st25->data.total.demands[0].demand[0]);
  EXPECT_EQ(st25->info.end_date_time, (c1219::TimeDate{2026, 1, 15, 13, 30, 0, 0}));
}

TEST_F(C1222MeterSimTest, AReaderMayCallButNotRunProcedures) {
  C1222Client c(sim_->port(), Title(".1153.2"));
  c.Call({Logon(1, "reader", 600), Security("reader")});
  c1219::TableContext ctx = Context(c);
  auto [r, st8] = Relay(c, ctx, 0x01, 0, 7);
  ASSERT_TRUE(st8);
  EXPECT_EQ(st8->result_code, static_cast<uint8_t>(c1219::ProcedureResult::kNoAuthorization));
  EXPECT_TRUE(sim_->Relays(1)[0].closed);
}

TEST_F(C1222MeterSimTest, WritesTheTouCalendarAndRefusesWhatItCannotDo) {
  C1222Client c(sim_->port(), Title(".1153.1"));
  c.Call({Logon(3, "master", 600), Security("master")});
  c1219::TableContext ctx = Context(c);
  auto st54 = c1219::DecodeSt54(Must(c.Read(54)), ctx);
  ASSERT_TRUE(st54) << st54.error().ToString();
  ASSERT_EQ(st54->tier_switches.size(), 4u);
  EXPECT_EQ(st54->tier_switches[1].hour, 7);
  st54->tier_switches[1].hour = 11;  // peak from 11:00
  auto bytes = c1219::EncodeSt54(*st54, ctx);
  auto r = c.Call({FullWrite(54, *bytes), FullRead(55)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kOk);
  EXPECT_EQ(c1219::DecodeSt55(std::get<c1218::ReadResponse>(r[1]).data, ctx)->curr_tier, 0) << "10:00 is off-peak now";
  EXPECT_EQ(Must(c.Read(54)), *bytes);
  // A switch off the quarter hour is refused, as is a write of a read-only table.
  st54->tier_switches[1].minute = 7;
  r = c.Call({FullWrite(54, *c1219::EncodeSt54(*st54, ctx)), FullWrite(23, Must(c.Read(23))),
              Request{c1218::PartialWriteOffsetRequest{5, 0, {'X', 'Y'}}}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kErr);
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kOnp);
  EXPECT_EQ(CodeOf(r[2]), ResponseCode::kOk);
  EXPECT_EQ(c1219::DecodeSt5(Must(c.Read(5)), ctx)->identification, "XY2-000001          ");
  // The history log has both writes.
  auto st74 = c1219::DecodeSt74(Must(c.Read(74)), ctx);
  ASSERT_TRUE(st74);
  ASSERT_EQ(st74->header.nbr_valid_entries, 2);
  EXPECT_EQ(st74->entries[0].code.number, kEventTableWritten);
  EXPECT_EQ(st74->entries[0].argument, (Bytes{54, 0}));
  // An operator may not write configuration tables.
  C1222Client op(sim_->port(), Title(".1153.1"));
  op.SetCalling(Title(".99.8"));
  r = op.Call({Security("operator", 2), FullWrite(54, *bytes)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kIsc);
}

TEST_F(C1222MeterSimTest, InjectedBusyAnswersThenServes) {
  sim_->InjectResponses(1, ResponseCode::kBsy, 2);
  C1222Client c(sim_->port(), Title(".1153.2"), /*udp=*/true);
  for (int i = 0; i < 2; ++i) {
    auto r = c.Call({Security("reader", 1), FullRead(23)});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(CodeOf(r[0]), ResponseCode::kBsy);
    EXPECT_EQ(CodeOf(r[1]), ResponseCode::kBsy);
  }
  auto r = c.Call({Security("reader", 1), FullRead(23)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(CodeOf(r[1]), ResponseCode::kOk);
  EXPECT_EQ(sim_->counters().injected, 2u);
}

TEST_F(C1222MeterSimTest, EaxPrimeSecuredMeterAnswersInKind) {
  C1222Client c(sim_->port(), Title(".1153.3"));
  auto r = c.Call({FullRead(1)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(CodeOf(r[0]), ResponseCode::kSme) << "cleartext refused";
  for (auto mode : {c1222::SecurityMode::kCleartextAuthenticated, c1222::SecurityMode::kCiphertextAuthenticated}) {
    c.SetSecurity(mode, 1, kKey);
    auto m = c.Send({Security("reader", 1), FullRead(1)});
    ASSERT_TRUE(m) << "the answer's MAC verifies with the meter's key";
    EXPECT_EQ(m->epsem.security_mode, mode);
    ASSERT_TRUE(m->apdu.calling_authentication_value);
    EXPECT_EQ(m->apdu.calling_authentication_value->key_id, 1);
    auto st1 = c1222::DecodeServiceResponse(c1218::RequestCode::kFullRead, m->epsem.services[1]);
    ASSERT_TRUE(st1);
    const auto& data = std::get<c1218::ReadResponse>(std::get<c1218::Response>(*st1)).data;
    EXPECT_EQ(std::string(data.end() - 16, data.end()), "C12-000003      ");
  }
  c1222::AesKey wrong = kKey;
  wrong[0] ^= 1;
  c.SetSecurity(c1222::SecurityMode::kCiphertextAuthenticated, 1, wrong);
  const Bytes reply = c.Exchange(c.Build({FullRead(1)}));
  auto apdu = c1222::DecodeApdu(reply);
  ASSERT_TRUE(apdu);
  auto epsem = c1222::DecodeEpsem(apdu->user_information);
  ASSERT_TRUE(epsem) << "a MAC failure is answered in cleartext";
  EXPECT_EQ(epsem->services[0], (Bytes{static_cast<uint8_t>(ResponseCode::kSme)}));
  EXPECT_GE(sim_->counters().security_errors, 2u);
}

TEST_F(C1222MeterSimTest, ResponseControlAndGarbage) {
  C1222Client c(sim_->port(), Title(".1153.1"), /*udp=*/true);
  // "Never" gets no answer: the first answer that comes is the one to the next request.
  const Bytes never = c.Build({FullRead(0)}, c1222::ResponseControl::kNever);
  const Bytes always = c.Build({FullRead(0)});
  ASSERT_TRUE(c.Post(never));
  const Bytes reply = c.Exchange(always);
  auto apdu = c1222::DecodeApdu(reply);
  ASSERT_TRUE(apdu);
  EXPECT_EQ(apdu->called_ap_invocation_id, 2u);
  // "On exception" answers only a failure.
  const Bytes quiet = c.Build({FullRead(0)}, c1222::ResponseControl::kOnException);
  const Bytes failing = c.Build({FullRead(24)}, c1222::ResponseControl::kOnException);
  ASSERT_TRUE(c.Post(quiet));
  apdu = c1222::DecodeApdu(c.Exchange(failing));
  ASSERT_TRUE(apdu);
  EXPECT_EQ(apdu->called_ap_invocation_id, 4u);
  C1222Client tcp(sim_->port(), Title(".1153.1"));
  EXPECT_TRUE(tcp.Exchange({0x30, 0x03, 0x01, 0x02, 0x03}).empty()) << "not an APDU: the connection is closed";
  EXPECT_GE(sim_->counters().connections, 1u);
}

}  // namespace
}  // namespace meterd::device
