// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/c1222/acse.h"
#include "codec/c1222/ap_title.h"
#include "codec/c1222/eax_prime.h"
#include "codec/c1222/epsem.h"
#include "core/error.h"

// C12.22 message security: EAX' over an APDU (IEEE 1703 §5.3.3, §5.3.4.8). Grammar and the
// worked Example 8 in docs/formats/c1222.md. The
// EPSEM control byte's security mode says what the wire EPSEM holds after the control byte:
//   0 cleartext: services;
//   1 cleartext with authentication: [ed-class] services, then a 4-byte MAC;
//   2 ciphertext with authentication: ciphertext of [ed-class] services, then a 4-byte MAC.
// The key is chosen by the calling-authentication-value's key id (0 when absent).
namespace meterd::codec::c1222 {

// The canonified cleartext header EAX' authenticates, built from the APDU as sent:
//   A1, A2 (as an absolute title), A4, A7, A8, 8B, AC elements (tag, length, content),
//   BE <len> 28 <len> [02 01 <ref>] 81 <len> <epsem-control>,
//   A6 (as an absolute title), <key-id 1> (if the AC has one), <iv>.
// Relative titles are made absolute with `base`. Fails without A2, A8, BE or a C12.22-form AC.
core::Result<std::vector<uint8_t>> CanonifiedHeader(std::span<const uint8_t> apdu,
                                                    const ApTitle& base = DefaultApTitleBase());

// The cleartext EPSEM of `apdu` (control byte, [ed-class], services; no MAC), for DecodeEpsem:
// as it is in mode 0; MAC checked in mode 1; MAC checked and decrypted in mode 2. A wrong MAC is
// kUnauthenticated naming the MAC's offset; an unknown key id is kNotFound.
core::Result<std::vector<uint8_t>> OpenEpsem(std::span<const uint8_t> apdu, const KeyTable& keys,
                                             const ApTitle& base = DefaultApTitleBase());

// `apdu` with the EPSEM `cleartext_epsem` (as EncodeEpsem gives it; its control byte's security
// mode decides): mode 0 as is; mode 1 with the MAC appended; mode 2 encrypted, MAC appended.
// For modes 1 and 2, apdu.calling_authentication_value must be in C12.22 form (key id, iv) and
// the key must be in `keys`. apdu.user_information is replaced.
core::Result<std::vector<uint8_t>> SealApdu(Apdu apdu, std::span<const uint8_t> cleartext_epsem, const KeyTable& keys,
                                            const ApTitle& base = DefaultApTitleBase());

// A whole message: the APDU and its opened, decoded EPSEM.
struct Message {
  Apdu apdu;
  Epsem epsem;
};
core::Result<Message> OpenMessage(std::span<const uint8_t> apdu, const KeyTable& keys,
                                  const ApTitle& base = DefaultApTitleBase());

}  // namespace meterd::codec::c1222
