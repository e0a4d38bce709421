// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::codec::mbus {

// The 8-byte selection mask of EN 13757-3 §11.3 (SND_UD, CI 52h, to address FDh): identification
// number, manufacturer, version and medium as in the variable data header. A slave is selected
// when every non-wildcard part matches. Wildcards: any BCD digit of the identification number as
// F, and FF FF / FF / FF for manufacturer, version and medium.
struct SecondaryAddress {
  uint32_t id_digits = 0xFFFFFFFF;  // eight BCD nibbles, most significant digit first; F = any
  uint16_t manufacturer = 0xFFFF;   // the two-byte manufacturer field; FFFF = any
  uint8_t version = 0xFF;           // FF = any
  uint8_t medium = 0xFF;            // FF = any

  // libmbus's 16-character form, "IIIIIIIIMMMMVVDD": eight digits 0-9 or F (wildcard), then the
  // manufacturer field, version and medium in hex, e.g. "12345678" "2C2D" "01" "02" or
  // "1234FFFFFFFFFFFF". Case-insensitive.
  static core::Result<SecondaryAddress> Parse(std::string_view text);
  std::string ToString() const;

  // The eight bytes as sent: identification number (BCD, least significant byte first),
  // manufacturer (little endian), version, medium.
  std::array<uint8_t, 8> Bytes() const;

  friend bool operator==(const SecondaryAddress&, const SecondaryAddress&) = default;
};

}  // namespace meterd::codec::mbus
