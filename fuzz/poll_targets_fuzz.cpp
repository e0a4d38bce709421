// SPDX-License-Identifier: Apache-2.0
#include <cstdint>
#include <string_view>

#include "headend/poll_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = meterd::headend::ParsePollTargets(text, "fuzz")) {
    // Whatever parses must format and parse back to the same targets.
    auto again = meterd::headend::ParsePollTargets(meterd::headend::FormatPollTargets(*t), "again");
    if (!again || !(*again == *t)) __builtin_trap();
  }
  return 0;
}
