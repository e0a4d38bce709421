// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/date_time.h"
#include "codec/mbus/dif.h"
#include "codec/mbus/vif.h"
#include "core/error.h"

// The value of a data record. Numbers stay exact: an integer mantissa (binary or BCD) that the
// record's decimal exponent scales, never a double. Reals keep the four bytes as sent.
namespace meterd::codec::mbus {

struct NoValue {  // data field 0 (no data) or 8 (selection for readout)
  friend bool operator==(const NoValue&, const NoValue&) = default;
};
struct Integer {  // binary (type B) or BCD (type A), including LVAR BCD and binary up to 8 bytes
  int64_t mantissa = 0;
  friend bool operator==(const Integer&, const Integer&) = default;
};
struct Real {  // 32-bit IEEE 754 (type H)
  uint32_t bits = 0;
  std::string text;  // the shortest decimal that reads back as the same float: "21.536703", "nan"
  friend bool operator==(const Real&, const Real&) = default;
};
struct Text {  // LVAR 00h..BFh, put back in reading order (it is sent last character first)
  std::string text;
  friend bool operator==(const Text&, const Text&) = default;
};
struct Bytes {  // manufacturer data, LVAR binary over 8 bytes or float, BCD with a non-decimal digit
  std::vector<uint8_t> bytes;  // as sent
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

using Value = std::variant<NoValue, Integer, Real, DateTime, Text, Bytes>;

// How multi-byte fields are ordered: EN 13757-3 mode 1 (least significant byte first, CI 72h,
// 73h, 7Ah) or mode 2 (most significant byte first, CI 76h and 77h).
enum class ByteOrder : uint8_t { kLsbFirst, kMsbFirst };

// Reads the data field of a record, after its VIB: the length comes from the DIF or, for
// variable length, from the LVAR byte. 16/24/32/48-bit integers whose VIF is a time point
// become dates (types G/J/F/I).
core::Result<Value> DecodeDataField(ByteReader& in, const DataInformationBlock& dib, const ValueInformationBlock& vib,
                                    ByteOrder order, size_t record);

// The value as text, scaled by 10^exponent where it is a number: "12.345", "-170.72178",
// "2012-01-12", the text itself, "0A 0B" for bytes, "" for no value.
std::string FormatValue(const Value& value, int exponent);

// Shortest round-trip digits of the float in `bits`, times 10^exponent, as a plain decimal
// ("0.000707", "18511912.109"); "nan", "inf", "-inf" as such.
std::string FormatReal(uint32_t bits, int exponent);

}  // namespace meterd::codec::mbus
