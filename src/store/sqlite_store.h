// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "store/day_block.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace meterd::store {

// The SQLite implementation of Store (see docs/store.md).
//
// Threading: all writes go through `writer_` under `write_mu_`, one transaction at a time; reads
// use `reader_` under `read_mu_`, so in WAL mode readers never wait for a writer's fsync. A read
// sees every transaction that committed before it started. Each multi-statement read runs in
// one read transaction so its `total` and `items` agree. Locks are never nested.
class SqliteStore final : public Store {
 public:
  static core::Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);

  core::Result<std::optional<DeviceRecord>> GetDevice(std::string_view id) override;
  core::Result<Listing<DeviceRecord>> ListDevices(const DeviceFilter& filter) override;
  core::Result<std::optional<MeterRecord>> GetMeter(std::string_view id) override;
  core::Result<Listing<MeterRecord>> ListMeters(const MeterFilter& filter) override;
  core::Result<void> PutDevice(const DeviceRecord& device, const MeterRecord& meter) override;

  core::Result<void> Commit(std::span<const IngestWrite> writes) override;

  core::Result<std::vector<StoredInterval>> Intervals(std::string_view meter, core::Channel channel,
                                                      const core::TimeZone& zone, core::Interval range) override;
  core::Result<std::vector<DailyRegister>> Registers(std::string_view meter, core::Channel channel,
                                                     core::LocalDay from, core::LocalDay to) override;
  core::Result<std::vector<BlockVersion>> BlockHistory(std::string_view meter, core::Channel channel,
                                                       core::LocalDay day) override;
  core::Result<PackOutcome> PackMonths(core::LocalDay before, int64_t max_months) override;

  core::Result<Listing<core::Event>> ListEvents(const EventFilter& filter) override;

  core::Result<core::Command> CreateCommand(core::Command command) override;
  core::Result<std::optional<core::Command>> GetCommand(core::CommandId id) override;
  core::Result<Listing<core::Command>> ListCommands(const CommandFilter& filter) override;
  core::Result<std::vector<core::Command>> TakeCommandsForDownlink(std::string_view device,
                                                                   core::Instant now) override;

  core::Result<std::optional<User>> GetUser(std::string_view name) override;
  core::Result<void> PutUser(const User& user) override;
  core::Result<void> PutSession(const Session& session) override;
  core::Result<std::optional<Session>> GetSession(std::string_view token_hash) override;
  core::Result<void> DeleteSession(std::string_view token_hash) override;
  core::Result<Listing<User>> ListUsers(Page page) override;
  core::Result<void> PutPresentValues(std::string_view meter, std::span<const PresentValue> values) override;
  core::Result<std::vector<PresentValue>> PresentValues(std::string_view meter) override;
  core::Result<std::vector<Session>> ListSessions(std::string_view user, core::Instant now) override;
  core::Result<int64_t> DeleteSessionsOfUser(std::string_view user, std::string_view keep_token_hash) override;

  core::Result<StoreStats> Stats() override;

  core::Result<core::AuditEntry> AppendAudit(core::AuditEntry entry, const AuditSeal& seal) override;
  core::Result<Listing<core::AuditEntry>> ListAudit(const AuditFilter& filter) override;
  core::Result<std::vector<core::AuditEntry>> AuditRange(int64_t from_seq, int32_t limit) override;

  core::Result<void> PutTariff(const TariffRecord& tariff) override;
  core::Result<std::optional<TariffRecord>> GetTariff(std::string_view id) override;
  core::Result<std::vector<TariffRecord>> ListTariffs() override;
  core::Result<void> PutZone(const ReviewZone& zone) override;
  core::Result<std::vector<ReviewZone>> ListZones() override;
  core::Result<void> PutServicePoint(const ServicePoint& point) override;
  core::Result<std::optional<ServicePoint>> GetServicePoint(std::string_view id) override;
  core::Result<Account> PutAccount(Account account) override;
  core::Result<std::optional<Account>> GetAccount(std::string_view id) override;
  core::Result<Listing<Account>> ListAccounts(const AccountFilter& filter) override;
  core::Result<std::vector<CycleCount>> ListCycles() override;
  core::Result<BillRun> OpenRun(std::string_view cycle, int32_t from_day, int32_t to_day, int32_t chunk_size,
                                std::string_view by, core::Instant now) override;
  core::Result<std::optional<BillRun>> GetRun(int64_t id) override;
  core::Result<std::vector<BillRun>> ListRuns(int32_t limit) override;
  core::Result<std::vector<RunChunk>> RunChunks(int64_t run) override;
  core::Result<void> CommitChunk(const ChunkResult& result) override;
  core::Result<BillRun> FinishRun(int64_t run, core::Instant now) override;
  core::Result<std::vector<Hold>> ListHolds(int64_t run, bool unresolved_only) override;
  core::Result<std::unique_ptr<BillingReader>> OpenBillingReader() override;
  core::Result<std::optional<BillRecord>> GetBill(int64_t id) override;
  core::Result<Listing<BillRecord>> ListBills(const BillFilter& filter) override;
  core::Result<void> ReviewBill(const Review& review) override;
  core::Result<std::vector<Review>> Reviews(int64_t bill) override;
  core::Result<ReleaseOutcome> ReleaseRun(int64_t run, core::Instant now) override;
  core::Result<BillRecord> ReleaseBill(int64_t bill, core::Instant now) override;
  core::Result<BillRecord> PutRebill(BillRecord bill) override;
  core::Result<std::vector<Notification>> DueNotifications(core::Instant now, int32_t limit) override;
  core::Result<void> UpdateNotification(const Notification& notification) override;
  core::Result<std::vector<Notification>> BillNotifications(int64_t bill) override;

 private:
  SqliteStore(std::string path, std::unique_ptr<Database> writer, std::unique_ptr<Database> reader)
      : path_(std::move(path)), writer_(std::move(writer)), reader_(std::move(reader)) {}

  // Billing helpers, on writer_ with write_mu_ held inside a transaction.
  core::Result<void> InsertBill(const BillRecord& bill, int64_t* id);
  core::Result<void> InsertBills(std::span<const BillRecord> bills);
  core::Result<int64_t> QueueNotifications(int64_t bill, core::Instant now);
  core::Result<void> RefreshRunCounts(int64_t run);

  // A block being merged during one Commit: loaded once, written once.
  struct PendingBlock {
    bool existed = false;       // a row was in interval_blocks
    std::string old_data;       // its bytes, for block_history
    int64_t old_version = 0;
    std::string old_source;
    int64_t old_created = 0;
    DayBlock block;
    bool changed = false;
    bool revised = false;
    std::string source;         // source of the last write that revised or created it
  };
  using BlockKey = std::tuple<int64_t, core::Channel, core::LocalDay>;

  // Helpers below run on writer_ with write_mu_ held, inside a transaction.
  core::Result<void> UpsertDevice(const DeviceRecord& device);
  core::Result<void> UpsertMeter(const MeterRecord& meter);
  core::Result<int64_t> MeterKey(Database& db, std::string_view meter);  // kNotFound if absent
  // Meter keys looked up within one Commit (a batch names few meters many times).
  using MeterKeys = std::unordered_map<std::string, int64_t>;
  core::Result<int64_t> CachedMeterKey(MeterKeys& keys, const std::string& meter);
  core::Result<void> ApplySlot(const SlotWrite& write, const std::string& source,
                               std::map<BlockKey, PendingBlock>& blocks, MeterKeys& keys);
  core::Result<void> FlushBlock(const BlockKey& key, PendingBlock& pending, int64_t now);
  // Moves the days of a packed month back into interval_blocks (before a write to one of them);
  // false if the month is not packed.
  core::Result<bool> UnpackMonth(int64_t meter_key, core::Channel channel, core::LocalDay month);
  core::Result<void> PutRegister(const DailyRegister& reg, MeterKeys& keys);
  core::Result<void> InsertEvent(const core::Event& event);
  core::Result<void> UpdateCommand(const CommandUpdate& update);

  std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Database> writer_;  // guarded by write_mu_
  std::mutex read_mu_;
  std::unique_ptr<Database> reader_;  // guarded by read_mu_
};

// Read-connection settings (busy timeout, query_only), for extra readers such as bill-run workers.
core::Result<void> ConfigureReader(Database& db);

// Clamps a Page to limit 1..1000 and offset >= 0.
Page ClampPage(Page page);

}  // namespace meterd::store
