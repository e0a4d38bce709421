// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "codec/c1219/format_control.h"
#include "codec/c1219/tdl.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// Any table's bytes <-> the generic value tree, from the table's TDL definition: what makes a
// manufacturer table a TDL file rather than code. Pure: no I/O. docs/formats/tdl.md ("Decoding").
namespace meterd::codec::c1219 {

// What decoding one table may look at: the meter type's TDL, the format control (from ST0) and
// the tables already decoded that size or select parts of others (ST21 for ST23, ST61 and ST62
// for ST64, ...). Not thread-safe to modify; const use from several threads is fine.
// The Tdl must outlive the context.
class TableContext {
 public:
  explicit TableContext(const Tdl& tdl) : tdl_(&tdl) {}

  const Tdl& tdl() const { return *tdl_; }
  const FormatControl& format() const { return format_; }
  void SetFormat(const FormatControl& format) { format_ = format; }

  // Keeps a decoded table for the tables that refer to it, replacing an earlier one. Putting ST0
  // also sets the format control from its FORMAT_CONTROL_1..3 members.
  void Put(TableId id, Value table);
  const Value* Get(TableId id) const;

 private:
  const Tdl* tdl_;
  FormatControl format_;
  std::vector<std::pair<TableId, Value>> tables_;
};

// Decodes a whole table. Fails when the TDL has no such table, a table it refers to is not in the
// context, the bytes end early or hold something the type refuses (a BOOL of 2, a BCD nibble of
// 0xA, ...), or bytes remain at the end. Errors name the table, the field path
// ("ST64 LP_DATA_SET1[0].LP_INT[17].INT_DATA[2]") and, in `field`, the offset.
// ST0 is decoded under its own format control (its first three bytes).
core::Result<Value> DecodeTable(const TableContext& context, TableId id, std::span<const uint8_t> bytes);

// The inverse. Fields missing from `table` take their TDL default, or fail; arrays must have the
// length their count gives now; numbers must fit their types exactly.
core::Result<std::vector<uint8_t>> EncodeTable(const TableContext& context, TableId id, const Value& table);

// A table with every field at its TDL default (zero, empty text, ... where there is none), sized
// by the context: a starting point for simulators and tests.
core::Result<Value> DefaultTable(const TableContext& context, TableId id);

// The parameters (`response` false) or response data of a procedure, from its TDL definition.
// Bytes after the defined ones are ignored: PARM and RESP_DATA are fixed-size and padded.
core::Result<Value> DecodeProcedureData(const TableContext& context, ProcedureId id, bool response,
                                        std::span<const uint8_t> bytes);
core::Result<std::vector<uint8_t>> EncodeProcedureData(const TableContext& context, ProcedureId id, bool response,
                                                       const Value& data);

}  // namespace meterd::codec::c1219
