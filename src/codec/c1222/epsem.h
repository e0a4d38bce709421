// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"

// EPSEM, the Extended Protocol Specification for Electronic Metering (IEEE 1703 §5.3.3): the
// envelope of C12.22 services inside the APDU's user-information.
//
//   <epsem-control 1> [<ed-class 4>] { <service-length BER> <service> }+ [00]
//
// epsem-control: bit 7 reserved, always 1; bit 6 recovery-session; bit 5 proxy-service-used;
// bit 4 ed-class-included; bits 3..2 security mode; bits 1..0 response control.
//
// This codec reads and writes the *cleartext* EPSEM: no MAC and nothing encrypted. On the wire
// a mode-1 EPSEM ends with a 4-byte MAC and a mode-2 EPSEM is ciphertext after the control byte;
// security.h turns those into cleartext (OpenEpsem) and back (SealApdu).
namespace meterd::codec::c1222 {

enum class SecurityMode : uint8_t {
  kCleartext = 0,
  kCleartextAuthenticated = 1,  // EAX' MAC over the cleartext
  kCiphertextAuthenticated = 2,  // EAX' encryption and MAC
};
enum class ResponseControl : uint8_t {
  kAlways = 0,
  kOnException = 1,
  kNever = 2,
};

inline constexpr uint8_t kEpsemReserved = 0x80;
inline constexpr uint8_t kEpsemRecoverySession = 0x40;
inline constexpr uint8_t kEpsemProxyServiceUsed = 0x20;
inline constexpr uint8_t kEpsemEdClassIncluded = 0x10;

struct Epsem {
  bool recovery_session = false;
  bool proxy_service_used = false;
  SecurityMode security_mode = SecurityMode::kCleartext;
  ResponseControl response_control = ResponseControl::kAlways;
  std::optional<std::array<uint8_t, 4>> ed_class;  // the device class, when included
  // Each service, a request or a response (c1222::DecodeRequest / DecodeResponse), without
  // its length. At least one.
  std::vector<std::vector<uint8_t>> services;
  // Whether the services end with a zero length (an end-of-list some devices send).
  bool end_of_list = false;
  friend bool operator==(const Epsem&, const Epsem&) = default;
};

uint8_t ControlByte(const Epsem& epsem);

// Fails for reserved bit 7 clear, security mode 3, response control 3, a missing ed-class,
// no services, a service length past the end, or bytes after an end-of-list zero. Offsets in
// errors are `origin` + the position in `cleartext` (pass where the EPSEM sits in the APDU).
core::Result<Epsem> DecodeEpsem(std::span<const uint8_t> cleartext, size_t origin = 0);
core::Result<std::vector<uint8_t>> EncodeEpsem(const Epsem& epsem);

// The control byte alone (the first byte of the wire EPSEM, which is never encrypted).
core::Result<SecurityMode> SecurityModeOf(std::span<const uint8_t> wire_epsem, size_t origin = 0);

}  // namespace meterd::codec::c1222
