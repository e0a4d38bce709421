// SPDX-License-Identifier: Apache-2.0
#include "codec/c1222/epsem.h"

#include <fmt/format.h>

#include <algorithm>

#include "codec/c1222/ber.h"

namespace meterd::codec::c1222 {

using c1218::ErrorAt;
using core::Fail;
using core::Result;

namespace {

Result<uint8_t> CheckControl(std::span<const uint8_t> bytes, size_t origin) {
  if (bytes.empty()) return Fail(ErrorAt(kCodec, origin, "expected the EPSEM control byte, but the data ends"));
  const uint8_t c = bytes[0];
  if (!(c & kEpsemReserved)) {
    return Fail(ErrorAt(kCodec, origin, fmt::format("expected EPSEM control bit 7 (reserved) = 1, got 0x{:02X}", c)));
  }
  if (((c >> 2) & 3) == 3) {
    return Fail(ErrorAt(kCodec, origin, fmt::format("expected security mode 0..2, got 3 (control 0x{:02X})", c)));
  }
  if ((c & 3) == 3) {
    return Fail(ErrorAt(kCodec, origin, fmt::format("expected response control 0..2, got 3 (control 0x{:02X})", c)));
  }
  return c;
}

}  // namespace

uint8_t ControlByte(const Epsem& e) {
  return static_cast<uint8_t>(kEpsemReserved | (e.recovery_session ? kEpsemRecoverySession : 0) |
                              (e.proxy_service_used ? kEpsemProxyServiceUsed : 0) |
                              (e.ed_class ? kEpsemEdClassIncluded : 0) |
                              ((static_cast<uint8_t>(e.security_mode) & 3) << 2) |
                              (static_cast<uint8_t>(e.response_control) & 3));
}

Result<SecurityMode> SecurityModeOf(std::span<const uint8_t> wire_epsem, size_t origin) {
  auto c = CheckControl(wire_epsem, origin);
  if (!c) return Fail(c.error());
  return static_cast<SecurityMode>((*c >> 2) & 3);
}

Result<Epsem> DecodeEpsem(std::span<const uint8_t> bytes, size_t origin) {
  auto control = CheckControl(bytes, origin);
  if (!control) return Fail(control.error());
  c1218::Reader r(bytes, kCodec, origin);
  (void)r.U8("EPSEM control");
  Epsem e;
  e.recovery_session = (*control & kEpsemRecoverySession) != 0;
  e.proxy_service_used = (*control & kEpsemProxyServiceUsed) != 0;
  e.security_mode = static_cast<SecurityMode>((*control >> 2) & 3);
  e.response_control = static_cast<ResponseControl>(*control & 3);
  if (*control & kEpsemEdClassIncluded) {
    auto ed_class = r.Take(4, "ed-class (control bit 4 is set)");
    if (!ed_class) return Fail(ed_class.error());
    e.ed_class.emplace();
    std::copy(ed_class->begin(), ed_class->end(), e.ed_class->begin());
  }
  while (!r.AtEnd()) {
    const size_t at = r.offset();
    auto length = c1218::ReadBerLength(r, "service length");
    if (!length) return Fail(length.error());
    if (*length == 0) {
      if (!r.AtEnd()) {
        return Fail(ErrorAt(kCodec, at, fmt::format("expected a service length >= 1 (0 ends the list, but {} more "
                                                    "byte{} follow)",
                                                    r.remaining(), r.remaining() == 1 ? "" : "s")));
      }
      e.end_of_list = true;
      break;
    }
    auto service = r.Take(*length, fmt::format("a service of {} bytes", *length));
    if (!service) return Fail(service.error());
    e.services.emplace_back(service->begin(), service->end());
  }
  if (e.services.empty()) return Fail(ErrorAt(kCodec, r.offset(), "expected at least one service, but the EPSEM ends"));
  return e;
}

Result<std::vector<uint8_t>> EncodeEpsem(const Epsem& e) {
  if (static_cast<uint8_t>(e.security_mode) > 2) return Fail(c1218::EncodeError(kCodec, "security_mode", "not 0..2"));
  if (static_cast<uint8_t>(e.response_control) > 2) {
    return Fail(c1218::EncodeError(kCodec, "response_control", "not 0..2"));
  }
  if (e.services.empty()) return Fail(c1218::EncodeError(kCodec, "services", "none; an EPSEM carries at least one"));
  std::vector<uint8_t> out;
  out.push_back(ControlByte(e));
  if (e.ed_class) c1218::PutBytes(out, *e.ed_class);
  for (size_t i = 0; i < e.services.size(); ++i) {
    const auto& s = e.services[i];
    if (s.empty()) return Fail(c1218::EncodeError(kCodec, fmt::format("services[{}]", i), "empty"));
    if (s.size() > 0xFFFFFFFFu) return Fail(c1218::EncodeError(kCodec, fmt::format("services[{}]", i), "too long"));
    c1218::PutBerLength(out, s.size());
    c1218::PutBytes(out, s);
  }
  if (e.end_of_list) out.push_back(0x00);
  return out;
}

}  // namespace meterd::codec::c1222
