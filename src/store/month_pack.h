// SPDX-License-Identifier: Apache-2.0
// A month pack: the current day blocks of one (meter, channel, local month) in one row of
// `interval_months`, once the month is closed. Each day keeps its own block bytes, version, source
// and creation time, so packing changes where a block lives, not what it says.
// Byte format: docs/formats/month-pack.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time_zone.h"

namespace meterd::store {

struct PackedDay {
  core::LocalDay day = 0;
  int64_t version = 1;
  int64_t created = 0;          // unix seconds
  std::string_view source;
  std::string_view block;       // day-block bytes (docs/formats/day-block.md), not decoded here
};

inline constexpr uint8_t kMonthPackVersion = 1;
inline constexpr uint64_t kMaxPackedSource = 256;
inline constexpr uint64_t kMaxPackedBlock = 65536;

// The first day of the calendar month holding `day`, and the first day of the next month.
core::LocalDay MonthStart(core::LocalDay day);
core::LocalDay NextMonthStart(core::LocalDay day);

// Encodes the days of the month starting at `month`. Precondition: `days` is non-empty, sorted by
// day, every day inside the month, version >= 1, sources and blocks within the limits above and
// blocks non-empty.
std::string EncodeMonthPack(core::LocalDay month, std::span<const PackedDay> days);

// Decodes any byte string without reading out of bounds, into `out` (cleared first); the views
// point into `bytes`. `month` must be a month start: day offsets are checked against its length.
// Errors are kCorruption with `field` = "byte N" and a message saying what was expected there.
core::Result<void> DecodeMonthPack(std::string_view bytes, core::LocalDay month, std::vector<PackedDay>& out);

}  // namespace meterd::store
