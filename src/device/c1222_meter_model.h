// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "codec/c1219/log_tables.h"
#include "codec/c1219/time_tables.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "device/load_profile.h"

// What a simulated C12.19 electricity meter measures and remembers: registers that move with
// simulated time, TOU tiers, demand, the load profile, the logs, the supply relays and the
// clock. No tables, no bytes, no I/O: c1222_meter_tables.h turns this state into C12.19 tables,
// c1222_meter_sim.h serves them over C12.22. docs/device.md ("C12.22 meter").
//
// Metrology, all exact integers where the meter shows them (Wh, varh, W):
//  * each phase draws power from its own LoadProfile (BDEW H0 household shape, seed*4 + phase);
//  * some meters (a quarter, by seed) have a PV inverter on L1 that generates by day; the net of
//    load and generation is delivered (import) or received (export) energy;
//  * reactive energy follows imported energy at tan(phi), PF 0.85..1.00 per quarter hour, in
//    quadrant 1 (inductive) or, one quarter hour in seven, quadrant 4 (capacitive);
//  * energy integrates in pieces split at quarter hours and events; fractions are carried, so
//    registers are whole Wh whatever the catch-up steps, and tiers always sum to the total;
//  * a phase whose relay is open, or any phase during a power outage, draws nothing.
// Time only moves through AdvanceTo; a meter that is not advanced stands still.
//
// The clock keeps UTC (ST52 GMT_FLAG), or with C1222MeterConfig::local_time the local time of a
// zone: its standard offset (ST53 TIME_ZONE_OFFSET) plus DST_TIME_AMT while the zone is on daylight
// saving time. At each change the meter moves its clock, logs "Daylight Saving Time On/Off" (codes
// 22, 23) stamped in the new state, and flags its intervals (extended status DST_FLAG): each
// interval and its block's end time carry the state of the interval's own time, before the change.
namespace meterd::device {

// The energy summations the meter keeps (and ST22 selects, in this order): source indices 0..3
// of meters/c1219/meterd-sim.xml.
enum C1222Summation : int { kWhDelivered = 0, kWhReceived = 1, kVarhQ1 = 2, kVarhQ4 = 3 };
inline constexpr int kC1222Summations = 4;
inline constexpr int kC1222Tiers = 2;  // tier 0 (A) off-peak, tier 1 (B) peak
inline constexpr int kC1222IntervalS = 900;
inline constexpr int kC1222IntervalsPerDay = 96;

// Standard event codes this meter logs (C12.19 event code numbers).
enum C1222EventCode : uint16_t {
  kEventPowerDown = 1,
  kEventPowerUp = 2,
  kEventTimeChangedOld = 3,
  kEventTimeChangedNew = 4,
  kEventProcedureInvoked = 9,
  kEventTableWritten = 10,
  kEventDemandReset = 20,
  kEventDstOn = 22,
  kEventDstOff = 23,
  kEventTamper = 47,          // meter cover opened (argument 01) or closed (00)
  kEventControlByCommand = 49,  // a relay changed by a command (argument: relay, state byte)
};

struct C1222MeterConfig {
  int phases = 3;     // 1 or 3
  uint64_t seed = 1;  // load, PV, noise, starting registers, outages
  int pv_peak_w = -1;  // -1: from the seed (a quarter of meters, 2..6 kWp); 0: none
  bool random_events = true;  // seeded power outages (~1.5 %/day) and cover openings (~0.5 %/day)
  // None: the clock keeps UTC. A zone: the meter keeps its local time, with its DST changes
  // ("Etc/GMT+5" for a fixed offset without DST).
  std::optional<core::TimeZone> local_time;
};

struct C1222RegisterBlock {  // DATA_BLK_RCD: the total, or one tier
  std::array<int64_t, kC1222Summations> summations{};  // Wh / varh
  int64_t max_demand_w = 0;                             // largest 15-minute demand since the reset
  std::optional<core::Instant> max_demand_time;         // end of that interval
  int64_t cum_demand_w = 0;                             // sum of the maxima at the resets
  friend bool operator==(const C1222RegisterBlock&, const C1222RegisterBlock&) = default;
};

struct C1222Registers {
  C1222RegisterBlock total;
  std::array<C1222RegisterBlock, kC1222Tiers> tiers;
  uint8_t demand_resets = 0;
  friend bool operator==(const C1222Registers&, const C1222Registers&) = default;
};

struct C1222PhaseValues {
  int64_t voltage_dv = 0;   // 0.1 V
  int64_t current_ma = 0;   // mA
  int64_t power_w = 0;      // active, signed (negative: export)
  int64_t reactive_var = 0;  // signed (negative: capacitive)
  int64_t pf_milli = 1000;  // 0.001
};
struct C1222Present {
  core::Instant at;
  std::vector<C1222PhaseValues> phases;
  int64_t total_power_w = 0;
  int64_t frequency_chz = 5000;  // 0.01 Hz
  int64_t demand_w = 0;          // the running demand of the interval in progress
  int64_t demand_remaining_s = 0;
};

struct C1222Relay {
  bool closed = true;
  bool armed = false;            // open, waiting for the customer's button
  bool tripped_overcurrent = false;
  uint8_t last_command = 1;      // MP1 ACTION: 0 open, 1 close, 2 arm
  core::Instant last_change;
  uint8_t StateByte() const;     // RELAY_STATE_BFLD
};

struct C1222LogEntry {
  core::Instant time;  // the meter's clock
  int32_t utc_offset_s = 0;  // of the clock when logged: the entry shows time + offset
  uint16_t event_number = 0;
  uint32_t seq_nbr = 0;
  uint16_t user_id = 0;  // 0: the meter itself
  uint16_t code = 0;
  std::array<uint8_t, 2> argument{};
};

// A circular log: the newest `capacity` entries, with a running sequence number.
struct C1222Log {
  size_t capacity = 0;
  std::deque<C1222LogEntry> entries;  // oldest first
  uint32_t next_seq = 0;
  uint16_t next_event_number = 0;
};

struct C1222LpInterval {
  std::array<uint16_t, kC1222Summations> values{};  // Wh / varh in the interval, per channel
  bool power_fail = false;
  bool overflow = false;  // a value above 65535 was clipped
  bool dst = false;       // daylight saving time was in effect during the interval
};
// One day of 15-minute intervals (UTC midnight to midnight).
struct C1222LpBlock {
  int32_t day = 0;       // days since 1970-01-01
  uint32_t seq_nbr = 0;
  uint16_t valid = 0;    // intervals recorded so far
  std::array<int64_t, kC1222Summations> end_reading{};  // registers at the end of the newest interval
  int32_t end_utc_offset_s = 0;  // the clock's offset in the newest interval: EndTime() shows + this
  std::array<C1222LpInterval, kC1222IntervalsPerDay> intervals{};
  core::Instant EndTime() const;  // end of the newest recorded interval
};

struct C1222SelfRead {
  uint16_t seq_nbr = 0;
  core::Instant time;
  C1222Registers registers;
};

class C1222MeterModel {
 public:
  // A meter installed at `installed` with `lp_days` blocks of load profile, `self_reads`
  // daily self reads and logs of the given sizes. Nothing is integrated until AdvanceTo.
  C1222MeterModel(const C1222MeterConfig& config, core::Instant installed, int lp_days, int self_reads,
                  int event_entries, int history_entries);

  // Integrates up to `t` (nothing if `t` is not later): registers, intervals, demand, self
  // reads at midnight, seeded outages and cover openings with their events.
  void AdvanceTo(core::Instant t);
  core::Instant now() const { return now_; }
  core::Instant MeterClock() const { return now_ + clock_offset_; }  // what ST52 shows, as an instant
  // The clock's offset from UTC now: 0 on a UTC clock; on local time the zone offset plus, while
  // DST is in effect, DST_TIME_AMT. ST52 shows MeterClock() + this.
  int32_t UtcOffsetSeconds() const;
  bool local_time() const { return config_.local_time.has_value(); }
  bool dst() const { return dst_; }  // DST in effect now (ST52 DST_FLAG)
  bool dst_supported() const { return dst_supported_; }
  // How the meter's tables show a true time `t` (a demand time, a self read): UTC, or local time in
  // the DST state of `t`.
  codec::c1219::TimeDate Shown(core::Instant t) const;

  const C1222MeterConfig& config() const { return config_; }
  int phases() const { return config_.phases; }
  int pv_peak_w() const { return pv_peak_w_; }
  const C1222Registers& registers() const { return registers_; }
  int64_t vah_delivered() const { return vah_; }
  C1222Present Present() const;  // at now()
  int TierAt(core::Instant t) const;
  int CurrentTier() const { return TierAt(now_); }
  bool power_out() const { return outage_; }
  bool cover_open() const { return cover_open_; }

  const std::vector<C1222Relay>& relays() const { return relays_; }
  // MP1: `action` 0 opens, 1 closes, 2 arms the relays in `mask` (bit i: relay i). Returns false
  // for an unknown action or a mask naming no relay.
  bool ControlRelays(uint8_t mask, uint8_t action, uint16_t user_id);
  // The customer's button: closes the armed relays.
  void PressButton();

  // SP9 demand reset: snapshot into previous_reset(), maxima into the cumulative demand.
  void DemandReset(uint16_t user_id);
  const std::optional<C1222Registers>& previous_reset() const { return previous_reset_; }
  const std::optional<core::Instant>& previous_reset_time() const { return previous_reset_time_; }

  // SP10: the meter's clock becomes `meter_time` (metering intervals stay on the true time).
  void SetClock(core::Instant meter_time, uint16_t user_id);

  // TOU calendar (ST54), local-time offset (ST53, minutes east of UTC) and the control of the
  // two logs (ST73 history, ST75 event): the tables the meter obeys.
  const codec::c1219::St54& calendar() const { return calendar_; }
  void SetCalendar(codec::c1219::St54 calendar) { calendar_ = std::move(calendar); }
  int16_t tz_offset_minutes() const { return tz_offset_min_; }
  void SetTzOffset(int16_t minutes) { tz_offset_min_ = minutes; }
  uint8_t dst_minutes() const { return dst_min_; }  // ST53 DST_TIME_AMT
  void SetDstMinutes(uint8_t minutes) { dst_min_ = minutes; }
  const codec::c1219::LogControl& history_control() const { return history_control_; }
  const codec::c1219::LogControl& event_control() const { return event_control_; }
  void SetHistoryControl(codec::c1219::LogControl c) { history_control_ = std::move(c); }
  void SetEventControl(codec::c1219::LogControl c) { event_control_ = std::move(c); }

  // Adds an entry to the event log (ST76) or history log (ST74) when ST75 / ST73 monitor `code`.
  void LogEvent(uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument);
  void LogHistory(uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument);
  const C1222Log& event_log() const { return event_log_; }
  const C1222Log& history_log() const { return history_log_; }

  // Load profile blocks, ring order (element i of ST64); `newest_block()` is the element being filled.
  const std::vector<C1222LpBlock>& lp_blocks() const { return lp_; }
  size_t newest_block() const { return lp_newest_; }
  size_t valid_blocks() const { return lp_valid_; }

  const std::vector<C1222SelfRead>& self_reads() const { return self_reads_; }  // ring order
  size_t newest_self_read() const { return self_read_newest_; }
  size_t valid_self_reads() const { return self_read_valid_; }

  // The default TOU calendar: weekdays peak (tier 1) 07:00-21:00, everything else off-peak.
  static codec::c1219::St54 DefaultCalendar();

 private:
  struct Boundary {  // a seeded outage or cover change
    core::Instant at;
    enum class Kind : uint8_t { kPowerDown, kPowerUp, kCoverOpen, kCoverClose } kind;
  };

  bool Energized(int phase) const;
  double PvWatts(int64_t slot) const;
  double PowerFactor(int64_t slot) const;
  bool Capacitive(int64_t slot) const;
  void PlanDay(int32_t day);
  void Integrate(core::Instant from, core::Instant to);
  void Add(int summation, double amount, int tier);
  void CloseInterval(int64_t slot);
  void DailySelfRead();
  void Apply(const Boundary& b);
  bool ZoneDst(core::Instant t) const;  // the zone is on DST at `t` (false on a UTC clock)
  int64_t LocalSeconds(core::Instant t) const;  // `t` on the meter's local time line (TOU, Shown)
  void UpdateDst();
  void Append(C1222Log& log, uint16_t code, uint16_t user_id, std::array<uint8_t, 2> argument);

  C1222MeterConfig config_;
  int pv_peak_w_ = 0;
  std::vector<LoadProfile> profiles_;  // one per phase
  core::Instant now_;
  core::Seconds clock_offset_{0};
  int16_t tz_offset_min_ = 0;
  uint8_t dst_min_ = 60;
  int32_t zone_standard_s_ = 0;  // the zone's offset off DST
  bool dst_ = false, dst_supported_ = false;

  C1222Registers registers_;
  int64_t vah_ = 0;
  std::array<double, kC1222Summations + 1> carry_{};  // fractions not yet counted (+ VAh)
  std::array<int64_t, kC1222Summations> interval_start_{};
  bool interval_power_fail_ = false;

  std::vector<C1222LpBlock> lp_;
  size_t lp_newest_ = 0, lp_valid_ = 0;
  uint32_t lp_seq_ = 0;

  std::vector<C1222SelfRead> self_reads_;
  size_t self_read_newest_ = 0, self_read_valid_ = 0;
  uint16_t self_read_seq_ = 0;
  std::optional<C1222Registers> previous_reset_;
  std::optional<core::Instant> previous_reset_time_;

  std::vector<C1222Relay> relays_;
  bool outage_ = false, cover_open_ = false;
  int32_t planned_day_ = INT32_MIN;
  std::vector<Boundary> pending_;  // sorted by time

  codec::c1219::St54 calendar_;
  codec::c1219::LogControl history_control_, event_control_;
  C1222Log event_log_, history_log_;
};

// Civil UTC fields of an instant, as the C12.19 time types carry them; and back.
codec::c1219::TimeDate ToTimeDate(core::Instant t);
std::optional<core::Instant> FromTimeDate(const codec::c1219::TimeDate& t);
// The "no time" value (all bytes zero under TM_FORMAT 1 and 2).
codec::c1219::TimeDate NoTime();

}  // namespace meterd::device
