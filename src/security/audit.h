// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/audit_entry.h"

// The tamper-evident audit log's entry and its hash chain (docs/security.md, "Audit log").
// Each entry's hash covers its content and the previous entry's hash, so editing, deleting or
// reordering any stored entry breaks the chain at that entry. Pure functions; no storage here.
namespace meterd::security {

// The entry is plain data in core/, so the store can keep it without depending on this layer.
using AuditEntry = core::AuditEntry;
using core::kAuditGenesis;

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
