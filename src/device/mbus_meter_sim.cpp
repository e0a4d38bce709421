// SPDX-License-Identifier: Apache-2.0
#include "device/mbus_meter_sim.h"

#include <fmt/format.h>

#include <algorithm>

#include "codec/mbus/control_field.h"
#include "codec/mbus/encode_variable_data.h"
#include "codec/mbus/frame.h"
#include "codec/mbus/manufacturer.h"

namespace meterd::device {
namespace {

namespace mb = codec::mbus;

constexpr int64_t kDayS = 86400;

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint32_t ToBcd(uint32_t decimal) {
  uint32_t out = 0;
  for (int i = 0; i < 8; ++i) {
    out |= (decimal % 10) << (4 * i);
    decimal /= 10;
  }
  return out;
}

core::Medium ProfileMedium(MbusMeterKind kind) {
  switch (kind) {
    case MbusMeterKind::kWater:
      return core::Medium::kWater;
    case MbusMeterKind::kGas:
      return core::Medium::kGas;
    case MbusMeterKind::kElectricity:
      return core::Medium::kElectricity;
    default:
      return core::Medium::kHotWater;  // warm water; heat: the heating circuit's draw
  }
}

std::string_view DefaultManufacturer(MbusMeterKind kind) {
  switch (kind) {
    case MbusMeterKind::kHeat:
      return "KAM";
    case MbusMeterKind::kGas:
      return "ELS";
    case MbusMeterKind::kElectricity:
      return "EMH";
    default:
      return "SEN";
  }
}

mb::Record Rec(mb::DataCoding coding, std::vector<uint8_t> vib, mb::Value value, uint64_t storage = 0,
               uint32_t tariff = 0) {
  mb::Record r;
  r.coding = coding;
  r.vib = std::move(vib);
  r.value = std::move(value);
  r.storage_number = storage;
  r.tariff = tariff;
  return r;
}

int64_t Seconds(core::Instant t) { return core::ToUnixSeconds(t); }

mb::DateTime TypeF(core::Instant t) {
  const int64_t s = Seconds(t);
  const int64_t day = s >= 0 ? s / kDayS : (s - kDayS + 1) / kDayS;
  const core::CivilDate d = core::CivilFromDays(static_cast<int32_t>(day));
  const int64_t sod = s - day * kDayS;
  mb::DateTime out;
  out.type = mb::DateTimeType::kF;
  out.year = static_cast<int16_t>(d.year);
  out.month = static_cast<uint8_t>(d.month);
  out.day = static_cast<uint8_t>(d.day);
  out.hour = static_cast<uint8_t>(sod / 3600);
  out.minute = static_cast<uint8_t>(sod % 3600 / 60);
  return out;
}

mb::DateTime TypeG(core::CivilDate d) {
  mb::DateTime out;
  out.type = mb::DateTimeType::kG;
  out.year = static_cast<int16_t>(d.year);
  out.month = static_cast<uint8_t>(d.month);
  out.day = static_cast<uint8_t>(d.day);
  return out;
}

core::CivilDate FirstOfMonth(core::Instant t) {
  core::CivilDate d = core::CivilFromDays(static_cast<int32_t>(Seconds(t) / kDayS));
  d.day = 1;
  return d;
}

// The next instant after `t` where something changes: a month starts (due day), or for
// electricity the tariff switches (07:00 and 22:00 UTC).
core::Instant NextBoundary(core::Instant t, bool tariffs) {
  core::CivilDate m = FirstOfMonth(t);
  m = m.month == 12 ? core::CivilDate{m.year + 1, 1, 1} : core::CivilDate{m.year, m.month + 1, 1};
  int64_t next = int64_t{core::DaysFromCivil(m)} * kDayS;
  if (tariffs) {
    const int64_t day = Seconds(t) / kDayS * kDayS;
    for (int64_t c : {day + 7 * 3600, day + 22 * 3600, day + kDayS + 7 * 3600}) {
      if (c > Seconds(t)) {
        next = std::min(next, c);
        break;
      }
    }
  }
  return core::FromUnixSeconds(next);
}

bool DayTariff(core::Instant t) {
  const int64_t hour = Seconds(t) % kDayS / 3600;
  return hour >= 7 && hour < 22;
}

}  // namespace

std::string_view MbusMeterKindName(MbusMeterKind kind) {
  switch (kind) {
    case MbusMeterKind::kWater:
      return "water";
    case MbusMeterKind::kWarmWater:
      return "warm_water";
    case MbusMeterKind::kHeat:
      return "heat";
    case MbusMeterKind::kGas:
      return "gas";
    case MbusMeterKind::kElectricity:
      return "electricity";
  }
  return "unknown";
}

uint8_t MbusMediumByte(MbusMeterKind kind) {
  switch (kind) {
    case MbusMeterKind::kWater:
      return 0x07;
    case MbusMeterKind::kWarmWater:
      return 0x06;
    case MbusMeterKind::kHeat:
      return 0x04;
    case MbusMeterKind::kGas:
      return 0x03;
    case MbusMeterKind::kElectricity:
      return 0x02;
  }
  return 0x00;
}

MbusMeterSim::MbusMeterSim(const MbusMeterConfig& config, core::Instant start)
    : config_(config), profile_(ProfileMedium(config.kind), config.seed) {
  if (config_.manufacturer.empty()) config_.manufacturer = std::string(DefaultManufacturer(config_.kind));
  manufacturer_field_ = mb::ManufacturerField(config_.manufacturer).value_or(0);
  const uint64_t h = SplitMix(config.seed);
  registers_.now = start;
  registers_.access_number = static_cast<uint8_t>(h);
  registers_.fabrication_number = static_cast<uint32_t>(SplitMix(h) % 100000000);
  registers_.error_flags = config.error_flags;
  switch (config_.kind) {
    case MbusMeterKind::kHeat:
      registers_.volume_l = static_cast<int64_t>(h % 400000);
      heat_e5_wh_ = static_cast<int64_t>(SplitMix(h + 1) % 20000000) * 100000;  // up to 20 MWh
      registers_.flow_temperature_dc = 550 + static_cast<int64_t>(h >> 20) % 150;
      registers_.return_temperature_dc = registers_.flow_temperature_dc - 150 - static_cast<int64_t>(h >> 40) % 100;
      registers_.temperature_difference_ck = 10 * (registers_.flow_temperature_dc - registers_.return_temperature_dc);
      registers_.energy_wh = heat_e5_wh_ / 100000;
      registers_.energy_kj = heat_e5_wh_ * 36 / 1000000;
      break;
    case MbusMeterKind::kElectricity:
      registers_.energy_t1_wh = static_cast<int64_t>(h % 30000000);
      registers_.energy_t2_wh = static_cast<int64_t>(SplitMix(h + 1) % 15000000);
      registers_.energy_wh = registers_.energy_t1_wh + registers_.energy_t2_wh;
      break;
    default:
      registers_.volume_l = static_cast<int64_t>(h % 900000);
      break;
  }
  registers_.due_day = FirstOfMonth(start);
  registers_.due_day_value = MainRegister();
}

codec::mbus::SecondaryAddress MbusMeterSim::secondary_address() const {
  return {ToBcd(config_.id), manufacturer_field_, config_.version, MbusMediumByte(config_.kind)};
}

int64_t MbusMeterSim::MainRegister() const {
  switch (config_.kind) {
    case MbusMeterKind::kHeat:
      return config_.energy_in_kj ? registers_.energy_kj : registers_.energy_wh;
    case MbusMeterKind::kElectricity:
      return registers_.energy_wh;
    default:
      return registers_.volume_l;
  }
}

void MbusMeterSim::AdvanceTo(core::Instant to) {
  while (registers_.now < to) {
    const core::Instant boundary = NextBoundary(registers_.now, config_.kind == MbusMeterKind::kElectricity);
    const core::Instant next = std::min(to, boundary);
    Consume(registers_.now, next);
    registers_.now = next;
    const int64_t s = Seconds(next);
    if (s % kDayS == 0 && core::CivilFromDays(static_cast<int32_t>(s / kDayS)).day == 1) {
      registers_.due_day = FirstOfMonth(next);
      registers_.due_day_value = MainRegister();
    }
  }
}

void MbusMeterSim::Consume(core::Instant from, core::Instant to) {
  const int64_t seconds = Seconds(to) - Seconds(from);
  if (seconds <= 0) return;
  if (config_.kind == MbusMeterKind::kElectricity) {
    const auto wh = static_cast<int64_t>(profile_.Pulses(from, to, core::Quantity{1, 0, core::Unit::kWh}));
    registers_.energy_wh += wh;
    (DayTariff(from) ? registers_.energy_t1_wh : registers_.energy_t2_wh) += wh;
    registers_.power_w = wh * 3600 / seconds;
    return;
  }
  const auto litres = static_cast<int64_t>(profile_.Pulses(from, to, core::Quantity{1, 0, core::Unit::kL}));
  registers_.volume_l += litres;
  registers_.volume_flow_l_h = litres * 3600 / seconds;
  if (config_.kind == MbusMeterKind::kHeat) {
    // Q = V x c x dT with c = 1.163 Wh/(L K): in 1e-5 Wh, litres x centikelvin x 1163.
    const int64_t e5 = litres * registers_.temperature_difference_ck * 1163;
    heat_e5_wh_ += e5;
    registers_.energy_wh = heat_e5_wh_ / 100000;
    registers_.energy_kj = heat_e5_wh_ * 36 / 1000000;
    registers_.power_w = e5 * 36 / 1000 / seconds;  // 1e-5 Wh x 3600 / s
  }
}

std::vector<codec::mbus::Record> MbusMeterSim::Records() const {
  using C = mb::DataCoding;
  const auto& r = registers_;
  std::vector<mb::Record> out;
  out.push_back(Rec(C::kBcd8, {0x78}, mb::Integer{r.fabrication_number}));
  const std::vector<uint8_t> main_vib =
      config_.kind == MbusMeterKind::kHeat || config_.kind == MbusMeterKind::kElectricity
          ? std::vector<uint8_t>{static_cast<uint8_t>(config_.energy_in_kj ? 0x0B : 0x03)}  // kJ / Wh
          : std::vector<uint8_t>{0x13};                                                     // L
  out.push_back(Rec(C::kInt32, main_vib, mb::Integer{MainRegister()}));
  switch (config_.kind) {
    case MbusMeterKind::kHeat:
      out.push_back(Rec(C::kInt32, {0x13}, mb::Integer{r.volume_l}));
      out.push_back(Rec(C::kInt32, {0x2B}, mb::Integer{r.power_w}));                    // W
      out.push_back(Rec(C::kInt32, {0x3B}, mb::Integer{r.volume_flow_l_h}));            // L/h
      out.push_back(Rec(C::kInt16, {0x5A}, mb::Integer{r.flow_temperature_dc}));        // 0.1 °C
      out.push_back(Rec(C::kInt16, {0x5E}, mb::Integer{r.return_temperature_dc}));      // 0.1 °C
      out.push_back(Rec(C::kInt16, {0x61}, mb::Integer{r.temperature_difference_ck}));  // 0.01 K
      break;
    case MbusMeterKind::kElectricity:
      out.push_back(Rec(C::kInt32, {0x03}, mb::Integer{r.energy_t1_wh}, 0, 1));
      out.push_back(Rec(C::kInt32, {0x03}, mb::Integer{r.energy_t2_wh}, 0, 2));
      out.push_back(Rec(C::kInt32, {0x2B}, mb::Integer{r.power_w}));
      break;
    default:
      out.push_back(Rec(C::kInt32, {0x3B}, mb::Integer{r.volume_flow_l_h}));
      break;
  }
  out.push_back(Rec(C::kInt32, {0x6D}, TypeF(r.now)));
  out.push_back(Rec(C::kInt32, main_vib, mb::Integer{r.due_day_value}, 1));
  out.push_back(Rec(C::kInt16, {0x6C}, TypeG(r.due_day), 1));
  out.push_back(Rec(C::kInt16, {0xFD, 0x17}, mb::Integer{r.error_flags}));
  return out;
}

std::vector<codec::mbus::VariableData> MbusMeterSim::Telegrams() const {
  mb::VariableData t;
  t.header_kind = mb::HeaderKind::kLong;
  t.header.id = fmt::format("{:08}", config_.id % 100000000);
  t.header.manufacturer = manufacturer_field_;
  t.header.manufacturer_code = config_.manufacturer;
  t.header.version = config_.version;
  t.header.medium = MbusMediumByte(config_.kind);
  t.header.access_number = registers_.access_number;
  t.header.status = registers_.error_flags != 0 ? 0x10 : 0x00;  // temporary error
  std::vector<mb::Record> records = Records();
  if (!config_.two_telegrams) {
    t.records = std::move(records);
    return {std::move(t)};
  }
  mb::VariableData second = t;
  const size_t half = records.size() / 2;
  t.records.assign(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(half));
  t.more_records_follow = true;
  second.records.assign(records.begin() + static_cast<std::ptrdiff_t>(half), records.end());
  second.header.access_number = static_cast<uint8_t>(registers_.access_number + 1);
  return {std::move(t), std::move(second)};
}

std::vector<uint8_t> MbusMeterSim::OnSndNke(bool deselect) {
  last_answer_.clear();
  last_fcb_ = false;
  next_telegram_ = 0;
  if (deselect) selected_ = false;
  return {mb::kAckByte};
}

std::vector<uint8_t> MbusMeterSim::OnReqUd2(uint8_t control) {
  const bool fcb = mb::control::Fcb(control);
  if (mb::control::Fcv(control) && !last_answer_.empty() && fcb == last_fcb_) return last_answer_;
  last_fcb_ = fcb;
  std::vector<mb::VariableData> telegrams = Telegrams();
  if (next_telegram_ >= telegrams.size()) next_telegram_ = 0;
  mb::VariableData& t = telegrams[next_telegram_];
  t.header.access_number = registers_.access_number++;
  next_telegram_ = (next_telegram_ + 1) % telegrams.size();
  auto bytes = mb::EncodeRspUd(config_.primary_address, t);
  // Our own records always fit and encode; an error here is a bug in Records().
  last_answer_ = bytes ? std::move(*bytes) : std::vector<uint8_t>{};
  return last_answer_;
}

std::vector<uint8_t> MbusMeterSim::OnSelect(const codec::mbus::SecondaryAddress& mask, uint8_t control) {
  selected_ = Matches(mask);
  if (!selected_) return {};
  // A selection starts a new readout: the FCB of the select counts and the sequence restarts.
  last_fcb_ = mb::control::Fcb(control);
  last_answer_.clear();
  next_telegram_ = 0;
  return {mb::kAckByte};
}

std::vector<uint8_t> MbusMeterSim::OnApplicationReset() {
  last_answer_.clear();
  next_telegram_ = 0;
  return {mb::kAckByte};
}

bool MbusMeterSim::Matches(const codec::mbus::SecondaryAddress& mask) const {
  const mb::SecondaryAddress own = secondary_address();
  for (int i = 0; i < 8; ++i) {
    const uint32_t want = (mask.id_digits >> (4 * i)) & 0xF;
    if (want != 0xF && want != ((own.id_digits >> (4 * i)) & 0xF)) return false;
  }
  return (mask.manufacturer == 0xFFFF || mask.manufacturer == own.manufacturer) &&
         (mask.version == 0xFF || mask.version == own.version) && (mask.medium == 0xFF || mask.medium == own.medium);
}

}  // namespace meterd::device
