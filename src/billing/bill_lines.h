// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "billing/rating.h"
#include "core/error.h"

// A bill's lines as they are kept with the bill (store::BillRecord::lines): a compact binary form
// written by bill runs, about a fifth of the JSON the API serves, which is rendered from it on
// request. docs/billing-runs.md ("Bill lines on disk") describes the bytes:
//   0x01 (format version), currency (3 ASCII bytes), varint line count, then per line:
//   varint description length + UTF-8 bytes, zigzag varints from_day, to_day, quantity value,
//   quantity scale, varint quantity unit, zigzag varints unit price and amount (micro-units),
//   zigzag varints intervals, reads, estimated.
// Bills written before this form keep the JSON array they were written with (it starts with '[').
namespace meterd::billing {

inline constexpr uint8_t kBillLinesVersion = 1;

// All lines must be in one currency (they are: a Bill is rated in its tariff's).
std::string EncodeLines(std::span<const BillLine> lines);

// Pure: the lines, or an error naming the offset and what was expected there.
core::Result<std::vector<BillLine>> DecodeLines(std::string_view bytes);

// The lines as the JSON array the API serves.
std::string LinesJson(std::span<const BillLine> lines);

// Stored lines (either form) as that JSON array.
core::Result<std::string> StoredLinesJson(std::string_view stored);

}  // namespace meterd::billing
