// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/command.h"
#include "core/error.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "core/audit_entry.h"
#include "store/billing_records.h"

namespace meterd::store {

// A data-acquisition device (one pulse input, one output) and what the head-end knows of it.
struct DeviceRecord {
  core::DeviceId id;
  core::MeterId meter;              // the meter its pulse input is wired to
  core::Medium medium = core::Medium::kWater;
  core::Quantity pulse_weight;      // per pulse, normalised (L -> m3), e.g. 10 scale -3 m3
  int32_t counter_bits = 32;        // the pulse counter wraps at 2^counter_bits
  int32_t interval_s = 900;         // reporting interval the device was last told to use
  std::string token_hash;           // hex SHA-256 of the device's bearer token
  core::Instant created;
  // Ingest state, written in the same transaction as the readings it describes.
  uint64_t acked_seq = 0;           // highest contiguous sequence stored (0: none yet)
  bool has_sample = false;          // last_count/last_at are set
  uint64_t last_count = 0;          // pulse counter at last_at
  core::Instant last_at;
  int64_t offset_pulses = 0;        // register = pulse_weight * (offset_pulses + count)
  core::Instant last_seen;          // when the head-end last heard from it (zero: never)
  uint32_t backlog = 0;             // messages queued on the device at its last uplink
  bool output_on = false;
};

// A meter: the thing a customer's consumption is billed from.
struct MeterRecord {
  core::MeterId id;
  core::Medium medium = core::Medium::kWater;
  core::DeviceId device;            // current acquisition device
  std::string time_zone = "UTC";    // IANA name; day blocks are local days in this zone
  int32_t interval_s = 900;         // length of a day-block slot
  // Latest register (index) reading, if any.
  bool has_register = false;
  core::Quantity register_value;
  core::Instant register_at;
};

// One interval's consumption to merge into a day block. `mode` decides how.
enum class MergeMode : uint8_t {
  kAdd,  // add to the slot (pulse deltas; exactly-once is ensured by the sequence check)
  kSet,  // the slot's value is this; the same value again changes nothing, a different one
         // makes a new block version with `source` recorded
};
struct SlotWrite {
  core::MeterId meter;
  core::Channel channel;
  core::LocalDay day;       // local day in the meter's zone
  int32_t slots_per_day;    // 96 for 15 min on a 24 h day, 92 / 100 on DST days
  int32_t interval_s;
  int32_t slot;             // 0-based: slot i covers [day start + i*len, + (i+1)*len)
  core::Quantity value;     // unit must match the channel's unit
  core::Quality quality = core::Quality::kValid;
  MergeMode mode = MergeMode::kAdd;
};

// The register at the end of a local day (the last read that day wins).
struct DailyRegister {
  core::MeterId meter;
  core::Channel channel;
  core::LocalDay day;
  core::Instant at;
  core::Quantity value;
};

// The latest instantaneous value of a polled meter (flow temperature, volume flow, voltage on
// L1, ...), kept beside its interval data: only the newest per name.
struct PresentValue {
  std::string name;   // "flow_temperature", "voltage_l1", "power_t1", ...
  core::Quantity value;
  core::Instant at;
  friend bool operator==(const PresentValue&, const PresentValue&) = default;
};

struct CommandUpdate {
  core::CommandId id;
  core::CommandState state;
  std::string result;
  core::Instant at;
};

// Everything one uplink changes, applied atomically with others in `Commit`.
struct IngestWrite {
  std::optional<DeviceRecord> device;  // new full device state
  std::optional<MeterRecord> meter;    // new full meter state
  std::vector<SlotWrite> slots;
  std::vector<DailyRegister> registers;
  std::vector<core::Event> events;
  std::vector<CommandUpdate> commands;
  std::string source = "device";       // recorded with any new block version
};

struct Page {
  int32_t limit = 50;   // 1..1000
  int64_t offset = 0;
};

struct DeviceFilter {
  std::string search;            // substring of device or meter id
  std::optional<core::Medium> medium;
  std::optional<std::vector<std::string>> only_devices;  // set: only these devices (a scoped user's)
  Page page;
};

struct MeterFilter {
  std::string search;
  std::optional<core::Medium> medium;
  std::optional<std::vector<std::string>> only_devices;  // set: only meters of these devices
  Page page;
};

template <class T>
struct Listing {
  std::vector<T> items;
  int64_t total = 0;  // matching rows without paging
};

struct EventFilter {
  std::string device;
  std::string meter;
  std::optional<core::EventType> type;
  std::optional<core::Instant> from, to;  // [from, to)
  Page page;
};

struct CommandFilter {
  std::string device;
  std::optional<core::CommandState> state;
  Page page;
};

// An interval value read back from a day block.
struct StoredInterval {
  core::Instant start;
  core::Instant end;
  core::Quantity value;
  core::Quality quality;

  friend bool operator==(const StoredInterval&, const StoredInterval&) = default;
};

struct User {
  std::string name;
  std::string password_hash;  // self-describing KDF string (security::HashPassword)
  std::string role;           // a security::Role name
  core::Instant created;
  bool disabled = false;              // may not log in; every credential refused
  bool must_change_password = false;  // set by an admin reset; only the password change is allowed
  std::vector<std::string> devices;   // assigned devices: all a scoped role (customer, technician) may see
};

// A bearer credential: a console session (kind "session", made by login) or an API token
// (kind "api", made by its user with a name, scopes and expiry). Only the hash of the secret
// is kept; the public id is the first 16 hex digits of that hash.
struct Session {
  std::string token_hash;     // hex SHA-256 of the bearer token
  std::string user;
  core::Instant created;
  core::Instant expires;
  std::string kind = "session";
  std::string name;                                 // an API token's label
  std::optional<std::vector<std::string>> scopes;   // permission names; nullopt: all of the role's
  std::string Id() const { return token_hash.substr(0, 16); }
};

// Audit log listing: every set field must match; newest first.
struct AuditFilter {
  std::string actor;                      // exact
  std::string action;                     // exact
  std::string target;                     // substring
  std::optional<core::Instant> from, to;  // [from, to)
  Page page;
};

// A read connection of its own for one bill-run worker thread (not thread-safe; one per thread).
class BillingReader {
 public:
  virtual ~BillingReader() = default;
  // The accounts of `cycle` with keys in [key_lo, key_hi], by key.
  virtual core::Result<std::vector<Account>> Accounts(std::string_view cycle, int64_t key_lo, int64_t key_hi) = 0;
  virtual core::Result<std::optional<Account>> AccountById(std::string_view id) = 0;
  // Every stored day block in [from_day, to_day) of the accounts' meters on the channels listed,
  // a stored row at a time: (account key, channel, the row's bytes, where each day's block is in
  // them). A loose day is one block; a packed month is its pack with the days of the period.
  // `bytes` is valid only during the call.
  struct BlockRef {
    int32_t day;
    uint32_t at, size;  // the day block is bytes.substr(at, size)
  };
  using BlockSink = std::function<void(int64_t account_key, core::Channel channel, std::string_view bytes,
                                       std::span<const BlockRef> days)>;
  virtual core::Result<void> Blocks(std::string_view cycle, int64_t key_lo, int64_t key_hi,
                                    std::span<const core::Channel> channels, int32_t from_day, int32_t to_day,
                                    const BlockSink& sink) = 0;
  virtual core::Result<void> AccountBlocks(std::string_view meter, std::span<const core::Channel> channels,
                                           int32_t from_day, int32_t to_day, const BlockSink& sink) = 0;
  // The daily register reads of `meter` on `channel` for local days [from_day, to_day], by day:
  // the data of meters that report registers only.
  virtual core::Result<std::vector<DailyRegister>> AccountRegisters(std::string_view meter, core::Channel channel,
                                                                    int32_t from_day, int32_t to_day) = 0;
  // The accounts' earlier bills (not superseded or rejected) ending on or before `before_day`,
  // newest first, up to `per_account` each.
  struct EarlierBill {
    std::string account;
    int64_t total_micros = 0;
    int64_t peak_demand_w = 0;
  };
  virtual core::Result<std::vector<EarlierBill>> EarlierBills(
      std::string_view cycle, int64_t key_lo, int64_t key_hi, int32_t before_day, int32_t per_account) = 0;
  virtual core::Result<std::vector<ServicePoint>> ServicePoints(std::string_view cycle, int64_t key_lo,
                                                                int64_t key_hi) = 0;
};

struct StoreStats {
  int64_t devices = 0;
  int64_t meters = 0;
  int64_t blocks = 0;          // day blocks, packed or not
  int64_t packed_months = 0;   // rows of interval_months
  int64_t events = 0;
  int64_t pending_commands = 0;
};

// The one storage interface. Implementations are safe to call from many threads; writes are
// serialised inside. Every write either commits whole or changes nothing.
class Store {
 public:
  virtual ~Store() = default;

  // Devices and meters.
  virtual core::Result<std::optional<DeviceRecord>> GetDevice(std::string_view id) = 0;
  virtual core::Result<Listing<DeviceRecord>> ListDevices(const DeviceFilter& filter) = 0;
  virtual core::Result<std::optional<MeterRecord>> GetMeter(std::string_view id) = 0;
  virtual core::Result<Listing<MeterRecord>> ListMeters(const MeterFilter& filter) = 0;
  // Creates or replaces (device and meter together, atomically); used for enrolment.
  virtual core::Result<void> PutDevice(const DeviceRecord& device, const MeterRecord& meter) = 0;

  // Applies all writes in one transaction; returns only after it is durable.
  virtual core::Result<void> Commit(std::span<const IngestWrite> writes) = 0;

  // Interval values of [range.start, range.end) for a meter and channel, in time order. Slots
  // never written are left out; slots with quality missing are left out.
  virtual core::Result<std::vector<StoredInterval>> Intervals(std::string_view meter, core::Channel channel,
                                                              const core::TimeZone& zone,
                                                              core::Interval range) = 0;
  virtual core::Result<std::vector<DailyRegister>> Registers(std::string_view meter, core::Channel channel,
                                                             core::LocalDay from, core::LocalDay to) = 0;
  // Block versions of one day, newest first: (version, source, created).
  struct BlockVersion {
    int64_t version;
    std::string source;
    core::Instant created;
  };
  virtual core::Result<std::vector<BlockVersion>> BlockHistory(std::string_view meter, core::Channel channel,
                                                               core::LocalDay day) = 0;

  // Packs closed months: every (meter, channel, local month) whose month ends on or before
  // `before` (a local day number) and still has its days as separate blocks is rewritten as one
  // month pack, at most `max_months` of them (0: no limit), each in its own transaction. Reads see
  // the same blocks before and after; a later write to a packed day unpacks its month first.
  struct PackOutcome {
    int64_t months = 0;   // packs written
    int64_t days = 0;     // day blocks moved into them
    int64_t bytes = 0;    // bytes of the packs written
    bool more = false;    // stopped at max_months with months still to pack
  };
  virtual core::Result<PackOutcome> PackMonths(core::LocalDay before, int64_t max_months) = 0;

  // Events.
  virtual core::Result<Listing<core::Event>> ListEvents(const EventFilter& filter) = 0;

  // Commands. CreateCommand fills in id.
  virtual core::Result<core::Command> CreateCommand(core::Command command) = 0;
  virtual core::Result<std::optional<core::Command>> GetCommand(core::CommandId id) = 0;
  virtual core::Result<Listing<core::Command>> ListCommands(const CommandFilter& filter) = 0;
  // Pending or sent commands of a device that have not expired at `now`, oldest first; marks
  // pending ones sent. Commands past their expiry become expired.
  virtual core::Result<std::vector<core::Command>> TakeCommandsForDownlink(std::string_view device,
                                                                           core::Instant now) = 0;

  // Users and console/API sessions.
  virtual core::Result<std::optional<User>> GetUser(std::string_view name) = 0;
  // Creates or replaces the user and its device assignments in one transaction.
  virtual core::Result<void> PutUser(const User& user) = 0;
  virtual core::Result<Listing<User>> ListUsers(Page page) = 0;
  virtual core::Result<void> PutSession(const Session& session) = 0;
  virtual core::Result<std::optional<Session>> GetSession(std::string_view token_hash) = 0;
  virtual core::Result<void> DeleteSession(std::string_view token_hash) = 0;
  // The user's sessions and tokens that have not expired at `now`, newest first.
  virtual core::Result<std::vector<Session>> ListSessions(std::string_view user, core::Instant now) = 0;
  // Revokes every credential of the user except the one with `keep_token_hash` (may be
  // empty); returns how many were revoked.
  virtual core::Result<int64_t> DeleteSessionsOfUser(std::string_view user, std::string_view keep_token_hash) = 0;

  // A polled meter's present values: PutPresentValues replaces the named ones (one transaction).
  virtual core::Result<void> PutPresentValues(std::string_view meter, std::span<const PresentValue> values) = 0;
  virtual core::Result<std::vector<PresentValue>> PresentValues(std::string_view meter) = 0;

  virtual core::Result<StoreStats> Stats() = 0;

  // The append-only, hash-chained audit log. AppendAudit ignores the entry's seq, prev_hash
  // and hash: it assigns the next seq, links it to the last entry and sets hash = seal(entry)
  // (security::AuditHash) inside its write transaction, so concurrent appends form one linear
  // chain. The hash function is passed in so the store needs no crypto. Returns the entry as
  // stored.
  using AuditSeal = std::function<std::string(const core::AuditEntry&)>;
  virtual core::Result<core::AuditEntry> AppendAudit(core::AuditEntry entry, const AuditSeal& seal) = 0;
  virtual core::Result<Listing<core::AuditEntry>> ListAudit(const AuditFilter& filter) = 0;
  // Up to `limit` (1..10000) entries with seq >= from_seq, oldest first, for verification.
  virtual core::Result<std::vector<core::AuditEntry>> AuditRange(int64_t from_seq, int32_t limit) = 0;

  // Billing (docs/billing-runs.md). Tariffs, zones, service points and accounts.
  virtual core::Result<void> PutTariff(const TariffRecord& tariff) = 0;
  virtual core::Result<std::optional<TariffRecord>> GetTariff(std::string_view id) = 0;
  virtual core::Result<std::vector<TariffRecord>> ListTariffs() = 0;
  virtual core::Result<void> PutZone(const ReviewZone& zone) = 0;
  virtual core::Result<std::vector<ReviewZone>> ListZones() = 0;
  virtual core::Result<void> PutServicePoint(const ServicePoint& point) = 0;
  virtual core::Result<std::optional<ServicePoint>> GetServicePoint(std::string_view id) = 0;
  // Creates or replaces by id; returns it with its key.
  virtual core::Result<Account> PutAccount(Account account) = 0;
  virtual core::Result<std::optional<Account>> GetAccount(std::string_view id) = 0;
  virtual core::Result<Listing<Account>> ListAccounts(const AccountFilter& filter) = 0;
  // Every billing cycle with its number of accounts, by cycle.
  virtual core::Result<std::vector<CycleCount>> ListCycles() = 0;

  // Bill runs. OpenRun returns the run of (cycle, from_day, to_day) if there is one (a re-run is
  // the same run), otherwise creates it with the cycle's accounts split by key into chunks of at
  // most `chunk_size`.
  virtual core::Result<BillRun> OpenRun(std::string_view cycle, int32_t from_day, int32_t to_day, int32_t chunk_size,
                                        std::string_view by, core::Instant now) = 0;
  virtual core::Result<std::optional<BillRun>> GetRun(int64_t id) = 0;
  virtual core::Result<std::vector<BillRun>> ListRuns(int32_t limit) = 0;
  virtual core::Result<std::vector<RunChunk>> RunChunks(int64_t run) = 0;
  // Writes a chunk's bills and holds, marks it done and updates the run's counts, in one
  // transaction. A chunk already done is refused (kConflict) and changes nothing.
  virtual core::Result<void> CommitChunk(const ChunkResult& result) = 0;
  // Completes the run: draws the review sample of each regular zone.
  virtual core::Result<BillRun> FinishRun(int64_t run, core::Instant now) = 0;
  virtual core::Result<std::vector<Hold>> ListHolds(int64_t run, bool unresolved_only) = 0;
  virtual core::Result<std::unique_ptr<BillingReader>> OpenBillingReader() = 0;

  // Bills, review and release.
  virtual core::Result<std::optional<BillRecord>> GetBill(int64_t id) = 0;
  virtual core::Result<Listing<BillRecord>> ListBills(const BillFilter& filter) = 0;
  // Records a review of a draft (approved or rejected). Released bills are refused (kConflict).
  virtual core::Result<void> ReviewBill(const Review& review) = 0;
  virtual core::Result<std::vector<Review>> Reviews(int64_t bill) = 0;
  // Releases what the zones' rules allow in a run and queues the notifications.
  virtual core::Result<ReleaseOutcome> ReleaseRun(int64_t run, core::Instant now) = 0;
  // Releases one approved bill (a rebill); kConflict if it is not approved.
  virtual core::Result<BillRecord> ReleaseBill(int64_t bill, core::Instant now) = 0;
  // Stores a rebill of `bill.previous`: version one higher, its difference to that bill; an
  // unreleased earlier bill becomes superseded.
  virtual core::Result<BillRecord> PutRebill(BillRecord bill) = 0;

  // Notifications of released bills.
  virtual core::Result<std::vector<Notification>> DueNotifications(core::Instant now, int32_t limit) = 0;
  virtual core::Result<void> UpdateNotification(const Notification& notification) = 0;
  virtual core::Result<std::vector<Notification>> BillNotifications(int64_t bill) = 0;
};

struct SqliteOptions {
  std::string path;         // database file; its directory must exist
  bool synchronous_full = true;  // fsync at each commit (durable acks); false only in benchmarks
};

// Opens (creating if missing) the SQLite store and runs pending schema migrations.
core::Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace meterd::store
