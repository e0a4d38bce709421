// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/format_control.h"

#include <fmt/format.h>

namespace meterd::codec::c1219 {

std::string_view NiFormatName(NiFormat f) {
  switch (f) {
    case NiFormat::kFloat64: return "FLOAT64";
    case NiFormat::kFloat32: return "FLOAT32";
    case NiFormat::kFloatChar12: return "FLOAT_CHAR12";
    case NiFormat::kFloatChar6: return "FLOAT_CHAR6";
    case NiFormat::kInt32Implied4: return "INT32_1";
    case NiFormat::kFixedBcd6: return "FIXED_BCD6";
    case NiFormat::kFixedBcd4: return "FIXED_BCD4";
    case NiFormat::kInt24: return "INT24";
    case NiFormat::kInt32: return "INT32";
    case NiFormat::kInt40: return "INT40";
    case NiFormat::kInt48: return "INT48";
    case NiFormat::kInt64: return "INT64";
    case NiFormat::kFixedBcd8: return "FIXED_BCD8";
    case NiFormat::kFloatChar21: return "FLOAT_CHAR21";
  }
  return "reserved";
}

size_t NiFormatSize(NiFormat f) {
  switch (f) {
    case NiFormat::kFloat64: return 8;
    case NiFormat::kFloat32: return 4;
    case NiFormat::kFloatChar12: return 12;
    case NiFormat::kFloatChar6: return 6;
    case NiFormat::kInt32Implied4: return 4;
    case NiFormat::kFixedBcd6: return 3;
    case NiFormat::kFixedBcd4: return 2;
    case NiFormat::kInt24: return 3;
    case NiFormat::kInt32: return 4;
    case NiFormat::kInt40: return 5;
    case NiFormat::kInt48: return 6;
    case NiFormat::kInt64: return 8;
    case NiFormat::kFixedBcd8: return 4;
    case NiFormat::kFloatChar21: return 21;
  }
  return 0;
}

core::Result<FormatControl> FormatControl::FromBytes(std::span<const uint8_t> st0) {
  if (st0.size() < 3) {
    return core::Fail(core::Error::Invalid(
        fmt::format("expected FORMAT_CONTROL_1..3 (3 bytes), but only {} given", st0.size()), "offset 0"));
  }
  if (st0[0] & 0x80) {
    return core::Fail(core::Error::Invalid("FORMAT_CONTROL_1: expected filler bit 7 to be 0", "offset 0"));
  }
  FormatControl f;
  f.data_order = (st0[0] & 0x01) ? DataOrder::kMsbFirst : DataOrder::kLsbFirst;
  f.char_format = (st0[0] >> 1) & 0x07;
  f.model_select = (st0[0] >> 4) & 0x07;
  f.tm_format = st0[1] & 0x07;
  f.data_access_method = (st0[1] >> 3) & 0x03;
  f.id_form = (st0[1] >> 5) & 0x01;
  f.int_format = (st0[1] >> 6) & 0x03;
  f.ni_format1 = st0[2] & 0x0F;
  f.ni_format2 = (st0[2] >> 4) & 0x0F;
  return f;
}

std::array<uint8_t, 3> FormatControl::ToBytes() const {
  return {static_cast<uint8_t>((data_order == DataOrder::kMsbFirst ? 1 : 0) | (char_format & 7) << 1 |
                               (model_select & 7) << 4),
          static_cast<uint8_t>((tm_format & 7) | (data_access_method & 3) << 3 | (id_form & 1) << 5 |
                               (int_format & 3) << 6),
          static_cast<uint8_t>((ni_format1 & 0x0F) | (ni_format2 & 0x0F) << 4)};
}

}  // namespace meterd::codec::c1219
