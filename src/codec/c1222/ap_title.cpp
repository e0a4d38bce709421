// SPDX-License-Identifier: Apache-2.0
#include "codec/c1222/ap_title.h"

#include <fmt/format.h>

#include <charconv>

#include "codec/c1222/ber.h"

namespace meterd::codec::c1222 {

using core::Fail;
using core::Result;

namespace {

constexpr uint8_t kUniversalOid = 0x06;
constexpr uint8_t kUniversalRelativeOid = 0x0D;

void PutSubidentifier(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t groups[10];
  int n = 0;
  do {
    groups[n++] = static_cast<uint8_t>(v & 0x7F);
    v >>= 7;
  } while (v);
  while (n-- > 0) out.push_back(static_cast<uint8_t>(groups[n] | (n ? 0x80 : 0)));
}

Result<void> CheckAbsolute(const ApTitle& t, std::string_view field) {
  if (t.arcs.size() < 2) {
    return Fail(c1218::EncodeError(kCodec, field, fmt::format("absolute OID with {} arcs; expected >= 2", t.arcs.size())));
  }
  if (t.arcs[0] > 2 || (t.arcs[0] < 2 && t.arcs[1] >= 40)) {
    return Fail(c1218::EncodeError(kCodec, field, fmt::format("OID {} does not start with a valid first pair", t.ToString())));
  }
  return {};
}

}  // namespace

std::string ApTitle::ToString() const {
  std::string out;
  for (size_t i = 0; i < arcs.size(); ++i) {
    if (i || form == ApTitleForm::kRelative) out += '.';
    out += fmt::format("{}", arcs[i]);
  }
  return out;
}

Result<ApTitle> ParseApTitle(std::string_view text) {
  ApTitle t;
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '.') {
    t.form = ApTitleForm::kRelative;
    rest.remove_prefix(1);
  }
  while (true) {
    uint32_t arc = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), arc);
    if (ec != std::errc() || end == rest.data()) {
      return Fail(core::Error::Invalid(fmt::format("c1222: \"{}\" is not an ApTitle (dotted decimal arcs)", text),
                                       "ap_title"));
    }
    t.arcs.push_back(arc);
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    if (rest.empty()) break;
    if (rest.front() != '.') {
      return Fail(core::Error::Invalid(fmt::format("c1222: \"{}\" is not an ApTitle (dotted decimal arcs)", text),
                                       "ap_title"));
    }
    rest.remove_prefix(1);
  }
  if (t.form == ApTitleForm::kAbsolute) {
    if (auto c = CheckAbsolute(t, "ap_title"); !c) return Fail(c.error());
  }
  return t;
}

const ApTitle& DefaultApTitleBase() {
  static const ApTitle base{ApTitleForm::kAbsolute, {2, 16, 124, 113620, 1, 22, 0}};
  return base;
}
const ApTitle& C1222ApplicationContext() {
  static const ApTitle context{ApTitleForm::kAbsolute, {2, 16, 124, 113620, 1, 22}};
  return context;
}
const ApTitle& C1222SecurityMechanism() {
  static const ApTitle mechanism{ApTitleForm::kAbsolute, {2, 16, 124, 113620, 1, 22, 2, 0}};
  return mechanism;
}

Result<ApTitle> ToAbsolute(const ApTitle& title, const ApTitle& base) {
  if (title.form == ApTitleForm::kAbsolute) return title;
  if (base.form != ApTitleForm::kAbsolute) {
    return Fail(core::Error::Invalid("c1222: the ApTitle base must be absolute", "base"));
  }
  ApTitle out = base;
  out.arcs.insert(out.arcs.end(), title.arcs.begin(), title.arcs.end());
  return out;
}

Result<ApTitle> DecodeOidContent(ApTitleForm form, std::span<const uint8_t> content, size_t origin) {
  if (content.empty()) return Fail(c1218::ErrorAt(kCodec, origin, "expected an object identifier, got 0 bytes"));
  ApTitle t;
  t.form = form;
  uint64_t v = 0;
  bool fresh = true;
  for (size_t i = 0; i < content.size(); ++i) {
    const uint8_t b = content[i];
    if (fresh && b == 0x80) {
      return Fail(c1218::ErrorAt(kCodec, origin + i, "expected the shortest sub-identifier, got a leading 0x80"));
    }
    fresh = false;
    v = v << 7 | (b & 0x7F);
    if (v > 0xFFFFFFFFull + 80) {
      return Fail(c1218::ErrorAt(kCodec, origin + i, "expected a sub-identifier of at most 32 bits"));
    }
    if (b & 0x80) continue;
    if (form == ApTitleForm::kAbsolute && t.arcs.empty()) {
      const uint32_t first = v < 40 ? 0 : v < 80 ? 1 : 2;
      const uint64_t second = v - 40 * first;
      if (second > 0xFFFFFFFFull) {
        return Fail(c1218::ErrorAt(kCodec, origin + i, "expected a sub-identifier of at most 32 bits"));
      }
      t.arcs.push_back(first);
      t.arcs.push_back(static_cast<uint32_t>(second));
    } else {
      if (v > 0xFFFFFFFFull) return Fail(c1218::ErrorAt(kCodec, origin + i, "expected a sub-identifier of at most 32 bits"));
      t.arcs.push_back(static_cast<uint32_t>(v));
    }
    v = 0;
    fresh = true;
  }
  if (!fresh) {
    return Fail(c1218::ErrorAt(kCodec, origin + content.size() - 1,
                               "expected the last sub-identifier byte (bit 7 clear), but the object identifier ends"));
  }
  return t;
}

Result<std::vector<uint8_t>> EncodeOidContent(const ApTitle& t) {
  std::vector<uint8_t> out;
  if (t.form == ApTitleForm::kAbsolute) {
    if (auto c = CheckAbsolute(t, "ap_title"); !c) return Fail(c.error());
    PutSubidentifier(out, uint64_t{t.arcs[0]} * 40 + t.arcs[1]);
    for (size_t i = 2; i < t.arcs.size(); ++i) PutSubidentifier(out, t.arcs[i]);
  } else {
    if (t.arcs.empty()) return Fail(c1218::EncodeError(kCodec, "ap_title", "relative OID without arcs"));
    for (uint32_t arc : t.arcs) PutSubidentifier(out, arc);
  }
  return out;
}

Result<ApTitle> ReadUniversalId(c1218::Reader& r, std::string_view what) {
  auto tlv = ReadTlv(r, what);
  if (!tlv) return Fail(tlv.error());
  if (tlv->tag != kUniversalOid && tlv->tag != kUniversalRelativeOid) {
    return Fail(c1218::ErrorAt(kCodec, tlv->offset,
                               fmt::format("expected {} as a universal id (tag 0x06 or 0x0D), got tag 0x{:02X}", what,
                                           tlv->tag)));
  }
  return DecodeOidContent(tlv->tag == kUniversalOid ? ApTitleForm::kAbsolute : ApTitleForm::kRelative, tlv->content,
                          tlv->content_offset);
}

Result<ApTitle> DecodeUniversalId(std::span<const uint8_t> element) {
  c1218::Reader r(element, kCodec);
  auto title = ReadUniversalId(r, "universal id");
  if (!title) return title;
  if (auto end = r.ExpectEnd("the universal id"); !end) return Fail(end.error());
  return title;
}

Result<void> PutUniversalId(std::vector<uint8_t>& out, const ApTitle& title) {
  auto content = EncodeOidContent(title);
  if (!content) return Fail(content.error());
  PutTlv(out, title.form == ApTitleForm::kAbsolute ? kUniversalOid : kUniversalRelativeOid, *content);
  return {};
}

}  // namespace meterd::codec::c1222
