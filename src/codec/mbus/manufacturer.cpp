// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/manufacturer.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {

std::string ManufacturerCode(uint16_t field) {
  std::string code(3, ' ');
  code[0] = static_cast<char>(((field >> 10) & 0x1F) + 64);
  code[1] = static_cast<char>(((field >> 5) & 0x1F) + 64);
  code[2] = static_cast<char>((field & 0x1F) + 64);
  return code;
}

core::Result<uint16_t> ManufacturerField(std::string_view code) {
  if (code.size() != 3) {
    return core::Fail(
        core::Error::Invalid(fmt::format("manufacturer '{}' is not three letters", code), "manufacturer"));
  }
  uint16_t field = 0;
  for (char c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') {
      return core::Fail(core::Error::Invalid(fmt::format("manufacturer '{}' is not three letters A-Z", code),
                                             "manufacturer"));
    }
    field = static_cast<uint16_t>((field << 5) | (c - 64));
  }
  return field;
}

}  // namespace meterd::codec::mbus
