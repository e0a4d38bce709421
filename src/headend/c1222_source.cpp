// SPDX-License-Identifier: Apache-2.0
// The C12.22 poll source: schedules, sessions, and the uplinks they become (docs/headend.md,
// "C12.22 meters"). The commands' procedures are in c1222_commands.cpp.
#include "headend/c1222_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_set>

#include "codec/c1219/standard_tdl.h"
#include "headend/c1222_commands.h"
#include "headend/c1222_meter.h"
#include "headend/c1222_readings.h"
#include "headend/polled_meter.h"

namespace meterd::headend {

namespace c19 = codec::c1219;
namespace c22 = codec::c1222;
using core::Fail;
using core::Instant;
using core::Result;

struct C1222Source::Meter {
  C1222TargetSpec spec;
  std::string device;
  std::shared_ptr<const c19::Tdl> tdl;
  std::optional<C1222MeterConfig> config;
  Instant config_at;
  std::optional<Instant> lp_read_at;
  std::optional<int64_t> register_day;
  std::optional<uint16_t> event_seq;
  bool event_seq_loaded = false;
  std::optional<uint64_t> next_seq;
};

namespace {

Result<std::shared_ptr<const c19::Tdl>> LoadModel(const std::string& models_dir, const std::string& model) {
  if (model.empty()) return std::shared_ptr<const c19::Tdl>(&c19::StandardTdl(), [](const c19::Tdl*) {});
  const std::string path = fmt::format("{}/c1219/{}.xml", models_dir, model);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(core::Error::NotFound(fmt::format("c1222 model {}: cannot read {}", model, path)));
  std::stringstream text;
  text << in.rdbuf();
  auto tdl = c19::ParseTdlWithFragments(c19::StandardTdlXml(), "standard.xml", {{text.str(), path}});
  if (!tdl) return Fail(tdl.error());
  return std::shared_ptr<const c19::Tdl>(std::make_shared<c19::Tdl>(std::move(*tdl)));
}

Result<C1222ClientOptions> ClientOptions(const C1222TargetSpec& spec, const C1222SourceOptions& source) {
  C1222ClientOptions o;
  o.host = spec.host;
  o.port = spec.port;
  o.transport = spec.udp ? C1222Transport::kUdp : C1222Transport::kTcp;
  auto called = c22::ParseApTitle(spec.ap_title);
  if (!called) return Fail(called.error());
  auto calling = c22::ParseApTitle(spec.calling_ap_title);
  if (!calling) return Fail(calling.error());
  o.called = *called;
  o.calling = *calling;
  o.user_id = static_cast<uint16_t>(spec.user_id);
  o.user = spec.user;
  o.password = spec.password;
  o.response_timeout = std::chrono::milliseconds(spec.timeout_ms);
  o.tries = spec.tries;
  o.connect_timeout = source.connect_timeout;
  o.busy_delay = source.busy_delay;
  o.procedure_delay = source.procedure_delay;
  if (!spec.key.empty()) {
    auto key = ParseAesKey(spec.key);
    if (!key) return Fail(key.error());
    o.key = C1222Key{static_cast<uint8_t>(spec.key_id), *key,
                     spec.authenticate_only ? c22::SecurityMode::kCleartextAuthenticated
                                            : c22::SecurityMode::kCiphertextAuthenticated};
  }
  return o;
}

// The source index of the meter's main register: the first summation ST22 selects whose source
// the TDL says is in Wh.
std::optional<uint8_t> MainSource(const C1222MeterConfig& config) {
  if (!config.st22) return std::nullopt;
  for (uint8_t source : config.st22->summation_select) {
    const c19::SourceDef* def = config.tdl->Source(source);
    if (def && def->unit == core::Unit::kWh) return source;
  }
  return std::nullopt;
}

// The load-profile channel of set 1 that records `source` (else the first in Wh).
std::optional<size_t> LpChannel(const C1222MeterConfig& config, std::optional<uint8_t> source) {
  if (!config.st62 || !config.st62->sets[0]) return std::nullopt;
  const auto& channels = config.st62->sets[0]->channels;
  for (size_t c = 0; source && c < channels.size(); ++c) {
    if (channels[c].lp_source_select == *source) return c;
  }
  for (size_t c = 0; c < channels.size(); ++c) {
    const c19::SourceDef* def = config.tdl->Source(channels[c].lp_source_select);
    if (def && def->unit == core::Unit::kWh) return c;
  }
  return std::nullopt;
}

// Opens the session and ends it when it goes out of scope.
class Session {
 public:
  explicit Session(C1222SourceStats& stats) : stats_(stats) {
    int64_t now = ++stats_.concurrent;
    for (int64_t max = stats_.max_concurrent.load(); now > max && !stats_.max_concurrent.compare_exchange_weak(max, now);) {
    }
    ++stats_.sessions;
  }
  ~Session() {
    if (client) {
      (void)client->Logoff();
      stats_.requests += static_cast<int64_t>(client->stats().requests);
      stats_.bytes += static_cast<int64_t>(client->stats().bytes_sent + client->stats().bytes_received);
    }
    --stats_.concurrent;
  }
  std::unique_ptr<C1222Client> client;

 private:
  C1222SourceStats& stats_;
};

}  // namespace

C1222Source::C1222Source(std::vector<C1222TargetSpec> specs, C1222Backend backend, C1222SourceOptions options)
    : C1222Source(std::move(specs), std::move(options)) {
  backend_.emplace(backend);
}

C1222Source::C1222Source(std::vector<C1222TargetSpec> specs, C1222SourceOptions options) : options_(std::move(options)) {
  for (auto& spec : specs) {
    auto m = std::make_unique<Meter>();
    m->device = "C1222-" + C1222TitleId(spec.ap_title);
    m->spec = std::move(spec);
    meters_.push_back(std::move(m));
  }
}

C1222Source::~C1222Source() = default;

std::string C1222Source::Name() const { return fmt::format("c1222 ({} meters)", meters_.size()); }

PollOutcome C1222Source::PollOnce(PolledMeterSink& sink, Instant now) {
  return PollMeters(backend_ ? *backend_ : C1222Backend{sink.ingest(), sink.store()}, now);
}

PollOutcome C1222Source::Poll(Instant now) {
  if (!backend_) return PollOutcome{0, 1, "c1222: a source without a backend polls through PollOnce"};
  return PollMeters(*backend_, now);
}

namespace {

// Everything one session of one meter does; see c1222_source.h for the schedule.
class MeterRound {
 public:
  MeterRound(C1222Backend backend, C1222SourceStats& stats, Instant now) : backend_(backend), stats_(stats), now_(now) {}

  template <class Meter>
  Result<bool> Run(Meter& m, const C1222SourceOptions& options, bool commands_waiting) {
    const C1222TargetSpec& spec = m.spec;
    const int64_t today = core::ToUnixSeconds(now_) / 86400;
    const bool lp_mode = spec.load_profile_hours > 0;
    const bool lp_due = lp_mode && (!m.lp_read_at || now_ - *m.lp_read_at >= core::Seconds{spec.load_profile_hours * 3600});
    const bool reg_due = !spec.registers_daily || m.register_day != today;
    if (!lp_due && !reg_due && !commands_waiting) return false;

    auto client_options = ClientOptions(spec, options);
    if (!client_options) return Fail(client_options.error());
    Session session(stats_);
    auto client = C1222Client::Connect(std::move(*client_options));
    if (!client) return Fail(client.error());
    session.client = std::move(*client);
    C1222Client& c = *session.client;
    if (auto r = c.Logon(); !r) return Fail(r.error());
    bool fresh_config = false;
    if (!m.config || now_ - m.config_at >= options.config_refresh) {
      auto config = ReadMeterConfig(c, m.tdl);
      if (!config) return Fail(config.error());
      m.config = std::move(*config);
      m.config_at = now_;
      fresh_config = true;
    }
    const C1222MeterConfig& config = *m.config;
    const bool events_due = spec.events && config.st71 && (lp_due || reg_due);
    // Interval ends and log entry times are the meter's: its clock places them in UTC.
    C1219Clock clock;
    if (lp_due || events_due) {
      auto read = fresh_config ? ConfiguredClock(c, config) : ReadClock(c, config);
      if (!read) return Fail(read.error());
      clock = *read;
    }

    auto device = backend_.store.GetDevice(m.device);
    if (!device) return Fail(device.error());
    auto meter = backend_.store.GetMeter(spec.meter);
    if (!meter) return Fail(meter.error());
    const bool has_sample = *device && (*device)->has_sample && (*device)->meter == spec.meter;

    std::vector<RegisterSample> samples;
    std::vector<store::PresentValue> present;
    std::optional<core::Quantity> main_value;
    std::optional<RegisterSample> anchor;
    if (has_sample && *meter && (*meter)->has_register && (*meter)->register_at == (*device)->last_at) {
      anchor = RegisterSample{(*meter)->register_at, (*meter)->register_value};
    }
    if (reg_due || (lp_due && !anchor)) {
      auto regs = ReadRegisters(c, config);
      if (!regs) return Fail(regs.error());
      ++stats_.register_reads;
      C1222Registers mapped = MapRegisters(*config.tdl, config.st22 ? &*config.st22 : nullptr, regs->st23,
                                           config.st27 ? &*config.st27 : nullptr, regs->st28 ? &*regs->st28 : nullptr, now_);
      present = std::move(mapped.present);
      main_value = mapped.main_value;
      if (!main_value) return Fail(core::Error::Invalid(fmt::format("{}: ST23 has no summation in Wh", c.Name())));
    }
    if (lp_due) {
      auto lp = ReadLoadProfile(c, config, has_sample ? std::optional((*device)->last_at) : std::nullopt, clock);
      if (!lp) return Fail(lp.error());
      ++stats_.load_profile_reads;
      auto channel = LpChannel(config, MainSource(config));
      if (!channel) return Fail(core::Error::Invalid(fmt::format("{}: no load-profile channel in Wh", c.Name())));
      auto points = LpPoints(lp->blocks, lp->status.nbr_valid_int, lp->interval_minutes, *channel,
                             lp->status.interval_descending, clock);
      if (!points) return Fail(core::Error::Invalid(fmt::format("{}: {}", c.Name(), points.error().message)));
      auto from_lp = RegisterSamples(*points, lp->interval_minutes,
                                     has_sample ? (*device)->last_at : Instant{}, anchor, main_value);
      if (!from_lp) return Fail(from_lp.error());
      samples = std::move(*from_lp);
      interval_s_ = int32_t{lp->interval_minutes} * 60;
    }
    // The register read itself is a sample too, unless the load profile's samples could not be
    // reconciled with it later: they must be absolute, i.e. come with block end readings.
    const bool absolute_lp = config.st61 && config.st61->blk_end_read;
    if (main_value && (!lp_mode || absolute_lp) && (samples.empty() || samples.back().at < now_) &&
        (!has_sample || (*device)->last_at < now_)) {
      samples.push_back({now_, *main_value});
    }

    std::vector<codec::acq::DeviceEvent> events;
    std::optional<uint16_t> event_seq = m.event_seq;
    if (events_due) {
      if (!m.event_seq_loaded) {
        auto seq = StoredEventSeq(m.device);
        if (!seq) return Fail(seq.error());
        m.event_seq = event_seq = *seq;
        m.event_seq_loaded = true;
      }
      auto log = ReadEventLog(c, config);
      if (!log) return Fail(log.error());
      LogEvents read = EventsFromLog(*log, m.event_seq, clock);
      // Events ride on a sample; without one they wait for the next read.
      if (read.events.empty() || !samples.empty()) {
        events = std::move(read.events);
        if (read.last_seq) event_seq = read.last_seq;
      }
    }

    std::optional<IngestReply> reply;
    if (!samples.empty()) {
      auto sent = Send(m, *device, samples, std::move(events), {});
      if (!sent) return Fail(sent.error());
      reply = std::move(*sent);
      m.event_seq = event_seq;
    }
    if (!present.empty() && (reply || *meter)) {
      if (auto r = backend_.store.PutPresentValues(spec.meter, present); !r) return Fail(r.error());
    }
    if (lp_due) m.lp_read_at = now_;
    if (reg_due) m.register_day = today;

    // Commands: those the ingest path handed over with the reply, and any waiting in the queue.
    std::vector<core::Command> commands = reply ? reply->commands : std::vector<core::Command>{};
    if (commands_waiting || !commands.empty()) {
      auto taken = backend_.store.TakeCommandsForDownlink(m.device, now_);
      if (!taken) return Fail(taken.error());
      for (auto& t : *taken) {
        if (std::none_of(commands.begin(), commands.end(), [&](const core::Command& x) { return x.id == t.id; })) {
          commands.push_back(std::move(t));
        }
      }
    }
    if (!commands.empty()) {
      std::vector<codec::acq::CommandAck> acks;
      for (const auto& command : commands) {
        acks.push_back(ExecuteC1222Command(c, config, spec, command));
        ++(acks.back().ok ? stats_.commands_ok : stats_.commands_failed);
      }
      auto refreshed = backend_.store.GetDevice(m.device);
      if (!refreshed) return Fail(refreshed.error());
      if (auto r = Send(m, *refreshed, {}, {}, std::move(acks)); !r) return Fail(r.error());
    }
    return true;
  }

 private:
  // The sequence number of the newest event-log entry already reported for the device.
  Result<std::optional<uint16_t>> StoredEventSeq(const std::string& device) {
    store::EventFilter filter;
    filter.device = device;
    filter.page.limit = 200;
    auto events = backend_.store.ListEvents(filter);
    if (!events) return Fail(events.error());
    for (const auto& e : events->items) {
      if (auto seq = EventLogSeqOf(e.detail)) return std::optional<uint16_t>(*seq);
    }
    return std::optional<uint16_t>();
  }

  template <class Meter>
  Result<IngestReply> Send(Meter& m, const std::optional<store::DeviceRecord>& device,
                           const std::vector<RegisterSample>& samples, std::vector<codec::acq::DeviceEvent> events,
                           std::vector<codec::acq::CommandAck> acks) {
    // One count is the resolution the device was enrolled with, else the finest the values need.
    core::Quantity resolution{1, 0, core::Unit::kWh};
    if (device && device->pulse_weight.value > 0) {
      resolution = device->pulse_weight;
    } else {
      for (const auto& s : samples) resolution.scale = std::min(resolution.scale, s.value.scale);
    }
    PolledMeter pm{m.device, m.spec.meter, core::Medium::kElectricity, resolution, interval_s_};
    if (!m.next_seq) m.next_seq = device ? device->acked_seq + 1 : 1;
    codec::acq::Uplink up;
    up.device = m.device;
    up.meter = m.spec.meter;
    up.medium = core::Medium::kElectricity;
    up.pulse_weight = resolution;
    up.counter_bits = 64;
    up.interval_s = interval_s_;
    up.acks = std::move(acks);
    // A new meter's relays are taken as closed until a command says otherwise.
    const bool output_on = device ? device->output_on : true;
    uint64_t seq = *m.next_seq;
    up.oldest_seq = samples.empty() ? 0 : seq;
    for (const auto& s : samples) {
      auto counts = RegisterCounts(pm, s.value);
      if (!counts) return Fail(counts.error());
      up.messages.push_back(codec::acq::Message{seq++, s.at, *counts, output_on, {}});
    }
    if (!up.messages.empty()) up.messages.back().events = std::move(events);
    auto reply = backend_.ingest.Ingest(std::move(up), now_, std::string(kPolledTokenHash));
    if (!reply) {
      m.next_seq.reset();  // start again from the store's acknowledged sequence
      return Fail(reply.error());
    }
    m.next_seq = seq;
    stats_.samples += static_cast<int64_t>(samples.size());
    return std::move(*reply);
  }

  C1222Backend backend_;
  C1222SourceStats& stats_;
  Instant now_;
  int32_t interval_s_ = 900;
};

}  // namespace

PollOutcome C1222Source::PollMeters(C1222Backend backend, Instant now) {
  PollOutcome out;
  std::mutex out_mu;
  auto fail = [&](const Meter& m, const core::Error& e) {
    std::lock_guard lock(out_mu);
    ++out.errors;
    out.last_error = fmt::format("{} ({}): {}", m.spec.meter, m.spec.ap_title, e.ToString());
  };
  // Meter types: each model's TDL once.
  std::map<std::string, Result<std::shared_ptr<const c19::Tdl>>> models;
  std::vector<Meter*> ready;
  for (auto& m : meters_) {
    if (!m->tdl) {
      auto it = models.find(m->spec.model);
      if (it == models.end()) it = models.emplace(m->spec.model, LoadModel(options_.models_dir, m->spec.model)).first;
      if (!it->second) {
        fail(*m, it->second.error());
        continue;
      }
      m->tdl = *it->second;
    }
    ready.push_back(m.get());
  }
  // Devices with commands waiting (and, after a start, commands sent but never acknowledged).
  std::unordered_set<std::string> ours, waiting;
  for (const auto* m : ready) ours.insert(m->device);
  std::vector<core::CommandState> states{core::CommandState::kPending};
  if (first_round_) states.push_back(core::CommandState::kSent);
  for (auto state : states) {
    store::CommandFilter filter;
    filter.state = state;
    filter.page.limit = 1000;
    for (;;) {
      auto page = backend.store.ListCommands(filter);
      if (!page) {
        spdlog::warn("c1222: listing commands: {}", page.error().ToString());
        break;
      }
      for (const auto& c : page->items) {
        if (ours.contains(c.device)) waiting.insert(c.device);
      }
      filter.page.offset += static_cast<int64_t>(page->items.size());
      if (page->items.empty() || filter.page.offset >= page->total) break;
    }
  }
  first_round_ = false;

  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < ready.size(); i = next++) {
      Meter& m = *ready[i];
      MeterRound round(backend, stats_, now);
      auto r = round.Run(m, options_, waiting.contains(m.device));
      if (!r) {
        fail(m, r.error());
        continue;
      }
      if (*r) {
        std::lock_guard lock(out_mu);
        ++out.meters_read;
      }
    }
  };
  const size_t threads = std::min<size_t>(ready.size(), static_cast<size_t>(std::max(1, options_.parallel)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

std::shared_ptr<PollSource> MakeC1222Source(std::vector<C1222TargetSpec> specs, C1222SourceOptions options) {
  return std::make_shared<C1222Source>(std::move(specs), std::move(options));
}

}  // namespace meterd::headend
