// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/mbus/byte_reader.h"
#include "core/error.h"

// The value information block (VIF, plain-text unit, up to ten VIFEs) of a data record,
// EN 13757-3 §6.4, and what it means: quantity, unit and the decimal exponent of the value.
namespace meterd::codec::mbus {

inline constexpr size_t kMaxVifes = 10;
inline constexpr uint8_t kVifExtensionFb = 0xFB;  // first VIFE from table 12
inline constexpr uint8_t kVifExtensionFd = 0xFD;  // first VIFE from table 14
inline constexpr uint8_t kVifPlainText = 0x7C;    // with or without the extension bit
inline constexpr uint8_t kVifManufacturer = 0x7F;  // with or without the extension bit
inline constexpr size_t kMaxPlainTextLength = 0xBF;  // an LVAR above BFh is not text

struct ValueInformationBlock {
  uint8_t vif = 0;
  std::vector<uint8_t> vifes;  // as sent
  std::string plain_text;      // VIF 7C/FC: the unit text, in reading order (sent reversed)
  std::vector<uint8_t> bytes;  // the whole block as sent: VIF, text length and text, VIFEs

  std::string quantity;  // libmbus's name ("Energy"), or the plain text
  std::string unit;      // "Wh", "m3", "min", "" (see vif_table.h); the plain text for 7C/FC
  int exponent = 0;      // including multiplicative correction VIFEs (70h-77h, 7Dh)
  bool time_point = false;
  bool manufacturer_specific = false;  // VIF 7F/FF, or VIFE 7F/FF ended the standard part
  bool reserved = false;               // a reserved code: quantity "Reserved"
};

// Reads the block at the reader's position, checking the caps (10 VIFEs, plain text up to BFh
// characters, as libmbus). The plain text follows the VIF directly and the VIFEs come after it:
// that is what the meters in the libmbus corpus send. `record` numbers the record in errors.
core::Result<ValueInformationBlock> DecodeValueInformationBlock(ByteReader& in, size_t record);

}  // namespace meterd::codec::mbus
