// SPDX-License-Identifier: Apache-2.0
// C12.22 meters end to end on loopback: the simulated meters of src/device serve their tables,
// the poll source reads them on the test's clock (nothing sleeps), and the store ends up with
// each meter's load profile interval by interval, its registers, present values, events and
// command results, as the simulator's own state says.
#include "headend/c1222_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>

#include "codec/c1219/tables.h"
#include "core/time_zone.h"
#include "device/c1222_meter_sim.h"
#include "headend/bus_sources.h"
#include "headend/c1222_readings.h"

namespace meterd::headend {
namespace {

namespace fs = std::filesystem;
namespace c19 = codec::c1219;
namespace c22 = codec::c1222;

constexpr int64_t kStart = 1768471200;  // Thursday 2026-01-15 10:00:00Z
const c22::AesKey kKey = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

core::Instant At(int64_t s) { return core::FromUnixSeconds(s); }

class C1222SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("meterd-c1222-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*store::OpenSqliteStore({(dir_ / "db").string(), false}));
    IngestService::Options options;
    options.normalise.zone = *core::TimeZone::Find("UTC");
    ingest_ = std::make_unique<IngestService>(*store_, options);

    device::C1222MeterSim::Options o;
    o.port = 0;
    o.tdl_path = std::string(METERD_MODELS_DIR) + "/c1219/meterd-sim.xml";
    o.clock = [this] { return At(now_.load()); };
    std::vector<device::C1222SimMeter> meters(3);
    meters[0] = {"C12-000001", *c22::ParseApTitle(".1153.1"), {3, 11, 0, false}};
    meters[1] = {"C12-000002", *c22::ParseApTitle(".1153.2"), {1, 12, 3000, false}};
    meters[2] = {"C12-000003", *c22::ParseApTitle(".1153.3"), {3, 13, 0, false}};
    meters[2].key = kKey;
    meters[2].key_id = 1;
    meters[2].require_security = true;
    auto sim = device::C1222MeterSim::Start(std::move(o), std::move(meters));
    ASSERT_TRUE(sim) << sim.error().ToString();
    sim_ = std::move(*sim);
  }
  void TearDown() override {
    sim_.reset();
    ingest_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  C1222TargetSpec Spec(int n) {
    C1222TargetSpec s;
    s.host = "127.0.0.1";
    s.port = sim_->port();
    s.ap_title = fmt::format(".1153.{}", n);
    s.meter = fmt::format("E-C12-{}", n);
    s.model = "meterd-sim";
    s.user_id = 2;
    s.user = "operator";
    s.password = "operator";
    s.load_profile_hours = 4;
    s.relay_procedure = "MP1";
    s.timeout_ms = 2000;
    return s;
  }
  std::vector<C1222TargetSpec> Specs() {
    auto specs = std::vector<C1222TargetSpec>{Spec(1), Spec(2), Spec(3)};
    specs[1].udp = true;
    specs[2].key = "0102030405060708090a0b0c0d0e0f10";
    specs[2].key_id = 1;
    return specs;
  }
  std::unique_ptr<C1222Source> Source(std::vector<C1222TargetSpec> specs) {
    C1222SourceOptions o;
    o.models_dir = METERD_MODELS_DIR;
    o.busy_delay = std::chrono::milliseconds(1);
    o.procedure_delay = std::chrono::milliseconds(1);
    return std::make_unique<C1222Source>(std::move(specs), C1222Backend{*ingest_, *store_}, o);
  }

  // The simulator's load profile of meter `i` (a UTC meter), channel 0 (Wh delivered), decoded
  // with its own context.
  std::vector<LpPoint> SimPoints(size_t i) { return SimPoints(*sim_, i); }
  std::vector<LpPoint> SimPoints(device::C1222MeterSim& sim, size_t i) {
    const auto& ctx = sim.tables().context(sim.meter(i).config.phases);
    auto st63 = c19::DecodeSt63(*sim.ReadTable(i, 63), ctx);
    auto st64 = c19::DecodeSt64(*sim.ReadTable(i, 64), ctx);
    EXPECT_TRUE(st63 && st64);
    const auto& status = *st63->sets[0];
    std::vector<c19::LpBlock> ordered;
    const size_t n = st64->blocks.size();
    for (size_t k = status.nbr_valid_blocks; k-- > 0;) ordered.push_back(st64->blocks[(status.last_block_element + n - k) % n]);
    auto points = LpPoints(ordered, status.nbr_valid_int, 15, 0);
    EXPECT_TRUE(points) << points.error().ToString();
    return *points;
  }
  std::vector<store::StoredInterval> Stored(const std::string& meter, core::Instant from, core::Instant to) {
    auto r = store_->Intervals(meter, core::Channel::kActiveImport, *core::TimeZone::Find("UTC"), {from, to});
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : std::vector<store::StoredInterval>{};
  }
  core::Command Command(const std::string& device, bool on) {
    core::Command c;
    c.device = device;
    c.type = core::CommandType::kSetOutput;
    c.argument = on ? 1 : 0;
    c.created = c.updated = At(now_);
    c.expires = At(now_ + 86400);
    auto created = store_->CreateCommand(c);
    EXPECT_TRUE(created);
    ingest_->NoteCommandCreated(device);
    return *created;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IngestService> ingest_;
  std::atomic<int64_t> now_{kStart};
  std::unique_ptr<device::C1222MeterSim> sim_;
};

TEST_F(C1222SourceTest, FirstReadImportsTheWholeLoadProfileIntervalByInterval) {
  auto source = Source(Specs());
  PollOutcome o = source->Poll(At(now_));
  EXPECT_EQ(o.errors, 0) << o.last_error;
  EXPECT_EQ(o.meters_read, 3);
  for (size_t i = 0; i < 3; ++i) {
    const std::string meter = fmt::format("E-C12-{}", i + 1);
    auto points = SimPoints(i);
    ASSERT_GT(points.size(), 7u * 96) << meter;  // seven whole days and today so far
    // The first point is the baseline; every later interval is stored exactly, quality valid.
    auto stored = Stored(meter, points.front().end, points.back().end);
    ASSERT_EQ(stored.size(), points.size() - 1) << meter;
    for (size_t k = 0; k < stored.size(); ++k) {
      ASSERT_EQ(stored[k].end, points[k + 1].end) << meter << " " << k;
      ASSERT_EQ(stored[k].value.value, points[k + 1].value.value) << meter << " " << core::FormatInstant(stored[k].end);
      ASSERT_EQ(stored[k].quality, core::Quality::kValid);
    }
    // The register is the block end reading of the newest interval.
    auto record = store_->GetMeter(meter);
    ASSERT_TRUE(record && *record);
    ASSERT_TRUE(points.back().end_reading);
    EXPECT_EQ((*record)->register_value, *points.back().end_reading);
    EXPECT_EQ((*record)->register_at, points.back().end);
    // Present values from ST23/ST28, named after the TDL's sources.
    auto present = store_->PresentValues(meter);
    ASSERT_TRUE(present);
    auto find = [&](std::string_view name) -> const store::PresentValue* {
      for (const auto& p : *present) {
        if (p.name == name) return &p;
      }
      return nullptr;
    };
    const auto regs = sim_->Registers(i);
    ASSERT_NE(find("wh_received"), nullptr) << meter;
    EXPECT_EQ(find("wh_received")->value.value, regs.total.summations[device::kWhReceived]);
    ASSERT_NE(find("wh_delivered_t2"), nullptr);
    EXPECT_EQ(find("wh_delivered_t2")->value.value, regs.tiers[1].summations[device::kWhDelivered]);
    EXPECT_NE(find("v_l1"), nullptr);
    EXPECT_EQ(find("v_l2") != nullptr, i != 1);  // meter 2 is single-phase
  }
  EXPECT_EQ(source->stats().sessions, 3);
  EXPECT_GE(source->stats().load_profile_reads, 3);
}

TEST_F(C1222SourceTest, CatchesUpFromTheLastStoredIntervalAfterAnOutage) {
  auto source = Source({Spec(1)});
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  const auto before = SimPoints(0).back().end;
  // The head-end is down for 31 hours: the next round reads back to the last stored interval.
  now_ += 31 * 3600;
  auto later = Source({Spec(1)});  // a restarted head-end knows only the store
  PollOutcome o = later->Poll(At(now_));
  ASSERT_EQ(o.errors, 0) << o.last_error;
  auto points = SimPoints(0);
  auto stored = Stored("E-C12-1", before, points.back().end);
  ASSERT_EQ(stored.size(), 31u * 4);
  size_t k = 0;
  while (points[k].end <= before) ++k;
  for (const auto& s : stored) {
    EXPECT_EQ(s.end, points[k].end);
    EXPECT_EQ(s.value.value, points[k++].value.value);
    EXPECT_EQ(s.quality, core::Quality::kValid);
  }
  EXPECT_EQ(later->stats().load_profile_reads, 1);
  // Not due again within the 4 hours; after them only the new intervals come.
  now_ += 3600;
  EXPECT_EQ(later->Poll(At(now_)).meters_read, 1);  // registers every round
  EXPECT_EQ(later->stats().load_profile_reads, 1);
  now_ += 3 * 3600;
  ASSERT_EQ(later->Poll(At(now_)).errors, 0);
  EXPECT_EQ(later->stats().load_profile_reads, 2);
  EXPECT_EQ(Stored("E-C12-1", before, At(now_)).size(), 35u * 4);
}

TEST_F(C1222SourceTest, DisconnectAndReconnectRunTheRelayProcedureAndAreAcknowledged) {
  auto source = Source(Specs());
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  auto off = Command("C1222-R1153.1", false);
  auto off3 = Command("C1222-R1153.3", false);
  now_ += 900;
  PollOutcome o = source->Poll(At(now_));
  ASSERT_EQ(o.errors, 0) << o.last_error;
  for (auto id : {off.id, off3.id}) {
    auto c = store_->GetCommand(id);
    ASSERT_TRUE(c && *c);
    EXPECT_EQ((*c)->state, core::CommandState::kAcknowledged) << (*c)->result;
    EXPECT_NE((*c)->result.find("MP1 completed"), std::string::npos) << (*c)->result;
  }
  for (const auto& relay : sim_->Relays(0)) EXPECT_FALSE(relay.closed);
  for (const auto& relay : sim_->Relays(2)) EXPECT_FALSE(relay.closed);
  EXPECT_TRUE(sim_->Relays(1)[0].closed);
  auto device = store_->GetDevice("C1222-R1153.1");
  ASSERT_TRUE(device && *device);
  EXPECT_FALSE((*device)->output_on);
  // The meter logged the change; the next read reports it as an output_changed event.
  now_ += 900;
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  store::EventFilter filter;
  filter.device = "C1222-R1153.1";
  filter.type = core::EventType::kOutputChanged;
  auto events = store_->ListEvents(filter);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->items.size(), 3u);  // one per relay
  EXPECT_NE(events->items[0].detail.find("Control Point Changed by a Command"), std::string::npos);
  // And back on; the output stays on across the reads that follow.
  auto on = Command("C1222-R1153.1", true);
  now_ += 900;
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  EXPECT_EQ((*store_->GetCommand(on.id))->state, core::CommandState::kAcknowledged);
  for (const auto& relay : sim_->Relays(0)) EXPECT_TRUE(relay.closed);
  now_ += 900;
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  EXPECT_TRUE((*store_->GetDevice("C1222-R1153.1"))->output_on);
}

TEST_F(C1222SourceTest, AProcedureTheMeterRefusesFailsTheCommand) {
  auto spec = Spec(2);
  spec.user_id = 1;  // a reader may write ST7, but the meter answers "no authorization"
  spec.user = "reader";
  spec.password = "reader";
  auto source = Source({spec});
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  auto command = Command("C1222-R1153.2", false);
  now_ += 900;
  ASSERT_EQ(source->Poll(At(now_)).errors, 0);
  auto c = store_->GetCommand(command.id);
  EXPECT_EQ((*c)->state, core::CommandState::kFailed);
  EXPECT_NE((*c)->result.find("no authorization"), std::string::npos) << (*c)->result;
  EXPECT_TRUE(sim_->Relays(1)[0].closed);
  EXPECT_EQ(source->stats().commands_failed, 1);
}

TEST_F(C1222SourceTest, BusyMetersAreReadAfterTheRetriesAndErrorsAreReported) {
  auto specs = Specs();
  specs[0].load_profile_hours = 0;  // registers only: a sample per read
  for (auto& s : specs) s.registers_daily = true;
  auto source = Source(specs);
  sim_->InjectResponses(1, codec::c1218::ResponseCode::kBsy, 3);
  PollOutcome o = source->Poll(At(now_));
  EXPECT_EQ(o.errors, 0) << o.last_error;
  auto record = store_->GetMeter("E-C12-1");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->register_value.value, sim_->Registers(0).total.summations[device::kWhDelivered]);
  // Daily registers: the next round of the same day has nothing to do for meter 1.
  now_ += 900;
  o = source->Poll(At(now_));
  EXPECT_EQ(o.meters_read, 0);  // registers read today, load profile not due
  // A wrong password is an error of the round, named after the meter.
  auto bad = Spec(2);
  bad.password = "nope";
  auto failing = Source({bad});
  o = failing->Poll(At(now_));
  EXPECT_EQ(o.errors, 1);
  EXPECT_NE(o.last_error.find("E-C12-2 (.1153.2)"), std::string::npos) << o.last_error;
  EXPECT_NE(o.last_error.find("security: err"), std::string::npos) << o.last_error;
}

TEST_F(C1222SourceTest, AMeterThatRequiresSecurityRefusesCleartext) {
  auto spec = Spec(3);  // no key
  auto source = Source({spec});
  PollOutcome o = source->Poll(At(now_));
  EXPECT_EQ(o.errors, 1);
  EXPECT_NE(o.last_error.find("sme (security mechanism error)"), std::string::npos) << o.last_error;
}

// A meter on New York time beside its twin on UTC (the same seed: the same energy, the same
// seeded outages), read across each DST change: the local meter's intervals and events land at
// the same UTC instants with the same values. Relay commands log events before the change that
// are first read after it, and after it.
TEST_F(C1222SourceTest, ALocalTimeMeterLandsWhereItsUtcTwinDoes) {
  auto new_york = core::TimeZone::Find("America/New_York");
  ASSERT_TRUE(new_york) << new_york.error().ToString();
  struct Change {
    int64_t eve;     // a Saturday 20:00Z, before the change
    int64_t change;  // the change, 02:00 local
    int base;        // ApTitles .1153.<base + 1> (UTC) and .1153.<base + 2> (New York)
  };
  for (const Change& ch : {Change{1772913600, 1772953200, 90}, Change{1793476800, 1793512800, 95}}) {
    SCOPED_TRACE(core::FormatInstant(At(ch.change)));
    now_ = ch.eve;
    device::C1222MeterSim::Options o;
    o.port = 0;
    o.tdl_path = std::string(METERD_MODELS_DIR) + "/c1219/meterd-sim.xml";
    o.clock = [this] { return At(now_.load()); };
    std::vector<device::C1222SimMeter> meters(2);
    meters[0] = {"C12-UTC", *c22::ParseApTitle(fmt::format(".1153.{}", ch.base + 1)), {3, 21, 0, true}};
    meters[1] = {"C12-NY", *c22::ParseApTitle(fmt::format(".1153.{}", ch.base + 2)), {3, 21, 0, true, *new_york}};
    auto sim = device::C1222MeterSim::Start(std::move(o), std::move(meters));
    ASSERT_TRUE(sim) << sim.error().ToString();
    std::vector<C1222TargetSpec> specs;
    std::vector<std::string> ids, devices;
    for (int k = 1; k <= 2; ++k) {
      C1222TargetSpec spec = Spec(ch.base + k);
      spec.port = (*sim)->port();
      ids.push_back(spec.meter);
      devices.push_back(fmt::format("C1222-R1153.{}", ch.base + k));
      specs.push_back(std::move(spec));
    }
    auto source = Source(specs);
    auto poll = [&] {
      PollOutcome outcome = source->Poll(At(now_));
      EXPECT_EQ(outcome.errors, 0) << outcome.last_error;
    };
    // Relays open and close again for a quarter hour before the change, and after it: each
    // command's events are logged at its round and reported at the next.
    auto open_and_close = [&] {
      for (const auto& d : devices) Command(d, false);
      now_ += 900;
      poll();
      for (const auto& d : devices) Command(d, true);
      now_ += 900;
      poll();
      return now_.load();
    };
    poll();  // a week of load profile, all before the change
    const int64_t before = open_and_close();
    now_ = ch.change + 5 * 3600;
    poll();  // the intervals across the change, and the events logged before it
    const int64_t after = open_and_close();
    now_ += 900;
    poll();

    // The local meter's intervals are its twin's, which are the simulator's on its UTC clock.
    auto truth = SimPoints(**sim, 0);
    auto utc = Stored(ids[0], truth.front().end, At(now_));
    auto local = Stored(ids[1], truth.front().end, At(now_));
    ASSERT_EQ(utc.size(), truth.size() - 1);
    ASSERT_EQ(local.size(), utc.size());
    for (size_t k = 0; k < utc.size(); ++k) {
      ASSERT_EQ(utc[k].end, truth[k + 1].end) << k;
      ASSERT_EQ(utc[k].value.value, truth[k + 1].value.value) << core::FormatInstant(utc[k].end);
      ASSERT_EQ(local[k].end, utc[k].end) << k;
      ASSERT_EQ(local[k].value.value, utc[k].value.value) << core::FormatInstant(local[k].end);
      ASSERT_EQ(local[k].quality, core::Quality::kValid) << core::FormatInstant(local[k].end);
    }
    // Its events too: the relay changes at the instants the commands ran, whichever side of the
    // change they were logged or read on (the last close before it is read after it).
    auto events = [&](const std::string& device) {
      store::EventFilter filter;
      filter.device = device;
      filter.page.limit = 1000;
      auto listed = store_->ListEvents(filter);
      EXPECT_TRUE(listed) << listed.error().ToString();
      std::vector<std::pair<int64_t, int>> out;
      if (!listed) return out;
      for (const auto& e : listed->items) out.emplace_back(core::ToUnixSeconds(e.at), static_cast<int>(e.type));
      std::sort(out.begin(), out.end());
      return out;
    };
    const auto utc_events = events(devices[0]);
    const auto local_events = events(devices[1]);
    EXPECT_EQ(local_events, utc_events);
    const auto relay = static_cast<int>(core::EventType::kOutputChanged);
    for (int64_t at : {before - 900, before, after - 900, after}) {
      EXPECT_EQ(std::count(local_events.begin(), local_events.end(), std::pair{at, relay}), 3)
          << core::FormatInstant(At(at));
    }
  }
}

// As meterd runs them: a targets file (as metersim writes it), TargetsFile, the scheduler and
// the polled-meter sink.
TEST_F(C1222SourceTest, TargetsFileSectionsArePolledThroughTheScheduler) {
  PollTargets targets;
  targets.c1222 = Specs();
  const std::string path = (dir_ / "poll-targets.toml").string();
  {
    std::ofstream out(path);
    out << FormatPollTargets(targets);
  }
  TargetsFile file(path, METERD_MODELS_DIR);
  PolledMeterSink sink(*ingest_, *store_);
  PollScheduler scheduler(sink, [&file] { return file.Sources(); }, core::Seconds{900});
  PollOutcome o = scheduler.RunRound(At(now_));
  EXPECT_EQ(o.errors, 0) << o.last_error << file.last_error();
  EXPECT_EQ(o.meters_read, 3);
  for (int n = 1; n <= 3; ++n) {
    auto record = store_->GetMeter(fmt::format("E-C12-{}", n));
    ASSERT_TRUE(record && *record);
    EXPECT_EQ((*record)->register_value.value, sim_->Registers(static_cast<size_t>(n - 1)).total.summations[0]);
    EXPECT_EQ((*record)->device, fmt::format("C1222-R1153.{}", n));
  }
}

}  // namespace
}  // namespace meterd::headend
