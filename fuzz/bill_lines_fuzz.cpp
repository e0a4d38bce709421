// SPDX-License-Identifier: Apache-2.0
// Decodes arbitrary bytes as stored bill lines; whatever decodes must encode to bytes that decode to
// the same lines, and render as JSON.
#include <cstdint>
#include <string>
#include <string_view>

#include "billing/bill_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto lines = meterd::billing::DecodeLines(bytes);
  if (!lines) return 0;
  std::string again = meterd::billing::EncodeLines(*lines);
  auto decoded = meterd::billing::DecodeLines(again);
  if (!decoded || *decoded != *lines) __builtin_trap();
  // Varints may come longer than needed; the canonical form is a fixed point.
  if (meterd::billing::EncodeLines(*decoded) != again) __builtin_trap();
  (void)meterd::billing::LinesJson(*lines);
  return 0;
}
