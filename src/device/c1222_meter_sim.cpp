// SPDX-License-Identifier: Apache-2.0
// The C12.22 side of the simulated meters: APDUs routed by called ApTitle to meters, EAX' on
// both ways, and the TCP/UDP server (c1222_sim_server.cpp).
#include "device/c1222_meter_sim.h"

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "codec/c1222/acse.h"
#include "codec/c1222/epsem.h"
#include "codec/c1222/security.h"
#include "device/c1222_sim_server.h"

namespace meterd::device {

namespace c1222 = codec::c1222;
using codec::c1218::ResponseCode;
using core::Error;
using core::Fail;
using core::Result;

namespace {

core::Instant SystemNow() { return std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now()); }

struct Meter {
  C1222SimMeter spec;
  C1222MeterState state;
  c1222::KeyTable keys;
  std::unordered_map<std::string, C1222Session> sessions;  // by calling ApTitle (or peer)
  uint32_t invocation = 0;  // our calling-AP-invocation-id
  uint32_t iv = 0;          // the next EAX' IV of a response
  int inject_left = 0;
  ResponseCode inject_code = ResponseCode::kBsy;
};

}  // namespace

struct C1222MeterSim::Impl final : C1222SimServer::Handler {
  Options options;
  std::unique_ptr<C1222MeterTables> tables;
  mutable std::mutex mu;
  std::vector<std::unique_ptr<Meter>> meters;             // GUARDED_BY(mu)
  std::unordered_map<std::string, size_t> by_title;       // absolute ApTitle text -> meter
  C1222SimCounters counters;                               // GUARDED_BY(mu)
  std::unique_ptr<C1222SimServer> server;

  core::Instant Now() const { return options.clock ? options.clock() : SystemNow(); }

  Meter& Advanced(size_t i) {  // mu held
    Meter& m = *meters.at(i);
    m.state.model.AdvanceTo(Now());
    return m;
  }

  std::vector<uint8_t> OnApdu(std::span<const uint8_t> bytes, const std::string& peer) override {
    std::lock_guard lock(mu);
    return Answer(bytes, peer);
  }
  void OnConnection() override {
    std::lock_guard lock(mu);
    ++counters.connections;
  }
  void OnDatagram() override {
    std::lock_guard lock(mu);
    ++counters.datagrams;
  }

  // The reply APDU for `request`, sealed in `mode` with the meter's key when mode is not 0.
  std::vector<uint8_t> Reply(const c1222::Apdu& request, Meter* meter, c1222::SecurityMode mode,
                             std::vector<std::vector<uint8_t>> services) {
    c1222::Apdu a;
    a.application_context = request.application_context;
    a.called_ap_title = request.calling_ap_title;
    a.called_ap_invocation_id = request.calling_ap_invocation_id;
    a.calling_ap_title = request.called_ap_title;
    a.calling_ap_invocation_id = meter ? ++meter->invocation : 1;
    c1222::Epsem e;
    e.security_mode = mode;
    e.services = std::move(services);
    if (mode != c1222::SecurityMode::kCleartext && meter) {
      a.mechanism_name = request.mechanism_name;
      const uint32_t iv = ++meter->iv;
      a.calling_authentication_value =
          c1222::AuthenticationValue{meter->spec.key_id,
                                     {static_cast<uint8_t>(iv >> 24), static_cast<uint8_t>(iv >> 16),
                                      static_cast<uint8_t>(iv >> 8), static_cast<uint8_t>(iv)},
                                     {}};
    }
    auto epsem = c1222::EncodeEpsem(e);
    if (!epsem) return {};
    auto sealed = c1222::SealApdu(std::move(a), *epsem, meter ? meter->keys : c1222::KeyTable{}, options.ap_title_base);
    if (!sealed) return {};
    ++counters.responses;
    return std::move(*sealed);
  }

  std::vector<uint8_t> Answer(std::span<const uint8_t> bytes, const std::string& peer) {  // mu held
    ++counters.apdus;
    auto apdu = c1222::DecodeApdu(bytes);
    if (!apdu) {
      ++counters.malformed;
      return {};  // nothing to address a reply to
    }
    const auto clear = c1222::SecurityMode::kCleartext;
    std::optional<size_t> index;
    if (apdu->called_ap_title) {
      if (auto abs = c1222::ToAbsolute(*apdu->called_ap_title, options.ap_title_base)) {
        auto it = by_title.find(abs->ToString());
        if (it != by_title.end()) index = it->second;
      }
    }
    if (!index) {
      ++counters.unknown_title;
      return Reply(*apdu, nullptr, clear, ErrorServices(1, ResponseCode::kUat));
    }
    Meter& m = Advanced(*index);
    auto mode = c1222::SecurityModeOf(apdu->user_information);
    if (!mode) {
      ++counters.malformed;
      return {};
    }
    std::vector<uint8_t> cleartext;
    if (*mode != clear) {
      auto opened = m.keys.empty() ? Result<std::vector<uint8_t>>(Fail(Error::NotFound("no key")))
                                   : c1222::OpenEpsem(bytes, m.keys, options.ap_title_base);
      if (!opened) {
        ++counters.security_errors;
        return Reply(*apdu, &m, clear, ErrorServices(1, ResponseCode::kSme));
      }
      cleartext = std::move(*opened);
    } else if (m.spec.require_security && !m.keys.empty()) {
      ++counters.security_errors;
      return Reply(*apdu, &m, clear, ErrorServices(1, ResponseCode::kSme));
    } else {
      cleartext = apdu->user_information;
    }
    auto epsem = c1222::DecodeEpsem(cleartext);
    if (!epsem) {
      ++counters.malformed;
      return Reply(*apdu, &m, *mode, ErrorServices(1, ResponseCode::kErr));
    }
    if (m.inject_left > 0) {
      --m.inject_left;
      ++counters.injected;
      return Reply(*apdu, &m, *mode, ErrorServices(epsem->services.size(), m.inject_code));
    }
    const std::string key = apdu->calling_ap_title ? apdu->calling_ap_title->ToString() : peer;
    C1222Session& session = m.sessions[key];
    if (session.logged_on && m.state.model.now() - session.last_activity > core::Seconds{session.idle_timeout_s}) {
      session = C1222Session{};  // timed out
    }
    C1222ServiceContext ctx{m.state, *tables, m.spec.users, session, !m.keys.empty()};
    bool any_error = false;
    auto responses = HandleServices(ctx, epsem->services, &any_error);
    if (!session.logged_on) m.sessions.erase(key);
    if (epsem->response_control == c1222::ResponseControl::kNever ||
        (epsem->response_control == c1222::ResponseControl::kOnException && !any_error)) {
      return {};
    }
    return Reply(*apdu, &m, *mode, std::move(responses));
  }
};

C1222MeterSim::C1222MeterSim(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

C1222MeterSim::~C1222MeterSim() { Stop(); }

Result<std::unique_ptr<C1222MeterSim>> C1222MeterSim::Start(Options options, std::vector<C1222SimMeter> meters) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto tables = C1222MeterTables::Load(impl->options.tdl_path, impl->options.limits);
  if (!tables) return Fail(tables.error());
  impl->tables = std::move(*tables);
  const C1222TableLimits& limits = impl->tables->limits();
  const int64_t start = core::ToUnixSeconds(impl->Now());
  const core::Instant installed = core::FromUnixSeconds((start - ((start % 86400) + 86400) % 86400) -
                                                        int64_t{limits.lp_days - 1} * 86400);
  for (size_t i = 0; i < meters.size(); ++i) {
    C1222SimMeter& spec = meters[i];
    if (spec.serial.empty() || spec.serial.size() > 16) {
      return Fail(Error::Invalid(fmt::format("meter {}: a serial of 1..16 characters", i), "serial"));
    }
    auto abs = c1222::ToAbsolute(spec.ap_title, impl->options.ap_title_base);
    if (!abs || !c1222::EncodeOidContent(*abs)) {
      return Fail(Error::Invalid(fmt::format("meter {}: ApTitle {} is not valid", spec.serial, spec.ap_title.ToString()),
                                 "ap_title"));
    }
    if (!impl->by_title.emplace(abs->ToString(), i).second) {
      return Fail(Error::Invalid(fmt::format("meter {}: ApTitle {} is used twice", spec.serial, spec.ap_title.ToString()),
                                 "ap_title"));
    }
    auto m = std::make_unique<Meter>(Meter{spec,
                                           C1222MeterState(C1222MeterModel(spec.config, installed, limits.lp_days,
                                                                           limits.self_reads, limits.event_entries,
                                                                           limits.history_entries),
                                                           spec.serial),
                                           {}, {}, 0, static_cast<uint32_t>(spec.config.seed * 7919), 0,
                                           ResponseCode::kBsy});
    if (spec.key) m->keys.Set(spec.key_id, *spec.key);
    impl->meters.push_back(std::move(m));
  }
  if (impl->options.tcp || impl->options.udp) {
    auto server = C1222SimServer::Start(impl->options.host, impl->options.port, impl->options.tcp, impl->options.udp,
                                        *impl);
    if (!server) return Fail(server.error());
    impl->server = std::move(*server);
  }
  return std::unique_ptr<C1222MeterSim>(new C1222MeterSim(std::move(impl)));
}

void C1222MeterSim::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop();
}

uint16_t C1222MeterSim::port() const { return impl_->server ? impl_->server->port() : 0; }
size_t C1222MeterSim::size() const { return impl_->meters.size(); }
const C1222MeterTables& C1222MeterSim::tables() const { return *impl_->tables; }
const C1222SimMeter& C1222MeterSim::meter(size_t index) const { return impl_->meters.at(index)->spec; }

std::vector<uint8_t> C1222MeterSim::Handle(std::span<const uint8_t> apdu) { return impl_->OnApdu(apdu, "local"); }

C1222Registers C1222MeterSim::Registers(size_t meter) {
  std::lock_guard lock(impl_->mu);
  return impl_->Advanced(meter).state.model.registers();
}

C1222Present C1222MeterSim::Present(size_t meter) {
  std::lock_guard lock(impl_->mu);
  return impl_->Advanced(meter).state.model.Present();
}

std::vector<C1222Relay> C1222MeterSim::Relays(size_t meter) {
  std::lock_guard lock(impl_->mu);
  return impl_->Advanced(meter).state.model.relays();
}

Result<std::vector<uint8_t>> C1222MeterSim::ReadTable(size_t meter, codec::c1219::TableId id) {
  std::lock_guard lock(impl_->mu);
  return impl_->tables->Read(impl_->Advanced(meter).state, id);
}

void C1222MeterSim::PressButton(size_t meter) {
  std::lock_guard lock(impl_->mu);
  impl_->Advanced(meter).state.model.PressButton();
}

void C1222MeterSim::InjectResponses(size_t meter, ResponseCode code, int count) {
  std::lock_guard lock(impl_->mu);
  Meter& m = *impl_->meters.at(meter);
  m.inject_code = code;
  m.inject_left = count;
}

C1222SimCounters C1222MeterSim::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

}  // namespace meterd::device
