// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "codec/c1222/ap_title.h"
#include "codec/c1222/ber.h"
#include "core/error.h"

// The C12.22 message: an ACSE APDU (IEEE 1703 §5.3.4, after ISO 8650 AARQ), BER encoded:
//
//   60 <len> { A1 application context | A2 called-AP-title | A3 called-AE-qualifier |
//              A4 called-AP-invocation-id | A5 called-AE-invocation-id | A6 calling-AP-title |
//              A7 calling-AE-qualifier | A8 calling-AP-invocation-id | A9 calling-AE-invocation-id |
//              8B mechanism-name | AC calling-authentication-value | BE user-information }
//
// Grammar in docs/formats/c1222.md. Over TCP or UDP port 1153 each APDU is self-delimiting by
// its BER length (ApduSize). Offsets in errors count from the APDU's first byte (0x60).
namespace meterd::codec::c1222 {

inline constexpr uint8_t kApduTag = 0x60;

// The calling-authentication-value (AC). C12.22's own form carries what EAX' needs:
//   AC <len> A2 <len> A0 <len> A1 <len> [80 01 <key-id>] 81 <len> <iv>
// Any other form (C12.21 authentication, octet-aligned, an indirect reference) is kept as the
// AC element's content as received, in `other`, and key_id / iv stay empty.
struct AuthenticationValue {
  std::optional<uint8_t> key_id;  // absent means key 0 to EAX'
  std::vector<uint8_t> iv;        // 1..16 bytes; 4 in practice
  std::vector<uint8_t> other;
  friend bool operator==(const AuthenticationValue&, const AuthenticationValue&) = default;
};

// Bits of the calling-AE-qualifier.
inline constexpr uint32_t kAeQualifierTest = 0x01;
inline constexpr uint32_t kAeQualifierUrgent = 0x02;
inline constexpr uint32_t kAeQualifierNotification = 0x04;

struct Apdu {
  std::optional<ApTitle> application_context;  // A1: absolute OID, normally C1222ApplicationContext()
  std::optional<ApTitle> called_ap_title;      // A2: absolute or relative
  std::optional<uint32_t> called_ae_qualifier;          // A3
  std::optional<uint32_t> called_ap_invocation_id;      // A4: a response echoes the request's A8
  std::optional<uint32_t> called_ae_invocation_id;      // A5
  std::optional<ApTitle> calling_ap_title;              // A6: absolute or relative
  std::optional<uint32_t> calling_ae_qualifier;         // A7: kAeQualifier* bits
  std::optional<uint32_t> calling_ap_invocation_id;     // A8
  std::optional<uint32_t> calling_ae_invocation_id;     // A9
  std::optional<ApTitle> mechanism_name;                // 8B: absolute OID
  std::optional<AuthenticationValue> calling_authentication_value;  // AC
  // BE <len> 28 <len> [02 01 <ref>] 81 <len> <EPSEM>: the indirect reference is rarely sent.
  std::optional<uint8_t> user_information_indirect_reference;
  // The EPSEM as on the wire, at least the control byte: in security mode 1 it ends with the
  // 4-byte MAC, in mode 2 everything after the control byte is ciphertext and MAC. See epsem.h
  // and security.h.
  std::vector<uint8_t> user_information;
  friend bool operator==(const Apdu&, const Apdu&) = default;
};

// The elements of an APDU in wire order, as views into `apdu` (for EAX', which needs them as
// sent). Checks the outer 60 <len> spans all of `apdu` and each element's length.
core::Result<std::vector<Tlv>> SplitApdu(std::span<const uint8_t> apdu);

// Exactly one APDU. Elements may come in any order but each at most once; unknown tags, a
// missing or empty user-information and malformed elements are errors.
core::Result<Apdu> DecodeApdu(std::span<const uint8_t> apdu);

// Elements in tag order (A1, A2, ... 8B, AC, BE), lengths in their shortest form. Fails for an
// empty user-information, an invalid OID, or a C12.22 authentication value without an iv of
// 1..16 bytes.
core::Result<std::vector<uint8_t>> EncodeApdu(const Apdu& apdu);

// For reading a byte stream: the size of the APDU that starts at `prefix[0]` (tag, length and
// content), nullopt while its length is incomplete, or an error for a tag other than 0x60 or an
// invalid length.
core::Result<std::optional<size_t>> ApduSize(std::span<const uint8_t> prefix);

}  // namespace meterd::codec::c1222
