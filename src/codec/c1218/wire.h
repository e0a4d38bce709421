// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

// Byte-level helpers shared by the C12.18 and C12.22 codecs: a bounded reader whose errors name
// the byte offset, and big-endian writers. Every multi-byte protocol integer in ANSI C12.18 and
// C12.22 (table id, offset, count, user id, packet size) is big-endian.
namespace meterd::codec::c1218 {

// "c1218: byte 5: expected length <= 8183, got 9000", field "offset 5". `codec` is "c1218" or
// "c1222"; `offset` counts from the first byte handed to the public decoder.
inline core::Error ErrorAt(std::string_view codec, size_t offset, std::string_view what) {
  return core::Error::Invalid(fmt::format("{}: byte {}: {}", codec, offset, what), fmt::format("offset {}", offset));
}

// A cursor over `bytes` that never reads past the end: every read is checked, and a short read
// becomes an error naming the absolute offset (origin + position) and what was expected there.
// `bytes` must stay alive while the reader is in use.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, std::string_view codec, size_t origin = 0)
      : bytes_(bytes), codec_(codec), origin_(origin) {}

  size_t offset() const { return origin_ + pos_; }  // absolute offset of the next byte
  size_t position() const { return pos_; }          // relative to the start of `bytes`
  size_t remaining() const { return bytes_.size() - pos_; }
  bool AtEnd() const { return pos_ >= bytes_.size(); }
  std::string_view codec() const { return codec_; }

  core::Error Fail(std::string_view what) const { return ErrorAt(codec_, offset(), what); }
  core::Error FailAt(size_t abs_offset, std::string_view what) const { return ErrorAt(codec_, abs_offset, what); }

  core::Result<uint8_t> U8(std::string_view what) {
    if (AtEnd()) return core::Fail(Fail(fmt::format("expected {}, but the data ends", what)));
    return bytes_[pos_++];
  }
  core::Result<uint16_t> U16(std::string_view what) {
    auto b = Take(2, what);
    if (!b) return core::Fail(b.error());
    return static_cast<uint16_t>((*b)[0] << 8 | (*b)[1]);
  }
  core::Result<uint32_t> U24(std::string_view what) {
    auto b = Take(3, what);
    if (!b) return core::Fail(b.error());
    return static_cast<uint32_t>((*b)[0] << 16 | (*b)[1] << 8 | (*b)[2]);
  }
  core::Result<uint32_t> U32(std::string_view what) {
    auto b = Take(4, what);
    if (!b) return core::Fail(b.error());
    return static_cast<uint32_t>((*b)[0]) << 24 | static_cast<uint32_t>((*b)[1] << 16 | (*b)[2] << 8 | (*b)[3]);
  }
  core::Result<std::span<const uint8_t>> Take(size_t n, std::string_view what) {
    if (n > remaining()) {
      return core::Fail(Fail(fmt::format("expected {} ({} byte{}), but only {} left", what, n, n == 1 ? "" : "s",
                                         remaining())));
    }
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::span<const uint8_t> Rest() {
    auto out = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return out;
  }
  // Fails unless every byte has been read.
  core::Result<void> ExpectEnd(std::string_view after) const {
    if (!AtEnd()) {
      return core::Fail(Fail(fmt::format("expected the end after {}, got {} more byte{}", after, remaining(),
                                         remaining() == 1 ? "" : "s")));
    }
    return {};
  }

 private:
  std::span<const uint8_t> bytes_;
  std::string_view codec_;
  size_t origin_ = 0;
  size_t pos_ = 0;
};

// A BER length (X.690 §8.1.3): short form 0..127, or long form 0x81..0x84 and 1..4 bytes. Only
// the shortest form is accepted (as DER), so every length has one spelling and re-encodes to
// the same bytes; indefinite lengths (0x80) are refused.
inline core::Result<size_t> ReadBerLength(Reader& r, std::string_view what) {
  const size_t at = r.offset();
  auto first = r.U8(what);
  if (!first) return core::Fail(first.error());
  if (*first < 0x80) return size_t{*first};
  const size_t n = *first & 0x7F;
  if (n == 0 || n > 4) {
    return core::Fail(r.FailAt(at, fmt::format("expected a BER length for {} (short form or 0x81..0x84), got 0x{:02X}",
                                               what, *first)));
  }
  auto bytes = r.Take(n, fmt::format("{} length bytes", n));
  if (!bytes) return core::Fail(bytes.error());
  size_t length = 0;
  for (uint8_t b : *bytes) length = length << 8 | b;
  if ((*bytes)[0] == 0 || length < 0x80) {
    return core::Fail(r.FailAt(at, fmt::format("expected the shortest BER length encoding for {}, got {} in {} bytes",
                                               what, length, n + 1)));
  }
  return length;
}
inline size_t BerLengthSize(size_t length) {
  size_t n = 1;
  if (length >= 0x80) {
    for (size_t v = length; v; v >>= 8) ++n;
  }
  return n;
}
inline void PutBerLength(std::vector<uint8_t>& out, size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<uint8_t>(length));
    return;
  }
  const size_t n = BerLengthSize(length) - 1;
  out.push_back(static_cast<uint8_t>(0x80 | n));
  for (size_t i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(length >> (8 * i)));
}

inline void PutBe16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void PutBe24(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void PutBe32(std::vector<uint8_t>& out, uint32_t v) {
  PutBe16(out, static_cast<uint16_t>(v >> 16));
  PutBe16(out, static_cast<uint16_t>(v));
}
inline void PutBytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// For std::visit with one lambda per alternative.
template <class... F>
struct Overload : F... {
  using F::operator()...;
};

// An encoder refusing a value it cannot put on the wire: "c1218: cannot encode: ...", field `field`.
inline core::Error EncodeError(std::string_view codec, std::string_view field, std::string_view what) {
  return core::Error::Invalid(fmt::format("{}: cannot encode {}: {}", codec, field, what), std::string(field));
}

}  // namespace meterd::codec::c1218
