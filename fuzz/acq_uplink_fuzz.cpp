// SPDX-License-Identifier: Apache-2.0
// Uplink decoder: never crashes; whatever it accepts encodes to something it accepts back equal.
#include <cstdint>
#include <string_view>

#include "codec/acq/uplink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace acq = meterd::codec::acq;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto uplink = acq::DecodeUplink(text);
  if (!uplink) {
    if (uplink.error().message.empty()) __builtin_trap();  // every error says what was expected
    return 0;
  }
  auto again = acq::DecodeUplink(acq::EncodeUplink(*uplink));
  if (!again || !(*again == *uplink)) __builtin_trap();
  return 0;
}
