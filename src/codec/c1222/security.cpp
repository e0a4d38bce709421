// SPDX-License-Identifier: Apache-2.0
#include "codec/c1222/security.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>

namespace meterd::codec::c1222 {

using c1218::ErrorAt;
using core::Fail;
using core::Result;

namespace {

constexpr size_t kMacSize = 4;

// Where the EPSEM sits inside the user-information element `be`.
Result<Tlv> EpsemOf(const Tlv& be) {
  c1218::Reader r(be.content, kCodec, be.content_offset);
  auto external = ReadTlv(r, 0x28, "user-information EXTERNAL");
  if (!external) return external;
  c1218::Reader x(external->content, kCodec, external->content_offset);
  auto next = ReadTlv(x, "user-information encoding");
  if (next && next->tag == 0x02) next = ReadTlv(x, "user-information encoding");
  if (!next) return next;
  if (next->tag != 0x81 || next->content.empty()) {
    return Fail(ErrorAt(kCodec, next->offset, "expected octet-aligned EPSEM (tag 0x81) with its control byte"));
  }
  return next;
}

Result<void> PutAbsoluteTitle(std::vector<uint8_t>& out, uint8_t tag, const ApTitle& title, const ApTitle& base) {
  auto absolute = ToAbsolute(title, base);
  if (!absolute) return Fail(absolute.error());
  auto content = EncodeOidContent(*absolute);
  if (!content) return Fail(content.error());
  std::vector<uint8_t> inner;
  PutTlv(inner, 0x06, *content);
  PutTlv(out, tag, inner);
  return {};
}

struct Keying {
  uint8_t key_id = 0;
  const AesKey* key = nullptr;
};

Result<Keying> KeyFor(const Apdu& apdu, const KeyTable& keys) {
  const auto& auth = apdu.calling_authentication_value;
  if (!auth || auth->iv.empty()) {
    return Fail(core::Error::Invalid(
        "c1222: expected a calling-authentication-value in C12.22 form (key id, iv) for a secured EPSEM",
        "calling_authentication_value"));
  }
  Keying k;
  k.key_id = auth->key_id.value_or(0);
  k.key = keys.Find(k.key_id);
  if (!k.key) return Fail(core::Error::NotFound(fmt::format("c1222: no key with id {} in the key table", k.key_id)));
  return k;
}

}  // namespace

Result<std::vector<uint8_t>> CanonifiedHeader(std::span<const uint8_t> apdu_bytes, const ApTitle& base) {
  auto elements = SplitApdu(apdu_bytes);
  if (!elements) return Fail(elements.error());
  auto apdu = DecodeApdu(apdu_bytes);
  if (!apdu) return Fail(apdu.error());
  auto find = [&](uint8_t tag) -> const Tlv* {
    auto it = std::find_if(elements->begin(), elements->end(), [&](const Tlv& t) { return t.tag == tag; });
    return it == elements->end() ? nullptr : &*it;
  };
  auto whole = [&](const Tlv& t) { return apdu_bytes.subspan(t.offset, t.size()); };
  const auto& auth = apdu->calling_authentication_value;
  if (!apdu->called_ap_title || !apdu->calling_ap_invocation_id || !auth || auth->iv.empty()) {
    return Fail(core::Error::Invalid(
        "c1222: EAX' needs a called-AP-title (A2), a calling-AP-invocation-id (A8) and a C12.22 "
        "calling-authentication-value (AC with key id and iv)",
        "apdu"));
  }
  std::vector<uint8_t> n;
  if (const Tlv* a1 = find(0xA1)) c1218::PutBytes(n, whole(*a1));
  if (auto p = PutAbsoluteTitle(n, 0xA2, *apdu->called_ap_title, base); !p) return Fail(p.error());
  for (uint8_t tag : {0xA4, 0xA7, 0xA8, 0x8B, 0xAC}) {
    if (const Tlv* t = find(tag)) c1218::PutBytes(n, whole(*t));
  }
  const Tlv* be = find(0xBE);
  auto epsem = EpsemOf(*be);
  if (!epsem) return Fail(epsem.error());
  c1218::PutBytes(n, apdu_bytes.subspan(be->offset, epsem->content_offset + 1 - be->offset));
  if (apdu->calling_ap_title) {
    if (auto p = PutAbsoluteTitle(n, 0xA6, *apdu->calling_ap_title, base); !p) return Fail(p.error());
  }
  if (auth->key_id) n.push_back(*auth->key_id);
  c1218::PutBytes(n, auth->iv);
  return n;
}

Result<std::vector<uint8_t>> OpenEpsem(std::span<const uint8_t> apdu_bytes, const KeyTable& keys, const ApTitle& base) {
  auto apdu = DecodeApdu(apdu_bytes);
  if (!apdu) return Fail(apdu.error());
  const auto& wire = apdu->user_information;
  auto mode = SecurityModeOf(wire, apdu_bytes.size() - wire.size());
  if (!mode) return Fail(mode.error());
  if (*mode == SecurityMode::kCleartext) return wire;
  const size_t mac_at = apdu_bytes.size() - kMacSize;
  if (wire.size() < 1 + kMacSize) {
    return Fail(ErrorAt(kCodec, apdu_bytes.size(), "expected a 4-byte MAC after the EPSEM control byte, but the data ends"));
  }
  auto keying = KeyFor(*apdu, keys);
  if (!keying) return Fail(keying.error());
  auto header = CanonifiedHeader(apdu_bytes, base);
  if (!header) return Fail(header.error());
  auto eax = EaxPrime::Create(*keying->key);
  if (!eax) return Fail(eax.error());
  Mac mac;
  std::copy(wire.end() - kMacSize, wire.end(), mac.begin());
  std::vector<uint8_t> out(wire.begin(), wire.end() - kMacSize);
  std::span<uint8_t> body(out.data() + 1, out.size() - 1);
  auto verified = *mode == SecurityMode::kCleartextAuthenticated ? eax->Verify(*header, body, mac)
                                                                 : eax->Decrypt(*header, body, mac);
  if (!verified) return Fail(verified.error());
  const bool good = *verified;
  if (!good) {
    return Fail(core::Error{core::ErrorCode::kUnauthenticated,
                            fmt::format("c1222: byte {}: MAC {:02x}{:02x}{:02x}{:02x} does not authenticate the "
                                        "message with key {}",
                                        mac_at, mac[0], mac[1], mac[2], mac[3], keying->key_id),
                            fmt::format("offset {}", mac_at)});
  }
  return out;
}

Result<std::vector<uint8_t>> SealApdu(Apdu apdu, std::span<const uint8_t> cleartext, const KeyTable& keys,
                                      const ApTitle& base) {
  auto mode = SecurityModeOf(cleartext);
  if (!mode) return Fail(mode.error());
  apdu.user_information.assign(cleartext.begin(), cleartext.end());
  if (*mode == SecurityMode::kCleartext) return EncodeApdu(apdu);
  auto keying = KeyFor(apdu, keys);
  if (!keying) return Fail(keying.error());
  apdu.user_information.resize(cleartext.size() + kMacSize, 0);
  auto bytes = EncodeApdu(apdu);
  if (!bytes) return bytes;
  auto header = CanonifiedHeader(*bytes, base);
  if (!header) return Fail(header.error());
  auto eax = EaxPrime::Create(*keying->key);
  if (!eax) return Fail(eax.error());
  // BE is the last element and the EPSEM its last content, so the EPSEM ends the APDU.
  std::span<uint8_t> tail(bytes->data() + bytes->size() - kMacSize, kMacSize);
  std::span<uint8_t> body(bytes->data() + bytes->size() - kMacSize - (cleartext.size() - 1), cleartext.size() - 1);
  auto mac = *mode == SecurityMode::kCleartextAuthenticated ? eax->Authenticate(*header, body)
                                                            : eax->Encrypt(*header, body);
  if (!mac) return Fail(mac.error());
  std::copy(mac->begin(), mac->end(), tail.begin());
  return bytes;
}

Result<Message> OpenMessage(std::span<const uint8_t> apdu_bytes, const KeyTable& keys, const ApTitle& base) {
  auto apdu = DecodeApdu(apdu_bytes);
  if (!apdu) return Fail(apdu.error());
  auto cleartext = OpenEpsem(apdu_bytes, keys, base);
  if (!cleartext) return Fail(cleartext.error());
  // The EPSEM ends the APDU (less the MAC, if any), so its offsets map onto the APDU's.
  auto epsem = DecodeEpsem(*cleartext, apdu_bytes.size() - apdu->user_information.size());
  if (!epsem) return Fail(epsem.error());
  return Message{std::move(*apdu), std::move(*epsem)};
}

}  // namespace meterd::codec::c1222
