// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "codec/mbus/byte_reader.h"
#include "core/error.h"

// The data information block (DIF and up to ten DIFEs) of a data record, EN 13757-3 §6.3.
//   DIF:  E S FF DDDD   extension, storage number LSB, function, data field coding
//   DIFE: E U TT SSSS   extension, subunit bit, tariff bits, storage number bits
namespace meterd::codec::mbus {

inline constexpr size_t kMaxDifes = 10;

// The data field (DIF bits 0..3), EN 13757-3 table 4.
enum class DataCoding : uint8_t {
  kNone = 0x0,
  kInt8 = 0x1,
  kInt16 = 0x2,
  kInt24 = 0x3,
  kInt32 = 0x4,
  kReal32 = 0x5,
  kInt48 = 0x6,
  kInt64 = 0x7,
  kSelectionForReadout = 0x8,
  kBcd2 = 0x9,
  kBcd4 = 0xA,
  kBcd6 = 0xB,
  kBcd8 = 0xC,
  kVariableLength = 0xD,  // length from the LVAR byte before the data
  kBcd12 = 0xE,
  kSpecial = 0xF,  // DIF 0F, 1F, 2F: manufacturer data, more records follow, idle filler
};

enum class Function : uint8_t { kInstantaneous = 0, kMaximum = 1, kMinimum = 2, kDuringError = 3 };

// DIF values with data field F (EN 13757-3 §6.3.3).
inline constexpr uint8_t kDifManufacturerData = 0x0F;  // manufacturer data to the end
inline constexpr uint8_t kDifMoreRecordsFollow = 0x1F;  // ... and more records in the next telegram
inline constexpr uint8_t kDifIdleFiller = 0x2F;

struct DataInformationBlock {
  uint8_t dif = 0;
  std::vector<uint8_t> difes;
  DataCoding coding = DataCoding::kNone;
  Function function = Function::kInstantaneous;
  uint64_t storage_number = 0;  // DIF bit 6, then 4 bits per DIFE: up to 41 bits
  uint32_t tariff = 0;          // 2 bits per DIFE
  uint16_t subunit = 0;         // 1 bit per DIFE ("Device" in libmbus)

  // Bytes of data the coding takes; 0 for kVariableLength, whose length is in the LVAR byte.
  size_t DataLength() const;
};

std::string_view FunctionName(Function f);    // "Instantaneous value", as libmbus
std::string_view DataCodingName(DataCoding c);  // "32-bit integer", "8-digit BCD", ...

// Reads a DIF and its DIFEs. The caller has already handled the special DIFs (data field F).
// `record` numbers the record in errors.
core::Result<DataInformationBlock> DecodeDataInformationBlock(ByteReader& in, size_t record);

}  // namespace meterd::codec::mbus
