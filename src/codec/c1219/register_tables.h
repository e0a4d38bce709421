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
#include "core/quantity.h"

// Typed decade-2 tables: ST21 actual registers, ST22 data selection, ST23 current register data,
// ST24 previous season, ST25 previous demand reset, ST26 self reads, ST27 present register
// selection, ST28 present register data. Same scheme as general_tables.h.
//
// Units. Register values are NI_FMAT1/NI_FMAT2 numbers; what they measure is the data source
// their selector names (ST22 for ST23-26, ST27 for ST28). A meter type's TDL says per source
// index the unit and multiplier (<source index unit scale>, tdl.h SourceDef); a value then
// becomes raw x 10^scale in that unit, exactly. When the selection table is not in the context
// or the TDL does not define the source, the value keeps its raw decimal with no unit.
// Encoding reverses this, so decode -> encode gives the same bytes.
namespace meterd::codec::c1219 {

inline constexpr TableId kSt21 = 21, kSt22 = 22, kSt23 = 23, kSt24 = 24, kSt25 = 25, kSt26 = 26, kSt27 = 27,
                         kSt28 = 28;

struct St21 {
  bool season_info_field = false;
  bool date_time_field = false;
  bool demand_reset_ctr = false;
  bool demand_reset_lock = false;
  bool cum_demand = false;
  bool cont_cum_demand = false;
  bool time_remaining = false;
  bool self_read_inhibit_overflow = false;
  bool self_read_seq_nbr = false;
  bool daily_self_read = false;
  bool weekly_self_read = false;
  uint8_t self_read_demand_reset = 0;  // 2 bits
  uint8_t nbr_self_reads = 0;
  uint8_t nbr_summations = 0;
  uint8_t nbr_demands = 0;
  uint8_t nbr_coin_values = 0;
  uint8_t nbr_occur = 0;
  uint8_t nbr_tiers = 0;
  uint8_t nbr_present_demands = 0;
  uint8_t nbr_present_values = 0;
  friend bool operator==(const St21&, const St21&) = default;
};

struct St22 {
  std::vector<uint8_t> summation_select;  // source index per summation
  std::vector<uint8_t> demand_select;
  BitSet min_or_max_flags;                // bit i set: demand i is a maximum
  std::vector<uint8_t> coincident_select;
  std::vector<uint8_t> coin_demand_assoc;  // the demand each coincident value belongs to
  friend bool operator==(const St22&, const St22&) = default;
};

struct DemandRecord {
  std::vector<TimeDate> event_time;  // NBR_OCCUR times when DATE_TIME_FIELD_FLAG, else empty
  std::optional<core::Quantity> cum_demand;
  std::optional<core::Quantity> cont_cum_demand;
  std::vector<core::Quantity> demand;  // NBR_OCCUR values
  friend bool operator==(const DemandRecord&, const DemandRecord&) = default;
};

struct DataBlock {
  std::vector<core::Quantity> summations;  // energy: Wh, varh, VAh ...
  std::vector<DemandRecord> demands;
  std::vector<std::vector<core::Quantity>> coincidents;  // per coincident selection, NBR_OCCUR values
  friend bool operator==(const DataBlock&, const DataBlock&) = default;
};

// REGISTER_DATA_RCD: ST23, and the snapshots in ST24-ST26.
struct RegisterData {
  std::optional<uint8_t> nbr_demand_resets;  // with DEMAND_RESET_CTR_FLAG
  DataBlock total;
  std::vector<DataBlock> tiers;  // NBR_TIERS
  friend bool operator==(const RegisterData&, const RegisterData&) = default;
};
using St23 = RegisterData;

struct RegisterInfo {
  std::optional<TimeDate> end_date_time;  // with DATE_TIME_FIELD_FLAG
  std::optional<uint8_t> season;          // with SEASON_INFO_FIELD_FLAG
  friend bool operator==(const RegisterInfo&, const RegisterInfo&) = default;
};

// ST24 (previous season) and ST25 (previous demand reset).
struct RegisterSnapshot {
  RegisterInfo info;
  RegisterData data;
  friend bool operator==(const RegisterSnapshot&, const RegisterSnapshot&) = default;
};

struct ListStatus {  // LIST_STATUS_BFLD
  bool descending = false;
  bool overflow = false;
  bool circular = false;
  bool inhibit_overflow = false;
  friend bool operator==(const ListStatus&, const ListStatus&) = default;
};

struct SelfRead {
  std::optional<uint16_t> seq_nbr;  // with SELF_READ_SEQ_NBR_FLAG
  RegisterInfo info;
  RegisterData data;
  friend bool operator==(const SelfRead&, const SelfRead&) = default;
};

struct St26 {
  ListStatus list_status;
  uint8_t nbr_valid_entries = 0;
  uint8_t last_entry_element = 0;
  uint16_t last_entry_seq_nbr = 0;
  uint8_t nbr_unread_entries = 0;
  std::vector<SelfRead> entries;  // NBR_SELF_READS
  friend bool operator==(const St26&, const St26&) = default;
};

struct St27 {
  std::vector<uint8_t> present_demand_select;
  std::vector<uint8_t> present_value_select;
  friend bool operator==(const St27&, const St27&) = default;
};

struct PresentDemand {
  std::optional<TimeDate> time_remaining;  // a TIME, with TIME_REMAINING_FLAG
  core::Quantity value;
  friend bool operator==(const PresentDemand&, const PresentDemand&) = default;
};

struct St28 {
  std::vector<PresentDemand> present_demand;
  std::vector<core::Quantity> present_value;  // W, V, A, ... per ST27 selection
  friend bool operator==(const St28&, const St28&) = default;
};

core::Result<St21> DecodeSt21(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt21(const St21& table, const TableContext& context);
Value ToValue(const St21& table);

core::Result<St22> DecodeSt22(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt22(const St22& table, const TableContext& context);
Value ToValue(const St22& table);

// ST23-ST26 need ST21 in the context (and ST22 for units); ST28 needs ST21 (and ST27).
core::Result<St23> DecodeSt23(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt23(const St23& table, const TableContext& context);
core::Result<RegisterSnapshot> DecodeSt24(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt24(const RegisterSnapshot& table, const TableContext& context);
core::Result<RegisterSnapshot> DecodeSt25(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt25(const RegisterSnapshot& table, const TableContext& context);
core::Result<St26> DecodeSt26(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt26(const St26& table, const TableContext& context);

core::Result<St27> DecodeSt27(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt27(const St27& table, const TableContext& context);
Value ToValue(const St27& table);
core::Result<St28> DecodeSt28(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt28(const St28& table, const TableContext& context);

// The unit a source index has in the context's TDL, as a quantity of raw decimal `raw`; and back.
core::Result<core::Quantity> SourceQuantity(const TableContext& context, std::optional<uint8_t> source, Decimal raw);
core::Result<Decimal> SourceRaw(const TableContext& context, std::optional<uint8_t> source, const core::Quantity& q);

}  // namespace meterd::codec::c1219
