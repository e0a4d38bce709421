// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// What a VIF code means: EN 13757-3 §6.4 table 10 (primary VIF), table 12 (extension after FBh)
// and table 14 (extension after FDh). Quantity names are libmbus's, so a decoding can be checked
// against libmbus output; units are meterd's symbols ("m3", "°C"), with the power of ten kept
// apart in `exponent` so values stay exact integers.
namespace meterd::codec::mbus {

struct VifMeaning {
  std::string_view quantity;  // "Energy", "Volume flow", "Reserved" for reserved codes
  std::string_view unit;      // "Wh", "m3/h", "s", "min", ""; empty when dimensionless
  int8_t exponent = 0;        // value x 10^exponent is in `unit`
  bool time_point = false;    // a date or time: 16/24/32/48-bit data is type G/J/F/I
  bool reserved = false;      // a code the standard reserves
};

// `code` is the VIF without its extension bit. 7Bh, 7Ch and 7Dh (extension tables and plain
// text) are handled by the VIB decoder and come out here as reserved.
VifMeaning PrimaryVifMeaning(uint8_t code);
// `code` is the first VIFE after FBh / FDh, without its extension bit.
VifMeaning ExtensionFbVifMeaning(uint8_t code);
VifMeaning ExtensionFdVifMeaning(uint8_t code);

// A combinable (orthogonal) VIFE, EN 13757-3 table 15, for explanations: "per hour",
// "accumulation only if positive contributions", "multiplicative correction factor 10^-2".
std::string CombinableVifeName(uint8_t vife);

}  // namespace meterd::codec::mbus
