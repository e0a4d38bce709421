// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::codec::mbus {

// The manufacturer field of EN 13757-3 §6.3 (the FLAG association's three-letter code): two
// bytes, little endian, each letter (A=1 .. Z=26) in 5 bits, first letter highest. Bit 15 is
// ignored. Letters outside A..Z come out as the ASCII characters at 64 + value ('@', '[' .. '_'),
// as libmbus prints them.
std::string ManufacturerCode(uint16_t field);

// "KAM" -> 0x2C2D. Three letters A..Z, either case.
core::Result<uint16_t> ManufacturerField(std::string_view code);

}  // namespace meterd::codec::mbus
