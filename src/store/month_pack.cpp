// SPDX-License-Identifier: Apache-2.0
#include "store/month_pack.h"

#include <fmt/format.h>

#include "core/time.h"
#include "core/varint.h"

namespace meterd::store {

using core::Error;
using core::Fail;

namespace {

Error Err(size_t offset, std::string what) {
  Error e = Error::Corruption(fmt::format("month pack: byte {}: {}", offset, what));
  e.field = fmt::format("byte {}", offset);
  return e;
}

}  // namespace

core::LocalDay MonthStart(core::LocalDay day) {
  core::CivilDate c = core::CivilFromDays(day);
  return core::DaysFromCivil({c.year, c.month, 1});
}

core::LocalDay NextMonthStart(core::LocalDay day) {
  core::CivilDate c = core::CivilFromDays(day);
  return c.month == 12 ? core::DaysFromCivil({c.year + 1, 1, 1}) : core::DaysFromCivil({c.year, c.month + 1, 1});
}

std::string EncodeMonthPack(core::LocalDay month, std::span<const PackedDay> days) {
  std::string out;
  size_t bytes = 2;
  for (const PackedDay& d : days) bytes += d.block.size() + d.source.size() + 16;
  out.reserve(bytes);
  out += static_cast<char>(kMonthPackVersion);
  core::PutUvarint(out, days.size());
  for (const PackedDay& d : days) {
    out += static_cast<char>(d.day - month);
    core::PutUvarint(out, static_cast<uint64_t>(d.version));
    core::PutSvarint(out, d.created);
    core::PutUvarint(out, d.source.size());
    out += d.source;
    core::PutUvarint(out, d.block.size());
    out += d.block;
  }
  return out;
}

core::Result<void> DecodeMonthPack(std::string_view bytes, core::LocalDay month, std::vector<PackedDay>& out) {
  out.clear();
  const int32_t month_days = NextMonthStart(month) - month;
  core::ByteReader in(bytes);
  auto version = in.Byte();
  if (!version) return Fail(Err(0, "expected the format version byte, found end of data"));
  if (*version != kMonthPackVersion) {
    return Fail(Err(0, fmt::format("expected format version {}, got {}", kMonthPackVersion, *version)));
  }
  size_t at = in.offset();
  auto count = in.Uvarint();
  if (!count) return Fail(Err(at, "expected the day count (varint)"));
  if (*count < 1 || *count > static_cast<uint64_t>(month_days)) {
    return Fail(Err(at, fmt::format("expected a day count 1..{}, got {}", month_days, *count)));
  }
  int32_t last = -1;
  for (uint64_t k = 0; k < *count; ++k) {
    PackedDay d;
    at = in.offset();
    auto offset = in.Byte();
    if (!offset) return Fail(Err(at, fmt::format("expected the day offset of entry {}, found end of data", k)));
    if (*offset <= last || *offset >= month_days) {
      return Fail(Err(at, fmt::format("expected a day offset {}..{} for entry {}, got {}", last + 1, month_days - 1, k,
                                      *offset)));
    }
    last = *offset;
    d.day = month + *offset;
    at = in.offset();
    auto v = in.Uvarint();
    if (!v || *v < 1 || *v > static_cast<uint64_t>(INT64_MAX)) {
      return Fail(Err(at, fmt::format("expected a block version >= 1 (varint) for entry {}", k)));
    }
    d.version = static_cast<int64_t>(*v);
    at = in.offset();
    auto created = in.Svarint();
    if (!created) return Fail(Err(at, fmt::format("expected the creation time (varint) of entry {}", k)));
    d.created = *created;
    at = in.offset();
    auto source_len = in.Uvarint();
    if (!source_len || *source_len > kMaxPackedSource) {
      return Fail(Err(at, fmt::format("expected a source length 0..{} (varint) for entry {}", kMaxPackedSource, k)));
    }
    at = in.offset();
    auto source = in.Bytes(*source_len);
    if (!source) return Fail(Err(at, fmt::format("expected {} bytes of source for entry {}, {} left", *source_len, k, in.left())));
    d.source = *source;
    at = in.offset();
    auto block_len = in.Uvarint();
    if (!block_len || *block_len < 1 || *block_len > kMaxPackedBlock) {
      return Fail(Err(at, fmt::format("expected a block length 1..{} (varint) for entry {}", kMaxPackedBlock, k)));
    }
    at = in.offset();
    auto block = in.Bytes(*block_len);
    if (!block) return Fail(Err(at, fmt::format("expected {} bytes of block for entry {}, {} left", *block_len, k, in.left())));
    d.block = *block;
    out.push_back(d);
  }
  if (!in.AtEnd()) {
    return Fail(Err(in.offset(), fmt::format("expected end of pack, found {} trailing bytes", in.left())));
  }
  return {};
}

}  // namespace meterd::store
