// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/time.h"

namespace meterd::security {

// Slows down password guessing: a user name with `max_user_failures` failed logins in a row is
// locked for `lock`, and an address with `max_address_failures` failures within `window` is
// refused until they age out. Unknown names are treated like known ones, so a lock reveals
// nothing about which accounts exist. In memory: a restart forgets, which only helps an
// attacker who can restart the server. Thread-safe.
class LoginGuard {
 public:
  struct Options {
    int max_user_failures = 5;
    int max_address_failures = 20;
    core::Seconds window{15 * 60};
    core::Seconds lock{15 * 60};
  };
  LoginGuard() = default;
  explicit LoginGuard(Options options) : options_(options) {}

  // Zero when a login may be tried now, else how long to wait.
  core::Seconds RetryAfter(const std::string& user, const std::string& address, core::Instant now);
  void Failed(const std::string& user, const std::string& address, core::Instant now);
  void Succeeded(const std::string& user);

 private:
  struct Counter {
    int failures = 0;
    core::Instant first;         // start of the current window
    core::Instant locked_until;  // zero: not locked
  };
  Options options_;
  std::mutex mu_;
  std::map<std::string, Counter> users_;      // GUARDED_BY(mu_)
  std::map<std::string, Counter> addresses_;  // GUARDED_BY(mu_)
};

}  // namespace meterd::security
