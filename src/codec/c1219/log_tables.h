// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "codec/c1219/register_tables.h"
#include "codec/c1219/table_id.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Typed decade-7 tables: ST71 actual log dimensions, ST72 events supported, ST73 history log
// control, ST74 history log data, ST75 event log control, ST76 event log data. ST72-ST76 need ST71
// (and ST0) in the context. Same scheme as general_tables.h.
namespace meterd::codec::c1219 {

inline constexpr TableId kSt71 = 71, kSt72 = 72, kSt73 = 73, kSt74 = 74, kSt75 = 75, kSt76 = 76;

struct St71 {
  bool event_number = false;
  bool hist_date_time = false;
  bool hist_seq_nbr = false;
  bool hist_inhibit_ovf = false;
  bool event_inhibit_ovf = false;
  uint8_t nbr_std_events = 0;  // octets of the standard event sets
  uint8_t nbr_mfg_events = 0;
  uint8_t hist_data_length = 0;
  uint8_t event_data_length = 0;
  uint16_t nbr_history_entries = 0;
  uint16_t nbr_event_entries = 0;
  std::optional<uint8_t> ext_log_flags;         // ST0 STD_VERSION_NO >= 2
  std::optional<uint16_t> nbr_program_tables;   // ST0 STD_VERSION_NO >= 2
  friend bool operator==(const St71&, const St71&) = default;
};

struct St72 {
  BitSet std_events_supported;  // bit n: standard event code n is logged
  BitSet mfg_events_supported;
  friend bool operator==(const St72&, const St72&) = default;
};

// ST73 (history log) and ST75 (event log) control: what is monitored.
struct LogControl {
  BitSet std_events_monitored;
  BitSet mfg_events_monitored;
  BitSet std_tbls_monitored;
  BitSet mfg_tbls_monitored;
  BitSet std_proc_monitored;
  BitSet mfg_proc_monitored;
  friend bool operator==(const LogControl&, const LogControl&) = default;
};

// TABLE_IDB_BFLD as an event code: 11 bits, manufacturer flag, 4-bit selector.
struct LogCode {
  uint16_t number = 0;
  bool manufacturer = false;
  uint8_t selector = 0;
  friend bool operator==(const LogCode&, const LogCode&) = default;
};
// Standard event code names ("Primary Power Down", ...); "" for codes we have no name for.
std::string_view StdEventName(uint16_t code);

struct HistoryEntry {
  std::optional<TimeDate> time;          // HIST_DATE_TIME_FLAG
  std::optional<uint16_t> event_number;  // EVENT_NUMBER_FLAG
  std::optional<uint16_t> seq_nbr;       // HIST_SEQ_NBR_FLAG
  uint16_t user_id = 0;
  LogCode code;
  std::vector<uint8_t> argument;  // HIST_DATA_LENGTH bytes
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct EventEntry {
  TimeDate time;
  std::optional<uint16_t> event_number;  // EVENT_NUMBER_FLAG
  uint16_t seq_nbr = 0;
  uint16_t user_id = 0;
  LogCode code;
  std::vector<uint8_t> argument;  // EVENT_DATA_LENGTH bytes
  friend bool operator==(const EventEntry&, const EventEntry&) = default;
};

struct LogHeader {
  ListStatus flags;
  uint16_t nbr_valid_entries = 0;
  uint16_t last_entry_element = 0;
  uint32_t last_entry_seq_nbr = 0;
  uint16_t nbr_unread_entries = 0;
  friend bool operator==(const LogHeader&, const LogHeader&) = default;
};

struct St74 {
  LogHeader header;
  std::vector<HistoryEntry> entries;  // NBR_HISTORY_ENTRIES
  friend bool operator==(const St74&, const St74&) = default;
};

struct St76 {
  LogHeader header;
  std::vector<EventEntry> entries;  // NBR_EVENT_ENTRIES
  friend bool operator==(const St76&, const St76&) = default;
};

core::Result<St71> DecodeSt71(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt71(const St71& table, const TableContext& context);
Value ToValue(const St71& table);
core::Result<St72> DecodeSt72(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt72(const St72& table, const TableContext& context);
core::Result<LogControl> DecodeSt73(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt73(const LogControl& table, const TableContext& context);
core::Result<St74> DecodeSt74(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt74(const St74& table, const TableContext& context);
core::Result<LogControl> DecodeSt75(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt75(const LogControl& table, const TableContext& context);
core::Result<St76> DecodeSt76(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt76(const St76& table, const TableContext& context);

}  // namespace meterd::codec::c1219
