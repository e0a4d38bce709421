// SPDX-License-Identifier: Apache-2.0
// SqliteStore: billing master data (tariffs, review zones, service points, accounts) and the
// per-worker reader a bill run scans day blocks with.
#include <fmt/format.h>

#include "store/month_pack.h"
#include "store/sqlite_listing.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_store.h"

namespace meterd::store {

using core::Error;
using core::Fail;
using rows::At;
using rows::Unix;

namespace {

constexpr const char* kAccountColumns =
    "account_key, id, name, cycle, zone, customer_class, service_point, meter, tariff, email, phone, move_in_day, "
    "move_out_day";

Account ReadAccount(const Stmt& s) {
  Account a;
  a.key = s.Int(0);
  a.id = s.Text(1);
  a.name = s.Text(2);
  a.cycle = s.Text(3);
  a.zone = s.Text(4);
  a.customer_class = s.Text(5);
  a.service_point = s.Text(6);
  a.meter = s.Text(7);
  a.tariff = s.Text(8);
  a.email = s.Text(9);
  a.phone = s.Text(10);
  a.move_in_day = static_cast<int32_t>(s.Int(11));
  if (!s.IsNull(12)) a.move_out_day = static_cast<int32_t>(s.Int(12));
  return a;
}

// The worker-side reader: its own connection, its own statement cache.
class SqliteBillingReader final : public BillingReader {
 public:
  explicit SqliteBillingReader(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  core::Result<std::vector<Account>> Accounts(std::string_view cycle, int64_t key_lo, int64_t key_hi) override {
    auto stmt = db_->Prepare(fmt::format(
        "SELECT {} FROM accounts WHERE cycle = ?1 AND account_key BETWEEN ?2 AND ?3 ORDER BY account_key",
        kAccountColumns));
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi);
    return ReadAll<Account>(*stmt, ReadAccount);
  }

  core::Result<std::optional<Account>> AccountById(std::string_view id) override {
    auto stmt = db_->Prepare(fmt::format("SELECT {} FROM accounts WHERE id = ?1", kAccountColumns));
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, id);
    auto all = ReadAll<Account>(*stmt, ReadAccount);
    if (!all) return Fail(all.error());
    if (all->empty()) return std::optional<Account>();
    return std::optional<Account>(std::move(all->front()));
  }

  core::Result<void> Blocks(std::string_view cycle, int64_t key_lo, int64_t key_hi,
                            std::span<const core::Channel> channels, int32_t from_day, int32_t to_day,
                            const BlockSink& sink) override {
    // Account by account (the accounts index), then the meter's packed months and its day blocks
    // by primary key: a range of each b-tree per channel, read in key order without sorting. A
    // closed month is one row; days of months not packed yet are one row each. A month is either
    // packed or loose, never both, so when every account of the chunk had a pack for every month
    // of the period there are no loose days to look for.
    int64_t months_in_period = 0;
    for (core::LocalDay m = MonthStart(from_day); m < to_day; m = NextMonthStart(m)) ++months_in_period;
    int64_t accounts = -1;  // counted when first needed
    for (core::Channel channel : channels) {
      int64_t packs = 0;
      auto months = db_->Prepare(
          "SELECT a.account_key, p.month, p.data FROM accounts a JOIN meters m ON m.id = a.meter "
          "JOIN interval_months p ON p.meter_key = m.meter_key AND p.channel = ?4 AND p.month >= ?5 AND p.month < ?6 "
          "WHERE a.cycle = ?1 AND a.account_key BETWEEN ?2 AND ?3");
      if (!months) return Fail(months.error());
      months->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi).Bind(4, static_cast<int64_t>(channel));
      months->Bind(5, int64_t{MonthStart(from_day)}).Bind(6, int64_t{to_day});
      if (auto r = SinkMonths(*months, channel, from_day, to_day, sink, &packs); !r) return r;
      if (packs > 0) {
        if (accounts < 0) {
          auto count = db_->Prepare("SELECT COUNT(*) FROM accounts WHERE cycle = ?1 AND account_key BETWEEN ?2 AND ?3");
          if (!count) return Fail(count.error());
          count->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi);
          auto row = count->Step();
          if (!row) return Fail(row.error());
          accounts = *row ? count->Int(0) : 0;
        }
        if (packs == accounts * months_in_period) continue;
      }
      auto stmt = db_->Prepare(
          "SELECT a.account_key, b.day, b.data FROM accounts a JOIN meters m ON m.id = a.meter "
          "JOIN interval_blocks b ON b.meter_key = m.meter_key AND b.channel = ?4 AND b.day >= ?5 AND b.day < ?6 "
          "WHERE a.cycle = ?1 AND a.account_key BETWEEN ?2 AND ?3");
      if (!stmt) return Fail(stmt.error());
      stmt->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi).Bind(4, static_cast<int64_t>(channel));
      stmt->Bind(5, int64_t{from_day}).Bind(6, int64_t{to_day});
      for (;;) {
        auto row = stmt->Step();
        if (!row) return Fail(row.error());
        if (!*row) break;
        const std::string_view data = stmt->Blob(2);
        const BlockRef ref{static_cast<int32_t>(stmt->Int(1)), 0, static_cast<uint32_t>(data.size())};
        sink(stmt->Int(0), channel, data, std::span(&ref, 1));
      }
    }
    return {};
  }

  core::Result<void> AccountBlocks(std::string_view meter, std::span<const core::Channel> channels, int32_t from_day,
                                   int32_t to_day, const BlockSink& sink) override {
    for (core::Channel channel : channels) {
      auto months = db_->Prepare(
          "SELECT 0, p.month, p.data FROM meters m JOIN interval_months p ON p.meter_key = m.meter_key "
          "AND p.channel = ?2 AND p.month >= ?3 AND p.month < ?4 WHERE m.id = ?1");
      if (!months) return Fail(months.error());
      months->Bind(1, meter).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{MonthStart(from_day)});
      months->Bind(4, int64_t{to_day});
      if (auto r = SinkMonths(*months, channel, from_day, to_day, sink, nullptr); !r) return r;
      auto stmt = db_->Prepare(
          "SELECT b.day, b.data FROM meters m JOIN interval_blocks b ON b.meter_key = m.meter_key "
          "AND b.channel = ?2 AND b.day >= ?3 AND b.day < ?4 WHERE m.id = ?1");
      if (!stmt) return Fail(stmt.error());
      stmt->Bind(1, meter).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{from_day}).Bind(4, int64_t{to_day});
      for (;;) {
        auto row = stmt->Step();
        if (!row) return Fail(row.error());
        if (!*row) break;
        const std::string_view data = stmt->Blob(1);
        const BlockRef ref{static_cast<int32_t>(stmt->Int(0)), 0, static_cast<uint32_t>(data.size())};
        sink(0, channel, data, std::span(&ref, 1));
      }
    }
    return {};
  }

  core::Result<std::vector<DailyRegister>> AccountRegisters(std::string_view meter, core::Channel channel,
                                                            int32_t from_day, int32_t to_day) override {
    auto stmt = db_->Prepare(
        "SELECT r.day, r.at, r.value, r.scale, r.unit FROM meters m JOIN daily_registers r ON r.meter_key = m.meter_key "
        "AND r.channel = ?2 AND r.day BETWEEN ?3 AND ?4 WHERE m.id = ?1 ORDER BY r.day");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, meter).Bind(2, static_cast<int64_t>(channel)).Bind(3, int64_t{from_day}).Bind(4, int64_t{to_day});
    return ReadAll<DailyRegister>(*stmt, [&](const Stmt& s) {
      return DailyRegister{std::string(meter), channel, static_cast<core::LocalDay>(s.Int(0)), At(s.Int(1)),
                           core::Quantity{s.Int(2), static_cast<int8_t>(s.Int(3)), static_cast<core::Unit>(s.Int(4))}};
    });
  }

  core::Result<std::vector<EarlierBill>> EarlierBills(std::string_view cycle, int64_t key_lo,
                                                                           int64_t key_hi, int32_t before_day,
                                                                           int32_t per_account) override {
    auto stmt = db_->Prepare(
        "SELECT a.id, b.total, b.peak_demand_w FROM accounts a JOIN bills b ON b.account = a.id AND b.to_day <= ?4 "
        "AND b.state IN (0, 1, 3) WHERE a.cycle = ?1 AND a.account_key BETWEEN ?2 AND ?3 "
        "ORDER BY a.account_key, b.to_day DESC, b.version DESC");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi).Bind(4, int64_t{before_day});
    std::vector<EarlierBill> out;
    std::string last;
    int32_t taken = 0;
    for (;;) {
      auto row = stmt->Step();
      if (!row) return Fail(row.error());
      if (!*row) return out;
      std::string id = stmt->Text(0);
      if (id != last) {
        last = id;
        taken = 0;
      }
      if (taken++ < per_account) out.push_back({std::move(id), stmt->Int(1), stmt->Int(2)});
    }
  }

  core::Result<std::vector<ServicePoint>> ServicePoints(std::string_view cycle, int64_t key_lo,
                                                        int64_t key_hi) override {
    auto stmt = db_->Prepare(
        "SELECT p.id, p.meter, p.since_day FROM accounts a JOIN service_points p ON p.id = a.service_point "
        "WHERE a.cycle = ?1 AND a.account_key BETWEEN ?2 AND ?3");
    if (!stmt) return Fail(stmt.error());
    stmt->Bind(1, cycle).Bind(2, key_lo).Bind(3, key_hi);
    return ReadAll<ServicePoint>(*stmt, [](const Stmt& s) {
      return ServicePoint{s.Text(0), s.Text(1), static_cast<int32_t>(s.Int(2))};
    });
  }

 private:
  // Steps rows of (account key, month, pack) and hands each pack to the sink with its days in
  // [from_day, to_day), in day order.
  core::Result<void> SinkMonths(Stmt& stmt, core::Channel channel, int32_t from_day, int32_t to_day,
                                const BlockSink& sink, int64_t* packs) {
    for (;;) {
      auto row = stmt.Step();
      if (!row) return Fail(row.error());
      if (!*row) return {};
      if (packs) ++*packs;
      const auto month = static_cast<core::LocalDay>(stmt.Int(1));
      const std::string_view pack = stmt.Blob(2);
      if (auto r = DecodeMonthPack(pack, month, days_); !r) {
        return Fail(core::Error::Corruption(fmt::format("packed month {} of account key {} channel {}: {}",
                                                        core::FormatDay(month), stmt.Int(0),
                                                        core::ChannelName(channel), r.error().message)));
      }
      refs_.clear();
      for (const PackedDay& d : days_) {
        if (d.day >= from_day && d.day < to_day) {
          refs_.push_back({d.day, static_cast<uint32_t>(d.block.data() - pack.data()), static_cast<uint32_t>(d.block.size())});
        }
      }
      if (!refs_.empty()) sink(stmt.Int(0), channel, pack, refs_);
    }
  }

  std::vector<PackedDay> days_;  // scratch for SinkMonths
  std::vector<BlockRef> refs_;
  std::unique_ptr<Database> db_;
};

}  // namespace

core::Result<void> SqliteStore::PutTariff(const TariffRecord& tariff) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO tariffs (id, source, updated, updated_by) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(id) DO UPDATE SET source = excluded.source, updated = excluded.updated, "
      "updated_by = excluded.updated_by");
  if (!stmt) return Fail(stmt.error());
  return stmt->Bind(1, tariff.id).Bind(2, tariff.source).Bind(3, Unix(tariff.updated)).Bind(4, tariff.updated_by).Run();
}

core::Result<std::optional<TariffRecord>> SqliteStore::GetTariff(std::string_view id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare("SELECT id, source, updated, updated_by FROM tariffs WHERE id = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, id);
  auto all = ReadAll<TariffRecord>(*stmt, [](const Stmt& s) {
    return TariffRecord{s.Text(0), s.Text(1), At(s.Int(2)), s.Text(3)};
  });
  if (!all) return Fail(all.error());
  if (all->empty()) return std::optional<TariffRecord>();
  return std::optional<TariffRecord>(std::move(all->front()));
}

core::Result<std::vector<TariffRecord>> SqliteStore::ListTariffs() {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare("SELECT id, source, updated, updated_by FROM tariffs ORDER BY id");
  if (!stmt) return Fail(stmt.error());
  return ReadAll<TariffRecord>(*stmt, [](const Stmt& s) {
    return TariffRecord{s.Text(0), s.Text(1), At(s.Int(2)), s.Text(3)};
  });
}

core::Result<void> SqliteStore::PutZone(const ReviewZone& zone) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO review_zones (id, key_zone, sample_size) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(id) DO UPDATE SET key_zone = excluded.key_zone, sample_size = excluded.sample_size");
  if (!stmt) return Fail(stmt.error());
  return stmt->Bind(1, zone.id).Bind(2, int64_t{zone.key}).Bind(3, int64_t{zone.sample_size}).Run();
}

core::Result<std::vector<ReviewZone>> SqliteStore::ListZones() {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare("SELECT id, key_zone, sample_size FROM review_zones ORDER BY id");
  if (!stmt) return Fail(stmt.error());
  return ReadAll<ReviewZone>(*stmt, [](const Stmt& s) {
    return ReviewZone{s.Text(0), s.Int(1) != 0, static_cast<int32_t>(s.Int(2))};
  });
}

core::Result<void> SqliteStore::PutServicePoint(const ServicePoint& point) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO service_points (id, meter, since_day) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(id) DO UPDATE SET meter = excluded.meter, since_day = excluded.since_day");
  if (!stmt) return Fail(stmt.error());
  return stmt->Bind(1, point.id).Bind(2, point.meter).Bind(3, int64_t{point.since_day}).Run();
}

core::Result<std::optional<ServicePoint>> SqliteStore::GetServicePoint(std::string_view id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare("SELECT id, meter, since_day FROM service_points WHERE id = ?1");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, id);
  auto all = ReadAll<ServicePoint>(*stmt, [](const Stmt& s) {
    return ServicePoint{s.Text(0), s.Text(1), static_cast<int32_t>(s.Int(2))};
  });
  if (!all) return Fail(all.error());
  if (all->empty()) return std::optional<ServicePoint>();
  return std::optional<ServicePoint>(std::move(all->front()));
}

core::Result<Account> SqliteStore::PutAccount(Account account) {
  std::lock_guard lock(write_mu_);
  auto stmt = writer_->Prepare(
      "INSERT INTO accounts (id, name, cycle, zone, customer_class, service_point, meter, tariff, email, phone, "
      "move_in_day, move_out_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT(id) DO UPDATE SET name = excluded.name, cycle = excluded.cycle, zone = excluded.zone, "
      "customer_class = excluded.customer_class, service_point = excluded.service_point, meter = excluded.meter, "
      "tariff = excluded.tariff, email = excluded.email, phone = excluded.phone, "
      "move_in_day = excluded.move_in_day, move_out_day = excluded.move_out_day RETURNING account_key");
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, account.id).Bind(2, account.name).Bind(3, account.cycle).Bind(4, account.zone);
  stmt->Bind(5, account.customer_class).Bind(6, account.service_point).Bind(7, account.meter);
  stmt->Bind(8, account.tariff).Bind(9, account.email).Bind(10, account.phone).Bind(11, int64_t{account.move_in_day});
  if (account.move_out_day) {
    stmt->Bind(12, int64_t{*account.move_out_day});
  } else {
    stmt->BindNull(12);
  }
  auto row = stmt->Step();
  if (!row) return Fail(row.error());
  if (!*row) return Fail(Error::Internal("sqlite: account upsert returned no key"));
  account.key = stmt->Int(0);
  if (auto done = stmt->Step(); !done) return Fail(done.error());
  return account;
}

core::Result<std::optional<Account>> SqliteStore::GetAccount(std::string_view id) {
  std::lock_guard lock(read_mu_);
  auto stmt = reader_->Prepare(fmt::format("SELECT {} FROM accounts WHERE id = ?1", kAccountColumns));
  if (!stmt) return Fail(stmt.error());
  stmt->Bind(1, id);
  auto all = ReadAll<Account>(*stmt, ReadAccount);
  if (!all) return Fail(all.error());
  if (all->empty()) return std::optional<Account>();
  return std::optional<Account>(std::move(all->front()));
}

core::Result<Listing<Account>> SqliteStore::ListAccounts(const AccountFilter& filter) {
  std::lock_guard lock(read_mu_);
  std::string where = "(?1 = '' OR cycle = ?1) AND (?2 = '' OR instr(id, ?2) > 0 OR instr(name, ?2) > 0)";
  return RunListing<Account>(
      *reader_, kAccountColumns, "accounts", where, "account_key", Page{filter.limit, filter.offset},
      [&](Stmt& s) { s.Bind(1, filter.cycle).Bind(2, filter.search); }, ReadAccount);
}

core::Result<std::vector<CycleCount>> SqliteStore::ListCycles() {
  std::lock_guard lock(read_mu_);
  // One pass over the accounts_cycle index.
  auto s = reader_->Prepare("SELECT cycle, COUNT(*) FROM accounts GROUP BY cycle ORDER BY cycle");
  if (!s) return Fail(s.error());
  return ReadAll<CycleCount>(*s, [](const Stmt& r) { return CycleCount{r.Text(0), r.Int(1)}; });
}

core::Result<std::unique_ptr<BillingReader>> SqliteStore::OpenBillingReader() {
  auto db = Database::Open(path_, /*create=*/false);
  if (!db) return Fail(db.error());
  if (auto r = ConfigureReader(**db); !r) return Fail(r.error());
  // A run reads the whole period's blocks once: map the file rather than copy it page by page
  // through read() (a 64-bit address space has room; SQLite falls back if it cannot map).
  if (auto r = (*db)->Exec("PRAGMA mmap_size=68719476736"); !r) return Fail(r.error());
  return std::unique_ptr<BillingReader>(new SqliteBillingReader(std::move(*db)));
}

}  // namespace meterd::store
