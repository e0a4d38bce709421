// SPDX-License-Identifier: Apache-2.0
#include "codec/modbus/batch_planner.h"

#include <algorithm>

namespace meterd::codec::modbus {

std::vector<ReadBatch> PlanBatches(const RegisterMap& map, const BatchOptions& options) {
  const int max_registers = std::clamp<int>(options.max_registers, 4, 125);
  std::vector<size_t> order(map.registers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto &x = map.registers[a], &y = map.registers[b];
    return std::pair(x.function, x.address) < std::pair(y.function, y.address);
  });

  std::vector<ReadBatch> batches;
  int batch_end = 0;  // one past the last register of the open batch
  for (size_t index : order) {
    const RegisterDef& r = map.registers[index];
    ReadBatch* open = batches.empty() ? nullptr : &batches.back();
    // Overlapping entries (which the loader rejects) still land in one batch: the gap is negative.
    bool joins = open && open->function == r.function && r.address - batch_end <= int{options.max_gap} &&
                 std::max(batch_end, r.end()) - int{open->address} <= max_registers;
    if (!joins) {
      batches.push_back(ReadBatch{r.function, r.address, 0, {}});
      open = &batches.back();
      batch_end = r.address;
    }
    batch_end = std::max(batch_end, r.end());
    open->count = static_cast<uint16_t>(batch_end - open->address);
    open->registers.push_back(index);
  }
  return batches;
}

}  // namespace meterd::codec::modbus
