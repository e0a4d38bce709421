// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

// ANSI C12.19 table numbers. On the wire (C12.18/C12.22 table identifiers) a manufacturer table
// n is 2048 + n; we use the same numbering everywhere: ST0..ST2047 are 0..2047, MT0.. are 2048..
namespace meterd::codec::c1219 {

using TableId = uint16_t;

inline constexpr TableId kMfgTableBase = 2048;
inline constexpr TableId StdTable(uint16_t n) { return n; }
inline constexpr TableId MfgTable(uint16_t n) { return static_cast<TableId>(kMfgTableBase + n); }
inline constexpr bool IsMfgTable(TableId id) { return id >= kMfgTableBase; }

// "ST0", "MT12".
std::string TableIdName(TableId id);

// Parses "ST0".."ST2047" and "MT0".."MT2047" (case-sensitive, no leading zeros but "0").
core::Result<TableId> ParseTableId(std::string_view text);

// The standard procedure numbers ("SP0") and manufacturer procedures ("MP0") share the scheme:
// the TABLE_IDB_BFLD carries an 11-bit number and a std-vs-mfg flag.
struct ProcedureId {
  uint16_t number = 0;  // 0..2047
  bool manufacturer = false;
  friend bool operator==(const ProcedureId&, const ProcedureId&) = default;
};
std::string ProcedureIdName(ProcedureId id);  // "SP10", "MP1"
core::Result<ProcedureId> ParseProcedureId(std::string_view text);

}  // namespace meterd::codec::c1219
