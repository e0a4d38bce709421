// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/table_id.h"
#include "codec/c1219/tdl_document.h"
#include "codec/c1219/tdl_expr.h"
#include "codec/c1219/value.h"
#include "core/error.h"
#include "core/quantity.h"

// A compiled Table Definition Language description of a meter type: its tables, procedures and
// data sources, checked and ready to decode and encode bytes (tdl_codec.h). Compiled from a
// TdlDocument (tdl_document.h), possibly merged from a base and fragments (tdl_merge.h).
// The XML: docs/formats/tdl.md.
namespace meterd::codec::c1219 {

enum class BaseType : uint8_t {
  kUint,  // UINT8..UINT64 (width 1..8)
  kInt,   // INT8..INT64
  kBool,  // one byte, 0 or 1
  kFill,  // FILL(n): bytes kept as they are
  kChar,  // CHAR(n) / STRING(n)
  kBinary,
  kBcd,
  kSet,
  kNiFmat1,
  kNiFmat2,
  kFloat32,
  kFloat64,
  kStimeDate,
  kLtimeDate,
  kHtimeDate,
  kDate,
  kTime,
  kRecord,    // a record: inline children or a named record type
  kBitfield,  // an unsigned integer split into named bits: inline or a named bit-field type
  kChoice,    // a named choice type: one of several types, picked by an expression
};

// One member of a bit field: bits from..to (0 = least significant) of the integer.
struct BitsDef {
  enum class Kind : uint8_t { kUint, kInt, kBool };
  std::string name;
  uint8_t from = 0;
  uint8_t to = 0;
  Kind kind = Kind::kUint;
  int64_t default_value = 0;
  std::string where;
};

struct TypeDef;
struct Element;

struct Case {
  std::vector<int64_t> values;  // empty for <default>
  std::vector<Element> body;
};

// A member of a record: a field (possibly an array, possibly conditional) or a group.
struct Element {
  enum class Kind : uint8_t { kField, kIf, kSwitch };
  Kind kind = Kind::kField;
  std::string name;  // fields only; empty for a choice alternative
  BaseType type = BaseType::kUint;
  uint8_t width = 1;              // kUint/kInt/kBitfield: bytes
  const TypeDef* user = nullptr;  // named record, bit-field or choice type
  Expr size;                      // FILL/CHAR/BINARY/BCD/SET: bytes
  Expr count;                     // an array of `count` items when not empty
  Expr test;                      // `if` on a field, <if test>, <switch on>
  std::vector<Element> children;  // inline record; <if> body
  std::vector<BitsDef> bits;      // inline bit field
  std::vector<Case> cases;        // <switch>
  std::optional<Value> default_value;
  std::optional<core::Unit> unit;  // numbers: decode as a Quantity in this unit
  int8_t scale = 0;                // with `unit`: the raw number is value x 10^scale
  std::string where;               // "file:line"

  bool is_array() const { return !count.empty(); }
  // The record body of a kRecord field, the bits of a kBitfield field.
  const std::vector<Element>& record_body() const;
  const std::vector<BitsDef>& bitfield_bits() const;
  uint8_t bitfield_width() const;
};

struct TypeDef {
  std::string name;
  BaseType kind = BaseType::kRecord;  // kRecord, kBitfield or kChoice
  std::vector<Element> body;          // kRecord
  uint8_t width = 1;                  // kBitfield
  std::vector<BitsDef> bits;          // kBitfield
  Expr select;                        // kChoice
  std::vector<Case> choices;          // kChoice: each body is one unnamed element
  std::string where;
};

struct TableDef {
  TableId id = 0;
  std::string name;  // "GEN_CONFIG_TBL"
  std::vector<Element> body;
  std::string where;
};

struct ProcedureDef {
  ProcedureId id;
  std::string name;
  std::vector<Element> params;    // what PROC_INITIATE_TBL.PARM_DATA holds for it
  std::vector<Element> response;  // what PROC_RESPONSE_TBL.RESP_DATA holds
  std::string where;
};

// What a data source index (as ST22, ST27 and ST62 select them) measures, in a meter type's TDL.
// `unit` is the source's core::Unit (TDLs name only units it has); `symbol` keeps the text.
struct SourceDef {
  uint16_t index = 0;
  std::string name;
  std::optional<core::Unit> unit;
  std::string symbol;  // "Wh", "varh", "VAh", "W", "V", "A", ...
  int8_t scale = 0;    // the source's multiplier: a raw 1 is 10^scale of the unit
  std::string where;
};

class Tdl {
 public:
  Tdl(Tdl&&) = default;
  Tdl& operator=(Tdl&&) = default;
  Tdl(const Tdl&) = delete;
  Tdl& operator=(const Tdl&) = delete;

  const std::string& name() const { return name_; }
  const TdlDocument& document() const { return document_; }  // what it was compiled from
  const std::vector<TableDef>& tables() const { return tables_; }
  const std::vector<ProcedureDef>& procedures() const { return procedures_; }
  const std::vector<SourceDef>& sources() const { return sources_; }

  const TableDef* Table(TableId id) const;
  const TableDef* TableNamed(std::string_view name_or_id) const;  // "GEN_CONFIG_TBL" or "ST0"
  const ProcedureDef* Procedure(ProcedureId id) const;
  const SourceDef* Source(uint16_t index) const;
  const TypeDef* Type(std::string_view name) const;

 private:
  Tdl() = default;
  friend class TdlCompiler;

  std::string name_;
  TdlDocument document_;
  std::vector<std::unique_ptr<TypeDef>> types_;  // stable addresses: elements point at them
  std::vector<TableDef> tables_;
  std::vector<ProcedureDef> procedures_;
  std::vector<SourceDef> sources_;
};

// Checks and compiles a <tdl> document: unknown elements or attributes, bad names, types, sizes,
// expressions, duplicate tables or fields, references to tables or fields that do not exist,
// recursive types. Every error names the file and line.
core::Result<Tdl> CompileTdl(const TdlDocument& document);

// Parses and compiles XML text.
core::Result<Tdl> ParseTdl(std::string_view xml, std::string_view source);

// Parses a base <tdl> and applies fragments (in order), then compiles the result.
core::Result<Tdl> ParseTdlWithFragments(std::string_view base_xml, std::string_view base_source,
                                        const std::vector<std::pair<std::string, std::string>>& fragments);

}  // namespace meterd::codec::c1219
