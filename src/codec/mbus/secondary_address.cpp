// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/secondary_address.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

core::Result<SecondaryAddress> SecondaryAddress::Parse(std::string_view text) {
  auto bad = [&](size_t pos, std::string_view what) {
    return core::Fail(core::Error::Invalid(
        fmt::format("secondary address '{}': expected {} at character {}", text, what, pos), "secondary_address"));
  };
  if (text.size() != 16) {
    return core::Fail(core::Error::Invalid(
        fmt::format("secondary address '{}' has {} characters, expected 16 (IIIIIIIIMMMMVVDD)", text, text.size()),
        "secondary_address"));
  }
  uint64_t value = 0;
  for (size_t i = 0; i < 16; ++i) {
    const int v = HexValue(text[i]);
    if (v < 0) return bad(i, "a hex digit");
    if (i < 8 && v > 9 && v != 0xF) return bad(i, "a decimal digit or the wildcard F");
    value = (value << 4) | static_cast<uint64_t>(v);
  }
  SecondaryAddress a;
  a.id_digits = static_cast<uint32_t>(value >> 32);
  a.manufacturer = static_cast<uint16_t>(value >> 16);
  a.version = static_cast<uint8_t>(value >> 8);
  a.medium = static_cast<uint8_t>(value);
  return a;
}

std::string SecondaryAddress::ToString() const {
  return fmt::format("{:08X}{:04X}{:02X}{:02X}", id_digits, manufacturer, version, medium);
}

std::array<uint8_t, 8> SecondaryAddress::Bytes() const {
  return {static_cast<uint8_t>(id_digits),       static_cast<uint8_t>(id_digits >> 8),
          static_cast<uint8_t>(id_digits >> 16), static_cast<uint8_t>(id_digits >> 24),
          static_cast<uint8_t>(manufacturer),    static_cast<uint8_t>(manufacturer >> 8),
          version,                               medium};
}

}  // namespace meterd::codec::mbus
