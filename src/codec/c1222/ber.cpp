// SPDX-License-Identifier: Apache-2.0
#include "codec/c1222/ber.h"

#include <fmt/format.h>

namespace meterd::codec::c1222 {

using core::Fail;
using core::Result;

Result<Tlv> ReadTlv(Reader& r, std::string_view what) {
  Tlv t;
  t.offset = r.offset();
  auto tag = r.U8(what);
  if (!tag) return Fail(tag.error());
  t.tag = *tag;
  if ((t.tag & 0x1F) == 0x1F) {
    return Fail(r.FailAt(t.offset, fmt::format("expected a one-byte tag for {}, got 0x{:02X} (multi-byte tag)", what,
                                               t.tag)));
  }
  auto length = c1218::ReadBerLength(r, what);
  if (!length) return Fail(length.error());
  t.content_offset = r.offset();
  auto content = r.Take(*length, fmt::format("{} content", what));
  if (!content) return Fail(content.error());
  t.content = *content;
  return t;
}

Result<Tlv> ReadTlv(Reader& r, uint8_t tag, std::string_view what) {
  if (r.AtEnd()) return Fail(r.Fail(fmt::format("expected {} (tag 0x{:02X}), but the data ends", what, tag)));
  const size_t at = r.offset();
  auto t = ReadTlv(r, what);
  if (!t) return t;
  if (t->tag != tag) {
    return Fail(r.FailAt(at, fmt::format("expected {} (tag 0x{:02X}), got tag 0x{:02X}", what, tag, t->tag)));
  }
  return t;
}

void PutTlv(std::vector<uint8_t>& out, uint8_t tag, std::span<const uint8_t> content) {
  out.push_back(tag);
  c1218::PutBerLength(out, content.size());
  c1218::PutBytes(out, content);
}

Result<uint32_t> DecodeUnsigned(const Tlv& integer, std::string_view what) {
  const auto& c = integer.content;
  const size_t at = integer.content_offset;
  if (c.empty() || c.size() > 5) {
    return Fail(c1218::ErrorAt(kCodec, integer.offset + 1,
                               fmt::format("expected {} as an INTEGER of 1..5 bytes, got {}", what, c.size())));
  }
  if (c[0] & 0x80) return Fail(c1218::ErrorAt(kCodec, at, fmt::format("expected {} >= 0, got a negative INTEGER", what)));
  if (c.size() > 1 && c[0] == 0 && !(c[1] & 0x80)) {
    return Fail(c1218::ErrorAt(kCodec, at, fmt::format("expected {} in its shortest form, got a leading 0x00", what)));
  }
  if (c.size() == 5 && c[0] != 0) {
    return Fail(c1218::ErrorAt(kCodec, at, fmt::format("expected {} <= 4294967295", what)));
  }
  uint64_t v = 0;
  for (uint8_t b : c) v = v << 8 | b;
  return static_cast<uint32_t>(v);
}

std::vector<uint8_t> EncodeUnsigned(uint32_t value) {
  std::vector<uint8_t> out;
  int n = 4;
  while (n > 1 && ((value >> (8 * (n - 1))) & 0xFF) == 0) --n;
  if ((value >> (8 * (n - 1))) & 0x80) out.push_back(0);
  for (int i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
  return out;
}

}  // namespace meterd::codec::c1222
