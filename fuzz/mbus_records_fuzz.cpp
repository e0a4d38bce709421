// SPDX-License-Identifier: Apache-2.0
// M-Bus application layer without the link layer: the first byte is the CI field, the rest the
// data after it (so the fuzzer need not find checksums). Never crashes; errors name an offset
// inside the data; a telegram that decodes has each of its bytes explained exactly once.
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "codec/mbus/user_data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meterd::codec::mbus;
  if (size == 0) return 0;
  constexpr size_t kOrigin = kFrameDataOffset;
  std::span<const uint8_t> body(data + 1, size - 1);
  CollectingExplainer explain;
  auto user = DecodeApplicationData(data[0], body, &explain, kOrigin);
  if (!user) {
    const auto& e = user.error();
    if (e.message.empty() || !e.field.starts_with("offset ")) __builtin_trap();
    const size_t at = std::stoul(e.field.substr(7));
    if (at + 1 < kOrigin || at > kOrigin + body.size()) __builtin_trap();
    return 0;
  }
  std::vector<int> seen(body.size(), 0);
  for (const auto& n : explain.notes()) {
    if (n.offset < kOrigin || n.offset - kOrigin + n.length > body.size()) __builtin_trap();
    for (size_t i = 0; i < n.length; ++i) ++seen[n.offset - kOrigin + i];
  }
  for (int s : seen) {
    if (s != 1) __builtin_trap();
  }
  if (auto* v = std::get_if<VariableData>(&*user)) {
    for (const Record& r : v->records) (void)FormatValue(r.value, r.exponent);
  }
  return 0;
}
