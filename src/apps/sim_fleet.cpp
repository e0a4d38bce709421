// SPDX-License-Identifier: Apache-2.0
#include "apps/sim_fleet.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "apps/http_client.h"
#include "codec/acq/uplink.h"
#include "security/crypto.h"

namespace meterd::apps {
namespace {

struct Kind {
  core::Medium medium;
  char prefix;
  const char* pulse_weight;
};
// The demo fleet's mix: water is the most common pulse meter, then hot water, gas and
// electricity pulse outputs (1000 imp/kWh).
constexpr Kind kKinds[] = {{core::Medium::kWater, 'W', "1 L"},        {core::Medium::kWater, 'W', "1 L"},
                           {core::Medium::kHotWater, 'H', "1 L"},     {core::Medium::kGas, 'G', "10 L"},
                           {core::Medium::kElectricity, 'E', "1 Wh"}};

}  // namespace

core::Result<std::unique_ptr<SimFleet>> SimFleet::Create(const SimOptions& options) {
  std::unique_ptr<SimFleet> fleet(new SimFleet(options));
  fleet->devices_.reserve(options.devices);
  int cut_stride = options.cut_count > 0 ? std::max(1, options.devices / options.cut_count) : 0;
  int cuts = 0;
  for (int i = 0; i < options.devices; ++i) {
    int n = options.first_id + i;
    const Kind& kind = kKinds[n % std::size(kKinds)];
    device::AcqDeviceConfig config;
    config.id = fmt::format("D{:06}", n);
    config.meter = fmt::format("{}{:06}", kind.prefix, n);
    config.medium = kind.medium;
    auto weight = core::Quantity::Parse(kind.pulse_weight);
    if (!weight) return core::Fail(weight.error());
    config.pulse_weight = *weight;
    config.interval_s = options.interval_s;
    config.token = security::DeviceTokenFromEnrolmentKey(options.enrolment_key, config.id);
    config.state_dir = std::filesystem::path(options.state_dir) / config.id;
    config.trusted_keys = options.trusted_keys;
    std::error_code ec;
    std::filesystem::create_directories(config.state_dir, ec);
    if (ec) return core::Fail(core::Error::Internal(fmt::format("cannot create {}: {}", config.state_dir.string(), ec.message())));
    auto dev = device::AcqDevice::Open(config);
    if (!dev) return core::Fail(dev.error());
    SimDevice sim;
    sim.device = std::make_unique<device::AcqDevice>(std::move(*dev));
    sim.profile = std::make_unique<device::LoadProfile>(kind.medium, options.seed * 1000003 + static_cast<uint64_t>(n));
    bool named = std::find(options.cut_devices.begin(), options.cut_devices.end(), config.id) != options.cut_devices.end();
    if (named || (cut_stride > 0 && i % cut_stride == 0 && cuts < options.cut_count)) {
      sim.cut = true;
      ++cuts;
    }
    fleet->devices_.push_back(std::move(sim));
  }
  return fleet;
}

bool SimFleet::NetworkUp(const SimDevice& d, core::Instant t) const {
  if (!d.cut) return true;
  core::Instant from = start_ + core::Seconds{options_.cut_after_s};
  return t < from || t >= from + core::Seconds{options_.cut_s};
}

core::Result<void> SimFleet::SampleAll(core::Instant t) {
  for (auto& d : devices_) {
    core::Seconds step{d.device->IntervalS()};
    d.device->AddPulses(d.profile->Pulses(t - step, t, d.device->Config().pulse_weight));
    auto s = d.device->Sample(t);
    if (!s) return s;
    if (!d.sampled) {
      d.sampled = true;
      d.first_total = d.device->TotalPulses();
      d.first_at = t;
    }
    d.last_total = d.device->TotalPulses();
    d.last_at = t;
  }
  return {};
}

ExchangeStats SimFleet::Exchange(core::Instant t, bool poll) {
  const int workers = std::max(1, std::min<int>(options_.connections, static_cast<int>(devices_.size())));
  std::vector<ExchangeStats> stats(workers);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      auto client = HttpClient::Create(options_.url, std::chrono::seconds(30), options_.ca_file);
      if (!client) return;
      for (size_t i = w; i < devices_.size(); i += workers) {
        SimDevice& d = devices_[i];
        auto body = d.device->NextUplink(t, 2000);
        if (!body && poll && t >= d.device->RetryAt()) {
          // Nothing queued: ask for commands with an empty uplink.
          const auto& c = d.device->Config();
          codec::acq::Uplink empty;
          empty.device = c.id;
          empty.meter = c.meter;
          empty.medium = c.medium;
          empty.pulse_weight = c.pulse_weight;
          empty.counter_bits = c.counter_bits;
          empty.interval_s = d.device->IntervalS();
          body = codec::acq::EncodeUplink(empty);
        }
        if (!body) continue;
        if (!NetworkUp(d, t)) {
          d.device->OnSendFailed(t);
          ++d.failures;
          ++stats[w].failures;
          continue;
        }
        ++d.sends;
        ++stats[w].uplinks;
        auto r = (*client)->Send("POST", fmt::format("/api/v1/devices/{}/uplink", d.device->Config().id), *body,
                                 d.device->Config().token);
        if (r && r->status == 200) {
          if (auto ok = d.device->OnDownlink(r->body, t); !ok) {
            spdlog::warn("{}: bad downlink: {}", d.device->Config().id, ok.error().ToString());
            d.device->OnSendFailed(t);
          }
          continue;
        }
        d.device->OnSendFailed(t);
        ++d.failures;
        ++stats[w].failures;
        if (r && r->status >= 400 && r->status < 500) {
          ++d.refused;
          ++stats[w].refused;
          spdlog::warn("{}: meterd refused the uplink: HTTP {} {}", d.device->Config().id, r->status, r->body);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  ExchangeStats total;
  for (const auto& s : stats) {
    total.uplinks += s.uplinks;
    total.failures += s.failures;
    total.refused += s.refused;
  }
  return total;
}

size_t SimFleet::TotalBacklog() const {
  size_t n = 0;
  for (const auto& d : devices_) n += d.device->Backlog();
  return n;
}

std::string SimFleet::Summary() const {
  boost::json::array items;
  for (const auto& d : devices_) {
    const auto& c = d.device->Config();
    core::Quantity weight = c.pulse_weight.Normalised();
    auto consumption = weight.Times(static_cast<int64_t>(d.last_total - d.first_total));
    boost::json::object o;
    o["device"] = c.id;
    o["meter"] = c.meter;
    o["medium"] = core::MediumName(c.medium);
    o["pulse_weight"] = weight.ToString();
    o["pulses"] = d.last_total - d.first_total;
    o["consumption"] = consumption ? consumption->DecimalString() : "overflow";
    o["first_sample"] = core::FormatInstant(d.first_at);
    o["last_sample"] = core::FormatInstant(d.last_at);
    o["cut"] = d.cut;
    o["sends"] = d.sends;
    o["failures"] = d.failures;
    o["refused"] = d.refused;
    o["backlog"] = d.device->Backlog();
    items.push_back(std::move(o));
  }
  return boost::json::serialize(items);
}

}  // namespace meterd::apps
