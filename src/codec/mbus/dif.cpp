// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/dif.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {

size_t DataInformationBlock::DataLength() const {
  static constexpr uint8_t kLength[16] = {0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, 0, 6, 0};
  return kLength[static_cast<uint8_t>(coding)];
}

std::string_view FunctionName(Function f) {
  switch (f) {
    case Function::kInstantaneous: return "Instantaneous value";
    case Function::kMaximum: return "Maximum value";
    case Function::kMinimum: return "Minimum value";
    case Function::kDuringError: return "Value during error state";
  }
  return "unknown";
}

std::string_view DataCodingName(DataCoding c) {
  switch (c) {
    case DataCoding::kNone: return "no data";
    case DataCoding::kInt8: return "8-bit integer";
    case DataCoding::kInt16: return "16-bit integer";
    case DataCoding::kInt24: return "24-bit integer";
    case DataCoding::kInt32: return "32-bit integer";
    case DataCoding::kReal32: return "32-bit real";
    case DataCoding::kInt48: return "48-bit integer";
    case DataCoding::kInt64: return "64-bit integer";
    case DataCoding::kSelectionForReadout: return "selection for readout";
    case DataCoding::kBcd2: return "2-digit BCD";
    case DataCoding::kBcd4: return "4-digit BCD";
    case DataCoding::kBcd6: return "6-digit BCD";
    case DataCoding::kBcd8: return "8-digit BCD";
    case DataCoding::kVariableLength: return "variable length";
    case DataCoding::kBcd12: return "12-digit BCD";
    case DataCoding::kSpecial: return "special function";
  }
  return "unknown";
}

core::Result<DataInformationBlock> DecodeDataInformationBlock(ByteReader& in, size_t record) {
  DataInformationBlock dib;
  const size_t dif_offset = in.offset();
  auto dif = in.Byte("a DIF");
  if (!dif) return core::Fail(dif.error());
  dib.dif = *dif;
  dib.coding = static_cast<DataCoding>(dib.dif & 0x0F);
  dib.function = static_cast<Function>((dib.dif >> 4) & 0x03);
  dib.storage_number = (dib.dif >> 6) & 0x01;
  if (in.explaining()) {
    in.Note(dif_offset, 1,
            fmt::format("record {}: DIF 0x{:02X}: {}, {}, storage bit {}{}", record, dib.dif,
                        DataCodingName(dib.coding), FunctionName(dib.function), dib.storage_number,
                        (dib.dif & 0x80) ? ", DIFE follows" : ""));
  }
  bool more = (dib.dif & 0x80) != 0;
  while (more) {
    if (dib.difes.size() == kMaxDifes) {
      return core::Fail(ByteReader::ErrorAt(
          in.offset(), fmt::format("record {} at offset {}: more than {} DIFEs", record, dif_offset, kMaxDifes)));
    }
    const size_t at = in.offset();
    if (in.AtEnd()) {
      return core::Fail(ByteReader::ErrorAt(
          at, fmt::format("record {} at offset {}: expected DIFE {} (the byte before has its extension bit set), "
                          "but the data ends",
                          record, dif_offset, dib.difes.size() + 1)));
    }
    auto dife = in.Byte("a DIFE");
    if (!dife) return core::Fail(dife.error());
    const size_t n = dib.difes.size();
    dib.storage_number |= static_cast<uint64_t>(*dife & 0x0F) << (1 + 4 * n);
    dib.tariff |= static_cast<uint32_t>((*dife >> 4) & 0x03) << (2 * n);
    dib.subunit |= static_cast<uint16_t>(((*dife >> 6) & 0x01) << n);
    dib.difes.push_back(*dife);
    more = (*dife & 0x80) != 0;
    if (in.explaining()) {
      in.Note(at, 1,
              fmt::format("record {}: DIFE 0x{:02X}: storage bits {}, tariff bits {}, subunit bit {}", record, *dife,
                          *dife & 0x0F, (*dife >> 4) & 0x03, (*dife >> 6) & 0x01));
    }
  }
  return dib;
}

}  // namespace meterd::codec::mbus
