// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/vif.h"

#include <fmt/format.h>

#include "codec/mbus/vif_table.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

std::string ScaleText(const ValueInformationBlock& v) {
  if (v.unit.empty() && v.exponent == 0) return v.quantity;
  if (v.exponent == 0) return fmt::format("{}, {}", v.quantity, v.unit);
  return fmt::format("{}, {} x 10^{}", v.quantity, v.unit.empty() ? "1" : v.unit, v.exponent);
}

void Apply(ValueInformationBlock& v, const VifMeaning& m) {
  v.quantity = std::string(m.quantity);
  v.unit = std::string(m.unit);
  v.exponent = m.exponent;
  v.time_point = m.time_point;
  v.reserved = m.reserved;
}

// Applies the combinable VIFEs from index `first` on (EN 13757-3 table 15). Only the
// multiplicative corrections change the value's scale; the rest describe it and are explained.
void ApplyCombinable(ValueInformationBlock& v, size_t first, size_t vifes_offset, const ByteReader& in,
                     size_t record) {
  bool opaque = v.manufacturer_specific;
  for (size_t i = first; i < v.vifes.size(); ++i) {
    const uint8_t code = v.vifes[i] & 0x7F;
    std::string what;
    if (opaque) {
      what = "manufacturer specific";
    } else if (code >= 0x70 && code <= 0x77) {
      v.exponent += (code & 0x07) - 6;
    } else if (code == 0x7D) {
      v.exponent += 3;
    } else if (code == 0x7F) {
      v.manufacturer_specific = true;
      opaque = true;
    } else if (code == 0x7C) {
      opaque = true;  // the next VIFE is from a table we do not interpret
    }
    if (in.explaining()) {
      if (what.empty()) what = CombinableVifeName(v.vifes[i]);
      in.Note(vifes_offset + i, 1, fmt::format("record {}: VIFE 0x{:02X}: {}", record, v.vifes[i], what));
    }
  }
}

}  // namespace

core::Result<ValueInformationBlock> DecodeValueInformationBlock(ByteReader& in, size_t record) {
  ValueInformationBlock v;
  const size_t start = in.offset();
  if (in.AtEnd()) {
    return Fail(ByteReader::ErrorAt(start, fmt::format("record {}: expected a VIF, but the data ends", record)));
  }
  v.vif = *in.Byte("a VIF");
  v.bytes.push_back(v.vif);

  if ((v.vif & 0x7F) == kVifPlainText) {
    const size_t at = in.offset();
    if (in.AtEnd()) {
      return Fail(ByteReader::ErrorAt(
          at, fmt::format("record {}: expected the length of the plain-text VIF, but the data ends", record)));
    }
    const uint8_t length = *in.Byte("plain-text length");
    if (length > kMaxPlainTextLength) {
      return Fail(ByteReader::ErrorAt(
          at, fmt::format("record {}: plain-text VIF length 0x{:02X} is too long (at most 0x{:02X} characters)",
                          record, length, kMaxPlainTextLength)));
    }
    auto text = in.Take(length, [&] { return fmt::format("the plain-text VIF of record {}", record); });
    if (!text) return Fail(text.error());
    v.bytes.push_back(length);
    v.bytes.insert(v.bytes.end(), text->begin(), text->end());
    v.plain_text.assign(text->rbegin(), text->rend());  // sent last character first
  }

  const size_t vifes_offset = in.offset();
  bool more = (v.vif & 0x80) != 0;
  while (more) {
    if (v.vifes.size() == kMaxVifes) {
      return Fail(ByteReader::ErrorAt(
          in.offset(), fmt::format("record {} at offset {}: more than {} VIFEs", record, start, kMaxVifes)));
    }
    if (in.AtEnd()) {
      return Fail(ByteReader::ErrorAt(
          in.offset(), fmt::format("record {}: expected VIFE {} (the byte before has its extension bit set), but "
                                   "the data ends",
                                   record, v.vifes.size() + 1)));
    }
    const uint8_t vife = *in.Byte("a VIFE");
    v.vifes.push_back(vife);
    v.bytes.push_back(vife);
    more = (vife & 0x80) != 0;
  }

  size_t first_combinable = 0;
  std::string vif_text;
  std::string table_vife_text;
  if (v.vif == kVifExtensionFb || v.vif == kVifExtensionFd) {
    const bool fb = v.vif == kVifExtensionFb;
    Apply(v, fb ? ExtensionFbVifMeaning(v.vifes[0]) : ExtensionFdVifMeaning(v.vifes[0]));
    first_combinable = 1;
    if (in.explaining()) {
      vif_text = fmt::format("VIF 0x{:02X}: code from extension table {}", v.vif, fb ? "FB" : "FD");
      table_vife_text = fmt::format("record {}: VIFE 0x{:02X}: {}", record, v.vifes[0], ScaleText(v));
    }
  } else if ((v.vif & 0x7F) == kVifPlainText) {
    v.quantity = v.plain_text;
    v.unit = v.plain_text;
    if (in.explaining()) {
      vif_text = fmt::format("VIF 0x{:02X}: plain-text unit \"{}\" ({} characters, sent reversed)", v.vif,
                             v.plain_text, v.plain_text.size());
    }
  } else if ((v.vif & 0x7F) == kVifManufacturer) {
    Apply(v, PrimaryVifMeaning(v.vif));
    v.manufacturer_specific = true;
    if (in.explaining()) vif_text = fmt::format("VIF 0x{:02X}: manufacturer specific", v.vif);
  } else {
    Apply(v, PrimaryVifMeaning(v.vif));
    if (in.explaining()) vif_text = fmt::format("VIF 0x{:02X}: {}", v.vif, ScaleText(v));
  }
  if (in.explaining()) {
    const size_t vif_length = (v.vif & 0x7F) == kVifPlainText ? 2 + v.plain_text.size() : 1;
    in.Note(start, vif_length, fmt::format("record {}: {}", record, vif_text));
    if (!table_vife_text.empty()) in.Note(vifes_offset, 1, std::move(table_vife_text));
  }
  ApplyCombinable(v, first_combinable, vifes_offset, in, record);
  return v;
}

}  // namespace meterd::codec::mbus
