// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/number_coding.h"

namespace meterd::codec::mbus {

uint64_t DecodeUnsignedLe(std::span<const uint8_t> bytes) {
  uint64_t v = 0;
  for (size_t i = bytes.size(); i > 0; --i) v = (v << 8) | bytes[i - 1];
  return v;
}

int64_t DecodeSignedLe(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return 0;
  uint64_t v = DecodeUnsignedLe(bytes);
  const size_t bits = bytes.size() * 8;
  if (bits < 64 && (bytes.back() & 0x80)) v |= ~uint64_t{0} << bits;  // sign-extend
  return static_cast<int64_t>(v);
}

std::optional<int64_t> DecodeBcd(std::span<const uint8_t> bytes) {
  if (bytes.empty() || bytes.size() > 9) return std::nullopt;
  int64_t v = 0;
  bool negative = false;
  for (size_t i = bytes.size(); i > 0; --i) {
    int high = bytes[i - 1] >> 4;
    const int low = bytes[i - 1] & 0x0F;
    if (i == bytes.size() && high == 0xF) {
      negative = true;
      high = 0;
    }
    if (high > 9 || low > 9) return std::nullopt;
    v = v * 100 + high * 10 + low;  // at most 18 digits: no overflow
  }
  return negative ? -v : v;
}

}  // namespace meterd::codec::mbus
