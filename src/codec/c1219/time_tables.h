// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/c1219/table_id.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Typed decade-5 tables: ST51 actual time and TOU, ST52 clock, ST53 time offset, ST54 calendar
// (the TOU schedule: dates, tier switches, daily schedules), ST55 clock state. Times follow ST0
// TM_FORMAT (wire.h); a TimeDate of a DATE has no hour, a TIME no date. ST53-ST55 need ST51 in the
// context. Same scheme as general_tables.h.
namespace meterd::codec::c1219 {

inline constexpr TableId kSt51 = 51, kSt52 = 52, kSt53 = 53, kSt54 = 54, kSt55 = 55;

struct St51 {
  bool tou_self_read = false;
  bool season_self_read = false;
  bool season_demand_reset = false;
  bool season_chng_armed = false;
  bool sort_dates = false;
  bool anchor_date = false;
  bool cap_dst_auto = false;
  bool separate_weekdays = false;
  bool separate_sum_demands = false;
  bool sort_tier_switches = false;
  bool cap_tm_zn_offset = false;
  uint8_t nbr_seasons = 0;        // 4 bits
  uint8_t nbr_special_sched = 0;  // 4 bits
  uint8_t nbr_non_recurr_dates = 0;
  uint8_t nbr_recurr_dates = 0;
  uint16_t nbr_tier_switches = 0;
  uint16_t calendar_tbl_size = 0;
  friend bool operator==(const St51&, const St51&) = default;
};

struct TimeDateQual {
  uint8_t day_of_week = 7;  // 0 Sunday .. 6 Saturday, 7 unknown
  bool dst = false;
  bool gmt = false;
  bool tm_zn_applied = false;
  bool dst_applied = false;
  bool dst_supported = false;
  friend bool operator==(const TimeDateQual&, const TimeDateQual&) = default;
};

struct St52 {
  TimeDate clock_calendar;  // LTIME_DATE
  TimeDateQual qual;
  friend bool operator==(const St52&, const St52&) = default;
};

struct St53 {
  TimeDate dst_time_eff;  // TIME of day of the DST change
  uint8_t dst_time_amt_minutes = 0;
  std::optional<int16_t> time_zone_offset_minutes;  // with CAP_TM_ZN_OFFSET_FLAG
  friend bool operator==(const St53&, const St53&) = default;
};

struct CalendarAction {
  uint8_t calendar_ctrl = 0;  // 0 none, 1 DST on, 2 DST off, 3..18 season 0..15, 19..30 special schedule, 31 end
  bool demand_reset = false;
  bool self_read = false;
  friend bool operator==(const CalendarAction&, const CalendarAction&) = default;
};

struct RecurringDate {  // RDATE
  uint8_t month = 0;
  uint8_t offset = 0;
  uint8_t weekday = 0;
  uint8_t day = 0;
  friend bool operator==(const RecurringDate&, const RecurringDate&) = default;
};

struct TierSwitch {
  uint8_t new_tier = 0;
  bool summation_switch = false;
  bool demands_switch = false;
  uint8_t minute = 0;
  uint8_t hour = 0;
  uint8_t day_schedule = 0;  // DAY_SCH_NUM
  friend bool operator==(const TierSwitch&, const TierSwitch&) = default;
};

struct St54 {
  std::optional<TimeDate> anchor_date;  // with ANCHOR_DATE_FLAG
  std::vector<std::pair<TimeDate, CalendarAction>> non_recurring;
  std::vector<std::pair<RecurringDate, CalendarAction>> recurring;
  std::vector<TierSwitch> tier_switches;
  // Per season, the daily schedule of each day type (weekdays, Saturday, Sunday, holiday, ...)
  // and special schedule.
  std::vector<std::vector<uint8_t>> daily_schedule_ids;
  friend bool operator==(const St54&, const St54&) = default;
};

struct St55 {
  TimeDate clock_calendar;
  TimeDateQual qual;
  // STATUS: one current tier, or (SEPARATE_SUM_DEMANDS_FLAG) one for summations and one for demands.
  bool separate_tiers = false;
  uint8_t curr_tier = 0;         // or CURR_SUMM_TIER
  uint8_t curr_demand_tier = 0;  // with separate_tiers
  uint8_t tier_drive = 0;
  uint8_t special_schd_active = 0;
  uint8_t season = 0;
  friend bool operator==(const St55&, const St55&) = default;
};

core::Result<St51> DecodeSt51(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt51(const St51& table, const TableContext& context);
Value ToValue(const St51& table);
core::Result<St52> DecodeSt52(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt52(const St52& table, const TableContext& context);
core::Result<St53> DecodeSt53(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt53(const St53& table, const TableContext& context);
core::Result<St54> DecodeSt54(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt54(const St54& table, const TableContext& context);
core::Result<St55> DecodeSt55(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt55(const St55& table, const TableContext& context);

}  // namespace meterd::codec::c1219
