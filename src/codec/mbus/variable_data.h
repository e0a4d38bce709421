// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codec/mbus/explainer.h"
#include "codec/mbus/record.h"
#include "codec/mbus/value.h"
#include "core/error.h"

// The variable data structure of a RSP_UD, EN 13757-3 §6: a header, then data records until
// the end of the telegram.
namespace meterd::codec::mbus {

inline constexpr size_t kLongHeaderLength = 12;   // CI 72h, 76h
inline constexpr size_t kShortHeaderLength = 4;   // CI 7Ah
inline constexpr size_t kMaxRecords = 128;        // a 252-byte telegram holds at most 120

enum class HeaderKind : uint8_t {
  kNone,   // CI 78h: records only
  kShort,  // CI 7Ah: access number, status, signature
  kLong,   // CI 72h, 76h: identification, manufacturer, version, medium, then as short
};

struct VariableDataHeader {
  std::string id;             // identification number, 8 BCD digits as on the label ("01234567")
  uint16_t manufacturer = 0;  // the field as sent
  std::string manufacturer_code;  // "KAM"
  uint8_t version = 0;
  uint8_t medium = 0;         // MediumName() names it
  uint8_t access_number = 0;
  uint8_t status = 0;
  uint16_t signature = 0;     // 0000 unless the data is encrypted
  friend bool operator==(const VariableDataHeader&, const VariableDataHeader&) = default;
};

struct VariableData {
  HeaderKind header_kind = HeaderKind::kLong;
  VariableDataHeader header;  // kShort fills access_number, status and signature only
  std::vector<Record> records;
  bool more_records_follow = false;  // DIF 1Fh: ask again (REQ_UD2 with toggled FCB)
};

// The data after the CI field. `origin` is the offset of data[0] in the telegram, for error
// offsets and explanations (kFrameDataOffset when the data comes from a long frame). Idle
// fillers (2Fh) are skipped. Any malformed record fails the whole telegram: there is no partial
// result.
core::Result<VariableData> DecodeVariableData(std::span<const uint8_t> data, HeaderKind header_kind,
                                              ByteOrder order = ByteOrder::kLsbFirst, Explainer* explain = nullptr,
                                              size_t origin = 0);

// True when the telegram ended with DIF 1Fh.
inline bool MoreRecordsFollow(const VariableData& data) { return data.more_records_follow; }

}  // namespace meterd::codec::mbus
