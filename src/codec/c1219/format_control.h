// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/error.h"

// The format control of an end device: the first three bytes of ST0 (GEN_CONFIG_TBL,
// FORMAT_CONTROL_1..3). They decide, for every table of that device, the byte order of integers,
// the character set of CHAR fields, the encoding of the time types, the signed-integer format and
// what the NI_FMAT1/NI_FMAT2 numeric types are. docs/formats/tdl.md ("Format control").
namespace meterd::codec::c1219 {

enum class DataOrder : uint8_t { kLsbFirst = 0, kMsbFirst = 1 };

// CHAR_FORMAT. Other values (0, 4..7) are reserved: a CHAR field is then refused.
enum class CharFormat : uint8_t { kIso7Bit = 1, kIso8859_1 = 2, kUtf8 = 3 };

// TM_FORMAT. 5..7 are reserved: a time field is then refused.
enum class TimeFormat : uint8_t {
  kNone = 0,           // no clock: every time type is zero bytes long
  kBcd = 1,            // discrete BCD fields YY MM DD hh mm [ss [hundredths]]
  kUint8 = 2,          // the same fields as UINT8
  kUint32Minutes = 3,  // UINT32 minutes since 1970-01-01 00:00 UTC (+ UINT8 seconds in LTIME/HTIME)
  kUint32Seconds = 4,  // UINT32 seconds since 1970-01-01 00:00 UTC
};

// INT_FORMAT: how signed integers are stored. 3 is reserved.
enum class IntFormat : uint8_t { kTwosComplement = 0, kOnesComplement = 1, kSignMagnitude = 2 };

// NI_FORMAT1/NI_FORMAT2: what the NI_FMAT1/NI_FMAT2 types are. 14, 15 are reserved.
enum class NiFormat : uint8_t {
  kFloat64 = 0,
  kFloat32 = 1,
  kFloatChar12 = 2,  // a number as 12 characters
  kFloatChar6 = 3,
  kInt32Implied4 = 4,  // INT32 with 4 implied decimals: 1 is 0.0001
  kFixedBcd6 = 5,      // 6 BCD digits in 3 bytes
  kFixedBcd4 = 6,
  kInt24 = 7,
  kInt32 = 8,
  kInt40 = 9,
  kInt48 = 10,
  kInt64 = 11,
  kFixedBcd8 = 12,
  kFloatChar21 = 13,
};
std::string_view NiFormatName(NiFormat f);  // "FLOAT64", "INT32", ...
// Bytes an NI value takes in the format; 0 for a reserved format.
size_t NiFormatSize(NiFormat f);

struct FormatControl {
  DataOrder data_order = DataOrder::kLsbFirst;
  uint8_t char_format = 1;  // CharFormat, or a reserved value
  uint8_t model_select = 0;
  uint8_t tm_format = 2;  // TimeFormat, or a reserved value
  uint8_t data_access_method = 0;
  uint8_t id_form = 0;     // 0: identifiers are CHAR, 1: BCD
  uint8_t int_format = 0;  // IntFormat, or a reserved value
  uint8_t ni_format1 = 8;  // NiFormat, or a reserved value
  uint8_t ni_format2 = 8;

  // From FORMAT_CONTROL_1..3 (the first three bytes of ST0). Bit 7 of FORMAT_CONTROL_1 is a
  // filler and must be zero.
  static core::Result<FormatControl> FromBytes(std::span<const uint8_t> st0);
  std::array<uint8_t, 3> ToBytes() const;

  friend bool operator==(const FormatControl&, const FormatControl&) = default;
};

}  // namespace meterd::codec::c1219
