// SPDX-License-Identifier: Apache-2.0
#include "apps/sim_bus.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "codec/c1222/ap_title.h"
#include "codec/modbus/register_map.h"

namespace meterd::apps {

core::Result<std::unique_ptr<BusSims>> BusSims::Start(const BusSimOptions& o, core::Instant now) {
  auto sims = std::make_unique<BusSims>();
  if (o.mbus_meters > 250) return core::Fail(core::Error::Invalid("an M-Bus holds at most 250 meters", "mbus-meters"));
  if (o.mbus_meters > 0) {
    sims->mbus_ = std::make_unique<device::MbusBusSim>(now);
    constexpr device::MbusMeterKind kKinds[] = {device::MbusMeterKind::kWater, device::MbusMeterKind::kWarmWater,
                                                device::MbusMeterKind::kHeat, device::MbusMeterKind::kGas,
                                                device::MbusMeterKind::kElectricity};
    for (int i = 0; i < o.mbus_meters; ++i) {
      device::MbusMeterConfig c;
      c.kind = kKinds[i % 5];
      c.primary_address = static_cast<uint8_t>(i + 1);
      c.id = static_cast<uint32_t>(10000000 + o.seed * 1000 + static_cast<uint64_t>(i));
      c.seed = o.seed * 100003 + static_cast<uint64_t>(i);
      c.two_telegrams = i % 7 == 6;
      if (auto r = sims->mbus_->AddMeter(c); !r) return core::Fail(r.error());
    }
    auto port = sims->mbus_->Start(0);
    if (!port) return core::Fail(port.error());
    sims->targets_.mbus.push_back({"127.0.0.1", *port, true, {}, 100});  // loopback: a slow answer is a lost one
  }
  if (o.modbus_meters > 0) {
    static const char* kModels[] = {"eastron-sdm630", "eastron-sdm120", "abb-b23"};
    std::vector<device::ModbusSimMeter> meters;
    std::vector<std::shared_ptr<const codec::modbus::RegisterMap>> maps;
    for (const char* model : kModels) {
      auto map = codec::modbus::LoadRegisterMap(fmt::format("{}/modbus/{}.toml", o.models_dir, model));
      if (!map) return core::Fail(map.error());
      maps.push_back(std::make_shared<const codec::modbus::RegisterMap>(std::move(*map)));
    }
    for (int i = 0; i < o.modbus_meters; ++i) {
      meters.push_back({fmt::format("modbus meter {}", i + 1), maps[i % 3], 1, o.seed * 7919 + static_cast<uint64_t>(i)});
    }
    device::ModbusMeterSim::Options options;
    options.start = now;
    options.tick = std::chrono::milliseconds(1000);
    auto sim = device::ModbusMeterSim::Start(options, std::move(meters));
    if (!sim) return core::Fail(sim.error());
    sims->modbus_ = std::move(*sim);
    for (int i = 0; i < o.modbus_meters; ++i) {
      sims->targets_.modbus.push_back({"127.0.0.1", sims->modbus_->Port(static_cast<size_t>(i)), 1, kModels[i % 3],
                                       fmt::format("E-MB{:05d}", o.seed * 1000 + static_cast<uint64_t>(i) + 1)});
    }
  }
  if (o.c12_meters > 0) {
    if (auto r = sims->StartC1222(o); !r) return core::Fail(r.error());
  }
  if (!o.targets_file.empty()) {
    std::string tmp = o.targets_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << headend::FormatPollTargets(sims->targets_);
      if (!out) return core::Fail(core::Error::Internal(fmt::format("cannot write {}", tmp)));
    }
    if (std::rename(tmp.c_str(), o.targets_file.c_str()) != 0) {
      return core::Fail(core::Error::Internal(fmt::format("cannot write {}", o.targets_file)));
    }
  }
  return sims;
}

core::Result<void> BusSims::StartC1222(const BusSimOptions& o) {
  std::vector<device::C1222SimMeter> meters;
  meters.reserve(static_cast<size_t>(o.c12_meters));
  for (int i = 0; i < o.c12_meters; ++i) {
    const uint64_t n = o.seed * 100000 + static_cast<uint64_t>(i) + 1;
    device::C1222SimMeter m;
    m.serial = fmt::format("C12-{:06d}", n);
    auto title = codec::c1222::ParseApTitle(fmt::format(".1153.{}", n));
    if (!title) return core::Fail(title.error());
    m.ap_title = std::move(*title);
    m.config.phases = i % 3 == 2 ? 1 : 3;
    m.config.seed = o.seed * 104729 + static_cast<uint64_t>(i);
    for (auto& u : m.users) {
      if (u.access == device::C1222Access::kOperator) u.password = o.c12_password;
    }
    if (o.c12_security) {
      // A per-meter key from the seed: a simulator's, not a secret.
      codec::c1222::AesKey key;
      uint64_t x = n * 0x9E3779B97F4A7C15ull ^ o.seed;
      for (auto& b : key) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        b = static_cast<uint8_t>(x >> 56);
      }
      m.key = key;
      m.key_id = 1;
      m.require_security = true;
    }
    meters.push_back(std::move(m));
  }
  device::C1222MeterSim::Options options;
  options.port = o.c12_port;
  options.tdl_path = fmt::format("{}/c1219/meterd-sim.xml", o.models_dir);
  auto sim = device::C1222MeterSim::Start(options, std::move(meters));
  if (!sim) return core::Fail(sim.error());
  c1222_ = std::move(*sim);
  for (size_t i = 0; i < c1222_->size(); ++i) {
    const device::C1222SimMeter& m = c1222_->meter(i);
    headend::C1222TargetSpec t;
    t.host = "127.0.0.1";
    t.port = c1222_->port();
    t.ap_title = m.ap_title.ToString();
    t.meter = "E-C1222-R" + t.ap_title.substr(1);  // "E-C1222-R1153.100001", the head-end's default
    t.model = "meterd-sim";
    t.user_id = 2;
    t.user = "operator";
    t.password = o.c12_password;
    if (m.key) {
      t.key_id = m.key_id;
      for (uint8_t b : *m.key) t.key += fmt::format("{:02x}", b);
    }
    t.load_profile_hours = 4;
    t.relay_procedure = "MP1";
    targets_.c1222.push_back(std::move(t));
  }
  return {};
}

void BusSims::Tick(core::Instant now) {
  if (mbus_) mbus_->AdvanceTo(now);
}

}  // namespace meterd::apps
