// SPDX-License-Identifier: Apache-2.0
// Poll sources for M-Bus converters and Modbus TCP meters (docs/headend.md, "Polled meters").
#include "headend/bus_sources.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "codec/mbus/manufacturer.h"
#include "headend/c1222_source.h"
#include "headend/mbus_master.h"
#include "headend/mbus_values.h"
#include "headend/modbus_poller.h"

namespace meterd::headend {
namespace {

// One count of a register read with `scale`: 10^scale of `unit`.
core::Quantity Resolution(int8_t scale, core::Unit unit) {
  if (scale >= 0) {
    int64_t v = 1;
    for (int i = 0; i < scale; ++i) v *= 10;
    return {v, 0, unit};
  }
  return {1, scale, unit};
}

char MediumLetter(core::Medium m) {
  switch (m) {
    case core::Medium::kElectricity: return 'E';
    case core::Medium::kWater: return 'W';
    case core::Medium::kHotWater: return 'H';
    case core::Medium::kGas: return 'G';
    case core::Medium::kHeat: return 'Q';
  }
  return 'X';
}

class MbusSource final : public PollSource {
 public:
  explicit MbusSource(MbusTargetSpec spec) : spec_(std::move(spec)) {}
  std::string Name() const override { return fmt::format("mbus {}:{}", spec_.host, spec_.port); }

  PollOutcome PollOnce(PolledMeterSink& sink, core::Instant now) override {
    PollOutcome out;
    auto fail = [&](std::string what) {
      ++out.errors;
      out.last_error = std::move(what);
    };
    if (!master_) {
      MbusMasterOptions options;
      options.host = spec_.host;
      options.port = spec_.port;
      options.answer_timeout = std::chrono::milliseconds(spec_.answer_timeout_ms);
      auto m = MbusMaster::Connect(options);
      if (!m) {
        fail(m.error().ToString());
        return out;
      }
      master_ = std::move(*m);
    }
    std::vector<MbusReadout> readouts;
    bool rescan = spec_.scan && (rounds_ % kRescanRounds == 0 || lost_meter_);
    ++rounds_;
    if (rescan) {
      auto scan = master_->ScanSecondary();
      if (!scan) {
        fail(scan.error().ToString());
        master_.reset();  // reconnect next round
        return out;
      }
      known_.clear();
      for (auto& m : scan->meters) {
        known_.push_back(m.secondary_address);
        readouts.push_back(std::move(m));
      }
      for (const auto& e : scan->errors) fail(e.ToString());
      for (const auto& id : scan->conflicts) fail(fmt::format("two meters answer to id {}", id));
      lost_meter_ = false;
    } else {
      for (const auto& address : known_) {
        auto r = master_->ReadSecondary(address);
        if (!r) {
          fail(r.error().ToString());
          lost_meter_ = true;
          continue;
        }
        readouts.push_back(std::move(*r));
      }
    }
    for (int primary : spec_.primary) {
      auto r = master_->ReadPrimary(static_cast<uint8_t>(primary));
      if (!r) {
        fail(r.error().ToString());
        continue;
      }
      readouts.push_back(std::move(*r));
    }
    for (const auto& r : readouts) {
      if (auto e = Report(sink, r, now); !e) {
        fail(e.error().ToString());
      } else {
        ++out.meters_read;
      }
    }
    return out;
  }

 private:
  static constexpr int kRescanRounds = 96;  // a day of 15-minute rounds

  core::Result<void> Report(PolledMeterSink& sink, const MbusReadout& r, core::Instant now) {
    const auto& h = r.data.header;
    auto medium = MediumOfMbus(h.medium);
    if (!medium) return core::Fail(core::Error::Invalid(fmt::format("meter {}: medium {:02X} is not metered here", h.id, h.medium)));
    MbusValues values = MapMbusValues(r.data);
    if (!values.main || !values.values[*values.main].quantity) {
      return core::Fail(core::Error::Invalid(fmt::format("meter {}: no main energy or volume register", h.id)));
    }
    const core::Quantity& reg = *values.values[*values.main].quantity;
    PolledMeter meter;
    meter.device = "MB-" + r.secondary_address.ToString();
    meter.meter = fmt::format("{}-{}-{}", MediumLetter(*medium), codec::mbus::ManufacturerCode(h.manufacturer), h.id);
    meter.medium = *medium;
    meter.resolution = Resolution(reg.scale, reg.unit);
    std::vector<codec::acq::DeviceEvent> events;
    if (h.status & 0x1C) {  // application busy/error, power low, permanent error (EN 13757-3 table 8)
      events.push_back({core::EventType::kMeterError, now, fmt::format("M-Bus status byte {:02X}", h.status)});
    }
    // Instantaneous values now (storage 0) become the meter's present values.
    std::vector<store::PresentValue> present;
    for (size_t i = 0; i < values.values.size(); ++i) {
      const MbusValue& v = values.values[i];
      if (i == *values.main || !v.quantity || v.storage_number != 0 || v.name == "fabrication_number" ||
          v.function != codec::mbus::Function::kInstantaneous) {
        continue;
      }
      std::string name = v.name;
      if (v.tariff != 0) name += fmt::format("_t{}", v.tariff);
      if (v.subunit != 0) name += fmt::format("_s{}", v.subunit);
      present.push_back({std::move(name), *v.quantity, now});
    }
    auto reported = sink.Report(meter, now, reg, std::move(events), now, std::move(present));
    if (!reported) return core::Fail(reported.error());
    return {};
  }

  MbusTargetSpec spec_;
  std::unique_ptr<MbusMaster> master_;
  std::vector<codec::mbus::SecondaryAddress> known_;
  int64_t rounds_ = 0;
  bool lost_meter_ = false;
};

class ModbusSource final : public PollSource {
 public:
  ModbusSource(std::vector<ModbusTargetSpec> specs, std::string models_dir)
      : specs_(std::move(specs)), models_dir_(std::move(models_dir)) {}
  std::string Name() const override { return fmt::format("modbus ({} meters)", specs_.size()); }

  PollOutcome PollOnce(PolledMeterSink& sink, core::Instant now) override {
    PollOutcome out;
    for (const auto& spec : specs_) {
      if (auto r = PollOne(sink, spec, now); !r) {
        ++out.errors;
        out.last_error = fmt::format("{} ({}:{} unit {}): {}", spec.meter, spec.host, spec.port, spec.unit,
                                     r.error().ToString());
      } else {
        ++out.meters_read;
      }
    }
    return out;
  }

 private:
  core::Result<std::shared_ptr<const codec::modbus::RegisterMap>> Map(const std::string& model) {
    if (auto it = maps_.find(model); it != maps_.end()) return it->second;
    auto map = codec::modbus::LoadRegisterMap(fmt::format("{}/modbus/{}.toml", models_dir_, model));
    if (!map) return core::Fail(map.error());
    auto shared = std::make_shared<const codec::modbus::RegisterMap>(std::move(*map));
    maps_[model] = shared;
    return shared;
  }

  core::Result<void> PollOne(PolledMeterSink& sink, const ModbusTargetSpec& spec, core::Instant now) {
    auto map = Map(spec.model);
    if (!map) return core::Fail(map.error());
    const codec::modbus::RegisterDef* energy = nullptr;
    for (const auto& def : (*map)->registers) {
      if (def.channel == codec::modbus::EnergyChannel::kImportActive && def.phase == codec::modbus::Phase::kTotal) {
        energy = &def;
        break;
      }
    }
    if (!energy) return core::Fail(core::Error::Invalid(fmt::format("map {} has no import_active energy register", spec.model)));
    ModbusTarget target{spec.host, spec.port, static_cast<uint8_t>(spec.unit), *map};
    auto reading = poller_.Poll(target);
    if (!reading) return core::Fail(reading.error());
    const core::Quantity* value = reading->Find(energy->name);
    if (!value) return core::Fail(core::Error::Internal(fmt::format("poll of {} lacks {}", spec.meter, energy->name)));
    PolledMeter meter;
    meter.device = fmt::format("MODBUS-{}-{}-{}", spec.host, spec.port, spec.unit);
    meter.meter = spec.meter;
    meter.medium = core::Medium::kElectricity;
    meter.resolution = Resolution(value->scale, value->unit);
    std::vector<store::PresentValue> present;
    for (const auto& v : reading->values) {
      if (v.name != energy->name) present.push_back({v.name, v.value, now});
    }
    auto r = sink.Report(meter, now, *value, {}, now, std::move(present));
    if (!r) return core::Fail(r.error());
    return {};
  }

  std::vector<ModbusTargetSpec> specs_;
  std::string models_dir_;
  ModbusPoller poller_;
  std::map<std::string, std::shared_ptr<const codec::modbus::RegisterMap>> maps_;
};

}  // namespace

std::optional<core::Medium> MediumOfMbus(uint8_t code) {
  switch (code) {
    case 0x02: return core::Medium::kElectricity;
    case 0x03: return core::Medium::kGas;
    case 0x04:  // heat, volume at return
    case 0x0C:  // heat, volume at flow
    case 0x0D: return core::Medium::kHeat;
    case 0x06:  // warm water 30-90 C
    case 0x15: return core::Medium::kHotWater;
    case 0x07:
    case 0x16: return core::Medium::kWater;  // water, cold water
    default: return std::nullopt;
  }
}

std::shared_ptr<PollSource> MakeMbusSource(MbusTargetSpec spec) { return std::make_shared<MbusSource>(std::move(spec)); }

std::shared_ptr<PollSource> MakeModbusSource(std::vector<ModbusTargetSpec> specs, std::string models_dir) {
  return std::make_shared<ModbusSource>(std::move(specs), std::move(models_dir));
}

std::vector<std::shared_ptr<PollSource>> TargetsFile::Sources() {
  std::lock_guard lock(mu_);
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);
  uintmax_t size = ec ? 0 : std::filesystem::file_size(path_, ec);
  if (ec) {
    if (last_error_.empty()) spdlog::warn("poll targets {}: {}", path_, ec.message());
    last_error_ = ec.message();
    return sources_;
  }
  if (mtime_ && *mtime_ == mtime && size_ == size) return sources_;
  mtime_ = mtime;
  size_ = size;
  auto targets = LoadPollTargets(path_);
  if (!targets) {
    last_error_ = targets.error().ToString();
    spdlog::error("poll targets: {} (keeping the previous {} sources)", last_error_, sources_.size());
    return sources_;
  }
  last_error_.clear();
  size_t converters = targets->mbus.size(), modbus_meters = targets->modbus.size();
  std::vector<std::shared_ptr<PollSource>> sources;
  for (auto& m : targets->mbus) sources.push_back(MakeMbusSource(std::move(m)));
  if (!targets->modbus.empty()) sources.push_back(MakeModbusSource(std::move(targets->modbus), models_dir_));
  const size_t c1222_meters = targets->c1222.size();
  if (c1222_meters > 0) {
    C1222SourceOptions c1222;
    c1222.models_dir = models_dir_;
    sources.push_back(MakeC1222Source(std::move(targets->c1222), std::move(c1222)));
    spdlog::info("poll targets {}: {} C12.22 meters", path_, c1222_meters);
  }
  spdlog::info("poll targets {}: {} M-Bus converters, {} Modbus meters", path_, converters, modbus_meters);
  sources_ = std::move(sources);
  return sources_;
}

}  // namespace meterd::headend
