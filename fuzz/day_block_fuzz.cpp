// SPDX-License-Identifier: Apache-2.0
// Decodes arbitrary bytes as a day block; whatever decodes must re-encode to bytes that decode to
// the same block (the encoding itself may differ: the decoder accepts non-canonical varints and
// quality sections).
#include <cstdint>
#include <string>
#include <string_view>

#include "store/day_block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto block = meterd::store::DecodeDayBlock(bytes);
  if (!block) return 0;
  if (block->values.size() != static_cast<size_t>(block->slots) ||
      block->quality.size() != static_cast<size_t>(block->slots)) {
    __builtin_trap();
  }
  std::string again = meterd::store::EncodeDayBlock(*block);
  auto decoded = meterd::store::DecodeDayBlock(again);
  if (!decoded || !(*decoded == *block)) __builtin_trap();
  // Canonical form is a fixed point.
  if (meterd::store::EncodeDayBlock(*decoded) != again) __builtin_trap();
  return 0;
}
