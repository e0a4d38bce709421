// SPDX-License-Identifier: Apache-2.0
#include <cstdint>
#include <string_view>

#include "core/quantity.h"
#include "core/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = meterd::core::ParseInstant(text)) {
    // Whatever parses must format and parse back to the same instant.
    auto again = meterd::core::ParseInstant(meterd::core::FormatInstant(*t));
    if (!again || *again != *t) __builtin_trap();
  }
  if (auto q = meterd::core::Quantity::Parse(text)) {
    (void)q->ToString();
  }
  return 0;
}
