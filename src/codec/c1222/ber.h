// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "codec/c1218/wire.h"
#include "core/error.h"

// The slice of BER (ITU-T X.690) that C12.22 uses (IEEE 1703 §5.2): one-byte tags, definite
// lengths in their shortest form (see c1218::ReadBerLength), INTEGER for invocation ids and the
// AE qualifier.
namespace meterd::codec::c1222 {

using c1218::Reader;

inline constexpr std::string_view kCodec = "c1222";

// One tag-length-value. `content` views the reader's bytes.
struct Tlv {
  uint8_t tag = 0;
  size_t offset = 0;          // absolute offset of the tag byte
  size_t content_offset = 0;  // absolute offset of the first content byte
  std::span<const uint8_t> content;
  size_t size() const { return content_offset - offset + content.size(); }  // the whole element
};

// The next element; `what` names it in errors.
core::Result<Tlv> ReadTlv(Reader& r, std::string_view what);
// The next element, which must have tag `tag`.
core::Result<Tlv> ReadTlv(Reader& r, uint8_t tag, std::string_view what);

void PutTlv(std::vector<uint8_t>& out, uint8_t tag, std::span<const uint8_t> content);

// INTEGER content (tag 0x02) holding 0..2^32-1: 1..5 bytes, two's complement, shortest form.
core::Result<uint32_t> DecodeUnsigned(const Tlv& integer, std::string_view what);
std::vector<uint8_t> EncodeUnsigned(uint32_t value);  // the content bytes

}  // namespace meterd::codec::c1222
