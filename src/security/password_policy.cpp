// SPDX-License-Identifier: Apache-2.0
#include "security/password_policy.h"

#include <fmt/format.h>
#include <openssl/rand.h>

namespace meterd::security {

core::Result<void> CheckNewPassword(std::string_view user, std::string_view password, std::string field) {
  if (password.size() < kMinPasswordBytes) {
    return core::Fail(core::Error::Invalid(fmt::format("password must be at least {} characters", kMinPasswordBytes), field));
  }
  if (password.size() > kMaxPasswordBytes) {
    return core::Fail(core::Error::Invalid(fmt::format("password must be at most {} bytes", kMaxPasswordBytes), field));
  }
  if (password == user) return core::Fail(core::Error::Invalid("password must not be the user name", field));
  return {};
}

core::Result<void> CheckUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                c == '@' || c == '-');
  }
  if (!ok) return core::Fail(core::Error::Invalid("name must be 1 to 64 of A-Z a-z 0-9 . _ @ -", "name"));
  return {};
}

std::string GeneratePassword() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY345679";
  std::string out;
  while (out.size() < 16) {
    unsigned char b[32];
    if (RAND_bytes(b, sizeof b) != 1) std::abort();  // no randomness: nothing safe to do
    for (unsigned char c : b) {
      // Rejection sampling keeps every character equally likely.
      if (c < 256 - 256 % kAlphabet.size() && out.size() < 16) out += kAlphabet[c % kAlphabet.size()];
    }
  }
  return out;
}

}  // namespace meterd::security
