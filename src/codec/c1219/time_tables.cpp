// SPDX-License-Identifier: Apache-2.0
// Decade 5 on the standard TDL (meters/c1219/standard.xml).
#include "codec/c1219/time_tables.h"

#include "codec/c1219/typed_value.h"

namespace meterd::codec::c1219 {

using core::Fail;
using core::Result;
using typed::B;
using typed::FieldReader;
using typed::U;

namespace {

template <class T>
Result<T> Checked(const FieldReader& r, T t) {
  if (!r.ok()) return Fail(r.error());
  return t;
}

Value QualValue(const TimeDateQual& q) {
  Value v = Value::Record({});
  v.Add("DAY_OF_WEEK", U(q.day_of_week));
  v.Add("DST_FLAG", B(q.dst));
  v.Add("GMT_FLAG", B(q.gmt));
  v.Add("TM_ZN_APPLIED_FLAG", B(q.tm_zn_applied));
  v.Add("DST_APPLIED_FLAG", B(q.dst_applied));
  v.Add("DST_SUPPORTED_FLAG", B(q.dst_supported));
  return v;
}
TimeDateQual Qual(FieldReader r) {
  return {r.U<uint8_t>("DAY_OF_WEEK"), r.Bool("DST_FLAG"),         r.Bool("GMT_FLAG"),
          r.Bool("TM_ZN_APPLIED_FLAG"), r.Bool("DST_APPLIED_FLAG"), r.Bool("DST_SUPPORTED_FLAG")};
}

Value ActionValue(const CalendarAction& a) {
  Value v = Value::Record({});
  v.Add("CALENDAR_CTRL", U(a.calendar_ctrl));
  v.Add("DEMAND_RESET_FLAG", B(a.demand_reset));
  v.Add("SELF_READ_FLAG", B(a.self_read));
  return v;
}
CalendarAction Action(FieldReader r) {
  return {r.U<uint8_t>("CALENDAR_CTRL"), r.Bool("DEMAND_RESET_FLAG"), r.Bool("SELF_READ_FLAG")};
}

}  // namespace

// ---- ST51 ----

Value ToValue(const St51& t) {
  Value v = Value::Record({});
  Value& f1 = v.Add("TIME_FUNC_FLAG1", Value::Record({}));
  f1.Add("TOU_SELF_READ_FLAG", B(t.tou_self_read));
  f1.Add("SEASON_SELF_READ_FLAG", B(t.season_self_read));
  f1.Add("SEASON_DEMAND_RESET_FLAG", B(t.season_demand_reset));
  f1.Add("SEASON_CHNG_ARMED_FLAG", B(t.season_chng_armed));
  f1.Add("SORT_DATES_FLAG", B(t.sort_dates));
  f1.Add("ANCHOR_DATE_FLAG", B(t.anchor_date));
  Value& f2 = v.Add("TIME_FUNC_FLAG2", Value::Record({}));
  f2.Add("CAP_DST_AUTO_FLAG", B(t.cap_dst_auto));
  f2.Add("SEPARATE_WEEKDAYS_FLAG", B(t.separate_weekdays));
  f2.Add("SEPARATE_SUM_DEMANDS_FLAG", B(t.separate_sum_demands));
  f2.Add("SORT_TIER_SWITCHES_FLAG", B(t.sort_tier_switches));
  f2.Add("CAP_TM_ZN_OFFSET_FLAG", B(t.cap_tm_zn_offset));
  Value& cal = v.Add("CALENDAR_FUNC", Value::Record({}));
  cal.Add("NBR_SEASONS", U(t.nbr_seasons));
  cal.Add("NBR_SPECIAL_SCHED", U(t.nbr_special_sched));
  v.Add("NBR_NON_RECURR_DATES", U(t.nbr_non_recurr_dates));
  v.Add("NBR_RECURR_DATES", U(t.nbr_recurr_dates));
  v.Add("NBR_TIER_SWITCHES", U(t.nbr_tier_switches));
  v.Add("CALENDAR_TBL_SIZE", U(t.calendar_tbl_size));
  return v;
}

Result<St51> DecodeSt51(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St51>(ctx, kSt51, bytes, [](const Value& value, const TableContext&) -> Result<St51> {
    FieldReader r(value, "ST51");
    St51 t;
    FieldReader f1 = r.Sub("TIME_FUNC_FLAG1");
    t.tou_self_read = f1.Bool("TOU_SELF_READ_FLAG");
    t.season_self_read = f1.Bool("SEASON_SELF_READ_FLAG");
    t.season_demand_reset = f1.Bool("SEASON_DEMAND_RESET_FLAG");
    t.season_chng_armed = f1.Bool("SEASON_CHNG_ARMED_FLAG");
    t.sort_dates = f1.Bool("SORT_DATES_FLAG");
    t.anchor_date = f1.Bool("ANCHOR_DATE_FLAG");
    FieldReader f2 = r.Sub("TIME_FUNC_FLAG2");
    t.cap_dst_auto = f2.Bool("CAP_DST_AUTO_FLAG");
    t.separate_weekdays = f2.Bool("SEPARATE_WEEKDAYS_FLAG");
    t.separate_sum_demands = f2.Bool("SEPARATE_SUM_DEMANDS_FLAG");
    t.sort_tier_switches = f2.Bool("SORT_TIER_SWITCHES_FLAG");
    t.cap_tm_zn_offset = f2.Bool("CAP_TM_ZN_OFFSET_FLAG");
    FieldReader cal = r.Sub("CALENDAR_FUNC");
    t.nbr_seasons = cal.U<uint8_t>("NBR_SEASONS");
    t.nbr_special_sched = cal.U<uint8_t>("NBR_SPECIAL_SCHED");
    t.nbr_non_recurr_dates = r.U<uint8_t>("NBR_NON_RECURR_DATES");
    t.nbr_recurr_dates = r.U<uint8_t>("NBR_RECURR_DATES");
    t.nbr_tier_switches = r.U<uint16_t>("NBR_TIER_SWITCHES");
    t.calendar_tbl_size = r.U<uint16_t>("CALENDAR_TBL_SIZE");
    return Checked(r, t);
  });
}
Result<std::vector<uint8_t>> EncodeSt51(const St51& t, const TableContext& ctx) { return EncodeTable(ctx, kSt51, ToValue(t)); }

// ---- ST52 ----

Result<St52> DecodeSt52(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St52>(ctx, kSt52, bytes, [](const Value& value, const TableContext&) -> Result<St52> {
    FieldReader r(value, "ST52");
    St52 t;
    t.clock_calendar = r.Time("CLOCK_CALENDAR");
    t.qual = Qual(r.Sub("TIME_DATE_QUAL"));
    return Checked(r, t);
  });
}
Result<std::vector<uint8_t>> EncodeSt52(const St52& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("CLOCK_CALENDAR", Value::Time(t.clock_calendar));
  v.Add("TIME_DATE_QUAL", QualValue(t.qual));
  return EncodeTable(ctx, kSt52, v);
}

// ---- ST53 ----

Result<St53> DecodeSt53(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St53>(ctx, kSt53, bytes, [](const Value& value, const TableContext&) -> Result<St53> {
    FieldReader r(value, "ST53");
    St53 t;
    t.dst_time_eff = r.Time("DST_TIME_EFF");
    t.dst_time_amt_minutes = r.U<uint8_t>("DST_TIME_AMT");
    if (r.Has("TIME_ZONE_OFFSET")) t.time_zone_offset_minutes = static_cast<int16_t>(r.Int("TIME_ZONE_OFFSET"));
    return Checked(r, t);
  });
}
Result<std::vector<uint8_t>> EncodeSt53(const St53& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("DST_TIME_EFF", Value::Time(t.dst_time_eff));
  v.Add("DST_TIME_AMT", U(t.dst_time_amt_minutes));
  if (t.time_zone_offset_minutes) v.Add("TIME_ZONE_OFFSET", Value::Int(*t.time_zone_offset_minutes));
  return EncodeTable(ctx, kSt53, v);
}

// ---- ST54 ----

Result<St54> DecodeSt54(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St54>(ctx, kSt54, bytes, [](const Value& value, const TableContext&) -> Result<St54> {
    FieldReader r(value, "ST54");
    St54 t;
    if (r.Has("ANCHOR_DATE")) t.anchor_date = r.Time("ANCHOR_DATE");
    for (const Value* e : r.Items("NON_RECURR_DATES")) {
      FieldReader er = r.Of(*e, "NON_RECURR_DATES");
      t.non_recurring.emplace_back(er.Time("NON_RECURR_DATE"), Action(er.Sub("CALENDAR_ACTION")));
    }
    for (const Value* e : r.Items("RECURR_DATES")) {
      FieldReader er = r.Of(*e, "RECURR_DATES");
      FieldReader d = er.Sub("RECURR_DATE");
      RecurringDate rd{d.U<uint8_t>("MONTH"), d.U<uint8_t>("OFFSET"), d.U<uint8_t>("WEEKDAY"), d.U<uint8_t>("DAY")};
      t.recurring.emplace_back(rd, Action(er.Sub("CALENDAR_ACTION")));
    }
    for (const Value* e : r.Items("TIER_SWITCHES")) {
      FieldReader er = r.Of(*e, "TIER_SWITCHES");
      FieldReader s = er.Sub("TIER_SWITCH");
      t.tier_switches.push_back({s.U<uint8_t>("NEW_TIER"), s.Bool("SUMMATION_SWITCH_FLAG"),
                                 s.Bool("DEMANDS_SWITCH_FLAG"), s.U<uint8_t>("SWITCH_MIN"), s.U<uint8_t>("SWITCH_HOUR"),
                                 er.U<uint8_t>("DAY_SCH_NUM")});
    }
    for (const Value* e : r.Items("DAILY_SCHEDULE_ID_MATRIX")) {
      FieldReader er = r.Of(*e, "DAILY_SCHEDULE_ID_MATRIX");
      auto ids = er.Uints("DAILY_SCHEDULE_ID");
      t.daily_schedule_ids.emplace_back(ids.begin(), ids.end());
    }
    return Checked(r, std::move(t));
  });
}

Result<std::vector<uint8_t>> EncodeSt54(const St54& t, const TableContext& ctx) {
  Value v = Value::Record({});
  if (t.anchor_date) v.Add("ANCHOR_DATE", Value::Time(*t.anchor_date));
  std::vector<Value> items;
  for (const auto& [date, action] : t.non_recurring) {
    Value e = Value::Record({});
    e.Add("NON_RECURR_DATE", Value::Time(date));
    e.Add("CALENDAR_ACTION", ActionValue(action));
    items.push_back(std::move(e));
  }
  v.Add("NON_RECURR_DATES", Value::Array(std::move(items)));
  items.clear();
  for (const auto& [date, action] : t.recurring) {
    Value e = Value::Record({});
    Value& d = e.Add("RECURR_DATE", Value::Record({}));
    d.Add("MONTH", U(date.month));
    d.Add("OFFSET", U(date.offset));
    d.Add("WEEKDAY", U(date.weekday));
    d.Add("DAY", U(date.day));
    e.Add("CALENDAR_ACTION", ActionValue(action));
    items.push_back(std::move(e));
  }
  v.Add("RECURR_DATES", Value::Array(std::move(items)));
  items.clear();
  for (const TierSwitch& s : t.tier_switches) {
    Value e = Value::Record({});
    Value& b = e.Add("TIER_SWITCH", Value::Record({}));
    b.Add("NEW_TIER", U(s.new_tier));
    b.Add("SUMMATION_SWITCH_FLAG", B(s.summation_switch));
    b.Add("DEMANDS_SWITCH_FLAG", B(s.demands_switch));
    b.Add("SWITCH_MIN", U(s.minute));
    b.Add("SWITCH_HOUR", U(s.hour));
    e.Add("DAY_SCH_NUM", U(s.day_schedule));
    items.push_back(std::move(e));
  }
  v.Add("TIER_SWITCHES", Value::Array(std::move(items)));
  items.clear();
  for (const auto& ids : t.daily_schedule_ids) {
    Value e = Value::Record({});
    e.Add("DAILY_SCHEDULE_ID", typed::Uints(ids));
    items.push_back(std::move(e));
  }
  v.Add("DAILY_SCHEDULE_ID_MATRIX", Value::Array(std::move(items)));
  return EncodeTable(ctx, kSt54, v);
}

// ---- ST55 ----

Result<St55> DecodeSt55(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St55>(ctx, kSt55, bytes, [](const Value& value, const TableContext&) -> Result<St55> {
    FieldReader r(value, "ST55");
    St55 t;
    t.clock_calendar = r.Time("CLOCK_CALENDAR");
    t.qual = Qual(r.Sub("TIME_DATE_QUAL"));
    FieldReader s = r.Sub("STATUS");
    t.separate_tiers = s.Has("CURR_SUMM_TIER");
    t.curr_tier = s.U<uint8_t>(t.separate_tiers ? "CURR_SUMM_TIER" : "CURR_TIER");
    if (t.separate_tiers) t.curr_demand_tier = s.U<uint8_t>("CURR_DEMAND_TIER");
    t.tier_drive = s.U<uint8_t>("TIER_DRIVE");
    t.special_schd_active = s.U<uint8_t>("SPECIAL_SCHD_ACTIVE");
    t.season = s.U<uint8_t>("SEASON");
    return Checked(r, t);
  });
}

Result<std::vector<uint8_t>> EncodeSt55(const St55& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("CLOCK_CALENDAR", Value::Time(t.clock_calendar));
  v.Add("TIME_DATE_QUAL", QualValue(t.qual));
  Value& s = v.Add("STATUS", Value::Record({}));
  if (t.separate_tiers) {
    s.Add("CURR_SUMM_TIER", U(t.curr_tier));
    s.Add("CURR_DEMAND_TIER", U(t.curr_demand_tier));
  } else {
    s.Add("CURR_TIER", U(t.curr_tier));
  }
  s.Add("TIER_DRIVE", U(t.tier_drive));
  s.Add("SPECIAL_SCHD_ACTIVE", U(t.special_schd_active));
  s.Add("SEASON", U(t.season));
  return EncodeTable(ctx, kSt55, v);
}

}  // namespace meterd::codec::c1219
