// SPDX-License-Identifier: Apache-2.0
// Typed C12.19 tables (codec/c1219) filled from a simulated meter's state. Units come from the
// meter type's sources: summations Wh / varh, demands W, present values 0.1 V, mA, W, 0.01 Hz,
// all exact integers as the model keeps them.
#include "device/c1222_table_values.h"

#include <algorithm>

namespace meterd::device {

namespace c1219 = codec::c1219;
using c1219::TimeDate;
using c1219::Value;
using core::Quantity;
using core::Result;
using core::Unit;

namespace {

constexpr std::array<Unit, kC1222Summations> kSummationUnits = {Unit::kWh, Unit::kWh, Unit::kVarh, Unit::kVarh};

std::string Padded(std::string s, size_t n) {
  s.resize(n, ' ');
  return s;
}

TimeDate TimeOrNone(const C1222MeterModel& m, const std::optional<core::Instant>& t) {
  return t ? m.Shown(*t) : NoTime();
}

c1219::DataBlock Block(const C1222MeterModel& m, const C1222RegisterBlock& b) {
  c1219::DataBlock d;
  for (size_t i = 0; i < kC1222Summations; ++i) d.summations.push_back(Quantity{b.summations[i], 0, kSummationUnits[i]});
  c1219::DemandRecord demand;
  demand.event_time = {TimeOrNone(m, b.max_demand_time)};
  demand.cum_demand = Quantity{b.cum_demand_w, 0, Unit::kW};
  demand.demand = {Quantity{b.max_demand_w, 0, Unit::kW}};
  d.demands.push_back(std::move(demand));
  return d;
}

c1219::RegisterData Data(const C1222MeterModel& m, const C1222Registers& r) {
  c1219::RegisterData d;
  d.nbr_demand_resets = r.demand_resets;
  d.total = Block(m, r.total);
  for (const auto& tier : r.tiers) d.tiers.push_back(Block(m, tier));
  return d;
}

// The clock as ST52 and ST55 show it: UTC, or local time with the zone (and DST) applied.
TimeDate ClockFields(const C1222MeterModel& m) {
  return ToTimeDate(m.MeterClock() + core::Seconds{m.UtcOffsetSeconds()});
}

c1219::TimeDateQual Qual(const C1222MeterModel& m) {
  c1219::TimeDateQual q;
  const int64_t day = (core::ToUnixSeconds(m.MeterClock()) + m.UtcOffsetSeconds()) / 86400;
  q.day_of_week = static_cast<uint8_t>((day + 4) % 7);
  q.gmt = !m.local_time();
  q.tm_zn_applied = m.local_time();
  q.dst = m.dst();
  q.dst_applied = m.dst();
  q.dst_supported = m.dst_supported();
  return q;
}

c1219::ListStatus Circular(bool wrapped) { return c1219::ListStatus{false, wrapped, true, false}; }

Value Measured(int64_t value, int8_t scale, Unit unit) { return Value::Measured(Quantity{value, scale, unit}); }

}  // namespace

Result<std::vector<uint8_t>> EncodeIdentification(const C1222MeterState& meter, const c1219::TableContext& ctx) {
  c1219::St1 st1;
  st1.manufacturer = "MTRD";
  st1.ed_model = meter.model.phases() == 1 ? "SIM-1PH " : "SIM-3PH ";
  st1.hw_version_number = 1;
  st1.fw_version_number = 1;
  st1.mfg_serial_number = Padded(meter.serial, 16);
  return c1219::EncodeSt1(st1, ctx);
}

Result<std::vector<uint8_t>> EncodeStatus(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  c1219::St3 st3;
  st3.metering = true;
  if (m.power_out()) st3.std_status1 |= c1219::kStatus1PowerFailure;
  if (m.cover_open()) st3.std_status1 |= c1219::kStatus1TamperDetect;
  if (m.registers().total.summations[kWhReceived] > 0 && m.Present().total_power_w < 0) {
    st3.std_status1 |= c1219::kStatus1ReverseRotation;
  }
  return c1219::EncodeSt3(st3, ctx);
}

Result<std::vector<uint8_t>> EncodeRegisters(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  return c1219::EncodeSt23(Data(m, m.registers()), ctx);
}

Result<std::vector<uint8_t>> EncodePreviousReset(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  c1219::RegisterSnapshot s;
  s.info.end_date_time = TimeOrNone(m, m.previous_reset_time());
  s.data = Data(m, m.previous_reset().value_or(C1222Registers{}));
  return c1219::EncodeSt25(s, ctx);
}

Result<std::vector<uint8_t>> EncodeSelfReads(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  c1219::St26 t;
  const auto& reads = m.self_reads();
  const bool any = m.valid_self_reads() > 0;
  t.list_status = Circular(any && reads[m.newest_self_read()].seq_nbr > reads.size());
  t.nbr_valid_entries = static_cast<uint8_t>(m.valid_self_reads());
  t.last_entry_element = static_cast<uint8_t>(m.newest_self_read());
  t.last_entry_seq_nbr = any ? reads[m.newest_self_read()].seq_nbr : 0;
  t.nbr_unread_entries = t.nbr_valid_entries;
  for (size_t i = 0; i < reads.size(); ++i) {
    const bool valid = i < m.valid_self_reads();  // the ring fills from element 0
    c1219::SelfRead e;
    e.seq_nbr = reads[i].seq_nbr;
    e.info.end_date_time = valid ? m.Shown(reads[i].time) : NoTime();
    e.data = Data(m, reads[i].registers);
    t.entries.push_back(std::move(e));
  }
  return c1219::EncodeSt26(t, ctx);
}

Result<std::vector<uint8_t>> EncodePresentRegisters(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  const C1222Present p = m.Present();
  c1219::St28 t;
  const int64_t left = p.demand_remaining_s;
  t.present_demand.push_back({TimeDate{0, 0, 0, static_cast<uint8_t>(left / 3600), static_cast<uint8_t>(left / 60 % 60),
                                       static_cast<uint8_t>(left % 60), 0},
                              Quantity{p.demand_w, 0, Unit::kW}});
  for (const auto& ph : p.phases) t.present_value.push_back(Quantity{ph.voltage_dv, -1, Unit::kV});
  for (const auto& ph : p.phases) t.present_value.push_back(Quantity{ph.current_ma, -3, Unit::kA});
  t.present_value.push_back(Quantity{p.total_power_w, 0, Unit::kW});
  t.present_value.push_back(Quantity{p.frequency_chz, -2, Unit::kHz});
  return c1219::EncodeSt28(t, ctx);
}

Result<std::vector<uint8_t>> EncodeClock(const C1222MeterModel& m, const c1219::TableContext& ctx, c1219::TableId id) {
  if (id == c1219::kSt52) return c1219::EncodeSt52({ClockFields(m), Qual(m)}, ctx);
  c1219::St55 t;
  t.clock_calendar = ClockFields(m);
  t.qual = Qual(m);
  t.curr_tier = static_cast<uint8_t>(m.CurrentTier());
  return c1219::EncodeSt55(t, ctx);
}

Result<std::vector<uint8_t>> EncodeLoadProfileStatus(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  const auto& blocks = m.lp_blocks();
  const C1222LpBlock& newest = blocks[m.newest_block()];
  c1219::LpSetStatus s;
  s.overflow = newest.seq_nbr >= blocks.size();
  s.circular = true;
  s.active = true;
  s.nbr_valid_blocks = static_cast<uint16_t>(m.valid_blocks());
  s.last_block_element = static_cast<uint16_t>(m.newest_block());
  s.last_block_seq_nbr = newest.seq_nbr;
  s.nbr_unread_blocks = static_cast<uint16_t>(m.valid_blocks());
  s.nbr_valid_int = newest.valid;
  c1219::St63 t;
  t.sets[0] = s;
  return c1219::EncodeSt63(t, ctx);
}

Result<std::vector<uint8_t>> EncodeLoadProfileBlock(const C1222LpBlock& b, const c1219::TableContext& ctx) {
  c1219::LpBlock out;
  out.end_time = b.valid > 0 ? ToTimeDate(b.EndTime() + core::Seconds{b.end_utc_offset_s}) : NoTime();
  c1219::BitSet valid;
  valid.octets.resize((kC1222IntervalsPerDay + 7) / 8, 0);
  for (size_t c = 0; c < kC1222Summations; ++c) {
    out.end_readings.push_back({Quantity{b.end_reading[c], 0, kSummationUnits[c]}, std::nullopt});
  }
  out.intervals.reserve(kC1222IntervalsPerDay);
  for (size_t i = 0; i < kC1222IntervalsPerDay; ++i) {
    const C1222LpInterval& in = b.intervals[i];
    if (i < b.valid) valid.Assign(i, true);
    c1219::LpInterval iv;
    iv.status = c1219::IntervalStatus{};
    iv.status->power_fail = in.power_fail;
    iv.status->dst = in.dst;
    iv.status->channel.assign(kC1222Summations, in.overflow ? uint8_t{1} : uint8_t{0});
    for (size_t c = 0; c < kC1222Summations; ++c) iv.values.push_back(Quantity{in.values[c], 0, kSummationUnits[c]});
    out.intervals.push_back(std::move(iv));
  }
  out.simple_int_status = std::move(valid);
  c1219::St64 t;
  t.blocks.push_back(std::move(out));
  return c1219::EncodeSt64(t, ctx);
}

namespace {

// The ring layout of a log: entry with sequence number s sits in element s % capacity.
template <class Entry, class Make>
std::vector<Entry> Ring(const C1222Log& log, Make make) {
  std::vector<Entry> out(log.capacity, make(nullptr));
  for (const C1222LogEntry& e : log.entries) out[e.seq_nbr % log.capacity] = make(&e);
  return out;
}

c1219::LogHeader Header(const C1222Log& log) {
  c1219::LogHeader h;
  h.flags = Circular(log.next_seq > log.capacity);
  h.nbr_valid_entries = static_cast<uint16_t>(log.entries.size());
  h.last_entry_element = log.entries.empty() ? 0 : static_cast<uint16_t>(log.entries.back().seq_nbr % log.capacity);
  h.last_entry_seq_nbr = log.entries.empty() ? 0 : log.entries.back().seq_nbr;
  h.nbr_unread_entries = h.nbr_valid_entries;
  return h;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeHistoryLog(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  c1219::St74 t;
  t.header = Header(m.history_log());
  t.entries = Ring<c1219::HistoryEntry>(m.history_log(), [](const C1222LogEntry* e) {
    c1219::HistoryEntry h;
    h.time = e ? ToTimeDate(e->time + core::Seconds{e->utc_offset_s}) : NoTime();
    h.event_number = e ? e->event_number : 0;
    h.seq_nbr = e ? static_cast<uint16_t>(e->seq_nbr) : 0;
    h.user_id = e ? e->user_id : 0;
    h.code = {e ? e->code : uint16_t{0}, false, 0};
    h.argument = e ? std::vector<uint8_t>(e->argument.begin(), e->argument.end()) : std::vector<uint8_t>(2, 0);
    return h;
  });
  return c1219::EncodeSt74(t, ctx);
}

Result<std::vector<uint8_t>> EncodeEventLog(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  c1219::St76 t;
  t.header = Header(m.event_log());
  t.entries = Ring<c1219::EventEntry>(m.event_log(), [](const C1222LogEntry* e) {
    c1219::EventEntry v;
    v.time = e ? ToTimeDate(e->time + core::Seconds{e->utc_offset_s}) : NoTime();
    v.event_number = e ? e->event_number : 0;
    v.seq_nbr = e ? static_cast<uint16_t>(e->seq_nbr) : 0;
    v.user_id = e ? e->user_id : 0;
    v.code = {e ? e->code : uint16_t{0}, false, 0};
    v.argument = e ? std::vector<uint8_t>(e->argument.begin(), e->argument.end()) : std::vector<uint8_t>(2, 0);
    return v;
  });
  return c1219::EncodeSt76(t, ctx);
}

Result<std::vector<uint8_t>> EncodeInstantaneous(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  const C1222Present p = m.Present();
  Value v = Value::Record({});
  v.Add("TIMESTAMP", Value::Time(ClockFields(m)));
  std::vector<Value> phases;
  for (const auto& ph : p.phases) {
    Value r = Value::Record({});
    r.Add("VOLTAGE", Measured(ph.voltage_dv, -1, Unit::kV));
    r.Add("CURRENT", Measured(ph.current_ma, -3, Unit::kA));
    r.Add("ACTIVE_POWER", Measured(ph.power_w, 0, Unit::kW));
    r.Add("REACTIVE_POWER", Measured(ph.reactive_var, 0, Unit::kVar));
    r.Add("POWER_FACTOR", Measured(ph.pf_milli, -3, Unit::kPF));
    phases.push_back(std::move(r));
  }
  v.Add("PHASE", Value::Array(std::move(phases)));
  v.Add("FREQUENCY", Measured(p.frequency_chz, -2, Unit::kHz));
  return c1219::EncodeTable(ctx, c1219::MfgTable(1), v);
}

namespace {

Value RelayState(const C1222Relay& r) {
  Value s = Value::Record({});
  s.Add("CLOSED", Value::Bool(r.closed));
  s.Add("ARMED", Value::Bool(r.armed));
  s.Add("TRIPPED_OVERCURRENT", Value::Bool(r.tripped_overcurrent));
  s.Add("LAST_COMMAND", Value::Uint(r.last_command));
  return s;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeRelays(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("NBR_RELAYS", Value::Uint(m.relays().size()));
  std::vector<Value> relays;
  for (const C1222Relay& r : m.relays()) {
    Value e = Value::Record({});
    e.Add("STATE", RelayState(r));
    e.Add("LAST_CHANGE", Value::Time(m.Shown(r.last_change)));
    e.Add("TRIP_CURRENT", Measured(800, -1, Unit::kA));
    relays.push_back(std::move(e));
  }
  v.Add("RELAY", Value::Array(std::move(relays)));
  return c1219::EncodeTable(ctx, c1219::MfgTable(2), v);
}

Result<std::vector<uint8_t>> EncodeRelayResponse(const C1222MeterModel& m, const c1219::TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("NBR_RELAYS", Value::Uint(m.relays().size()));
  std::vector<Value> states;
  for (const C1222Relay& r : m.relays()) states.push_back(RelayState(r));
  v.Add("STATE", Value::Array(std::move(states)));
  return c1219::EncodeProcedureData(ctx, {1, true}, /*response=*/true, v);
}

}  // namespace meterd::device
