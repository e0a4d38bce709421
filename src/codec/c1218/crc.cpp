// SPDX-License-Identifier: Apache-2.0
#include "codec/c1218/crc.h"

#include <array>

namespace meterd::codec::c1218 {
namespace {

// One table entry per byte value: the reflected polynomial applied eight times.
constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0x8408) : crc >> 1;
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint16_t, 256> kTable = MakeTable();

}  // namespace

uint16_t Crc16X25(std::span<const uint8_t> bytes) {
  uint16_t crc = 0xFFFF;
  for (uint8_t b : bytes) crc = static_cast<uint16_t>((crc >> 8) ^ kTable[(crc ^ b) & 0xFF]);
  return static_cast<uint16_t>(crc ^ 0xFFFF);
}

}  // namespace meterd::codec::c1218
