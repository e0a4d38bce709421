// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1218/wire.h"
#include "core/error.h"

// C12.22 ApTitles and other object identifiers (IEEE 1703 §5.2.3). An ApTitle is absolute (a
// whole OID: universal tag 0x06, or 0x06 inside the ACSE title elements) or relative to the
// ApTitle base of the network (tag 0x80 inside the ACSE title elements, universal tag 0x0D in
// service bodies). Sub-identifiers are base-128, most significant group first; only the
// shortest form is accepted, so each title has one spelling.
namespace meterd::codec::c1222 {

enum class ApTitleForm : uint8_t { kAbsolute, kRelative };

struct ApTitle {
  ApTitleForm form = ApTitleForm::kAbsolute;
  // Absolute: the whole OID, at least 2 arcs, the first 0..2 (and the second < 40 under 0 or 1).
  // Relative: the arcs after the base, at least 1.
  std::vector<uint32_t> arcs;

  // "1.3.6.1.4.1.33507" (absolute) or ".123.8437" (relative, as Wireshark prints them).
  std::string ToString() const;
  friend bool operator==(const ApTitle&, const ApTitle&) = default;
};

// The inverse of ToString: a leading '.' makes a relative title.
core::Result<ApTitle> ParseApTitle(std::string_view text);

// The base relative ApTitles are resolved against when a message is authenticated (C12.22 EAX'
// uses absolute titles): 2.16.124.113620.1.22.0, as in the standard's Example 8.
const ApTitle& DefaultApTitleBase();
// The C12.22 application context (2.16.124.113620.1.22) and the default security mechanism
// (2.16.124.113620.1.22.2.0).
const ApTitle& C1222ApplicationContext();
const ApTitle& C1222SecurityMechanism();

// `title` as an absolute OID: itself if absolute, else `base` (absolute) followed by its arcs.
core::Result<ApTitle> ToAbsolute(const ApTitle& title, const ApTitle& base);

// OID content bytes (no tag or length) <-> title. `origin` is the absolute offset of content[0],
// for errors.
core::Result<ApTitle> DecodeOidContent(ApTitleForm form, std::span<const uint8_t> content, size_t origin);
core::Result<std::vector<uint8_t>> EncodeOidContent(const ApTitle& title);

// A universal-id element as service bodies and identify features carry it: 0x06 (absolute) or
// 0x0D (relative), BER length, content.
core::Result<ApTitle> ReadUniversalId(c1218::Reader& r, std::string_view what);
core::Result<ApTitle> DecodeUniversalId(std::span<const uint8_t> element);  // exactly one element
core::Result<void> PutUniversalId(std::vector<uint8_t>& out, const ApTitle& title);

}  // namespace meterd::codec::c1222
