// SPDX-License-Identifier: Apache-2.0
#include "security/audit.h"

#include <fmt/format.h>

#include "security/crypto.h"

namespace meterd::security {
namespace {

void Field(std::string& out, std::string_view value) {
  out += fmt::format("{}:", value.size());
  out += value;
  out += ';';
}

}  // namespace

std::string AuditCanonical(const AuditEntry& e) {
  std::string out = "meterd-audit-v1;";  // a version tag, so a later encoding cannot collide
  Field(out, fmt::format("{}", e.seq));
  Field(out, fmt::format("{}", core::ToUnixSeconds(e.at)));
  Field(out, e.actor);
  Field(out, e.action);
  Field(out, e.target);
  Field(out, e.detail);
  Field(out, e.remote);
  Field(out, e.prev_hash);
  return out;
}

std::string AuditHash(const AuditEntry& e) { return Sha256Hex(e.prev_hash + AuditCanonical(e)); }

std::optional<AuditFinding> VerifyAuditChain(std::span<const AuditEntry> entries, const std::string& expected_prev,
                                             int64_t expected_seq) {
  std::string prev = expected_prev;
  int64_t seq = expected_seq;
  for (const AuditEntry& e : entries) {
    if (e.seq != seq) {
      // A gap means entries were deleted; a smaller number means they were reordered.
      return AuditFinding{seq, e.seq > seq ? fmt::format("entry {} is missing (next stored entry is {})", seq, e.seq)
                                           : fmt::format("entry {} is out of order (expected {})", e.seq, seq)};
    }
    if (e.prev_hash != prev) {
      return AuditFinding{e.seq, "prev_hash does not match the previous entry's hash"};
    }
    if (AuditHash(e) != e.hash) {
      return AuditFinding{e.seq, "hash does not match the entry's content (edited)"};
    }
    prev = e.hash;
    ++seq;
  }
  return std::nullopt;
}

}  // namespace meterd::security
