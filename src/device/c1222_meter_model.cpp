// SPDX-License-Identifier: Apache-2.0
#include "device/c1222_meter_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>

namespace meterd::device {

namespace c1219 = codec::c1219;

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// In [0, 1), a pure function of its inputs.
double Unit01(uint64_t a, uint64_t b, uint64_t c) {
  return static_cast<double>(Mix(Mix(Mix(a) ^ b) ^ c) >> 11) * 0x1.0p-53;
}
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int32_t DayOf(core::Instant t) { return static_cast<int32_t>(FloorDiv(core::ToUnixSeconds(t), 86400)); }
core::Instant DayStart(int32_t day) { return core::FromUnixSeconds(int64_t{day} * 86400); }

}  // namespace

c1219::TimeDate ToTimeDate(core::Instant t) {
  const int64_t s = core::ToUnixSeconds(t);
  const int32_t day = static_cast<int32_t>(FloorDiv(s, 86400));
  const int64_t sod = s - int64_t{day} * 86400;
  const core::CivilDate c = core::CivilFromDays(day);
  return c1219::TimeDate{c.year, static_cast<uint8_t>(c.month), static_cast<uint8_t>(c.day),
                         static_cast<uint8_t>(sod / 3600), static_cast<uint8_t>(sod / 60 % 60),
                         static_cast<uint8_t>(sod % 60), 0};
}

std::optional<core::Instant> FromTimeDate(const c1219::TimeDate& t) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 59) {
    return std::nullopt;
  }
  const int32_t day = core::DaysFromCivil({t.year, t.month, t.day});
  return DayStart(day) + core::Seconds{t.hour * 3600 + t.minute * 60 + t.second};
}

c1219::TimeDate NoTime() { return c1219::TimeDate{2000, 0, 0, 0, 0, 0, 0}; }

uint8_t C1222Relay::StateByte() const {
  return static_cast<uint8_t>((closed ? 0x01 : 0) | (armed ? 0x02 : 0) | (tripped_overcurrent ? 0x04 : 0) |
                              ((last_command & 0x03) << 4));
}

core::Instant C1222LpBlock::EndTime() const {
  return DayStart(day) + core::Seconds{int64_t{valid} * kC1222IntervalS};
}

c1219::St54 C1222MeterModel::DefaultCalendar() {
  c1219::St54 c;
  // Day schedule 0 (weekdays): off-peak, peak 07:00-21:00. Day schedule 1 (weekends): off-peak.
  c.tier_switches = {{0, true, true, 0, 0, 0}, {1, true, true, 0, 7, 0}, {0, true, true, 0, 21, 0},
                     {0, true, true, 0, 0, 1}};
  // One season; Saturday, Sunday, weekday (docs/device.md).
  c.daily_schedule_ids = {{1, 1, 0}};
  return c;
}

C1222MeterModel::C1222MeterModel(const C1222MeterConfig& config, core::Instant installed, int lp_days,
                                 int self_reads, int event_entries, int history_entries)
    : config_(config), now_(installed) {
  if (config_.local_time) {
    // The zone's standard offset and DST amount from January and July of the year installed
    // (either may be the summer): what ST53 holds on a meter programmed for the zone.
    const int32_t year = core::CivilFromDays(DayOf(installed)).year;
    const int64_t jan = config_.local_time->OffsetSeconds(DayStart(core::DaysFromCivil({year, 1, 1})));
    const int64_t jul = config_.local_time->OffsetSeconds(DayStart(core::DaysFromCivil({year, 7, 1})));
    zone_standard_s_ = static_cast<int32_t>(std::min(jan, jul));
    tz_offset_min_ = static_cast<int16_t>(zone_standard_s_ / 60);
    dst_supported_ = jan != jul;
    if (dst_supported_) dst_min_ = static_cast<uint8_t>(std::abs(jan - jul) / 60);
    dst_ = ZoneDst(installed);
  }
  const uint64_t seed = config_.seed;
  config_.phases = config_.phases == 1 ? 1 : 3;
  pv_peak_w_ = config_.pv_peak_w >= 0 ? config_.pv_peak_w
               : Unit01(seed, 11, 0) < 0.25 ? static_cast<int>(2000 + 4000 * Unit01(seed, 12, 0))
                                             : 0;
  for (int ph = 0; ph < config_.phases; ++ph) profiles_.emplace_back(core::Medium::kElectricity, seed * 4 + ph);
  // A meter in service for a while: 1,000..20,000 kWh imported, 60 % of it off-peak.
  const int64_t delivered = static_cast<int64_t>(1e6 * (1 + 19 * Unit01(seed, 13, 0))) / (4 - config_.phases);
  const int64_t received = pv_peak_w_ > 0 ? static_cast<int64_t>(2e6 * Unit01(seed, 14, 0)) : 0;
  const std::array<int64_t, kC1222Summations> start = {delivered, received, delivered / 5, delivered / 50};
  for (int i = 0; i < kC1222Summations; ++i) {
    registers_.total.summations[i] = start[i];
    registers_.tiers[0].summations[i] = start[i] * 6 / 10;
    registers_.tiers[1].summations[i] = start[i] - start[i] * 6 / 10;
  }
  // No 15-minute demand yet: the maxima start at 0 with no time (ST23 EVENT_TIME all zero).
  vah_ = delivered + delivered / 20;
  interval_start_ = registers_.total.summations;
  relays_.resize(config_.phases == 3 ? 3 : 1);
  for (auto& r : relays_) r.last_change = installed;

  lp_.resize(static_cast<size_t>(std::max(1, lp_days)));
  lp_newest_ = 0;
  lp_valid_ = 1;
  lp_[0].day = DayOf(installed);
  lp_[0].valid = static_cast<uint16_t>((core::ToUnixSeconds(installed) - int64_t{lp_[0].day} * 86400) / kC1222IntervalS);
  lp_[0].end_reading = interval_start_;
  lp_[0].end_utc_offset_s = UtcOffsetSeconds();
  for (size_t i = 0; i < lp_[0].valid; ++i) lp_[0].intervals[i].dst = dst_;
  self_reads_.resize(static_cast<size_t>(std::max(0, self_reads)));
  event_log_.capacity = static_cast<size_t>(std::max(1, event_entries));
  history_log_.capacity = static_cast<size_t>(std::max(1, history_entries));

  calendar_ = DefaultCalendar();
  for (uint16_t code : {kEventPowerDown, kEventPowerUp, kEventTimeChangedOld, kEventTimeChangedNew, kEventDemandReset,
                        kEventDstOn, kEventDstOff, kEventTamper, kEventControlByCommand}) {
    event_control_.std_events_monitored.Assign(code, true);
  }
  for (uint16_t code : {kEventProcedureInvoked, kEventTableWritten}) history_control_.std_events_monitored.Assign(code, true);
}

bool C1222MeterModel::Energized(int phase) const {
  if (outage_) return false;
  const C1222Relay& r = relays_.size() == 1 ? relays_[0] : relays_[static_cast<size_t>(phase)];
  return r.closed;
}

double C1222MeterModel::PowerFactor(int64_t slot) const {
  return 0.85 + 0.15 * Unit01(config_.seed, static_cast<uint64_t>(slot), 3);
}
bool C1222MeterModel::Capacitive(int64_t slot) const { return Unit01(config_.seed, static_cast<uint64_t>(slot), 4) < 1.0 / 7; }

double C1222MeterModel::PvWatts(int64_t slot) const {
  if (pv_peak_w_ <= 0) return 0;
  const int64_t day = FloorDiv(slot, kC1222IntervalsPerDay);
  const double hour = static_cast<double>(slot - day * kC1222IntervalsPerDay) / 4 + 0.125;
  if (hour <= 6 || hour >= 20) return 0;
  const core::CivilDate c = core::CivilFromDays(static_cast<int32_t>(day));
  const double doy = static_cast<double>(day - core::DaysFromCivil({c.year, 1, 1}));
  const double summer = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * (doy - 15) / 365.25);  // 1 in mid July
  const double sun = std::pow(std::sin(std::numbers::pi * (hour - 6) / 14), 2);
  const double clouds = 0.25 + 0.75 * Unit01(config_.seed, static_cast<uint64_t>(day), 5);  // the day's weather
  const double flicker = 0.8 + 0.2 * Unit01(config_.seed, static_cast<uint64_t>(slot), 6);
  return pv_peak_w_ * sun * (0.3 + 0.7 * summer) * clouds * flicker;
}

bool C1222MeterModel::ZoneDst(core::Instant t) const {
  return config_.local_time && config_.local_time->OffsetSeconds(t) > zone_standard_s_;
}

int64_t C1222MeterModel::LocalSeconds(core::Instant t) const {
  // A UTC clock still runs its TOU calendar at ST53's zone offset (without DST).
  return core::ToUnixSeconds(t) + int64_t{tz_offset_min_} * 60 + (ZoneDst(t) ? int64_t{dst_min_} * 60 : 0);
}

int32_t C1222MeterModel::UtcOffsetSeconds() const {
  if (!config_.local_time) return 0;
  return int32_t{tz_offset_min_} * 60 + (dst_ ? int32_t{dst_min_} * 60 : 0);
}

c1219::TimeDate C1222MeterModel::Shown(core::Instant t) const {
  return config_.local_time ? ToTimeDate(core::FromUnixSeconds(LocalSeconds(t))) : ToTimeDate(t);
}

void C1222MeterModel::UpdateDst() {
  const bool dst = ZoneDst(now_);
  if (dst == dst_) return;
  dst_ = dst;  // first: the entry is stamped on the new clock
  LogEvent(dst ? kEventDstOn : kEventDstOff, 0, {});
}

int C1222MeterModel::TierAt(core::Instant t) const {
  const int64_t local = LocalSeconds(t);
  const int64_t day = FloorDiv(local, 86400);
  const int minute_of_day = static_cast<int>((local - day * 86400) / 60);
  const int64_t dow = ((day + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; 0 Sunday
  const size_t column = dow == 6 ? 0 : dow == 0 ? 1 : 2;  // Saturday, Sunday, weekday
  if (calendar_.daily_schedule_ids.empty() || calendar_.daily_schedule_ids[0].size() <= column) return 0;
  const uint8_t schedule = calendar_.daily_schedule_ids[0][column];
  int tier = 0, best = -1;
  for (const auto& s : calendar_.tier_switches) {
    const int at = s.hour * 60 + s.minute;
    if (s.day_schedule == schedule && s.summation_switch && at <= minute_of_day && at >= best) {
      best = at;
      tier = s.new_tier;
    }
  }
  return std::clamp(tier, 0, kC1222Tiers - 1);
}

void C1222MeterModel::PlanDay(int32_t day) {
  planned_day_ = day;
  if (!config_.random_events) return;
  const uint64_t seed = config_.seed, d = static_cast<uint64_t>(day);
  const core::Instant start = DayStart(day);
  if (Unit01(seed, d, 20) < 0.015) {
    const auto at = start + core::Seconds{static_cast<int64_t>(86400 * Unit01(seed, d, 21))};
    const auto length = core::Seconds{60 + static_cast<int64_t>(7140 * Unit01(seed, d, 22))};  // 1 min..2 h
    pending_.push_back({at, Boundary::Kind::kPowerDown});
    pending_.push_back({at + length, Boundary::Kind::kPowerUp});
  }
  if (Unit01(seed, d, 23) < 0.005) {
    const auto at = start + core::Seconds{static_cast<int64_t>(86400 * Unit01(seed, d, 24))};
    pending_.push_back({at, Boundary::Kind::kCoverOpen});
    pending_.push_back({at + core::Seconds{300 + static_cast<int64_t>(1500 * Unit01(seed, d, 25))},
                        Boundary::Kind::kCoverClose});
  }
  std::stable_sort(pending_.begin(), pending_.end(), [](const Boundary& a, const Boundary& b) { return a.at < b.at; });
}

void C1222MeterModel::Apply(const Boundary& b) {
  switch (b.kind) {
    case Boundary::Kind::kPowerDown:
      if (!outage_) LogEvent(kEventPowerDown, 0, {});
      outage_ = true;
      interval_power_fail_ = true;
      break;
    case Boundary::Kind::kPowerUp:
      if (outage_) LogEvent(kEventPowerUp, 0, {});
      outage_ = false;
      break;
    case Boundary::Kind::kCoverOpen:
      cover_open_ = true;
      LogEvent(kEventTamper, 0, {1, 0});
      break;
    case Boundary::Kind::kCoverClose:
      cover_open_ = false;
      LogEvent(kEventTamper, 0, {0, 0});
      break;
  }
}

void C1222MeterModel::AdvanceTo(core::Instant t) {
  while (now_ < t) {
    const int32_t day = DayOf(now_);
    if (day != planned_day_) PlanDay(day);
    const int64_t s = core::ToUnixSeconds(now_);
    core::Instant next = std::min(t, core::FromUnixSeconds((FloorDiv(s, kC1222IntervalS) + 1) * kC1222IntervalS));
    if (!pending_.empty() && pending_.front().at > now_) next = std::min(next, pending_.front().at);
    Integrate(now_, next);
    now_ = next;
    while (!pending_.empty() && pending_.front().at <= now_) {
      Apply(pending_.front());
      pending_.erase(pending_.begin());
    }
    const int64_t n = core::ToUnixSeconds(now_);
    if (n % kC1222IntervalS == 0) CloseInterval(n / kC1222IntervalS - 1);
    if (n % 86400 == 0) DailySelfRead();
    // After the interval that ended here closed in the old state.
    if (config_.local_time) UpdateDst();
  }
}

void C1222MeterModel::Add(int summation, double amount, int tier) {
  double& carry = carry_[static_cast<size_t>(summation)];
  carry += amount;
  const double whole = std::floor(carry);
  carry -= whole;
  const auto w = static_cast<int64_t>(whole);
  registers_.total.summations[static_cast<size_t>(summation)] += w;
  registers_.tiers[static_cast<size_t>(tier)].summations[static_cast<size_t>(summation)] += w;
}

void C1222MeterModel::Integrate(core::Instant from, core::Instant to) {
  if (to <= from) return;
  const int64_t slot = FloorDiv(core::ToUnixSeconds(from), kC1222IntervalS);
  const int tier = TierAt(from);
  double load_wh = 0;
  for (int ph = 0; ph < config_.phases; ++ph) {
    if (Energized(ph)) load_wh += profiles_[static_cast<size_t>(ph)].Consumption(from, to);
  }
  const double pv_wh = Energized(0) ? PvWatts(slot) * static_cast<double>((to - from).count()) / 3600 : 0;
  const double net = load_wh - pv_wh;
  if (net > 0) {
    const double pf = PowerFactor(slot);
    Add(kWhDelivered, net, tier);
    Add(Capacitive(slot) ? kVarhQ4 : kVarhQ1, net * std::sqrt(1 / (pf * pf) - 1), tier);
    carry_[kC1222Summations] += net / pf;
    const double whole = std::floor(carry_[kC1222Summations]);
    carry_[kC1222Summations] -= whole;
    vah_ += static_cast<int64_t>(whole);
  } else if (net < 0) {
    Add(kWhReceived, -net, tier);
  }
}

void C1222MeterModel::CloseInterval(int64_t slot) {
  const int32_t day = static_cast<int32_t>(FloorDiv(slot, kC1222IntervalsPerDay));
  const size_t index = static_cast<size_t>(slot - int64_t{day} * kC1222IntervalsPerDay);
  if (lp_[lp_newest_].day != day) {
    lp_newest_ = (lp_newest_ + 1) % lp_.size();
    lp_valid_ = std::min(lp_valid_ + 1, lp_.size());
    lp_[lp_newest_] = C1222LpBlock{};
    lp_[lp_newest_].day = day;
    lp_[lp_newest_].seq_nbr = ++lp_seq_;
  }
  C1222LpBlock& block = lp_[lp_newest_];
  C1222LpInterval& in = block.intervals[index];
  const auto& now = registers_.total.summations;
  for (size_t c = 0; c < kC1222Summations; ++c) {
    const int64_t delta = now[c] - interval_start_[c];
    in.values[c] = static_cast<uint16_t>(std::clamp<int64_t>(delta, 0, 65535));
    if (delta > 65535) in.overflow = true;
  }
  in.power_fail = interval_power_fail_ || outage_;
  in.dst = dst_;
  block.valid = static_cast<uint16_t>(index + 1);
  block.end_reading = now;
  block.end_utc_offset_s = UtcOffsetSeconds();

  // Demand: the interval's average power, W (Wh in 15 minutes x 4).
  const int64_t demand = (now[kWhDelivered] - interval_start_[kWhDelivered]) * 4;
  const core::Instant end = core::FromUnixSeconds((slot + 1) * kC1222IntervalS);
  const int tier = TierAt(core::FromUnixSeconds(slot * kC1222IntervalS));
  for (C1222RegisterBlock* b : {&registers_.total, &registers_.tiers[static_cast<size_t>(tier)]}) {
    if (!b->max_demand_time || demand > b->max_demand_w) {
      b->max_demand_w = demand;
      b->max_demand_time = end;
    }
  }
  interval_start_ = now;
  interval_power_fail_ = outage_;
}

void C1222MeterModel::DailySelfRead() {
  if (self_reads_.empty()) return;
  if (self_read_valid_ > 0) self_read_newest_ = (self_read_newest_ + 1) % self_reads_.size();
  self_read_valid_ = std::min(self_read_valid_ + 1, self_reads_.size());
  self_reads_[self_read_newest_] = C1222SelfRead{++self_read_seq_, now_, registers_};
}

C1222Present C1222MeterModel::Present() const {
  C1222Present p;
  p.at = now_;
  const int64_t s = core::ToUnixSeconds(now_);
  const int64_t slot = FloorDiv(s, kC1222IntervalS);
  const double pf = PowerFactor(slot);
  const bool capacitive = Capacitive(slot);
  for (int ph = 0; ph < config_.phases; ++ph) {
    C1222PhaseValues v;
    const uint64_t tick = static_cast<uint64_t>(s / 10) * 8 + static_cast<uint64_t>(ph);
    v.voltage_dv = outage_ ? 0 : 2300 + std::llround(40 * (Unit01(config_.seed, tick, 7) - 0.5));
    double w = 0;
    if (Energized(ph)) {
      w = profiles_[static_cast<size_t>(ph)].Consumption(now_, now_ + core::Seconds{1}) * 3600;
      if (ph == 0) w -= PvWatts(slot);
    }
    const double apparent = std::abs(w) / pf;
    v.power_w = std::llround(w);
    v.reactive_var = std::llround(std::sqrt(std::max(0.0, apparent * apparent - w * w)) * (capacitive ? -1 : 1));
    v.pf_milli = std::llround(pf * 1000);
    v.current_ma = v.voltage_dv > 0 ? std::llround(apparent / (static_cast<double>(v.voltage_dv) / 10) * 1000) : 0;
    p.total_power_w += v.power_w;
    p.phases.push_back(v);
  }
  p.frequency_chz = outage_ ? 0 : 5000 + std::llround(10 * (Unit01(config_.seed, static_cast<uint64_t>(s / 10), 8) - 0.5));
  p.demand_w = (registers_.total.summations[kWhDelivered] - interval_start_[kWhDelivered]) * 4;
  p.demand_remaining_s = kC1222IntervalS - (s - slot * kC1222IntervalS);
  return p;
}

bool C1222MeterModel::ControlRelays(uint8_t mask, uint8_t action, uint16_t user_id) {
  const uint8_t all = static_cast<uint8_t>((1u << relays_.size()) - 1);
  if (action > 2 || (mask & all) == 0) return false;
  for (size_t i = 0; i < relays_.size(); ++i) {
    if (!(mask & (1u << i))) continue;
    C1222Relay& r = relays_[i];
    const uint8_t before = r.StateByte();
    r.last_command = action;
    if (action == 1) {
      r.closed = true;
      r.armed = false;
      r.tripped_overcurrent = false;
    } else {
      r.closed = false;
      r.armed = action == 2;
    }
    if (r.StateByte() != before) {
      r.last_change = MeterClock();
      LogEvent(kEventControlByCommand, user_id, {static_cast<uint8_t>(i), r.StateByte()});
    }
  }
  return true;
}

void C1222MeterModel::PressButton() {
  for (size_t i = 0; i < relays_.size(); ++i) {
    C1222Relay& r = relays_[i];
    if (!r.armed) continue;
    r.armed = false;
    r.closed = true;
    r.last_change = MeterClock();
    LogEvent(kEventControlByCommand, 0, {static_cast<uint8_t>(i), r.StateByte()});
  }
}

void C1222MeterModel::DemandReset(uint16_t user_id) {
  previous_reset_ = registers_;
  previous_reset_time_ = MeterClock();
  for (C1222RegisterBlock* b : {&registers_.total, &registers_.tiers[0], &registers_.tiers[1]}) {
    b->cum_demand_w += b->max_demand_w;
    b->max_demand_w = 0;
    b->max_demand_time.reset();
  }
  ++registers_.demand_resets;
  LogEvent(kEventDemandReset, user_id, {registers_.demand_resets, 0});
}

void C1222MeterModel::SetClock(core::Instant meter_time, uint16_t user_id) {
  LogEvent(kEventTimeChangedOld, user_id, {});
  clock_offset_ = meter_time - now_;
  LogEvent(kEventTimeChangedNew, user_id, {});
}

void C1222MeterModel::Append(C1222Log& log, uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument) {
  if (log.entries.size() == log.capacity) log.entries.pop_front();
  log.entries.push_back(
      {MeterClock(), UtcOffsetSeconds(), log.next_event_number++, log.next_seq++, user_id, code, argument});
}

void C1222MeterModel::LogEvent(uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument) {
  if (event_control_.std_events_monitored.Test(code)) Append(event_log_, code, user_id, argument);
}

void C1222MeterModel::LogHistory(uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument) {
  if (history_control_.std_events_monitored.Test(code)) Append(history_log_, code, user_id, argument);
}

}  // namespace meterd::device
