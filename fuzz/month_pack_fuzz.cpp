// SPDX-License-Identifier: Apache-2.0
// Decodes arbitrary bytes as a month pack (for a 31-day and a 28-day month); whatever decodes must
// re-encode to bytes that decode to the same days (overlong varints re-encode shorter).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/month_pack.h"

namespace {

bool Same(const std::vector<meterd::store::PackedDay>& a, const std::vector<meterd::store::PackedDay>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].day != b[i].day || a[i].version != b[i].version || a[i].created != b[i].created ||
        a[i].source != b[i].source || a[i].block != b[i].block) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // 2026-01-01 (31 days) and 2026-02-01 (28 days).
  for (meterd::core::LocalDay month : {meterd::core::LocalDay{20454}, meterd::core::LocalDay{20485}}) {
    std::vector<meterd::store::PackedDay> days;
    if (!meterd::store::DecodeMonthPack(bytes, month, days)) continue;
    if (days.empty() || days.size() > 31) __builtin_trap();
    std::string again = meterd::store::EncodeMonthPack(month, days);
    std::vector<meterd::store::PackedDay> back;
    if (!meterd::store::DecodeMonthPack(again, month, back) || !Same(days, back)) __builtin_trap();
    if (meterd::store::EncodeMonthPack(month, back) != again) __builtin_trap();
  }
  return 0;
}
