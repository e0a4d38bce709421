// SPDX-License-Identifier: Apache-2.0
#include "apps/tls_cert.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace meterd::apps {
namespace {

template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, decltype([](T* p) { Free(p); })>;

core::Error Fail(std::string what) { return core::Error::Internal(std::move(what)); }

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Opens `path` for writing only if it does not exist yet, with `mode`.
FILE* CreateExclusive(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) return nullptr;
  return ::fdopen(fd, "w");
}

}  // namespace

core::Result<void> MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                             const std::vector<std::string>& names, int days) {
  if (names.empty()) return core::Fail(core::Error::Invalid("give at least one name or address", "names"));
  if (days < 1 || days > 3650) return core::Fail(core::Error::Invalid("days must be 1..3650", "days"));
  Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_EC_gen("P-256"));
  if (!key) return core::Fail(Fail("cannot make an EC key"));
  Owned<X509, X509_free> cert(X509_new());
  if (!cert) return core::Fail(Fail("cannot make a certificate"));
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  Owned<BIGNUM, BN_free> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("meterd"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san;
  for (const auto& n : names) {
    if (n.empty() || n.find_first_of(", \t\r\n") != std::string::npos) {
      return core::Fail(core::Error::Invalid(fmt::format("'{}' is not a host name or address", n), "names"));
    }
    if (!san.empty()) san += ",";
    san += (IsIp(n) ? "IP:" : "DNS:") + n;
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san}, std::pair{NID_basic_constraints, std::string("critical,CA:TRUE,pathlen:0")},
                            std::pair{NID_key_usage, std::string("critical,digitalSignature,keyCertSign")},
                            std::pair{NID_ext_key_usage, std::string("serverAuth")}}) {
    Owned<X509_EXTENSION, X509_EXTENSION_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || !X509_add_ext(cert.get(), ext.get(), -1)) return core::Fail(Fail(fmt::format("bad extension {}", value)));
  }
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return core::Fail(Fail("cannot sign the certificate"));

  FILE* kf = CreateExclusive(key_path, 0600);
  if (!kf) return core::Fail(core::Error::Invalid(fmt::format("cannot create {} (does it exist already?)", key_path), "key"));
  bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(kf);
  if (!key_ok) return core::Fail(Fail(fmt::format("cannot write {}", key_path)));
  FILE* cf = CreateExclusive(cert_path, 0644);
  if (!cf) return core::Fail(core::Error::Invalid(fmt::format("cannot create {} (does it exist already?)", cert_path), "cert"));
  bool cert_ok = PEM_write_X509(cf, cert.get()) == 1;
  std::fclose(cf);
  if (!cert_ok) return core::Fail(Fail(fmt::format("cannot write {}", cert_path)));
  return {};
}

}  // namespace meterd::apps
