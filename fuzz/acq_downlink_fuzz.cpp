// SPDX-License-Identifier: Apache-2.0
// Downlink decoder: never crashes; whatever it accepts encodes to something it accepts back equal.
#include <cstdint>
#include <string_view>

#include "codec/acq/uplink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace acq = meterd::codec::acq;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto downlink = acq::DecodeDownlink(text);
  if (!downlink) {
    if (downlink.error().message.empty()) __builtin_trap();
    return 0;
  }
  auto again = acq::DecodeDownlink(acq::EncodeDownlink(*downlink));
  if (!again || !(*again == *downlink)) __builtin_trap();
  return 0;
}
