// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>

#include "core/error.h"

// EAX' ("EAX prime"), the AES-128 authenticated-encryption mode of ANSI C12.22 / IEEE 1703
// (submitted to NIST by Moise, Beroset, Phinney and Burns, 2011), with a 4-byte MAC:
//
//   L = AES_K(0^128), D = dbl(L), Q = dbl(D)
//   N' = CMAC'_D(N)   (N: the canonified cleartext header, security.h)
//   mode 2: C' = CMAC'_Q(C); MAC = low 4 bytes of N' xor C'; C = CTR_K(N' with bit 7 of bytes
//           12 and 14 cleared) xor P  (for an empty C the MAC is the low 4 bytes of N')
//   mode 1: MAC = low 4 bytes of CMAC'_D(N || P)  (P authenticated, not encrypted)
//
// CMAC'_X(M) is CBC-MAC with initial value X over M whose last block is XORed with D if it is
// whole, or padded with 0x80 0x00... and XORed with Q. dbl() here shifts the 16 bytes as one
// little-endian number (byte i's top bit carries into byte i+1) and XORs 0x87 into byte 0 when
// byte 15's top bit falls out: this, not the big-endian doubling of NIST CMAC, is what
// reproduces the standard's Example 8 (docs/formats/c1222.md). AES itself is OpenSSL's.
namespace meterd::codec::c1222 {

using AesKey = std::array<uint8_t, 16>;
using Mac = std::array<uint8_t, 4>;

// Key id (the calling-authentication-value's key-id, 0 when absent) -> AES-128 key.
class KeyTable {
 public:
  void Set(uint8_t key_id, const AesKey& key) { keys_[key_id] = key; }
  const AesKey* Find(uint8_t key_id) const {
    auto it = keys_.find(key_id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  bool empty() const { return keys_.empty(); }

 private:
  std::map<uint8_t, AesKey> keys_;
};

// One key's EAX' state. Immutable after Create; safe to share between threads.
class EaxPrime {
 public:
  using Block = std::array<uint8_t, 16>;

  // kInternal if OpenSSL cannot run AES (never expected).
  static core::Result<EaxPrime> Create(const AesKey& key);

  // Mode 1 (cleartext with authentication): the MAC of `header` followed by `body`.
  core::Result<Mac> Authenticate(std::span<const uint8_t> header, std::span<const uint8_t> body) const;

  // Mode 1: whether `mac` is the MAC of `header` followed by `body` (compared in constant time).
  core::Result<bool> Verify(std::span<const uint8_t> header, std::span<const uint8_t> body, const Mac& mac) const;

  // Mode 2 (ciphertext with authentication): encrypts `data` in place and returns its MAC.
  core::Result<Mac> Encrypt(std::span<const uint8_t> header, std::span<uint8_t> data) const;

  // Mode 2: checks `mac` over the ciphertext `data`, then decrypts it in place. Returns false,
  // leaving `data` as it was, if the MAC does not match.
  core::Result<bool> Decrypt(std::span<const uint8_t> header, std::span<uint8_t> data, const Mac& mac) const;

  // The doubling used for D and Q (exposed for tests).
  static Block Dbl(const Block& in);

 private:
  explicit EaxPrime(const AesKey& key) : key_(key) {}

  core::Result<Block> CmacPrime(const Block& iv, std::span<const uint8_t> first, std::span<const uint8_t> second) const;
  core::Result<void> Ctr(const Block& n_prime, std::span<uint8_t> data) const;

  AesKey key_;
  Block d_{};
  Block q_{};
};

}  // namespace meterd::codec::c1222
