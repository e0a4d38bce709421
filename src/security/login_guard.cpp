// SPDX-License-Identifier: Apache-2.0
#include "security/login_guard.h"

#include <algorithm>

namespace meterd::security {

core::Seconds LoginGuard::RetryAfter(const std::string& user, const std::string& address, core::Instant now) {
  std::lock_guard lock(mu_);
  core::Seconds wait{0};
  for (auto* map : {&users_, &addresses_}) {
    const std::string& key = map == &users_ ? user : address;
    auto it = map->find(key);
    if (it != map->end() && it->second.locked_until > now) wait = std::max(wait, it->second.locked_until - now);
  }
  return wait;
}

void LoginGuard::Failed(const std::string& user, const std::string& address, core::Instant now) {
  std::lock_guard lock(mu_);
  auto count = [&](std::map<std::string, Counter>& map, const std::string& key, int limit) {
    Counter& c = map[key];
    if (c.failures == 0 || now - c.first > options_.window) {
      c.failures = 0;
      c.first = now;
    }
    if (++c.failures >= limit) {
      c.locked_until = now + options_.lock;
      c.failures = 0;
    }
  };
  count(users_, user, options_.max_user_failures);
  count(addresses_, address, options_.max_address_failures);
  // Forget stale entries now and then so a flood of names cannot grow memory without bound.
  if (users_.size() > 100000 || addresses_.size() > 100000) {
    for (auto* map : {&users_, &addresses_}) {
      std::erase_if(*map, [&](const auto& kv) {
        return kv.second.locked_until <= now && now - kv.second.first > options_.window;
      });
    }
  }
}

void LoginGuard::Succeeded(const std::string& user) {
  std::lock_guard lock(mu_);
  users_.erase(user);
}

}  // namespace meterd::security
