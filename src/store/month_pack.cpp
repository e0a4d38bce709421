// SPDX-License-Identifier: Apache-2.0
#include "store/month_pack.h"

#include <fmt/format.h>

#include <algorithm>

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
  // The distinct sources, in order of first use (a month has one or a few: the device, a replay,
  // an edit), so each day names its source in one byte.
  std::vector<std::string_view> sources;
  auto source_index = [&](std::string_view source) {
    auto it = std::find(sources.begin(), sources.end(), source);
    if (it != sources.end()) return static_cast<uint64_t>(it - sources.begin());
    sources.push_back(source);
    return static_cast<uint64_t>(sources.size() - 1);
  };
  std::vector<uint64_t> index;
  size_t bytes = 16;
  for (const PackedDay& d : days) {
    index.push_back(source_index(d.source));
    bytes += d.block.size() + 8;
  }
  std::string out;
  out.reserve(bytes);
  out += static_cast<char>(kMonthPackVersion);
  core::PutUvarint(out, days.size());
  core::PutUvarint(out, sources.size());
  for (std::string_view source : sources) {
    core::PutUvarint(out, source.size());
    out += source;
  }
  uint64_t created = 0;  // each day's creation time is stored as the difference from the last
  for (size_t k = 0; k < days.size(); ++k) {
    const PackedDay& d = days[k];
    out += static_cast<char>(d.day - month);
    core::PutUvarint(out, static_cast<uint64_t>(d.version));
    core::PutSvarint(out, static_cast<int64_t>(static_cast<uint64_t>(d.created) - created));
    created = static_cast<uint64_t>(d.created);
    core::PutUvarint(out, index[k]);
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
  at = in.offset();
  auto source_count = in.Uvarint();
  if (!source_count || *source_count < 1 || *source_count > *count) {
    return Fail(Err(at, fmt::format("expected a source count 1..{} (varint)", *count)));
  }
  std::string_view sources[31];
  for (uint64_t k = 0; k < *source_count; ++k) {
    at = in.offset();
    auto len = in.Uvarint();
    if (!len || *len > kMaxPackedSource) {
      return Fail(Err(at, fmt::format("expected a length 0..{} (varint) of source {}", kMaxPackedSource, k)));
    }
    at = in.offset();
    auto source = in.Bytes(*len);
    if (!source) return Fail(Err(at, fmt::format("expected {} bytes of source {}, {} left", *len, k, in.left())));
    sources[k] = *source;
  }
  int32_t last = -1;
  uint64_t created = 0;
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
    auto delta = in.Svarint();
    if (!delta) return Fail(Err(at, fmt::format("expected the creation time difference (varint) of entry {}", k)));
    created += static_cast<uint64_t>(*delta);
    d.created = static_cast<int64_t>(created);
    at = in.offset();
    auto source = in.Uvarint();
    if (!source || *source >= *source_count) {
      return Fail(Err(at, fmt::format("expected a source index 0..{} (varint) for entry {}", *source_count - 1, k)));
    }
    d.source = sources[*source];
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
