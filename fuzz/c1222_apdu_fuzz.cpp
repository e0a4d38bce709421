// SPDX-License-Identifier: Apache-2.0
// C12.22 ACSE APDUs: never crash; every structural error names an offset; what decodes encodes
// (elements in tag order) to bytes that decode to the same APDU, and to the very input when the
// input had its elements in tag order. EAX' opening runs with a small key table: errors only.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/c1222/acse.h"
#include "codec/c1222/security.h"

namespace {
void CheckError(const meterd::core::Error& e) {
  if (!std::string_view(e.message).starts_with("c1222: byte ") || !std::string_view(e.field).starts_with("offset ")) {
    __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c1222 = meterd::codec::c1222;
  std::span<const uint8_t> bytes(data, size);
  if (auto apdu_size = c1222::ApduSize(bytes); !apdu_size) CheckError(apdu_size.error());
  auto apdu = c1222::DecodeApdu(bytes);
  if (!apdu) {
    CheckError(apdu.error());
    return 0;
  }
  auto again = c1222::EncodeApdu(*apdu);
  if (!again) __builtin_trap();
  auto redecoded = c1222::DecodeApdu(*again);
  if (!redecoded || !(*redecoded == *apdu)) __builtin_trap();
  auto elements = c1222::SplitApdu(bytes);
  if (!elements) __builtin_trap();
  const bool in_order = std::is_sorted(elements->begin(), elements->end(), [](const auto& a, const auto& b) {
    return (a.tag & 0x1F) < (b.tag & 0x1F);
  });
  if (in_order && !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();

  static const c1222::KeyTable keys = [] {
    c1222::KeyTable k;
    k.Set(0, c1222::AesKey{});
    k.Set(2, c1222::AesKey{1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8});
    return k;
  }();
  (void)c1222::CanonifiedHeader(bytes);
  if (auto message = c1222::OpenMessage(bytes, keys)) {
    if (!message->epsem.services.size()) __builtin_trap();
  }
  return 0;
}
