// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "codec/c1219/table_id.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "core/error.h"
#include "core/quantity.h"

// Typed decade-6 tables: ST61 actual load profile (dimensions of up to four data sets, present
// as ST0 STD_TBLS_USED says for ST64..ST67), ST62 control (channel sources, interval format,
// scalars and divisors), ST63 status, ST64 data set 1, sized from ST61 (blocks, intervals per
// block, channels). ST61 needs ST0 in the context; ST62 and ST63 need ST0 and ST61; ST64 needs
// ST0, ST61 and ST62. Same scheme as general_tables.h.
namespace meterd::codec::c1219 {

inline constexpr TableId kSt61 = 61, kSt62 = 62, kSt63 = 63, kSt64 = 64;

struct LpSetDims {
  uint16_t nbr_blks = 0;
  uint16_t nbr_blk_ints = 0;
  uint8_t nbr_chns = 0;
  uint8_t max_int_time_minutes = 0;
  friend bool operator==(const LpSetDims&, const LpSetDims&) = default;
};

struct St61 {
  uint32_t lp_memory_len = 0;
  std::array<bool, 4> inhibit_overflow{};  // LP_SETn_INHIBIT_OVF_FLAG
  bool blk_end_read = false;
  bool blk_end_pulse = false;
  std::array<bool, 4> scalar_divisor{};  // SCALAR_DIVISOR_FLAG_SETn
  bool extended_int_status = false;
  bool simple_int_status = false;
  bool blk_end_rd_indicator = false;
  uint8_t lp_fmats = 0;  // bit per usable interval format: UINT8, UINT16, UINT32, INT8, INT16, INT32, NI1, NI2
  std::array<std::optional<LpSetDims>, 4> sets;  // present as ST0 says
  friend bool operator==(const St61&, const St61&) = default;
};

struct LpChannel {
  bool end_rdg = false;
  uint8_t lp_source_select = 0;  // source index of the interval data
  uint8_t end_blk_rdg_source_select = 0;
  friend bool operator==(const LpChannel&, const LpChannel&) = default;
};

// INT_FMT_CDE: the format of every interval value of a set.
enum class IntervalFormat : uint8_t {
  kUint8 = 1, kUint16 = 2, kUint32 = 4, kInt8 = 8, kInt16 = 16, kInt32 = 32, kNiFmat1 = 64, kNiFmat2 = 128,
};

struct LpSetControl {
  std::vector<LpChannel> channels;
  uint8_t int_fmt_cde = 2;  // IntervalFormat
  std::vector<uint16_t> scalars;   // with SCALAR_DIVISOR_FLAG_SETn: value = raw x scalar / divisor
  std::vector<uint16_t> divisors;
  friend bool operator==(const LpSetControl&, const LpSetControl&) = default;
};

struct St62 {
  std::array<std::optional<LpSetControl>, 4> sets;
  friend bool operator==(const St62&, const St62&) = default;
};

struct LpSetStatus {
  bool descending = false;  // ORDER: blocks newest first
  bool overflow = false;
  bool circular = false;
  bool block_inhibit_overflow = false;
  bool interval_descending = false;
  bool active = false;
  bool test_mode = false;
  uint16_t nbr_valid_blocks = 0;
  uint16_t last_block_element = 0;
  uint32_t last_block_seq_nbr = 0;
  uint16_t nbr_unread_blocks = 0;
  uint16_t nbr_valid_int = 0;
  friend bool operator==(const LpSetStatus&, const LpSetStatus&) = default;
};

struct St63 {
  std::array<std::optional<LpSetStatus>, 4> sets;
  friend bool operator==(const St63&, const St63&) = default;
};

// Channel status nibble (0..7; 8..15 are reserved and kept as read).
enum class ChannelStatus : uint8_t {
  kNone = 0, kOverflow = 1, kPartial = 2, kLong = 3, kSkipped = 4, kTestMode = 5, kConfigChanged = 6, kStopped = 7,
};
std::string_view ChannelStatusName(uint8_t status);  // "none", "overflow", ...

struct IntervalStatus {  // EXTENDED_INT_STATUS, unpacked
  bool dst = false;  // common flags: the high nibble of the first byte
  bool power_fail = false;
  bool clock_set_forward = false;
  bool clock_set_backward = false;
  std::vector<uint8_t> channel;  // one nibble per channel
  uint8_t filler = 0;            // the last nibble when the number of channels is even
  friend bool operator==(const IntervalStatus&, const IntervalStatus&) = default;
};

struct LpInterval {
  std::optional<IntervalStatus> status;  // with EXTENDED_INT_STATUS_FLAG
  // One per channel: raw x scalar / divisor (a divisor must be a power of ten) in the unit of the
  // channel's source (ST62 LP_SOURCE_SELECT, TDL <source>), exact.
  std::vector<core::Quantity> values;
  friend bool operator==(const LpInterval&, const LpInterval&) = default;
};

struct LpEndReading {
  std::optional<core::Quantity> block_end_read;  // with BLK_END_READ_FLAG (END_BLK_RDG source)
  std::optional<uint32_t> block_end_pulse;       // with BLK_END_PULSE_FLAG
  friend bool operator==(const LpEndReading&, const LpEndReading&) = default;
};

struct LpBlock {
  TimeDate end_time;  // BLK_END_TIME: end of the last interval of the block
  std::vector<LpEndReading> end_readings;
  std::optional<BitSet> simple_int_status;  // with SIMPLE_INT_STATUS_FLAG: bit i, interval i valid
  std::vector<LpInterval> intervals;
  friend bool operator==(const LpBlock&, const LpBlock&) = default;
};

struct St64 {
  std::vector<LpBlock> blocks;
  friend bool operator==(const St64&, const St64&) = default;
};

core::Result<St61> DecodeSt61(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt61(const St61& table, const TableContext& context);
Value ToValue(const St61& table);
core::Result<St62> DecodeSt62(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt62(const St62& table, const TableContext& context);
Value ToValue(const St62& table);
core::Result<St63> DecodeSt63(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt63(const St63& table, const TableContext& context);
core::Result<St64> DecodeSt64(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt64(const St64& table, const TableContext& context);

}  // namespace meterd::codec::c1219
