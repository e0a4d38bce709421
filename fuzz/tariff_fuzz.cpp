// SPDX-License-Identifier: Apache-2.0
#include <cstdint>
#include <string_view>

#include "billing/tariff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = meterd::billing::ParseTariff(text, "fuzz")) {
    // A parsed tariff covers every minute of every day type: the lookup always finds a period.
    for (const auto& v : t->versions) {
      for (int32_t day = v.effective_day; day < v.effective_day + 7; ++day) {
        for (int minute = 0; minute < 1440; minute += 15) {
          if (!meterd::billing::PeriodAt(v, day, minute)) __builtin_trap();
        }
      }
    }
  }
  return 0;
}
