// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/format_control.h"
#include "codec/c1219/table_id.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Typed decade-0 tables: ST0 general configuration, ST1 manufacturer identification, ST3 mode
// and status, ST5 device identification, ST7/ST8 procedure initiate and response. Each decodes
// with the TDL of the context (the built-in standard.xml unless a meter type changes it):
//   DecodeStN(bytes, context) = StNFromValue(DecodeTable(context, N, bytes))
//   EncodeStN(table, context) = EncodeTable(context, N, ToValue(table))
// so bytes -> struct -> bytes is exact. The ToValue form is also what TableContext::Put keeps.
namespace meterd::codec::c1219 {

inline constexpr TableId kSt0 = 0, kSt1 = 1, kSt3 = 3, kSt5 = 5, kSt7 = 7, kSt8 = 8;

struct St0 {
  FormatControl format;
  std::array<uint8_t, 4> device_class{};
  uint8_t nameplate_type = 2;  // 0 gas, 1 water, 2 electric
  uint8_t default_set_used = 0;
  uint8_t max_proc_parm_length = 0;
  uint8_t max_resp_data_len = 0;
  uint8_t std_version_no = 2;
  uint8_t std_revision_no = 0;
  uint8_t dim_std_tbls_used = 0;  // octets of STD_TBLS_USED and STD_TBLS_WRITE
  uint8_t dim_mfg_tbls_used = 0;
  uint8_t dim_std_proc_used = 0;
  uint8_t dim_mfg_proc_used = 0;
  uint8_t dim_mfg_status_used = 0;
  uint8_t nbr_pending = 0;
  BitSet std_tbls_used;
  BitSet mfg_tbls_used;
  BitSet std_proc_used;
  BitSet mfg_proc_used;
  BitSet std_tbls_write;
  BitSet mfg_tbls_write;

  bool TableUsed(TableId id) const;
  bool TableWritable(TableId id) const;
  bool ProcedureUsed(ProcedureId id) const;
  // Marks a table used (and writable if asked) and grows the DIM_ fields to hold it.
  void UseTable(TableId id, bool writable = false);
  void UseProcedure(ProcedureId id);

  friend bool operator==(const St0&, const St0&) = default;
};

struct St1 {
  std::string manufacturer;  // CHAR(4), as read (padding kept)
  std::string ed_model;      // CHAR(8)
  uint8_t hw_version_number = 0;
  uint8_t hw_revision_number = 0;
  uint8_t fw_version_number = 0;
  uint8_t fw_revision_number = 0;
  std::string mfg_serial_number;  // CHAR(16), or 16 BCD digits when ST0 ID_FORM is 1
  friend bool operator==(const St1&, const St1&) = default;
};

struct St3 {
  bool metering = false;
  bool test_mode = false;
  bool meter_shop_mode = false;
  bool factory = false;
  uint16_t std_status1 = 0;  // bit i = ED_STD_STATUS1 flag i (kStatus1* below)
  uint8_t std_status2 = 0;
  BitSet mfg_status;  // DIM_MFG_STATUS_USED octets
  friend bool operator==(const St3&, const St3&) = default;
};
enum : uint16_t {
  kStatus1Unprogrammed = 1 << 0,
  kStatus1ConfigurationError = 1 << 1,
  kStatus1SelfCheckError = 1 << 2,
  kStatus1RamFailure = 1 << 3,
  kStatus1RomFailure = 1 << 4,
  kStatus1NonvolatileMemoryFailure = 1 << 5,
  kStatus1ClockError = 1 << 6,
  kStatus1MeasurementError = 1 << 7,
  kStatus1LowBattery = 1 << 8,
  kStatus1LowLossPotential = 1 << 9,
  kStatus1DemandOverload = 1 << 10,
  kStatus1PowerFailure = 1 << 11,
  kStatus1TamperDetect = 1 << 12,
  kStatus1ReverseRotation = 1 << 13,
};

struct St5 {
  std::string identification;  // CHAR(20), or 20 BCD digits when ID_FORM is 1
  friend bool operator==(const St5&, const St5&) = default;
};

// What ST8 should hold after a procedure (SELECTOR of TABLE_IDB_BFLD).
enum class ResponseSelector : uint8_t {
  kOnCompletion = 0,
  kOnException = 1,
  kNone = 2,
  kImmediateAndOnCompletion = 3,
};

// ST7: a procedure call. `params` is PARM: MAX_PROC_PARM_LENGTH bytes (padded with zeros when
// encoding); DecodeProcedureData (tdl_codec.h) reads it by the procedure's TDL definition.
struct St7 {
  ProcedureId procedure;
  uint8_t selector = 0;  // ResponseSelector, or 4..15 (reserved)
  uint8_t sequence_number = 0;
  std::vector<uint8_t> params;
  friend bool operator==(const St7&, const St7&) = default;
};

// ST8 RESULT_CODE.
enum class ProcedureResult : uint8_t {
  kCompleted = 0,
  kNotFullyCompleted = 1,
  kInvalidParameter = 2,
  kDeviceSetupConflict = 3,
  kTimingConstraint = 4,
  kNoAuthorization = 5,
  kUnrecognizedProcedure = 6,
};
// "completed", "accepted, not fully completed", "invalid parameter", "conflicts with device
// setup", "timing constraint", "no authorization", "unrecognized procedure"; "reserved" else.
std::string_view ProcedureResultName(uint8_t code);

struct St8 {
  ProcedureId procedure;
  uint8_t selector = 0;
  uint8_t sequence_number = 0;
  uint8_t result_code = 0;  // ProcedureResult
  std::vector<uint8_t> response;  // RESP_DATA: MAX_RESP_DATA_LEN bytes
  friend bool operator==(const St8&, const St8&) = default;
};

core::Result<St0> DecodeSt0(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt0(const St0& table, const TableContext& context);
Value ToValue(const St0& table);
core::Result<St0> St0FromValue(const Value& value, const TableContext& context);

core::Result<St1> DecodeSt1(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt1(const St1& table, const TableContext& context);
Value ToValue(const St1& table, const TableContext& context);
core::Result<St1> St1FromValue(const Value& value, const TableContext& context);

core::Result<St3> DecodeSt3(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt3(const St3& table, const TableContext& context);
Value ToValue(const St3& table);
core::Result<St3> St3FromValue(const Value& value, const TableContext& context);

core::Result<St5> DecodeSt5(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt5(const St5& table, const TableContext& context);
Value ToValue(const St5& table, const TableContext& context);
core::Result<St5> St5FromValue(const Value& value, const TableContext& context);

core::Result<St7> DecodeSt7(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt7(const St7& table, const TableContext& context);
core::Result<St8> DecodeSt8(std::span<const uint8_t> bytes, const TableContext& context);
core::Result<std::vector<uint8_t>> EncodeSt8(const St8& table, const TableContext& context);

}  // namespace meterd::codec::c1219
