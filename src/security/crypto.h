// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

// Small, audited building blocks over OpenSSL 3. Nothing here logs or keeps secrets.
namespace meterd::security {

std::string Sha256Hex(std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// `bytes` random bytes from the OS CSPRNG, hex-encoded (2*bytes characters).
std::string RandomHex(size_t bytes);
// A password people can type: `length` characters from an unambiguous alphabet.
std::string RandomPassword(size_t length);
// Compares without leaking where the first difference is.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Passwords are hashed with scrypt (memory-hard, N=2^15, r=8, p=1, 32 MiB) and a 16-byte salt:
// "scrypt$15$8$1$<salt hex>$<hash hex>".
core::Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view password, std::string_view encoded);

// A device's bearer token when it was provisioned from the fleet enrolment key:
// hex(HMAC-SHA256(key, "meterd-device-token:" + device_id)). A factory can give each device
// its own token without the head-end storing any of them in clear.
std::string DeviceTokenFromEnrolmentKey(std::string_view key, std::string_view device_id);

}  // namespace meterd::security
