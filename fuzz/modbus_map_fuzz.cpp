// SPDX-License-Identifier: Apache-2.0
// Register map files (TOML text): the loader never crashes or throws; every error says what and
// where; every accepted map plans into batches that hold each entry exactly once, within the
// request size limit.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "codec/modbus/batch_planner.h"
#include "codec/modbus/register_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace modbus = meterd::codec::modbus;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto map = modbus::ParseRegisterMap(text, "fuzz.toml");
  if (!map) {
    if (map.error().message.empty() || map.error().field.empty()) __builtin_trap();
    return 0;
  }
  for (modbus::BatchOptions options : {map->batching, modbus::BatchOptions{0, 4}, modbus::BatchOptions{124, 125}}) {
    std::vector<int> seen(map->registers.size(), 0);
    for (const auto& batch : modbus::PlanBatches(*map, options)) {
      if (batch.count < 1 || batch.count > 125 || batch.count > std::max<int>(options.max_registers, 4)) {
        __builtin_trap();
      }
      for (size_t i : batch.registers) {
        const auto& r = map->registers.at(i);
        if (r.function != batch.function || r.address < batch.address || r.end() > batch.address + batch.count) {
          __builtin_trap();
        }
        ++seen[i];
      }
    }
    for (int s : seen) {
      if (s != 1) __builtin_trap();
    }
  }
  return 0;
}
