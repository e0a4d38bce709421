// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/quantity.h"

// A meter model's Modbus register map, loaded from a data file (meters/modbus/<model>.toml).
// The file format, each field and the rounding rule: docs/formats/modbus-maps.md.
namespace meterd::codec::modbus {

// The two read functions a meter map may use (Modbus Application Protocol v1.1b3 §6.3, §6.4).
enum class FunctionCode : uint8_t {
  kReadHoldingRegisters = 0x03,
  kReadInputRegisters = 0x04,
};
std::string_view FunctionName(FunctionCode function);  // "holding", "input"

// How a value is stored in one or more 16-bit registers.
enum class DataType : uint8_t { kUint16, kInt16, kUint32, kInt32, kUint64, kInt64, kFloat32 };
std::string_view DataTypeName(DataType type);  // "uint16", ..., "float32"
uint16_t WordCount(DataType type);             // 1, 2 or 4
bool IsSigned(DataType type);                  // int*, float32

// The order of the 16-bit words of a 32- or 64-bit value. Bytes within a word are always most
// significant first (Modbus Application Protocol v1.1b3 §4.2, "big-endian").
enum class WordOrder : uint8_t {
  kBig,     // most significant word first, at the lowest address ("ABCD")
  kLittle,  // least significant word first ("CDAB")
};
std::string_view WordOrderName(WordOrder order);  // "big", "little"

enum class Phase : uint8_t { kTotal, kL1, kL2, kL3 };
std::string_view PhaseName(Phase phase);  // "total", "l1", "l2", "l3"

// Which cumulative register an energy value is. kNone for everything that is not energy.
// total = import + export; net = import - export (as the meters' manuals define them).
enum class EnergyChannel : uint8_t {
  kNone,
  kImportActive,
  kExportActive,
  kTotalActive,
  kNetActive,
  kImportReactive,
  kExportReactive,
  kTotalReactive,
  kNetReactive,
};
std::string_view EnergyChannelName(EnergyChannel channel);  // "import_active", ...

// One named value of the meter.
//
// The value as a Quantity is raw x 10^exponent in `unit`, where raw is the register content as an
// integer: for integer types the stored number; for float32 the float divided by 10^exponent and
// rounded to the nearest integer, ties away from zero (the map's `resolution`). A k prefix in the
// map's unit is already folded into `exponent` (kWh with scale -2 gives exponent 1 in Wh).
struct RegisterDef {
  std::string name;  // "voltage_l1", "import_active_energy"; [a-z0-9_], unique in the map
  uint16_t address = 0;  // protocol (0-based, on-the-wire) address of the first word
  FunctionCode function = FunctionCode::kReadInputRegisters;
  DataType type = DataType::kUint16;
  WordOrder word_order = WordOrder::kBig;
  int8_t exponent = 0;
  int8_t unit_prefix = 0;  // 3 when the file's unit is kWh, kW, ...: a float32 is in that unit
  core::Unit unit = core::Unit::kNone;
  std::string unit_symbol;  // as written in the file: "kWh", "V", "PF"
  Phase phase = Phase::kTotal;
  EnergyChannel channel = EnergyChannel::kNone;
  int line = 0;  // where the entry starts in the file, for messages

  uint16_t words() const { return WordCount(type); }
  // One past the last word, as an int so that 0xFFFF + 1 does not wrap.
  int end() const { return int{address} + words(); }
};

// How reads may be merged (see batch_planner.h). Part of the map because meters differ: an
// Eastron SDM630 answers at most 80 registers per request and returns zero for unlisted ones.
struct BatchOptions {
  uint16_t max_gap = 0;          // unlisted registers a read may span to join two entries
  uint16_t max_registers = 125;  // per request, 1..125 (the protocol's limit for 0x03/0x04)
};

struct RegisterMap {
  std::string model;   // "Eastron SDM630"
  std::string source;  // the file it came from, for messages
  BatchOptions batching;
  std::vector<RegisterDef> registers;  // in file order

  const RegisterDef* Find(std::string_view name) const;
};

// Parses the TOML text of a map. `source` names it in errors, which read
// "<source>:<line>:<column>: <key>: <problem>" and set `field` to the key path
// ("register[3].type"). Rejects unknown keys, missing fields, unknown types, units, word orders,
// phases and channels, duplicate names and registers that overlap.
core::Result<RegisterMap> ParseRegisterMap(std::string_view text, std::string_view source);

// Reads and parses a map file. The only function in this codec that touches the file system.
core::Result<RegisterMap> LoadRegisterMap(const std::string& path);

}  // namespace meterd::codec::modbus
