// SPDX-License-Identifier: Apache-2.0
#include "security/crypto.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <vector>

namespace meterd::security {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

bool Unhex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = hex[2 * i + k];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}

constexpr uint64_t kScryptLogN = 15, kScryptR = 8, kScryptP = 1;

bool Scrypt(std::string_view password, const unsigned char* salt, size_t salt_len, uint64_t log_n, uint64_t r,
            uint64_t p, unsigned char* out, size_t out_len) {
  uint64_t n = uint64_t{1} << log_n;
  uint64_t max_mem = 128 * r * (n + p + 2) + (1 << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt, salt_len, n, r, p, max_mem, out, out_len) == 1;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return Hex(digest.data(), digest.size());
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac.data(), &len);
  return Hex(mac.data(), len);
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) std::abort();  // no entropy: cannot go on safely
  return Hex(buf.data(), buf.size());
}

std::string RandomPassword(size_t length) {
  static constexpr std::string_view kAlphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  while (out.size() < length) {
    unsigned char b = 0;
    if (RAND_bytes(&b, 1) != 1) std::abort();
    if (b < 256 - 256 % kAlphabet.size()) out += kAlphabet[b % kAlphabet.size()];  // no modulo bias
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

core::Result<std::string> HashPassword(std::string_view password) {
  std::array<unsigned char, 16> salt{};
  if (RAND_bytes(salt.data(), salt.size()) != 1) return core::Fail(core::Error::Internal("no entropy for a salt"));
  std::array<unsigned char, 32> hash{};
  if (!Scrypt(password, salt.data(), salt.size(), kScryptLogN, kScryptR, kScryptP, hash.data(), hash.size())) {
    return core::Fail(core::Error::Internal("scrypt failed"));
  }
  return fmt::format("scrypt${}${}${}${}${}", kScryptLogN, kScryptR, kScryptP, Hex(salt.data(), salt.size()),
                     Hex(hash.data(), hash.size()));
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= encoded.size(); ++i) {
    if (i == encoded.size() || encoded[i] == '$') {
      parts.push_back(encoded.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  auto num = [](std::string_view s, uint64_t lo, uint64_t hi, uint64_t& out) {
    uint64_t v = 0;
    if (s.empty() || s.size() > 3) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return v >= lo && v <= hi;
  };
  uint64_t log_n, r, p;
  if (!num(parts[1], 10, 20, log_n) || !num(parts[2], 1, 16, r) || !num(parts[3], 1, 4, p)) return false;
  std::vector<unsigned char> salt, want;
  if (!Unhex(parts[4], salt) || !Unhex(parts[5], want) || want.empty() || want.size() > 64) return false;
  std::vector<unsigned char> got(want.size());
  if (!Scrypt(password, salt.data(), salt.size(), log_n, r, p, got.data(), got.size())) return false;
  return CRYPTO_memcmp(got.data(), want.data(), got.size()) == 0;
}

std::string DeviceTokenFromEnrolmentKey(std::string_view key, std::string_view device_id) {
  std::string data = "meterd-device-token:";
  data += device_id;
  return HmacSha256Hex(key, data);
}

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string Ed25519KeyId(std::string_view public_hex) {
  std::vector<unsigned char> pub;
  if (!Unhex(public_hex, pub)) return {};
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(pub.data(), pub.size(), digest.data());
  return Hex(digest.data(), 8);
}

core::Result<Ed25519Key> Ed25519KeyFromPrivate(std::string_view private_hex) {
  std::vector<unsigned char> seed;
  if (!Unhex(private_hex, seed) || seed.size() != 32) {
    return core::Fail(core::Error::Invalid("an Ed25519 private key is 64 hex digits"));
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  OPENSSL_cleanse(seed.data(), seed.size());
  if (!pkey) return core::Fail(core::Error::Internal("cannot load the Ed25519 key"));
  std::array<unsigned char, 32> pub{};
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &len) != 1 || len != 32) {
    return core::Fail(core::Error::Internal("cannot derive the Ed25519 public key"));
  }
  Ed25519Key key;
  key.private_hex = std::string(private_hex);
  key.public_hex = Hex(pub.data(), pub.size());
  key.key_id = Ed25519KeyId(key.public_hex);
  return key;
}

core::Result<Ed25519Key> NewEd25519Key() { return Ed25519KeyFromPrivate(RandomHex(32)); }

core::Result<std::string> Ed25519Sign(const Ed25519Key& key, std::string_view message) {
  std::vector<unsigned char> seed;
  if (!Unhex(key.private_hex, seed) || seed.size() != 32) return core::Fail(core::Error::Invalid("bad Ed25519 private key"));
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  OPENSSL_cleanse(seed.data(), seed.size());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return core::Fail(core::Error::Internal("cannot start an Ed25519 signature"));
  }
  std::array<unsigned char, 64> sig{};
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return core::Fail(core::Error::Internal("Ed25519 signing failed"));
  }
  return Hex(sig.data(), len);
}

bool Ed25519Verify(std::string_view public_hex, std::string_view message, std::string_view signature_hex) {
  std::vector<unsigned char> pub, sig;
  if (!Unhex(public_hex, pub) || pub.size() != 32 || !Unhex(signature_hex, sig) || sig.size() != 64) return false;
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace meterd::security
