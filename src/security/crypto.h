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

// Ed25519 (RFC 8032) for commands to meters. Keys and signatures are hex: a private key is its
// 32-byte seed, a public key 32 bytes, a signature 64 bytes.
struct Ed25519Key {
  std::string private_hex;
  std::string public_hex;
  std::string key_id;  // first 8 bytes of SHA-256(public key), hex: names the key in messages
};
core::Result<Ed25519Key> NewEd25519Key();
core::Result<Ed25519Key> Ed25519KeyFromPrivate(std::string_view private_hex);
std::string Ed25519KeyId(std::string_view public_hex);
core::Result<std::string> Ed25519Sign(const Ed25519Key& key, std::string_view message);
bool Ed25519Verify(std::string_view public_hex, std::string_view message, std::string_view signature_hex);

}  // namespace meterd::security
