// SPDX-License-Identifier: Apache-2.0
#include "codec/c1222/eax_prime.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace meterd::codec::c1222 {

using core::Fail;
using core::Result;

namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// Runs `cipher` (no padding) over `data` in place with `iv` (may be null for ECB).
Result<void> Run(const EVP_CIPHER* cipher, const AesKey& key, const uint8_t* iv, std::span<uint8_t> data) {
  Ctx ctx(EVP_CIPHER_CTX_new());
  int out_len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return Fail(core::Error::Internal("c1222: OpenSSL could not set up AES-128"));
  }
  if (!data.empty() &&
      EVP_EncryptUpdate(ctx.get(), data.data(), &out_len, data.data(), static_cast<int>(data.size())) != 1) {
    return Fail(core::Error::Internal("c1222: OpenSSL AES-128 failed"));
  }
  return {};
}

Mac LowFour(const EaxPrime::Block& b) { return {b[12], b[13], b[14], b[15]}; }

}  // namespace

EaxPrime::Block EaxPrime::Dbl(const Block& in) {
  Block out{};
  uint8_t carry = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    out[i] = static_cast<uint8_t>(in[i] << 1 | carry);
    carry = in[i] >> 7;
  }
  if (carry) out[0] ^= 0x87;
  return out;
}

Result<EaxPrime> EaxPrime::Create(const AesKey& key) {
  EaxPrime eax(key);
  Block l{};
  if (auto r = Run(EVP_aes_128_ecb(), key, nullptr, l); !r) return Fail(r.error());
  eax.d_ = Dbl(l);
  eax.q_ = Dbl(eax.d_);
  return eax;
}

Result<EaxPrime::Block> EaxPrime::CmacPrime(const Block& iv, std::span<const uint8_t> first,
                                            std::span<const uint8_t> second) const {
  const size_t total = first.size() + second.size();
  const bool whole = total != 0 && total % 16 == 0;
  std::vector<uint8_t> work(whole ? total : (total / 16 + 1) * 16, 0);
  std::copy(first.begin(), first.end(), work.begin());
  std::copy(second.begin(), second.end(), work.begin() + static_cast<std::ptrdiff_t>(first.size()));
  if (!whole) work[total] = 0x80;
  const Block& tweak = whole ? d_ : q_;
  uint8_t* last = work.data() + work.size() - 16;
  for (size_t i = 0; i < 16; ++i) last[i] ^= tweak[i];
  if (auto r = Run(EVP_aes_128_cbc(), key_, iv.data(), work); !r) return Fail(r.error());
  Block out;
  std::copy(last, last + 16, out.begin());
  return out;
}

Result<void> EaxPrime::Ctr(const Block& n_prime, std::span<uint8_t> data) const {
  Block counter = n_prime;
  counter[12] &= 0x7F;
  counter[14] &= 0x7F;
  return Run(EVP_aes_128_ctr(), key_, counter.data(), data);
}

Result<Mac> EaxPrime::Authenticate(std::span<const uint8_t> header, std::span<const uint8_t> body) const {
  auto tag = CmacPrime(d_, header, body);
  if (!tag) return Fail(tag.error());
  return LowFour(*tag);
}

Result<bool> EaxPrime::Verify(std::span<const uint8_t> header, std::span<const uint8_t> body, const Mac& mac) const {
  auto expected = Authenticate(header, body);
  if (!expected) return Fail(expected.error());
  return CRYPTO_memcmp(expected->data(), mac.data(), mac.size()) == 0;
}

Result<Mac> EaxPrime::Encrypt(std::span<const uint8_t> header, std::span<uint8_t> data) const {
  auto n_prime = CmacPrime(d_, header, {});
  if (!n_prime) return Fail(n_prime.error());
  if (data.empty()) return LowFour(*n_prime);
  if (auto r = Ctr(*n_prime, data); !r) return Fail(r.error());
  auto c_prime = CmacPrime(q_, data, {});
  if (!c_prime) return Fail(c_prime.error());
  Block tag;
  for (size_t i = 0; i < 16; ++i) tag[i] = (*n_prime)[i] ^ (*c_prime)[i];
  return LowFour(tag);
}

Result<bool> EaxPrime::Decrypt(std::span<const uint8_t> header, std::span<uint8_t> data, const Mac& mac) const {
  auto n_prime = CmacPrime(d_, header, {});
  if (!n_prime) return Fail(n_prime.error());
  Block tag = *n_prime;
  if (!data.empty()) {
    auto c_prime = CmacPrime(q_, data, {});
    if (!c_prime) return Fail(c_prime.error());
    for (size_t i = 0; i < 16; ++i) tag[i] ^= (*c_prime)[i];
  }
  const Mac expected = LowFour(tag);
  if (CRYPTO_memcmp(expected.data(), mac.data(), mac.size()) != 0) return false;
  if (auto r = Ctr(*n_prime, data); !r) return Fail(r.error());
  return true;
}

}  // namespace meterd::codec::c1222
