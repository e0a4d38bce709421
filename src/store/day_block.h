// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/reading.h"

namespace meterd::store {

// The interval values of one (meter, channel, local day): slot i covers
// [day start + i*interval_s, day start + (i+1)*interval_s). Value i is in units of
// 10^scale of the channel's unit. A missing slot has quality kMissing and value 0.
// Byte format: docs/formats/day-block.md.
struct DayBlock {
  int32_t interval_s = 900;
  int32_t slots = 96;
  int8_t scale = 0;
  std::vector<int64_t> values;          // `slots` entries
  std::vector<core::Quality> quality;   // `slots` entries

  // An all-missing block.
  static DayBlock Empty(int32_t interval_s, int32_t slots, int8_t scale);
  // Number of slots whose quality is not kMissing.
  int32_t PresentCount() const;

  friend bool operator==(const DayBlock&, const DayBlock&) = default;
};

inline constexpr uint8_t kDayBlockVersion = 1;
inline constexpr int32_t kMaxDaySlots = 1440;
inline constexpr int64_t kMinDaySeconds = 82800;  // a spring-forward day
inline constexpr int64_t kMaxDaySeconds = 90000;  // a fall-back day
inline constexpr int kMaxBlockScale = 18;         // |scale| <= 18: beyond it int64 cannot rescale

// Checks the header limits the decoder enforces (slots 1..1440, interval_s * slots a plausible
// day length, |scale| <= 18), so writers can refuse a block before encoding it.
core::Result<void> CheckDayBlockHeader(int32_t interval_s, int32_t slots, int32_t scale);

// Encodes `block`. Precondition: the header passes CheckDayBlockHeader and values/quality have
// `slots` entries (missing entries are encoded as missing); values of missing slots are not
// stored, so they decode as 0. Deterministic: equal blocks give equal bytes.
std::string EncodeDayBlock(const DayBlock& block);

// Decodes any byte string without reading out of bounds. Errors are kCorruption with `field`
// set to "byte N", the offset where the decoder expected something else, and a message saying
// what it expected.
core::Result<DayBlock> DecodeDayBlock(std::string_view bytes);
// The same, into `out`, reusing its storage (a bill run decodes millions of blocks). On error
// `out` holds partial data.
core::Result<void> DecodeDayBlockInto(std::string_view bytes, DayBlock& out);

// Tests only: decode with the portable code even where the CPU has a faster path (AVX2), so both
// are tested on any machine. Not for concurrent use with decoding.
void UsePortableDecodeForTesting(bool portable);

}  // namespace meterd::store
