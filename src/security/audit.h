// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/time.h"

// The tamper-evident audit log's entry and its hash chain (docs/security.md, "Audit log").
// Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
// reordering any stored entry breaks the chain at that entry. Pure functions; no storage here.
namespace meterd::security {

struct AuditEntry {
  int64_t seq = 0;        // 1, 2, 3, ... with no gaps; assigned by the store
  core::Instant at;
  std::string actor;      // user name, "device:<id>", or "system"
  std::string action;     // e.g. "auth.login", "auth.login_failed", "auth.logout", "command.create"
  std::string target;     // what it acted on, e.g. "device:D000001", "command:17"
  std::string detail;     // JSON or text; never a secret
  std::string remote;     // peer address
  std::string prev_hash;  // hash of entry seq-1; kAuditGenesis for seq 1
  std::string hash;       // AuditHash(*this)
};

// prev_hash of the first entry: 64 '0'.
inline const std::string kAuditGenesis(64, '0');

// An unambiguous byte encoding of every field except `hash`: fields in a fixed order, each as
// "<decimal length>:<bytes>;", seq and at (unix seconds) as decimal. No two different entries
// encode alike, whatever bytes their strings hold.
std::string AuditCanonical(const AuditEntry& entry);
// Hex SHA-256 of prev_hash + AuditCanonical(entry).
std::string AuditHash(const AuditEntry& entry);

struct AuditFinding {
  int64_t seq;         // the first entry that breaks the chain (the seq expected there if missing)
  std::string reason;
};

// Checks entries given oldest first: each must have the next seq (starting at expected_seq),
// carry the previous entry's hash (expected_prev for the first one) and hash to its own `hash`.
// Returns the first entry that fails, or nullopt. To verify in pages, pass the last entry's
// hash and seq+1 of the previous page as expected_prev and expected_seq.
std::optional<AuditFinding> VerifyAuditChain(std::span<const AuditEntry> entries,
                                             const std::string& expected_prev = kAuditGenesis,
                                             int64_t expected_seq = 1);

}  // namespace meterd::security
