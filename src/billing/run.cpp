// SPDX-License-Identifier: Apache-2.0
#include "billing/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <variant>

#include "billing/bill_lines.h"
#include "store/day_block.h"

namespace meterd::billing {

using core::Error;
using core::Fail;

namespace {

core::Instant Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

// The channel a tariff bills from.
core::Channel UsageChannel(const Tariff& tariff) {
  return tariff.unit == core::Unit::kM3 ? core::Channel::kVolume : core::Channel::kActiveImport;
}

// Tariffs parsed once per run; a tariff that does not parse holds its accounts with the reason.
struct TariffBook {
  std::map<std::string, core::Result<Tariff>, std::less<>> tariffs;

  static core::Result<TariffBook> Load(store::Store& store) {
    auto records = store.ListTariffs();
    if (!records) return Fail(records.error());
    TariffBook book;
    for (const auto& r : *records) book.tariffs.emplace(r.id, ParseTariff(r.source, fmt::format("tariff {}", r.id)));
    return book;
  }
  // The tariff, or why there is none.
  std::variant<const Tariff*, std::string> Find(const std::string& id) const {
    auto it = tariffs.find(id);
    if (it == tariffs.end()) return fmt::format("tariff {} does not exist", id);
    if (!it->second) return fmt::format("tariff {} does not parse: {}", id, it->second.error().message);
    return &*it->second;
  }
};

// One account's data for the period, decoded into reused buffers.
struct AccountData {
  std::vector<store::DayBlock> usage;     // one per stored day
  std::vector<store::DayBlock> reactive;
  size_t usage_n = 0;
  size_t reactive_n = 0;
  void Clear() {
    usage_n = 0;
    reactive_n = 0;
  }
  store::DayBlock& Next(bool is_reactive) {
    auto& v = is_reactive ? reactive : usage;
    auto& n = is_reactive ? reactive_n : usage_n;
    if (n == v.size()) v.emplace_back();
    return v[n++];
  }
};

// Where one stored block of an account sits in a worker's chunk buffer.
struct BlockSpan {
  core::Channel channel;
  int32_t day;
  size_t at, size;
};

// Everything a worker reuses from account to account.
struct Worker {
  std::unique_ptr<store::BillingReader> reader;
  RatingScratch scratch;
  AccountData data;
  std::vector<int32_t> usage_days, reactive_days;  // day of each decoded block
  std::vector<DayUsage> usage_view, reactive_view;
  std::string chunk_bytes;  // a chunk's blocks, reused from chunk to chunk
  std::vector<std::vector<BlockSpan>> spans;  // per account of the chunk, reused likewise
};

struct AccountOutcome {
  std::optional<store::BillRecord> bill;
  std::optional<store::Hold> hold;
  std::optional<core::Event> event;
};

// Slots of a block with a value below zero. Nearly every block has none, which one OR over
// the values (vectorised) tells; only a block with a sign bit set is counted slot by slot.
int64_t NegativeCount(const store::DayBlock& b) {
  uint64_t any = 0;
  for (int64_t v : b.values) any |= static_cast<uint64_t>(v);
  if ((any >> 63) == 0) return 0;
  int64_t n = 0;
  for (size_t s = 0; s < b.values.size(); ++s) n += (b.values[s] < 0) & (b.quality[s] != core::Quality::kMissing);
  return n;
}

std::string ServiceChanges(const store::Account& account, const store::ServicePoint* point, const Tariff& tariff,
                           int32_t from_day, int32_t to_day) {
  std::vector<std::string> changes;
  auto inside = [&](int32_t day) { return day > from_day && day < to_day; };
  if (inside(account.move_in_day)) changes.push_back("move_in");
  if (account.move_out_day && inside(*account.move_out_day)) changes.push_back("move_out");
  if (point && inside(point->since_day)) changes.push_back("meter_exchange");
  for (const auto& v : tariff.versions) {
    if (inside(v.effective_day)) {
      changes.push_back("tariff_change");
      break;
    }
  }
  std::string out;
  for (const auto& c : changes) out += (out.empty() ? "" : ",") + c;
  return out;
}

// How many days before the period a meter's last register read may be and still start the bill.
constexpr int32_t kRegisterSlackDays = 7;

// The reads of a meter that reports registers only (it has no interval block in the period):
// the latest daily register read before the period starts and the latest within it, both on the
// tariff's usage channel; a read not taken on the period's last day before it (start) or its own
// last day (end) is marked estimated. None at either end: an empty list (the audit then holds the
// account for lack of data). A register is one total, so a tariff with more than one rate period
// cannot be billed from it: that is the string returned.
std::variant<std::vector<RegisterRead>, std::string> RegisterReadsOf(Worker& w, const store::Account& account,
                                                                     const Tariff& tariff, int32_t from, int32_t to) {
  auto regs = w.reader->AccountRegisters(account.meter, UsageChannel(tariff), from - kRegisterSlackDays, to - 1);
  if (!regs) return fmt::format("register reads of meter {}: {}", account.meter, regs.error().message);
  const store::DailyRegister* start = nullptr;
  const store::DailyRegister* end = nullptr;
  for (const auto& r : *regs) (r.day < from ? start : end) = &r;  // by day: the latest of each side
  if (!start || !end) return std::vector<RegisterRead>{};
  std::set<std::string> periods;  // of the versions in force on a day of [from, to)
  for (size_t i = 0; i < tariff.versions.size(); ++i) {
    const int32_t until = i + 1 < tariff.versions.size() ? tariff.versions[i + 1].effective_day : INT32_MAX;
    if (tariff.versions[i].effective_day >= to || until <= from) continue;
    for (const auto& r : tariff.versions[i].rates) periods.insert(r.name);
  }
  if (periods.size() != 1) {
    return fmt::format("meter {} reports registers only, and tariff {} has {} rate periods: a total register cannot "
                       "be split among them",
                       account.meter, tariff.id, periods.size());
  }
  bool estimated = start->day != from - 1 || end->day != to - 1;
  return std::vector<RegisterRead>{{*periods.begin(), start->value, end->value, estimated}};
}

// Rates and audits one account whose blocks are in `w.data` (day numbers in w.usage_days etc.).
AccountOutcome BillAccount(Worker& w, const Rules& rules, const TariffBook& book, const store::BillRun& run,
                           const store::Account& account, const store::ServicePoint* point,
                           std::span<const store::BillingReader::EarlierBill> earlier) {
  AccountOutcome out;
  core::Instant now = Now();
  auto hold = [&](std::string rule, std::string reason) {
    out.event = core::Event{now, core::EventType::kBillHeld, "", account.meter,
                            fmt::format("account {}: {}", account.id, reason)};
    out.hold = store::Hold{run.id, account.id, std::move(rule), std::move(reason), now, false};
    return out;
  };
  int32_t from = std::max(run.from_day, account.move_in_day);
  int32_t to = account.move_out_day ? std::min(run.to_day, *account.move_out_day) : run.to_day;
  auto found = book.Find(account.tariff);
  if (auto* why = std::get_if<std::string>(&found)) return hold("tariff", *why);
  const Tariff& tariff = *std::get<const Tariff*>(found);

  int64_t negative = 0;
  w.usage_view.clear();
  w.reactive_view.clear();
  for (size_t i = 0; i < w.data.usage_n; ++i) {
    const auto& b = w.data.usage[i];
    if (w.usage_days[i] < from || w.usage_days[i] >= to) continue;
    negative += NegativeCount(b);
    w.usage_view.push_back({w.usage_days[i], b.interval_s, b.scale, b.values, b.quality});
  }
  for (size_t i = 0; i < w.data.reactive_n; ++i) {
    const auto& b = w.data.reactive[i];
    if (w.reactive_days[i] < from || w.reactive_days[i] >= to) continue;
    w.reactive_view.push_back({w.reactive_days[i], b.interval_s, b.scale, b.values, b.quality});
  }
  RateContext context;
  for (const auto& e : earlier) context.previous_peak_w = std::max(context.previous_peak_w, e.peak_demand_w);
  context.reactive_days = w.reactive_view;
  core::Result<Bill> bill;
  if (w.usage_view.empty()) {
    auto reads = RegisterReadsOf(w, account, tariff, from, to);
    if (auto* why = std::get_if<std::string>(&reads)) return hold("registers", *why);
    const auto& r = std::get<std::vector<RegisterRead>>(reads);
    bill = r.empty() ? RateDays(tariff, from, to, w.usage_view, context, w.scratch) : RateRegisters(tariff, from, to, r, context);
  } else {
    bill = RateDays(tariff, from, to, w.usage_view, context, w.scratch);
  }
  if (!bill) return hold("rating", bill.error().message);

  std::vector<int64_t> totals;
  for (const auto& e : earlier) totals.push_back(e.total_micros);
  AuditInput input{&account, &*bill, negative, point, totals};
  Verdict verdict = Audit(rules, input);
  if (!verdict.hold_rule.empty()) return hold(verdict.hold_rule, verdict.hold_reason);

  store::BillRecord r;
  r.account = account.id;
  r.run = run.id;
  r.from_day = from;
  r.to_day = to;
  r.currency = tariff.currency;
  r.subtotal_micros = bill->subtotal.micros;
  r.total_micros = bill->total.micros;
  r.intervals = bill->intervals;
  r.estimated = bill->estimated;
  r.missing_days = bill->missing_days;
  r.peak_demand_w = bill->peak_demand_w;
  r.lines = EncodeLines(bill->lines);
  r.flags = verdict.flag;
  r.changes = ServiceChanges(account, point, tariff, run.from_day, run.to_day);
  r.zone = account.zone;
  r.created = now;
  if (!verdict.flag.empty()) {
    out.event = core::Event{now, core::EventType::kBillFlagged, "", account.meter,
                            fmt::format("account {}: {}", account.id, verdict.flag)};
  }
  out.bill = std::move(r);
  return out;
}

// Decodes a block into the worker's next buffer for its account; a block that does not decode
// holds the account (recorded in `bad`).
void TakeBlock(Worker& w, bool reactive, int32_t day, std::string_view bytes, std::string& bad) {
  store::DayBlock& b = w.data.Next(reactive);
  if (auto r = store::DecodeDayBlockInto(bytes, b); !r) {
    if (bad.empty()) bad = fmt::format("day {}: {}", core::FormatDay(day), r.error().message);
    (reactive ? w.data.reactive_n : w.data.usage_n)--;
    return;
  }
  (reactive ? w.reactive_days : w.usage_days).push_back(day);
}

// Bills the accounts of one chunk (or, with chunk < 0, the listed held accounts).
core::Result<store::ChunkResult> BillChunk(Worker& w, const Rules& rules, const TariffBook& book,
                                           const store::BillRun& run, const store::RunChunk& chunk) {
  store::ChunkResult result;
  result.run = run.id;
  result.chunk = chunk.chunk;
  auto accounts = w.reader->Accounts(run.cycle, chunk.key_lo, chunk.key_hi);
  if (!accounts) return Fail(accounts.error());
  auto points = w.reader->ServicePoints(run.cycle, chunk.key_lo, chunk.key_hi);
  if (!points) return Fail(points.error());
  std::unordered_map<std::string, const store::ServicePoint*> point_of;
  for (const auto& p : *points) point_of[p.id] = &p;
  auto earlier = w.reader->EarlierBills(run.cycle, chunk.key_lo, chunk.key_hi, run.from_day, rules.history);
  if (!earlier) return Fail(earlier.error());

  // The chunk's blocks, kept as bytes in one buffer with their spans per account (in the order
  // of `accounts`, by key), decoded account by account.
  auto& spans = w.spans;
  if (spans.size() < accounts->size()) spans.resize(accounts->size());
  for (size_t i = 0; i < accounts->size(); ++i) spans[i].clear();
  size_t cursor = 0;  // rows come by account key: the account of the last row, or the one after
  auto index_of = [&](int64_t key) -> std::optional<size_t> {
    const auto& list = *accounts;
    if (cursor >= list.size() || list[cursor].key > key) cursor = 0;
    while (cursor < list.size() && list[cursor].key < key) ++cursor;
    if (cursor < list.size() && list[cursor].key == key) return cursor;
    return std::nullopt;
  };
  std::string& bytes = w.chunk_bytes;
  bytes.clear();
  std::set<core::Channel> channel_set;
  for (const auto& a : *accounts) {
    auto found = book.Find(a.tariff);
    if (auto** t = std::get_if<const Tariff*>(&found)) {
      channel_set.insert(UsageChannel(**t));
      bool reactive = std::any_of((*t)->versions.begin(), (*t)->versions.end(),
                                  [](const TariffVersion& v) { return !v.reactive.empty(); });
      if (reactive) channel_set.insert(core::Channel::kReactiveQ1);
    }
  }
  std::vector<core::Channel> channels(channel_set.begin(), channel_set.end());
  auto read = w.reader->Blocks(run.cycle, chunk.key_lo, chunk.key_hi, channels, run.from_day, run.to_day,
                               [&](int64_t key, core::Channel channel, std::string_view data,
                                   std::span<const store::BillingReader::BlockRef> days) {
                                 auto i = index_of(key);
                                 if (!i) return;  // not an account of this chunk (cannot happen)
                                 const size_t base = bytes.size();
                                 bytes.append(data);
                                 for (const auto& d : days) spans[*i].push_back({channel, d.day, base + d.at, d.size});
                               });
  if (!read) return Fail(read.error());
  // Packed months come before loose days: put each account's blocks back in channel and day order
  // where a loose day precedes a packed month (a write unpacked an older month).
  auto span_order = [](const BlockSpan& a, const BlockSpan& b) {
    return std::tie(a.channel, a.day) < std::tie(b.channel, b.day);
  };
  for (size_t i = 0; i < accounts->size(); ++i) {
    if (!std::is_sorted(spans[i].begin(), spans[i].end(), span_order)) {
      std::sort(spans[i].begin(), spans[i].end(), span_order);
    }
  }

  size_t next_earlier = 0;
  for (size_t index = 0; index < accounts->size(); ++index) {
    const store::Account& account = (*accounts)[index];
    w.data.Clear();
    w.usage_days.clear();
    w.reactive_days.clear();
    std::string bad;
    auto found = book.Find(account.tariff);
    core::Channel usage_channel = core::Channel::kActiveImport;
    if (auto** t = std::get_if<const Tariff*>(&found)) usage_channel = UsageChannel(**t);
    for (const BlockSpan& s : spans[index]) {
      bool reactive = s.channel == core::Channel::kReactiveQ1;
      if (!reactive && s.channel != usage_channel) continue;
      TakeBlock(w, reactive, s.day, std::string_view(bytes).substr(s.at, s.size), bad);
    }
    size_t first = next_earlier;
    while (next_earlier < earlier->size() && (*earlier)[next_earlier].account == account.id) ++next_earlier;
    std::span<const store::BillingReader::EarlierBill> mine(earlier->data() + first, next_earlier - first);
    auto pit = point_of.find(account.service_point);
    const store::ServicePoint* point = pit == point_of.end() ? nullptr : pit->second;
    int32_t from = std::max(run.from_day, account.move_in_day);
    int32_t to = account.move_out_day ? std::min(run.to_day, *account.move_out_day) : run.to_day;
    if (to <= from) continue;  // not a customer in this period
    AccountOutcome outcome;
    if (!bad.empty()) {
      core::Instant now = Now();
      std::string reason = fmt::format("meter {}: stored data does not decode: {}", account.meter, bad);
      outcome.hold = store::Hold{run.id, account.id, "data", reason, now, false};
      outcome.event = core::Event{now, core::EventType::kBillHeld, "", account.meter,
                                  fmt::format("account {}: {}", account.id, reason)};
    } else {
      outcome = BillAccount(w, rules, book, run, account, point, mine);
    }
    if (outcome.bill) result.bills.push_back(std::move(*outcome.bill));
    if (outcome.hold) result.holds.push_back(std::move(*outcome.hold));
    if (outcome.event) result.events.push_back(std::move(*outcome.event));
  }
  return result;
}

}  // namespace

core::Result<store::BillRun> RunBills(store::Store& store, const Rules& rules, const RunOptions& options,
                                      const ProgressFn& progress) {
  if (options.cycle.empty()) return Fail(Error::Invalid("a bill run needs a billing cycle", "cycle"));
  auto run = store.OpenRun(options.cycle, options.from_day, options.to_day, options.chunk_size, options.by, Now());
  if (!run) return Fail(run.error());
  auto book = TariffBook::Load(store);
  if (!book) return Fail(book.error());
  auto chunks = store.RunChunks(run->id);
  if (!chunks) return Fail(chunks.error());
  std::vector<store::RunChunk> pending;
  for (const auto& c : *chunks) {
    if (!c.done) pending.push_back(c);
  }
  bool resumed_after_all = pending.empty();

  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, std::max<int>(1, static_cast<int>(pending.size())));
  std::atomic<size_t> next{0};
  std::atomic<int32_t> committed{0};
  std::atomic<bool> stop{false};
  std::mutex mu;  // guards first_error, progress calls, report
  std::optional<Error> first_error;
  RunProgress report{run->id, run->chunks, run->chunks_done, 0, 0, run->held, run->flagged};

  auto work = [&] {
    Worker w;
    auto reader = store.OpenBillingReader();
    if (!reader) {
      std::lock_guard lock(mu);
      if (!first_error) first_error = reader.error();
      stop = true;
      return;
    }
    w.reader = std::move(*reader);
    for (;;) {
      if (stop) return;
      size_t i = next.fetch_add(1);
      if (i >= pending.size()) return;
      if (options.stop_after_chunks >= 0 && committed.fetch_add(1) >= options.stop_after_chunks) {
        stop = true;
        return;
      }
      auto result = BillChunk(w, rules, *book, *run, pending[i]);
      core::Result<void> stored = result ? store.CommitChunk(*result) : core::Result<void>(Fail(result.error()));
      std::lock_guard lock(mu);
      if (!stored) {
        // Another runner finished this chunk first: nothing of ours was written.
        if (stored.error().code == core::ErrorCode::kConflict) continue;
        if (!first_error) first_error = stored.error();
        stop = true;
        return;
      }
      report.chunks_done++;
      report.accounts_done += static_cast<int64_t>(result->bills.size() + result->holds.size());
      report.billed += static_cast<int64_t>(result->bills.size());
      report.held += static_cast<int64_t>(result->holds.size());
      for (const auto& b : result->bills) report.flagged += b.flags.empty() ? 0 : 1;
      if (progress) progress(report);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  if (first_error) return Fail(*first_error);
  if (stop && options.stop_after_chunks >= 0) {
    auto now_run = store.GetRun(run->id);
    if (!now_run) return Fail(now_run.error());
    return **now_run;
  }

  // All chunks are done. On a re-run (nothing was pending) retry the accounts the run holds:
  // those whose data was fixed are billed now and their holds resolved.
  if (resumed_after_all) {
    auto holds = store.ListHolds(run->id, /*unresolved_only=*/true);
    if (!holds) return Fail(holds.error());
    if (!holds->empty()) {
      Worker w;
      auto reader = store.OpenBillingReader();
      if (!reader) return Fail(reader.error());
      w.reader = std::move(*reader);
      store::ChunkResult retry;
      retry.run = run->id;
      for (const auto& h : *holds) {
        auto account = w.reader->AccountById(h.account);
        if (!account) return Fail(account.error());
        if (!*account) continue;
        store::RunChunk one{-1, (*account)->key, (*account)->key, false};
        auto result = BillChunk(w, rules, *book, *run, one);
        if (!result) return Fail(result.error());
        for (auto& b : result->bills) {
          retry.resolved.push_back(b.account);
          retry.bills.push_back(std::move(b));
        }
        for (auto& x : result->holds) retry.holds.push_back(std::move(x));
        for (auto& e : result->events) retry.events.push_back(std::move(e));
      }
      if (auto r = store.CommitChunk(retry); !r) return Fail(r.error());
    }
  }
  return store.FinishRun(run->id, Now());
}

core::Result<store::BillRecord> Rebill(store::Store& store, int64_t bill_id) {
  auto previous = store.GetBill(bill_id);
  if (!previous) return Fail(previous.error());
  if (!*previous) return Fail(Error::NotFound(fmt::format("bill {} not found", bill_id)));
  const store::BillRecord& p = **previous;
  auto account = store.GetAccount(p.account);
  if (!account) return Fail(account.error());
  if (!*account) return Fail(Error::NotFound(fmt::format("account {} not found", p.account)));
  auto book = TariffBook::Load(store);
  if (!book) return Fail(book.error());
  Worker w;
  auto reader = store.OpenBillingReader();
  if (!reader) return Fail(reader.error());
  w.reader = std::move(*reader);
  auto found = book->Find((*account)->tariff);
  if (auto* why = std::get_if<std::string>(&found)) return Fail(Error::Invalid(*why, "tariff"));
  const Tariff& tariff = *std::get<const Tariff*>(found);
  std::string bad;
  std::vector<core::Channel> channels{UsageChannel(tariff), core::Channel::kReactiveQ1};
  std::vector<std::pair<core::Channel, std::pair<int32_t, std::string>>> blocks;
  auto read = w.reader->AccountBlocks((*account)->meter, channels, p.from_day, p.to_day,
                                      [&](int64_t, core::Channel c, std::string_view data,
                                          std::span<const store::BillingReader::BlockRef> days) {
                                        for (const auto& d : days) {
                                          blocks.push_back({c, {d.day, std::string(data.substr(d.at, d.size))}});
                                        }
                                      });
  if (!read) return Fail(read.error());
  std::sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.first) < std::tie(b.first, b.second.first);
  });
  for (const auto& [c, block] : blocks) {
    TakeBlock(w, c == core::Channel::kReactiveQ1, block.first, block.second, bad);
  }
  if (!bad.empty()) return Fail(Error::Corruption(fmt::format("meter {}: {}", (*account)->meter, bad)));
  store::BillRun run;
  run.id = p.run;
  run.from_day = p.from_day;
  run.to_day = p.to_day;
  auto point = store.GetServicePoint((*account)->service_point);
  if (!point) return Fail(point.error());
  // A rebill is audited like a run's bill: a failing rule refuses it with the reason.
  Rules rules;
  rules.fluctuation_percent = 0;
  store::Account a = **account;
  a.move_in_day = std::min(a.move_in_day, p.from_day);
  auto outcome = BillAccount(w, rules, *book, run, a, *point ? &**point : nullptr, {});
  if (outcome.hold) return Fail(Error::Conflict(fmt::format("rebill of bill {} refused: {}", bill_id, outcome.hold->reason)));
  store::BillRecord bill = std::move(*outcome.bill);
  bill.from_day = p.from_day;
  bill.to_day = p.to_day;
  bill.previous = p.id;
  return store.PutRebill(std::move(bill));
}

}  // namespace meterd::billing
