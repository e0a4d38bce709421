// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace meterd::codec::mbus {

// The medium (device type) byte of the variable data header, EN 13757-3 §6.3 table 3 with the
// OMS additions, named as libmbus names them ("Heat: Outlet", "Warm water (30-90°C)").
// Reserved codes give "Reserved"; codes no table defines give "Unknown medium (0xNN)".
std::string MediumName(uint8_t medium);

}  // namespace meterd::codec::mbus
