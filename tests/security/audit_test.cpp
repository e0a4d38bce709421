// SPDX-License-Identifier: Apache-2.0
// The audit log's hash chain: canonical encoding, hashing and verification (whole and paged).
#include "security/audit.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace meterd::security {
namespace {

// A valid chain of n entries, linked as the store links them.
std::vector<AuditEntry> Chain(int n) {
  std::vector<AuditEntry> out;
  std::string prev = kAuditGenesis;
  for (int i = 1; i <= n; ++i) {
    AuditEntry e;
    e.seq = i;
    e.at = core::FromUnixSeconds(1'800'000'000 + i);
    e.actor = i % 2 ? "admin" : "device:D00000" + std::to_string(i);
    e.action = i % 3 ? "auth.login" : "command.create";
    e.target = "device:D" + std::to_string(i);
    e.detail = R"({"type":"set_output","argument":1})";
    e.remote = "10.0.0." + std::to_string(i);
    e.prev_hash = prev;
    e.hash = AuditHash(e);
    prev = e.hash;
    out.push_back(e);
  }
  return out;
}

TEST(AuditChain, AValidChainVerifies) {
  auto chain = Chain(20);
  EXPECT_FALSE(VerifyAuditChain(chain));
  EXPECT_FALSE(VerifyAuditChain({}));
  EXPECT_EQ(chain[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(chain[0].hash.size(), 64u);
}

TEST(AuditChain, CanonicalEncodingIsUnambiguous) {
  AuditEntry a = Chain(1)[0], b = a;
  a.actor = "ab";
  a.action = "c";
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(AuditCanonical(a), AuditCanonical(b));
  EXPECT_NE(AuditHash(a), AuditHash(b));
  // The hash is not part of the canonical form.
  b = a;
  b.hash = "x";
  EXPECT_EQ(AuditCanonical(a), AuditCanonical(b));
}

TEST(AuditChain, EditingAnyFieldIsFoundAtThatEntry) {
  using Edit = void (*)(AuditEntry&);
  const std::pair<const char*, Edit> edits[] = {
      {"seq", [](AuditEntry& e) { e.seq += 100; }},
      {"at", [](AuditEntry& e) { e.at += core::Seconds{1}; }},
      {"actor", [](AuditEntry& e) { e.actor = "mallory"; }},
      {"action", [](AuditEntry& e) { e.action = "auth.logout"; }},
      {"target", [](AuditEntry& e) { e.target += "x"; }},
      {"detail", [](AuditEntry& e) { e.detail = "{}"; }},
      {"remote", [](AuditEntry& e) { e.remote = "127.0.0.1"; }},
      {"prev_hash", [](AuditEntry& e) { e.prev_hash[0] = e.prev_hash[0] == 'a' ? 'b' : 'a'; }},
      {"hash", [](AuditEntry& e) { e.hash[5] = e.hash[5] == 'a' ? 'b' : 'a'; }},
  };
  for (const auto& [name, edit] : edits) {
    for (int at : {0, 6, 9}) {
      auto chain = Chain(10);
      edit(chain[at]);
      auto finding = VerifyAuditChain(chain);
      ASSERT_TRUE(finding) << name << " at " << at;
      EXPECT_EQ(finding->seq, at + 1) << name << ": " << finding->reason;
    }
  }
}

TEST(AuditChain, RewritingAnEntryWithAFreshHashIsFoundAtTheNext) {
  auto chain = Chain(10);
  chain[4].detail = "forged";
  chain[4].hash = AuditHash(chain[4]);
  auto finding = VerifyAuditChain(chain);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 6) << finding->reason;
}

TEST(AuditChain, DeletingAnEntryIsFoundAtItsSeq) {
  for (int at : {0, 4, 9}) {
    auto chain = Chain(10);
    chain.erase(chain.begin() + at);
    auto finding = VerifyAuditChain(chain);
    if (at == 9) {
      // The newest entry gone leaves a valid (shorter) chain: see docs/security.md, limits.
      EXPECT_FALSE(finding);
      continue;
    }
    ASSERT_TRUE(finding) << at;
    EXPECT_EQ(finding->seq, at + 1) << finding->reason;
  }
}

TEST(AuditChain, DeletingAndRenumberingIsFoundWhereTheLinkBreaks) {
  auto chain = Chain(10);
  chain.erase(chain.begin() + 3);
  for (size_t i = 3; i < chain.size(); ++i) chain[i].seq -= 1;
  auto finding = VerifyAuditChain(chain);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 4) << finding->reason;
}

TEST(AuditChain, SwappingTwoEntriesIsFoundAtTheFirst) {
  auto chain = Chain(10);
  std::swap(chain[3], chain[6]);
  auto finding = VerifyAuditChain(chain);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 4) << finding->reason;
  // Swapped contents under the original numbers.
  chain = Chain(10);
  std::swap(chain[3], chain[4]);
  std::swap(chain[3].seq, chain[4].seq);
  finding = VerifyAuditChain(chain);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 4) << finding->reason;
}

// Verifies in pages of `page`, carrying the last hash and seq across calls.
std::optional<AuditFinding> VerifyPaged(std::span<const AuditEntry> all, size_t page) {
  std::string prev = kAuditGenesis;
  int64_t seq = 1;
  for (size_t i = 0; i < all.size(); i += page) {
    auto part = all.subspan(i, std::min(page, all.size() - i));
    if (auto f = VerifyAuditChain(part, prev, seq)) return f;
    prev = part.back().hash;
    seq = part.back().seq + 1;
  }
  return std::nullopt;
}

TEST(AuditChain, PagedVerificationEqualsWholeVerification) {
  auto whole = Chain(37);
  std::vector<std::vector<AuditEntry>> cases = {whole};
  for (int at : {0, 9, 10, 11, 36}) {
    auto c = whole;
    c[at].actor = "x";
    cases.push_back(c);
    c = whole;
    c.erase(c.begin() + at);
    cases.push_back(c);
  }
  for (const auto& c : cases) {
    auto expected = VerifyAuditChain(c);
    for (size_t page : {1, 3, 10, 36, 100}) {
      auto got = VerifyPaged(c, page);
      ASSERT_EQ(got.has_value(), expected.has_value()) << page;
      if (got) {
        EXPECT_EQ(got->seq, expected->seq) << page;
        EXPECT_EQ(got->reason, expected->reason) << page;
      }
    }
  }
}

}  // namespace
}  // namespace meterd::security
