// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>

namespace meterd::codec::c1218 {

// The C12.18 packet CRC: CRC-16/X-25 (also called CRC-16/IBM-SDLC, the HDLC FCS): polynomial
// 0x1021 processed reflected (0x8408), initial value 0xFFFF, final XOR 0xFFFF. Check value:
// Crc16X25("123456789") == 0x906E. A C12.18 packet carries it over everything from 0xEE to the
// last data byte, low byte first.
uint16_t Crc16X25(std::span<const uint8_t> bytes);

}  // namespace meterd::codec::c1218
