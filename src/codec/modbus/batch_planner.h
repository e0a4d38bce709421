// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/modbus/register_map.h"

// Which read requests fetch a register map. Pure: no I/O.
namespace meterd::codec::modbus {

// One read request: `count` registers from `address` with `function`, covering the map entries
// `registers` (indices into RegisterMap::registers, in address order).
struct ReadBatch {
  FunctionCode function = FunctionCode::kReadInputRegisters;
  uint16_t address = 0;
  uint16_t count = 0;
  std::vector<size_t> registers;
  friend bool operator==(const ReadBatch&, const ReadBatch&) = default;
};

// Groups the entries of `map` into as few requests as the options allow. Entries of one function
// are taken in address order; an entry joins the open batch when the registers between them
// number at most `options.max_gap` and the batch stays within `options.max_registers` (clamped
// to 4..125: 125 is the limit of Modbus Application Protocol v1.1b3 §6.3, 4 the widest entry);
// otherwise it starts a new batch. An entry is never split across batches. Holding-register
// batches come before input-register ones. Greedy, which gives the fewest requests here: a new
// batch starts only when a gap or the size limit forces one.
std::vector<ReadBatch> PlanBatches(const RegisterMap& map, const BatchOptions& options);

// The same, with the map's own batching options.
inline std::vector<ReadBatch> PlanBatches(const RegisterMap& map) { return PlanBatches(map, map.batching); }

}  // namespace meterd::codec::modbus
