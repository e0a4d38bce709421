// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/format_control.h"
#include "codec/c1219/value.h"
#include "core/error.h"

// The C12.19 base types on the wire, under an end device's format control (format_control.h).
// Pure: bytes in, values out. Rules and sizes: docs/formats/tdl.md ("Base types").
namespace meterd::codec::c1219 {

// A bounded cursor over a table's bytes. Every read is checked against the end; a short or bad
// read becomes an Error whose `field` is "offset N" (from the first byte of the table) and whose
// message says what was expected. `bytes` must outlive the reader.
class WireReader {
 public:
  WireReader(std::span<const uint8_t> bytes, const FormatControl& format) : bytes_(bytes), format_(format) {}

  const FormatControl& format() const { return format_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  core::Result<std::span<const uint8_t>> Take(size_t n, std::string_view what);
  // An unsigned integer of `width` bytes (1..8) in the device's byte order.
  core::Result<uint64_t> Uint(size_t width, std::string_view what);
  // A signed integer of `width` bytes (1..8) in the device's byte order and INT_FORMAT. In one's
  // complement and sign-magnitude, negative zero reads as 0.
  core::Result<int64_t> Int(size_t width, std::string_view what);

  core::Error ErrorAt(size_t offset, std::string message) const;

 private:
  std::span<const uint8_t> bytes_;
  FormatControl format_;
  size_t pos_ = 0;
};

// Appends encoded values; the mirror of WireReader.
class WireWriter {
 public:
  explicit WireWriter(const FormatControl& format) : format_(format) {}

  const FormatControl& format() const { return format_; }
  size_t offset() const { return out_.size(); }
  std::vector<uint8_t>& bytes() { return out_; }
  std::vector<uint8_t> Release() { return std::move(out_); }

  void Append(std::span<const uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }
  // Fails (kOutOfRange) when the value does not fit `width` bytes.
  core::Result<void> Uint(uint64_t value, size_t width, std::string_view what);
  core::Result<void> Int(int64_t value, size_t width, std::string_view what);

  core::Error ErrorHere(std::string message) const;

 private:
  FormatControl format_;
  std::vector<uint8_t> out_;
};

// NI_FMAT1 / NI_FMAT2 under NI format `ni_format` (0..13). Integer formats decode at scale 0
// (INT32_1 at scale -4); floats decode to the shortest decimal that reads back as the same float,
// so encode(decode(x)) restores the bits (but -0 becomes +0); character numbers are parsed.
core::Result<Decimal> ReadNi(WireReader& in, uint8_t ni_format, std::string_view what);
// Fails when the value does not fit the format exactly (too many decimals for an integer format,
// out of range, too long for a character number).
core::Result<void> WriteNi(WireWriter& out, uint8_t ni_format, const Decimal& value, std::string_view what);

enum class TimeType : uint8_t { kStimeDate, kLtimeDate, kHtimeDate, kDate, kTime };
std::string_view TimeTypeName(TimeType type);  // "STIME_DATE", ...
// Bytes the type takes under TM_FORMAT `tm_format`; fails for a reserved TM_FORMAT (5..7).
core::Result<size_t> TimeSize(TimeType type, uint8_t tm_format);
// kAbsent under TM_FORMAT 0, else kTime.
core::Result<Value> ReadTime(WireReader& in, TimeType type, std::string_view what);
// Writes nothing under TM_FORMAT 0. Refuses values the format cannot carry (a year outside
// 1990..2089 as BCD digits or 1990..2155 as a UINT8, seconds in a TM_FORMAT 3 STIME_DATE, a time before 1970 as a counter).
core::Result<void> WriteTime(WireWriter& out, TimeType type, const TimeDate& value, std::string_view what);

// CHAR(n) under CHAR_FORMAT: 7-bit ASCII, ISO 8859-1 (returned as UTF-8) or UTF-8. Padding is
// kept. Writing pads with spaces and refuses text too long or not representable.
core::Result<std::string> ReadChars(WireReader& in, size_t n, std::string_view what);
core::Result<void> WriteChars(WireWriter& out, std::string_view utf8, size_t n, std::string_view what);

// BCD(n): 2n decimal digits, most significant first; a nibble above 9 is refused.
core::Result<std::string> ReadBcd(WireReader& in, size_t n, std::string_view what);
// `digits` shorter than 2n are padded with leading zeros.
core::Result<void> WriteBcd(WireWriter& out, std::string_view digits, size_t n, std::string_view what);

// Seconds since 1970-01-01 UTC <-> civil UTC fields (proleptic Gregorian). Exact.
TimeDate CivilFromUnixSeconds(int64_t seconds);
int64_t UnixSecondsFromCivil(const TimeDate& t);  // ignores hundredths; fields need not be normalised

}  // namespace meterd::codec::c1219
