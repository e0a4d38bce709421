// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace meterd::core {

// One entry of the tamper-evident audit log (docs/security.md, "Audit log"). Plain data: the
// chain's hashing and verification are in security/audit.h, the storage in store/.
struct AuditEntry {
  int64_t seq = 0;        // 1, 2, 3, ... with no gaps; assigned by the store
  Instant at;
  std::string actor;      // user name, "device:<id>", or "system"
  std::string action;     // e.g. "auth.login", "auth.login_failed", "auth.logout", "command.create"
  std::string target;     // what it acted on, e.g. "device:D000001", "command:17"
  std::string detail;     // JSON or text; never a secret
  std::string remote;     // peer address
  std::string prev_hash;  // hash of entry seq-1; kAuditGenesis for seq 1
  std::string hash;       // security::AuditHash(*this)
};

// prev_hash of the first entry: 64 '0'.
inline const std::string kAuditGenesis(64, '0');

}  // namespace meterd::core
