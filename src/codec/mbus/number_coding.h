// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>

// Integer codings of EN 13757-3 Annex A: type B (binary, two's complement, least significant
// byte first) and type A (BCD, least significant byte first).
namespace meterd::codec::mbus {

// 1..8 bytes, sign-extended from the top bit of the last byte. An 8-byte value above 2^63 - 1
// comes out negative, as in libmbus; read it as uint64_t if the VIF says it is a bit field.
int64_t DecodeSignedLe(std::span<const uint8_t> bytes);
uint64_t DecodeUnsignedLe(std::span<const uint8_t> bytes);

// 1..9 bytes of BCD. A high nibble F in the most significant byte marks a negative number and is
// not a digit (EN 13757-3 Annex A). Empty when any other nibble is A..F, including all-F fill
// bytes that some meters send for "no value".
std::optional<int64_t> DecodeBcd(std::span<const uint8_t> bytes);

}  // namespace meterd::codec::mbus
