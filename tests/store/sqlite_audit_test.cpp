// SPDX-License-Identifier: Apache-2.0
// SQLite store audit log: a linear chain under concurrent appends, append-only triggers,
// filters, and tampering with the file found by verification.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>
#include <vector>

#include "security/audit.h"
#include "store_fixture.h"

namespace meterd::store {
namespace {

using security::AuditEntry;
using testing::StoreTest;
using testing::T;

class AuditStoreTest : public StoreTest {
 protected:
  AuditEntry Append(std::string actor, std::string action, std::string target = "device:D1",
                    const char* at = "2026-11-21T10:00:00Z") {
    AuditEntry e;
    e.at = T(at);
    e.actor = std::move(actor);
    e.action = std::move(action);
    e.target = std::move(target);
    e.detail = R"({"k":"v"})";
    e.remote = "192.0.2.7";
    auto r = store_->AppendAudit(e, security::AuditHash);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : AuditEntry{};
  }
  std::vector<AuditEntry> All() {
    auto r = store_->AuditRange(1, 10000);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? *r : std::vector<AuditEntry>{};
  }
  // Runs SQL on the file through a second connection; returns the SQLite result code.
  int RawSql(const std::string& sql, std::string* error = nullptr) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(dir_.File("meterd.db").c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    if (error && message) *error = message;
    sqlite3_free(message);
    sqlite3_close(db);
    return rc;
  }
};

TEST_F(AuditStoreTest, AppendAssignsSeqAndLinksTheChain) {
  AuditEntry a = Append("admin", "auth.login");
  AuditEntry b = Append("admin", "command.create");
  EXPECT_EQ(a.seq, 1);
  EXPECT_EQ(a.prev_hash, security::kAuditGenesis);
  EXPECT_EQ(b.seq, 2);
  EXPECT_EQ(b.prev_hash, a.hash);
  EXPECT_EQ(b.hash, security::AuditHash(b));
  auto all = All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].hash, b.hash);
  EXPECT_EQ(all[1].remote, "192.0.2.7");
  EXPECT_FALSE(security::VerifyAuditChain(all));
  // Survives reopening.
  Reopen();
  EXPECT_EQ(Append("system", "x").prev_hash, b.hash);
}

TEST_F(AuditStoreTest, ConcurrentAppendsFormOneLinearChain) {
  constexpr int kThreads = 6, kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditEntry e;
        e.at = T("2026-11-21T10:00:00Z");
        e.actor = "user" + std::to_string(t);
        e.action = "test.append";
        e.detail = std::to_string(i);
        EXPECT_TRUE(store_->AppendAudit(e, security::AuditHash));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto all = All();
  ASSERT_EQ(all.size(), size_t{kThreads * kEach});
  EXPECT_EQ(all.back().seq, kThreads * kEach);
  auto finding = security::VerifyAuditChain(all);
  EXPECT_FALSE(finding) << finding->seq << ": " << finding->reason;
}

TEST_F(AuditStoreTest, ListFiltersNewestFirstAndRangePages) {
  Append("admin", "auth.login", "", "2026-11-21T10:00:00Z");
  Append("bob", "auth.login_failed", "", "2026-11-21T11:00:00Z");
  Append("admin", "command.create", "device:D000001", "2026-11-21T12:00:00Z");
  Append("admin", "command.create", "device:D000002", "2026-11-21T13:00:00Z");

  auto all = store_->ListAudit({});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 4);
  ASSERT_EQ(all->items.size(), 4u);
  EXPECT_EQ(all->items[0].seq, 4);
  EXPECT_EQ(all->items[3].seq, 1);

  AuditFilter f;
  f.actor = "admin";
  f.action = "command.create";
  f.target = "D000001";
  auto one = store_->ListAudit(f);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->total, 1);
  EXPECT_EQ(one->items[0].seq, 3);

  AuditFilter when;
  when.from = T("2026-11-21T11:00:00Z");
  when.to = T("2026-11-21T13:00:00Z");
  when.page.limit = 1;
  auto page = store_->ListAudit(when);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].seq, 3);

  AuditFilter like;
  like.target = "%";  // a substring, not a LIKE pattern
  EXPECT_EQ(store_->ListAudit(like)->total, 0);

  auto range = store_->AuditRange(2, 2);
  ASSERT_TRUE(range);
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].seq, 2);
  EXPECT_EQ((*range)[1].seq, 3);
}

TEST_F(AuditStoreTest, UpdateAndDeleteAreRefused) {
  Append("admin", "auth.login");
  std::string error;
  EXPECT_NE(RawSql("UPDATE audit_log SET detail = 'x' WHERE seq = 1", &error), SQLITE_OK);
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  error.clear();
  EXPECT_NE(RawSql("DELETE FROM audit_log WHERE seq = 1", &error), SQLITE_OK);
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(AuditStoreTest, TamperingWithTheFileIsFoundAtTheEntry) {
  for (int i = 0; i < 8; ++i) Append(i % 2 ? "admin" : "bob", "auth.login");
  ASSERT_EQ(RawSql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"), SQLITE_OK);

  ASSERT_EQ(RawSql("UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 5"), SQLITE_OK);
  auto finding = security::VerifyAuditChain(All());
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 5) << finding->reason;

  // Verification in pages over AuditRange finds the same entry.
  std::string prev = security::kAuditGenesis;
  int64_t seq = 1;
  std::optional<security::AuditFinding> paged;
  for (;;) {
    auto page = store_->AuditRange(seq, 3);
    ASSERT_TRUE(page);
    if (page->empty()) break;
    if ((paged = security::VerifyAuditChain(*page, prev, seq))) break;
    prev = page->back().hash;
    seq = page->back().seq + 1;
  }
  ASSERT_TRUE(paged);
  EXPECT_EQ(paged->seq, 5);

  // The newest-first listing shows the edited content; its hash no longer matches.
  auto listed = store_->ListAudit({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->items[3].detail, "nothing to see");

  // A deleted entry is named too.
  ASSERT_EQ(RawSql("DELETE FROM audit_log WHERE seq = 3"), SQLITE_OK);
  finding = security::VerifyAuditChain(All());
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->seq, 3) << finding->reason;
}

}  // namespace
}  // namespace meterd::store
