// SPDX-License-Identifier: Apache-2.0
// Register words -> values for a map using every type and word order: never crashes; errors name
// the register; integers that decode encode back to the same words.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "codec/modbus/batch_planner.h"
#include "codec/modbus/register_value.h"

namespace {

namespace modbus = meterd::codec::modbus;

constexpr char kMap[] = R"(
[batching]
max_gap = 3
[defaults]
function = "input"
[[register]]
name = "u16"
address = 0
type = "uint16"
unit = "V"
scale = -1
[[register]]
name = "i16"
address = 1
type = "int16"
unit = "PF"
scale = -3
[[register]]
name = "u32_big"
address = 2
type = "uint32"
word_order = "big"
unit = "A"
scale = -2
[[register]]
name = "i32_little"
address = 4
type = "int32"
word_order = "little"
unit = "W"
scale = 1
[[register]]
name = "u64_big"
address = 8
type = "uint64"
word_order = "big"
unit = "kWh"
scale = -2
channel = "import_active"
[[register]]
name = "i64_little"
address = 12
type = "int64"
word_order = "little"
unit = "kvarh"
scale = 12
channel = "net_reactive"
[[register]]
name = "f32_big"
address = 16
type = "float32"
word_order = "big"
unit = "kWh"
resolution = 0.001
channel = "export_active"
[[register]]
name = "f32_little"
address = 20
function = "holding"
type = "float32"
word_order = "little"
unit = "Hz"
resolution = 1e-9
)";

const modbus::RegisterMap& Map() {
  static const modbus::RegisterMap map = [] {
    auto m = modbus::ParseRegisterMap(kMap, "values_fuzz.toml");
    if (!m) std::abort();
    return *m;
  }();
  return map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& map = Map();
  auto batches = modbus::PlanBatches(map);
  // Words from the input, big-endian pairs, zero once it runs out.
  size_t pos = 0;
  auto next = [&]() -> uint16_t {
    uint16_t hi = pos < size ? data[pos] : 0, lo = pos + 1 < size ? data[pos + 1] : 0;
    pos += 2;
    return static_cast<uint16_t>(hi << 8 | lo);
  };
  std::vector<std::vector<uint16_t>> words;
  for (const auto& b : batches) {
    std::vector<uint16_t> w(b.count);
    for (auto& x : w) x = next();
    words.push_back(std::move(w));
  }
  // A batch one word short when the input's last byte is odd: must fail, not read past the end.
  if (size % 2 == 1 && !words.empty() && !words.back().empty()) words.back().pop_back();
  auto values = modbus::DecodeValues(map, batches, words);
  if (!values) {
    if (values.error().message.empty() || values.error().field.empty()) __builtin_trap();
  }
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t index : batches[b].registers) {
      const auto& def = map.registers[index];
      size_t offset = def.address - batches[b].address;
      if (offset + def.words() > words[b].size()) continue;
      std::vector<uint16_t> in(words[b].begin() + offset, words[b].begin() + offset + def.words());
      auto q = modbus::DecodeRegister(def, in);
      if (!q) {
        if (q.error().field != def.name) __builtin_trap();
        continue;
      }
      if (def.type == modbus::DataType::kFloat32) continue;  // a float re-encodes to the nearest float
      std::vector<uint16_t> out(def.words());
      if (!modbus::EncodeRegister(def, *q, out) || out != in) __builtin_trap();
    }
  }
  return 0;
}
