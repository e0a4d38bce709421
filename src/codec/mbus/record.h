// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/mbus/dif.h"
#include "codec/mbus/value.h"

namespace meterd::codec::mbus {

enum class RecordKind : uint8_t {
  kData,              // DIB, VIB and data
  kManufacturerData,  // DIF 0Fh or 1Fh: the rest of the telegram, uninterpreted
};

// One data record of the variable data structure, EN 13757-3 §6.2, decoded.
// The number is value x 10^exponent in `unit`: Integer 12345, exponent -3, unit "m3" is
// 12.345 m3. Time units stay as sent ("min", "h", "d"); converting to seconds is the
// normaliser's job.
struct Record {
  RecordKind kind = RecordKind::kData;
  size_t offset = 0;  // of the DIF, counted like the Explainer's offsets

  Function function = Function::kInstantaneous;
  uint64_t storage_number = 0;
  uint32_t tariff = 0;
  uint16_t subunit = 0;     // libmbus's "Device"
  bool has_difes = false;   // libmbus prints tariff and subunit only then
  DataCoding coding = DataCoding::kNone;

  std::string quantity;  // "Energy", "Volume", ...; empty for manufacturer data
  std::string unit;      // "Wh", "m3", "°C", "s", "min", ...; may be empty
  int exponent = 0;      // decimal exponent of the value
  bool time_point = false;
  bool manufacturer_specific = false;  // VIF or a VIFE says the meaning is the manufacturer's

  Value value;

  std::vector<uint8_t> dib;  // DIF and DIFEs as sent (0F/1F for manufacturer data)
  std::vector<uint8_t> vib;  // VIF, plain-text unit and VIFEs as sent; empty for manufacturer data
};

}  // namespace meterd::codec::mbus
