// SPDX-License-Identifier: Apache-2.0
// C12.22 ACSE APDUs, IEEE 1703 §5.3.4. Elements are checked in wire order, so the first error
// reported is the first byte that is wrong.
#include "codec/c1222/acse.h"

#include <fmt/format.h>

#include <array>

namespace meterd::codec::c1222 {

using c1218::ErrorAt;
using c1218::Reader;
using core::Fail;
using core::Result;

namespace {

constexpr uint8_t kAbsoluteTitle = 0x06;
constexpr uint8_t kRelativeTitle = 0x80;
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kExternal = 0x28;
constexpr uint8_t kOctetAligned = 0x81;

std::string_view ElementName(uint8_t tag) {
  switch (tag) {
    case 0xA1: return "application context";
    case 0xA2: return "called-AP-title";
    case 0xA3: return "called-AE-qualifier";
    case 0xA4: return "called-AP-invocation-id";
    case 0xA5: return "called-AE-invocation-id";
    case 0xA6: return "calling-AP-title";
    case 0xA7: return "calling-AE-qualifier";
    case 0xA8: return "calling-AP-invocation-id";
    case 0xA9: return "calling-AE-invocation-id";
    case 0x8B: return "mechanism-name";
    case 0xAC: return "calling-authentication-value";
    case 0xBE: return "user-information";
  }
  return "unknown element";
}

// The one TLV inside `outer`, which it must fill exactly.
Result<Tlv> Inner(const Tlv& outer, std::string_view what) {
  Reader r(outer.content, kCodec, outer.content_offset);
  auto inner = ReadTlv(r, what);
  if (!inner) return inner;
  if (auto end = r.ExpectEnd(what); !end) return Fail(end.error());
  return inner;
}

Result<uint32_t> DecodeIntegerElement(const Tlv& element) {
  auto integer = Inner(element, fmt::format("{} INTEGER", ElementName(element.tag)));
  if (!integer) return Fail(integer.error());
  if (integer->tag != kInteger) {
    return Fail(ErrorAt(kCodec, integer->offset, fmt::format("expected INTEGER (tag 0x02) in {}, got tag 0x{:02X}",
                                                             ElementName(element.tag), integer->tag)));
  }
  return DecodeUnsigned(*integer, ElementName(element.tag));
}

Result<ApTitle> DecodeTitleElement(const Tlv& element) {
  auto title = Inner(element, ElementName(element.tag));
  if (!title) return Fail(title.error());
  if (title->tag != kAbsoluteTitle && title->tag != kRelativeTitle) {
    return Fail(ErrorAt(kCodec, title->offset,
                        fmt::format("expected an absolute (0x06) or relative (0x80) ApTitle in {}, got tag 0x{:02X}",
                                    ElementName(element.tag), title->tag)));
  }
  return DecodeOidContent(title->tag == kAbsoluteTitle ? ApTitleForm::kAbsolute : ApTitleForm::kRelative,
                          title->content, title->content_offset);
}

// The C12.22 form if `element` is exactly that, else the content kept whole in `other`.
Result<AuthenticationValue> DecodeAuthentication(const Tlv& element) {
  AuthenticationValue a;
  if (element.content.empty()) {
    return Fail(ErrorAt(kCodec, element.offset + 1, "expected a calling-authentication-value, got 0 bytes"));
  }
  auto c1222_form = [&]() -> std::optional<AuthenticationValue> {
    auto external = Inner(element, "authentication EXTERNAL");
    if (!external || external->tag != 0xA2) return std::nullopt;
    auto single = Inner(*external, "single-ASN1-type");
    if (!single || single->tag != 0xA0) return std::nullopt;
    auto c1222 = Inner(*single, "C12.22 authentication");
    if (!c1222 || c1222->tag != 0xA1) return std::nullopt;
    Reader r(c1222->content, kCodec, c1222->content_offset);
    AuthenticationValue v;
    auto first = ReadTlv(r, "key id");
    if (!first) return std::nullopt;
    if (first->tag == 0x80) {
      if (first->content.size() != 1) return std::nullopt;
      v.key_id = first->content[0];
      first = ReadTlv(r, "iv");
      if (!first) return std::nullopt;
    }
    if (first->tag != 0x81 || first->content.empty() || first->content.size() > 16 || !r.AtEnd()) return std::nullopt;
    v.iv.assign(first->content.begin(), first->content.end());
    return v;
  }();
  if (c1222_form) return *c1222_form;
  a.other.assign(element.content.begin(), element.content.end());
  return a;
}

Result<void> DecodeUserInformation(const Tlv& element, Apdu& apdu) {
  auto external = Inner(element, "user-information EXTERNAL");
  if (!external) return Fail(external.error());
  if (external->tag != kExternal) {
    return Fail(ErrorAt(kCodec, external->offset,
                        fmt::format("expected EXTERNAL (tag 0x28) in user-information, got tag 0x{:02X}", external->tag)));
  }
  Reader r(external->content, kCodec, external->content_offset);
  auto next = ReadTlv(r, "user-information encoding");
  if (!next) return Fail(next.error());
  if (next->tag == kInteger) {
    if (next->content.size() != 1) {
      return Fail(ErrorAt(kCodec, next->offset, "expected a 1-byte indirect reference (02 01 xx)"));
    }
    apdu.user_information_indirect_reference = next->content[0];
    next = ReadTlv(r, "user-information encoding");
    if (!next) return Fail(next.error());
  }
  if (next->tag != kOctetAligned) {
    return Fail(ErrorAt(kCodec, next->offset,
                        fmt::format("expected octet-aligned EPSEM (tag 0x81), got tag 0x{:02X}", next->tag)));
  }
  if (auto end = r.ExpectEnd("the EPSEM"); !end) return Fail(end.error());
  if (next->content.empty()) return Fail(ErrorAt(kCodec, next->content_offset, "expected the EPSEM control byte"));
  apdu.user_information.assign(next->content.begin(), next->content.end());
  return {};
}

template <class T>
Result<void> Store(std::optional<T>& slot, Result<T> value) {
  if (!value) return Fail(value.error());
  slot = std::move(*value);
  return {};
}

Result<void> PutTitle(std::vector<uint8_t>& out, uint8_t tag, const ApTitle& title) {
  auto content = EncodeOidContent(title);
  if (!content) return Fail(content.error());
  std::vector<uint8_t> inner;
  PutTlv(inner, title.form == ApTitleForm::kAbsolute ? kAbsoluteTitle : kRelativeTitle, *content);
  PutTlv(out, tag, inner);
  return {};
}

void PutInteger(std::vector<uint8_t>& out, uint8_t tag, uint32_t value) {
  std::vector<uint8_t> inner;
  PutTlv(inner, kInteger, EncodeUnsigned(value));
  PutTlv(out, tag, inner);
}

Result<void> PutAuthentication(std::vector<uint8_t>& out, const AuthenticationValue& a) {
  if (!a.other.empty()) {
    PutTlv(out, 0xAC, a.other);
    return {};
  }
  if (a.iv.empty() || a.iv.size() > 16) {
    return Fail(c1218::EncodeError(kCodec, "calling_authentication_value.iv",
                                   fmt::format("{} bytes; expected 1..16", a.iv.size())));
  }
  std::vector<uint8_t> c1222;
  if (a.key_id) PutTlv(c1222, 0x80, std::array<uint8_t, 1>{*a.key_id});
  PutTlv(c1222, 0x81, a.iv);
  std::vector<uint8_t> single, external, value;
  PutTlv(single, 0xA1, c1222);
  PutTlv(external, 0xA0, single);
  PutTlv(value, 0xA2, external);
  PutTlv(out, 0xAC, value);
  return {};
}

}  // namespace

Result<std::vector<Tlv>> SplitApdu(std::span<const uint8_t> apdu) {
  Reader r(apdu, kCodec);
  auto outer = ReadTlv(r, kApduTag, "ACSE APDU");
  if (!outer) return Fail(outer.error());
  if (auto end = r.ExpectEnd("the APDU"); !end) return Fail(end.error());
  Reader e(outer->content, kCodec, outer->content_offset);
  std::vector<Tlv> elements;
  while (!e.AtEnd()) {
    auto element = ReadTlv(e, "ACSE element");
    if (!element) return Fail(element.error());
    elements.push_back(*element);
  }
  return elements;
}

Result<Apdu> DecodeApdu(std::span<const uint8_t> bytes) {
  auto elements = SplitApdu(bytes);
  if (!elements) return Fail(elements.error());
  Apdu apdu;
  std::array<bool, 32> seen{};
  bool has_user_information = false;
  for (const Tlv& el : *elements) {
    const uint8_t number = el.tag & 0x1F;
    if (ElementName(el.tag) == "unknown element") {
      return Fail(ErrorAt(kCodec, el.offset, fmt::format("expected an ACSE element (A1..A9, 8B, AC, BE), got tag 0x{:02X}",
                                                         el.tag)));
    }
    if (seen[number]) {
      return Fail(ErrorAt(kCodec, el.offset,
                          fmt::format("expected each element once, got a second {} (0x{:02X})", ElementName(el.tag), el.tag)));
    }
    seen[number] = true;
    Result<void> stored;
    switch (el.tag) {
      case 0xA1: {
        auto oid = Inner(el, "application context OID");
        if (!oid) return Fail(oid.error());
        if (oid->tag != kAbsoluteTitle) {
          return Fail(ErrorAt(kCodec, oid->offset,
                              fmt::format("expected an OID (tag 0x06) in the application context, got tag 0x{:02X}",
                                          oid->tag)));
        }
        stored = Store(apdu.application_context,
                       DecodeOidContent(ApTitleForm::kAbsolute, oid->content, oid->content_offset));
        break;
      }
      case 0xA2: stored = Store(apdu.called_ap_title, DecodeTitleElement(el)); break;
      case 0xA3: stored = Store(apdu.called_ae_qualifier, DecodeIntegerElement(el)); break;
      case 0xA4: stored = Store(apdu.called_ap_invocation_id, DecodeIntegerElement(el)); break;
      case 0xA5: stored = Store(apdu.called_ae_invocation_id, DecodeIntegerElement(el)); break;
      case 0xA6: stored = Store(apdu.calling_ap_title, DecodeTitleElement(el)); break;
      case 0xA7: stored = Store(apdu.calling_ae_qualifier, DecodeIntegerElement(el)); break;
      case 0xA8: stored = Store(apdu.calling_ap_invocation_id, DecodeIntegerElement(el)); break;
      case 0xA9: stored = Store(apdu.calling_ae_invocation_id, DecodeIntegerElement(el)); break;
      case 0x8B:
        stored = Store(apdu.mechanism_name, DecodeOidContent(ApTitleForm::kAbsolute, el.content, el.content_offset));
        break;
      case 0xAC: stored = Store(apdu.calling_authentication_value, DecodeAuthentication(el)); break;
      case 0xBE:
        stored = DecodeUserInformation(el, apdu);
        has_user_information = true;
        break;
    }
    if (!stored) return Fail(stored.error());
  }
  if (!has_user_information) {
    return Fail(ErrorAt(kCodec, bytes.size(), "expected a user-information element (0xBE) with the EPSEM, but the APDU ends"));
  }
  return apdu;
}

Result<std::vector<uint8_t>> EncodeApdu(const Apdu& a) {
  if (a.user_information.empty()) {
    return Fail(c1218::EncodeError(kCodec, "user_information", "empty; the EPSEM needs at least its control byte"));
  }
  std::vector<uint8_t> body;
  auto put_title = [&](uint8_t tag, const std::optional<ApTitle>& t) -> Result<void> {
    return t ? PutTitle(body, tag, *t) : Result<void>{};
  };
  auto put_integer = [&](uint8_t tag, const std::optional<uint32_t>& v) {
    if (v) PutInteger(body, tag, *v);
  };
  if (a.application_context) {
    if (a.application_context->form != ApTitleForm::kAbsolute) {
      return Fail(c1218::EncodeError(kCodec, "application_context", "must be an absolute OID"));
    }
    auto content = EncodeOidContent(*a.application_context);
    if (!content) return Fail(content.error());
    std::vector<uint8_t> inner;
    PutTlv(inner, kAbsoluteTitle, *content);
    PutTlv(body, 0xA1, inner);
  }
  if (auto p = put_title(0xA2, a.called_ap_title); !p) return Fail(p.error());
  put_integer(0xA3, a.called_ae_qualifier);
  put_integer(0xA4, a.called_ap_invocation_id);
  put_integer(0xA5, a.called_ae_invocation_id);
  if (auto p = put_title(0xA6, a.calling_ap_title); !p) return Fail(p.error());
  put_integer(0xA7, a.calling_ae_qualifier);
  put_integer(0xA8, a.calling_ap_invocation_id);
  put_integer(0xA9, a.calling_ae_invocation_id);
  if (a.mechanism_name) {
    if (a.mechanism_name->form != ApTitleForm::kAbsolute) {
      return Fail(c1218::EncodeError(kCodec, "mechanism_name", "must be an absolute OID"));
    }
    auto content = EncodeOidContent(*a.mechanism_name);
    if (!content) return Fail(content.error());
    PutTlv(body, 0x8B, *content);
  }
  if (a.calling_authentication_value) {
    if (auto p = PutAuthentication(body, *a.calling_authentication_value); !p) return Fail(p.error());
  }
  std::vector<uint8_t> external;
  if (a.user_information_indirect_reference) {
    PutTlv(external, kInteger, std::array<uint8_t, 1>{*a.user_information_indirect_reference});
  }
  PutTlv(external, kOctetAligned, a.user_information);
  std::vector<uint8_t> user_information;
  PutTlv(user_information, kExternal, external);
  PutTlv(body, 0xBE, user_information);
  std::vector<uint8_t> out;
  out.reserve(body.size() + 6);
  PutTlv(out, kApduTag, body);
  return out;
}

Result<std::optional<size_t>> ApduSize(std::span<const uint8_t> prefix) {
  if (prefix.empty()) return std::optional<size_t>();
  if (prefix[0] != kApduTag) {
    return Fail(ErrorAt(kCodec, 0, fmt::format("expected an ACSE APDU (tag 0x60), got 0x{:02X}", prefix[0])));
  }
  if (prefix.size() < 2) return std::optional<size_t>();
  size_t n = prefix[1] < 0x80 ? 0 : prefix[1] & 0x7F;
  if (prefix[1] == 0x80 || n > 4) n = 0;  // invalid: let ReadBerLength name it now
  if (prefix.size() < 2 + n) return std::optional<size_t>();
  Reader r(prefix.first(2 + n), kCodec, 0);
  (void)r.U8("tag");
  auto length = c1218::ReadBerLength(r, "APDU length");
  if (!length) return Fail(length.error());
  return std::optional<size_t>(2 + n + *length);
}

}  // namespace meterd::codec::c1222
