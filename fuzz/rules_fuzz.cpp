// SPDX-License-Identifier: Apache-2.0
// Parses arbitrary text as bill-run audit rules (billing/rules.h): an error or rules, never a crash.
#include <cstdint>
#include <string_view>

#include "billing/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = meterd::billing::ParseRules(text, "fuzz.toml");
  if (!rules && rules.error().message.empty()) __builtin_trap();
  return 0;
}
