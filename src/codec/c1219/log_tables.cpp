// SPDX-License-Identifier: Apache-2.0
// Decade 7 on the standard TDL (meters/c1219/standard.xml).
#include "codec/c1219/log_tables.h"

#include "codec/c1219/typed_value.h"

namespace meterd::codec::c1219 {

using core::Fail;
using core::Result;
using typed::B;
using typed::FieldReader;
using typed::U;

std::string_view StdEventName(uint16_t code) {
  // Public lists of the C12.19 history/event log codes (termineter's C1219_EVENT_CODES).
  static constexpr std::string_view kNames[] = {
      "No Event", "Primary Power Down", "Primary Power Up", "Time Changed (old time)", "Time Changed (new time)",
      "Time Changed (old time, STIME_DATE)", "Time Changed (new time, STIME_DATE)", "End Device Accessed for Read",
      "End Device Accessed for Write", "Procedure Invoked", "Table Written To", "End Device Programmed",
      "Communication Terminated Normally", "Communication Terminated Abnormally", "Reset List Pointers",
      "Updated List Pointers", "History Log Cleared", "History Log Pointers Updated", "Event Log Cleared",
      "Event Log Pointers Updated", "Demand Reset Occurred", "Self Read Occurred", "Daylight Saving Time On",
      "Daylight Saving Time Off", "Season Changed", "Rate Change", "Special Schedule Activated",
      "Tier Switch Change", "Pending Table Activated", "Pending Table Activation Cleared", "Metering Mode Started",
      "Metering Mode Stopped", "Test Mode Started", "Test Mode Stopped", "Meter Shop Mode Started",
      "Meter Shop Mode Stopped", "End Device Reprogrammed", "Configuration Error Detected",
      "Self Check Error Detected", "RAM Failure Detected", "ROM Failure Detected",
      "Nonvolatile Memory Failure Detected", "Clock Error Detected", "Measurement Error Detected",
      "Low Battery Detected", "Low Loss Potential Detected", "Demand Overload Detected", "Tamper Attempt Detected",
      "Reverse Rotation Detected", "Control Point Changed by a Command", "Control Point Changed by the Schedule",
      "Control Point Changed by a Condition", "Control Point Changed for the Prepayment"};
  return code < std::size(kNames) ? kNames[code] : "";
}

namespace {

template <class T>
Result<T> Checked(const FieldReader& r, T t) {
  if (!r.ok()) return Fail(r.error());
  return t;
}

LogCode Code(FieldReader r) { return {r.U<uint16_t>("TBL_PROC_NBR"), r.Bool("STD_VS_MFG_FLAG"), r.U<uint8_t>("SELECTOR")}; }
Value CodeValue(const LogCode& c) {
  Value v = Value::Record({});
  v.Add("TBL_PROC_NBR", U(c.number));
  v.Add("STD_VS_MFG_FLAG", B(c.manufacturer));
  v.Add("SELECTOR", U(c.selector));
  return v;
}

LogHeader Header(FieldReader& r, std::string_view flags) {
  LogHeader h;
  FieldReader f = r.Sub(flags);
  h.flags = {f.Bool("ORDER"), f.Bool("OVERFLOW_FLAG"), f.Bool("LIST_TYPE"), f.Bool("INHIBIT_OVERFLOW_FLAG")};
  h.nbr_valid_entries = r.U<uint16_t>("NBR_VALID_ENTRIES");
  h.last_entry_element = r.U<uint16_t>("LAST_ENTRY_ELEMENT");
  h.last_entry_seq_nbr = r.U<uint32_t>("LAST_ENTRY_SEQ_NBR");
  h.nbr_unread_entries = r.U<uint16_t>("NBR_UNREAD_ENTRIES");
  return h;
}
void AddHeader(Value& v, const LogHeader& h, std::string flags) {
  Value& f = v.Add(std::move(flags), Value::Record({}));
  f.Add("ORDER", B(h.flags.descending));
  f.Add("OVERFLOW_FLAG", B(h.flags.overflow));
  f.Add("LIST_TYPE", B(h.flags.circular));
  f.Add("INHIBIT_OVERFLOW_FLAG", B(h.flags.inhibit_overflow));
  v.Add("NBR_VALID_ENTRIES", U(h.nbr_valid_entries));
  v.Add("LAST_ENTRY_ELEMENT", U(h.last_entry_element));
  v.Add("LAST_ENTRY_SEQ_NBR", U(h.last_entry_seq_nbr));
  v.Add("NBR_UNREAD_ENTRIES", U(h.nbr_unread_entries));
}

constexpr std::string_view kControlNames[] = {"STD_EVENTS_MONITORED_FLAGS", "MFG_EVENTS_MONITORED_FLAGS",
                                              "STD_TBLS_MONITORED_FLAGS",   "MFG_TBLS_MONITORED_FLAGS",
                                              "STD_PROC_MONITORED_FLAGS",   "MFG_PROC_MONITORED_FLAGS"};

Result<LogControl> ControlFrom(const Value& value, TableId id) {
  FieldReader r(value, TableIdName(id));
  LogControl c;
  BitSet* sets[] = {&c.std_events_monitored, &c.mfg_events_monitored, &c.std_tbls_monitored,
                    &c.mfg_tbls_monitored,   &c.std_proc_monitored,   &c.mfg_proc_monitored};
  for (size_t i = 0; i < 6; ++i) *sets[i] = r.Set(kControlNames[i]);
  return Checked(r, std::move(c));
}
Value ControlValue(const LogControl& c) {
  Value v = Value::Record({});
  const BitSet* sets[] = {&c.std_events_monitored, &c.mfg_events_monitored, &c.std_tbls_monitored,
                          &c.mfg_tbls_monitored,   &c.std_proc_monitored,   &c.mfg_proc_monitored};
  for (size_t i = 0; i < 6; ++i) v.Add(std::string(kControlNames[i]), Value::Set(*sets[i]));
  return v;
}

}  // namespace

Value ToValue(const St71& t) {
  Value v = Value::Record({});
  Value& f = v.Add("LOG_FLAGS", Value::Record({}));
  f.Add("EVENT_NUMBER_FLAG", B(t.event_number));
  f.Add("HIST_DATE_TIME_FLAG", B(t.hist_date_time));
  f.Add("HIST_SEQ_NBR_FLAG", B(t.hist_seq_nbr));
  f.Add("HIST_INHIBIT_OVF_FLAG", B(t.hist_inhibit_ovf));
  f.Add("EVENT_INHIBIT_OVF_FLAG", B(t.event_inhibit_ovf));
  v.Add("NBR_STD_EVENTS", U(t.nbr_std_events));
  v.Add("NBR_MFG_EVENTS", U(t.nbr_mfg_events));
  v.Add("HIST_DATA_LENGTH", U(t.hist_data_length));
  v.Add("EVENT_DATA_LENGTH", U(t.event_data_length));
  v.Add("NBR_HISTORY_ENTRIES", U(t.nbr_history_entries));
  v.Add("NBR_EVENT_ENTRIES", U(t.nbr_event_entries));
  if (t.ext_log_flags) v.Add("EXT_LOG_FLAGS", U(*t.ext_log_flags));
  if (t.nbr_program_tables) v.Add("NBR_PROGRAM_TABLES", U(*t.nbr_program_tables));
  return v;
}

Result<St71> DecodeSt71(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St71>(ctx, kSt71, bytes, [](const Value& value, const TableContext&) -> Result<St71> {
    FieldReader r(value, "ST71");
    St71 t;
    FieldReader f = r.Sub("LOG_FLAGS");
    t.event_number = f.Bool("EVENT_NUMBER_FLAG");
    t.hist_date_time = f.Bool("HIST_DATE_TIME_FLAG");
    t.hist_seq_nbr = f.Bool("HIST_SEQ_NBR_FLAG");
    t.hist_inhibit_ovf = f.Bool("HIST_INHIBIT_OVF_FLAG");
    t.event_inhibit_ovf = f.Bool("EVENT_INHIBIT_OVF_FLAG");
    t.nbr_std_events = r.U<uint8_t>("NBR_STD_EVENTS");
    t.nbr_mfg_events = r.U<uint8_t>("NBR_MFG_EVENTS");
    t.hist_data_length = r.U<uint8_t>("HIST_DATA_LENGTH");
    t.event_data_length = r.U<uint8_t>("EVENT_DATA_LENGTH");
    t.nbr_history_entries = r.U<uint16_t>("NBR_HISTORY_ENTRIES");
    t.nbr_event_entries = r.U<uint16_t>("NBR_EVENT_ENTRIES");
    if (r.Has("EXT_LOG_FLAGS")) t.ext_log_flags = r.U<uint8_t>("EXT_LOG_FLAGS");
    if (r.Has("NBR_PROGRAM_TABLES")) t.nbr_program_tables = r.U<uint16_t>("NBR_PROGRAM_TABLES");
    return Checked(r, t);
  });
}
Result<std::vector<uint8_t>> EncodeSt71(const St71& t, const TableContext& ctx) { return EncodeTable(ctx, kSt71, ToValue(t)); }

Result<St72> DecodeSt72(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St72>(ctx, kSt72, bytes, [](const Value& value, const TableContext&) -> Result<St72> {
    FieldReader r(value, "ST72");
    St72 t{r.Set("STD_EVENTS_SUPPORTED"), r.Set("MFG_EVENTS_SUPPORTED")};
    return Checked(r, std::move(t));
  });
}
Result<std::vector<uint8_t>> EncodeSt72(const St72& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("STD_EVENTS_SUPPORTED", Value::Set(t.std_events_supported));
  v.Add("MFG_EVENTS_SUPPORTED", Value::Set(t.mfg_events_supported));
  return EncodeTable(ctx, kSt72, v);
}

Result<LogControl> DecodeSt73(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<LogControl>(ctx, kSt73, bytes, [](const Value& v, const TableContext&) { return ControlFrom(v, kSt73); });
}
Result<std::vector<uint8_t>> EncodeSt73(const LogControl& t, const TableContext& ctx) {
  return EncodeTable(ctx, kSt73, ControlValue(t));
}
Result<LogControl> DecodeSt75(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<LogControl>(ctx, kSt75, bytes, [](const Value& v, const TableContext&) { return ControlFrom(v, kSt75); });
}
Result<std::vector<uint8_t>> EncodeSt75(const LogControl& t, const TableContext& ctx) {
  return EncodeTable(ctx, kSt75, ControlValue(t));
}

Result<St74> DecodeSt74(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St74>(ctx, kSt74, bytes, [](const Value& value, const TableContext&) -> Result<St74> {
    FieldReader r(value, "ST74");
    St74 t;
    t.header = Header(r, "HIST_FLAGS");
    for (const Value* e : r.Items("ENTRIES")) {
      FieldReader er = r.Of(*e, "ENTRIES");
      HistoryEntry h;
      if (er.Has("HISTORY_TIME")) h.time = er.Time("HISTORY_TIME");
      if (er.Has("EVENT_NUMBER")) h.event_number = er.U<uint16_t>("EVENT_NUMBER");
      if (er.Has("HISTORY_SEQ_NBR")) h.seq_nbr = er.U<uint16_t>("HISTORY_SEQ_NBR");
      h.user_id = er.U<uint16_t>("USER_ID");
      h.code = Code(er.Sub("HISTORY_CODE"));
      h.argument = er.Bytes("HISTORY_ARGUMENT");
      t.entries.push_back(std::move(h));
    }
    return Checked(r, std::move(t));
  });
}

Result<std::vector<uint8_t>> EncodeSt74(const St74& t, const TableContext& ctx) {
  Value v = Value::Record({});
  AddHeader(v, t.header, "HIST_FLAGS");
  std::vector<Value> entries;
  for (const HistoryEntry& h : t.entries) {
    Value e = Value::Record({});
    if (h.time) e.Add("HISTORY_TIME", Value::Time(*h.time));
    if (h.event_number) e.Add("EVENT_NUMBER", U(*h.event_number));
    if (h.seq_nbr) e.Add("HISTORY_SEQ_NBR", U(*h.seq_nbr));
    e.Add("USER_ID", U(h.user_id));
    e.Add("HISTORY_CODE", CodeValue(h.code));
    e.Add("HISTORY_ARGUMENT", Value::Binary(h.argument));
    entries.push_back(std::move(e));
  }
  v.Add("ENTRIES", Value::Array(std::move(entries)));
  return EncodeTable(ctx, kSt74, v);
}

Result<St76> DecodeSt76(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St76>(ctx, kSt76, bytes, [](const Value& value, const TableContext&) -> Result<St76> {
    FieldReader r(value, "ST76");
    St76 t;
    t.header = Header(r, "EVENT_FLAGS");
    for (const Value* e : r.Items("ENTRIES")) {
      FieldReader er = r.Of(*e, "ENTRIES");
      EventEntry ev;
      ev.time = er.Time("EVENT_TIME");
      if (er.Has("EVENT_NUMBER")) ev.event_number = er.U<uint16_t>("EVENT_NUMBER");
      ev.seq_nbr = er.U<uint16_t>("EVENT_SEQ_NBR");
      ev.user_id = er.U<uint16_t>("USER_ID");
      ev.code = Code(er.Sub("EVENT_CODE"));
      ev.argument = er.Bytes("EVENT_ARGUMENT");
      t.entries.push_back(std::move(ev));
    }
    return Checked(r, std::move(t));
  });
}

Result<std::vector<uint8_t>> EncodeSt76(const St76& t, const TableContext& ctx) {
  Value v = Value::Record({});
  AddHeader(v, t.header, "EVENT_FLAGS");
  std::vector<Value> entries;
  for (const EventEntry& ev : t.entries) {
    Value e = Value::Record({});
    e.Add("EVENT_TIME", Value::Time(ev.time));
    if (ev.event_number) e.Add("EVENT_NUMBER", U(*ev.event_number));
    e.Add("EVENT_SEQ_NBR", U(ev.seq_nbr));
    e.Add("USER_ID", U(ev.user_id));
    e.Add("EVENT_CODE", CodeValue(ev.code));
    e.Add("EVENT_ARGUMENT", Value::Binary(ev.argument));
    entries.push_back(std::move(e));
  }
  v.Add("ENTRIES", Value::Array(std::move(entries)));
  return EncodeTable(ctx, kSt76, v);
}

}  // namespace meterd::codec::c1219
