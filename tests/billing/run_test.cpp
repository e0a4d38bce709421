// SPDX-License-Identifier: Apache-2.0
// Bill runs end to end on a real SQLite store: audit holds roll an account back, the rest are
// billed; a run stopped part-way resumes without double bills; holds are retried; fluctuation
// flags; review and release by zone; released bills are final; rebills show the difference.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "billing/bill_lines.h"
#include "billing/run.h"
#include "store/store.h"
#include "../store/store_fixture.h"

namespace meterd::billing {
namespace {

using store::testing::Day;
using store::testing::TempDir;

constexpr const char* kWater = R"(
id = "water"
name = "Water"
currency = "EUR"
unit = "m3"
time_zone = "UTC"
[[version]]
effective = "2026-01-01"
fixed = [{ name = "Standing charge", amount = "0.10", per = "day" }]
taxes = [{ name = "VAT", rate = "0.10" }]
[[version.rate]]
name = "all"
from = "00:00"
to = "24:00"
price = "2.00"
)";

core::Instant Now() { return core::FromUnixSeconds(1'780'000'000); }

class BillRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenSqliteStore(store::SqliteOptions{dir_.File("meterd.db"), false});
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->PutTariff({"water", kWater, Now(), "test"}));
    ASSERT_TRUE(store_->PutZone({"centre", /*key=*/true, 0}));
    ASSERT_TRUE(store_->PutZone({"suburb", /*key=*/false, 2}));
  }

  // A water account on its own meter with `litres_per_slot` in every 15-minute slot of January.
  void AddAccount(const std::string& id, const std::string& zone, int64_t litres_per_slot, bool with_data = true,
                  const std::string& email = "") {
    std::string meter = "wm-" + id;
    ASSERT_TRUE(store_->PutDevice(store::testing::Device("acq-" + id, meter), store::testing::Meter(meter)));
    ASSERT_TRUE(store_->PutServicePoint({"sp-" + id, meter, Day("2025-01-01")}));
    store::Account a;
    a.id = id;
    a.name = "Customer " + id;
    a.cycle = "m1";
    a.zone = zone;
    a.customer_class = "residential";
    a.service_point = "sp-" + id;
    a.meter = meter;
    a.tariff = "water";
    a.email = email;
    a.move_in_day = Day("2025-01-01");
    ASSERT_TRUE(store_->PutAccount(a));
    if (with_data) WriteJanuary(meter, litres_per_slot);
  }

  void WriteJanuary(const std::string& meter, int64_t litres, int only_day = -1, int only_slot = -1) {
    store::IngestWrite w;
    w.source = "test";
    for (int d = 0; d < 31; ++d) {
      if (only_day >= 0 && d != only_day) continue;
      for (int s = 0; s < 96; ++s) {
        if (only_slot >= 0 && s != only_slot) continue;
        w.slots.push_back(store::testing::Slot(meter, Day("2026-01-01") + d, s, litres, -3, store::MergeMode::kSet));
      }
    }
    store::IngestWrite writes[] = {std::move(w)};
    ASSERT_TRUE(store_->Commit(writes));
  }

  RunOptions January(int chunk = 3) {
    RunOptions o;
    o.cycle = "m1";
    o.from_day = Day("2026-01-01");
    o.to_day = Day("2026-02-01");
    o.chunk_size = chunk;
    o.threads = 2;
    o.by = "test";
    return o;
  }

  std::map<std::string, store::BillRecord> Bills(int64_t run) {
    store::BillFilter f;
    f.run = run;
    f.limit = 1000;
    auto list = store_->ListBills(f);
    EXPECT_TRUE(list) << list.error().ToString();
    std::map<std::string, store::BillRecord> out;
    for (auto& b : list->items) {
      if (b.state != store::BillState::kSuperseded) {
        EXPECT_FALSE(out.contains(b.account)) << "two live bills for " << b.account;
        out[b.account] = b;
      }
    }
    return out;
  }

  std::map<std::string, store::Hold> Holds(int64_t run) {
    auto holds = store_->ListHolds(run, /*unresolved_only=*/true);
    EXPECT_TRUE(holds);
    std::map<std::string, store::Hold> out;
    for (auto& h : *holds) out[h.account] = h;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(BillRunTest, HeldAccountsAreRolledBackAndTheRestBilled) {
  for (int i = 1; i <= 6; ++i) AddAccount(fmt::format("a{}", i), "suburb", 1);
  AddAccount("nodata", "suburb", 1, /*with_data=*/false);
  AddAccount("negative", "suburb", 1);
  WriteJanuary("wm-negative", -5, /*only_day=*/3, /*only_slot=*/10);
  AddAccount("swapped", "suburb", 1);
  ASSERT_TRUE(store_->PutServicePoint({"sp-swapped", "wm-other", Day("2025-06-01")}));
  AddAccount("huge", "suburb", 1000);
  Rules rules;
  rules.total_bounds.push_back({"residential", 0, 1'000'000'000});  // 1,000.00

  auto run = RunBills(*store_, rules, January());
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->state, store::RunState::kCompleted);
  EXPECT_EQ(run->accounts, 10);
  EXPECT_EQ(run->chunks, 4);
  EXPECT_EQ(run->billed, 6);
  EXPECT_EQ(run->held, 4);

  auto bills = Bills(run->id);
  ASSERT_EQ(bills.size(), 6u);
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(bills.contains(fmt::format("a{}", i)));
  // 96 L x 31 days = 2.976 m3 at 2.00 = 5.952; 31 days x 0.10 = 3.10; VAT 10% of 9.052.
  const auto& a1 = bills["a1"];
  EXPECT_EQ(a1.subtotal_micros, 9'957'200);
  EXPECT_EQ(a1.total_micros, 9'960'000);
  EXPECT_EQ(a1.intervals, 31 * 96);
  auto lines = billing::DecodeLines(a1.lines);
  ASSERT_TRUE(lines) << lines.error().message;
  auto standing = std::find_if(lines->begin(), lines->end(),
                               [](const billing::BillLine& l) { return l.description == "Standing charge"; });
  ASSERT_NE(standing, lines->end());
  EXPECT_EQ(standing->amount.micros, 3'100'000);
  EXPECT_EQ(standing->quantity.value, 31);

  auto holds = Holds(run->id);
  ASSERT_EQ(holds.size(), 4u);
  EXPECT_EQ(holds["nodata"].rule, "no_data");
  EXPECT_EQ(holds["negative"].rule, "consumption_not_negative");
  EXPECT_NE(holds["negative"].reason.find("1 interval(s) of meter wm-negative"), std::string::npos);
  EXPECT_EQ(holds["swapped"].rule, "meter_matches_service_point");
  EXPECT_NE(holds["swapped"].reason.find("service point sp-swapped has meter wm-other"), std::string::npos);
  EXPECT_EQ(holds["huge"].rule, "total_bounds");

  store::EventFilter ef;
  ef.type = core::EventType::kBillHeld;
  auto events = store_->ListEvents(ef);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->total, 4);
}

TEST_F(BillRunTest, AStoppedRunResumesWithoutDoubleBillsAndARerunChangesNothing) {
  for (int i = 1; i <= 10; ++i) AddAccount(fmt::format("a{:02}", i), "suburb", i);
  RunOptions first = January(/*chunk=*/2);
  first.stop_after_chunks = 2;
  first.threads = 1;
  auto stopped = RunBills(*store_, Rules{}, first);
  ASSERT_TRUE(stopped) << stopped.error().ToString();
  EXPECT_EQ(stopped->state, store::RunState::kRunning);
  EXPECT_EQ(stopped->chunks_done, 2);
  EXPECT_EQ(stopped->billed, 4);

  auto resumed = RunBills(*store_, Rules{}, January(/*chunk=*/2));
  ASSERT_TRUE(resumed) << resumed.error().ToString();
  EXPECT_EQ(resumed->id, stopped->id);
  EXPECT_EQ(resumed->state, store::RunState::kCompleted);
  EXPECT_EQ(resumed->billed, 10);
  auto before = Bills(resumed->id);
  EXPECT_EQ(before.size(), 10u);

  auto again = RunBills(*store_, Rules{}, January(/*chunk=*/2));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, resumed->id);
  EXPECT_EQ(again->billed, 10);
  auto after = Bills(again->id);
  for (const auto& [account, bill] : before) EXPECT_EQ(after[account].id, bill.id) << account;

  // A chunk cannot be committed twice.
  store::ChunkResult dup;
  dup.run = again->id;
  dup.chunk = 0;
  auto twice = store_->CommitChunk(dup);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, core::ErrorCode::kConflict);
}

TEST_F(BillRunTest, AHeldAccountIsBilledOnTheRerunOnceItsDataIsFixed) {
  AddAccount("ok", "suburb", 1);
  AddAccount("late", "suburb", 1, /*with_data=*/false);
  auto run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run);
  EXPECT_EQ(run->held, 1);
  // Re-running before the data arrives keeps it held.
  run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run);
  EXPECT_EQ(run->held, 1);
  EXPECT_EQ(Bills(run->id).size(), 1u);

  WriteJanuary("wm-late", 2);
  run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run) << run.error().ToString();
  EXPECT_EQ(run->held, 0);
  EXPECT_EQ(run->billed, 2);
  auto bills = Bills(run->id);
  ASSERT_TRUE(bills.contains("late"));
  EXPECT_EQ(bills["late"].intervals, 31 * 96);
  auto all = store_->ListHolds(run->id, /*unresolved_only=*/false);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE(all->front().resolved);
}

TEST_F(BillRunTest, AFluctuationAgainstTheAccountsHistoryFlagsTheBill) {
  AddAccount("steady", "suburb", 1);
  AddAccount("jump", "suburb", 1);
  // January is the history; then one day of February, about a January's worth for "steady"
  // (-33%, inside 50%) and far more for "jump".
  auto jan = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(jan);
  store::IngestWrite w;
  for (int s = 0; s < 96; ++s) {
    w.slots.push_back(store::testing::Slot("wm-steady", Day("2026-02-01"), s, 31, -3, store::MergeMode::kSet));
    w.slots.push_back(store::testing::Slot("wm-jump", Day("2026-02-01"), s, 200, -3, store::MergeMode::kSet));
  }
  store::IngestWrite writes[] = {std::move(w)};
  ASSERT_TRUE(store_->Commit(writes));
  RunOptions feb = January();
  feb.from_day = Day("2026-02-01");
  feb.to_day = Day("2026-02-02");
  Rules rules;
  rules.fluctuation_percent = 50;
  auto run = RunBills(*store_, rules, feb);
  ASSERT_TRUE(run) << run.error().ToString();
  auto bills = Bills(run->id);
  ASSERT_EQ(bills.size(), 2u);
  // steady: 96 x 31 L = 2.976 m3 in one day, about its January total: no flag.
  EXPECT_EQ(bills["steady"].flags, "");
  EXPECT_NE(bills["jump"].flags.find("fluctuation: +"), std::string::npos) << bills["jump"].flags;
  EXPECT_EQ(run->flagged, 1);
}

TEST_F(BillRunTest, ReviewAndReleaseFollowTheZones) {
  AddAccount("k1", "centre", 1, true, "k1@example.test");
  AddAccount("k2", "centre", 1);
  for (int i = 1; i <= 5; ++i) AddAccount(fmt::format("r{}", i), "suburb", 1, true, fmt::format("r{}@example.test", i));
  auto run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run);
  auto bills = Bills(run->id);
  int sampled = 0;
  for (const auto& [a, b] : bills) sampled += b.sampled ? 1 : 0;
  EXPECT_EQ(sampled, 2);  // the suburb zone's sample size

  store::BillFilter queue;
  queue.run = run->id;
  queue.review_queue = true;
  auto waiting = store_->ListBills(queue);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->total, 4);  // both key-zone bills and the two samples

  // Nothing can go out yet: key bills unreviewed, samples unreviewed.
  auto none = store_->ReleaseRun(run->id, Now());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->released, 0);
  EXPECT_EQ(none->waiting, 7);

  // Reject one sample: the whole suburb zone is held.
  std::vector<int64_t> samples;
  for (const auto& [a, b] : bills) {
    if (b.sampled) samples.push_back(b.id);
  }
  ASSERT_TRUE(store_->ReviewBill({samples[0], "rita", Now(), false, "reading looks wrong"}));
  ASSERT_TRUE(store_->ReviewBill({samples[1], "rita", Now(), true, ""}));
  ASSERT_TRUE(store_->ReviewBill({bills["k1"].id, "rita", Now(), true, "ok"}));
  auto partial = store_->ReleaseRun(run->id, Now());
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->released, 1);  // k1 only
  ASSERT_EQ(partial->held_zones.size(), 1u);
  EXPECT_EQ(partial->held_zones[0], "suburb");

  // The rejected sample is rebilled (data checked), approved; now the zone goes out whole.
  auto rebill = Rebill(*store_, samples[0]);
  ASSERT_TRUE(rebill) << rebill.error().ToString();
  EXPECT_EQ(rebill->version, 2);
  EXPECT_TRUE(rebill->sampled);
  ASSERT_TRUE(store_->ReviewBill({rebill->id, "rita", Now(), true, "fixed"}));
  auto rest = store_->ReleaseRun(run->id, Now());
  ASSERT_TRUE(rest) << rest.error().ToString();
  EXPECT_EQ(rest->released, 5);
  EXPECT_TRUE(rest->held_zones.empty());
  EXPECT_EQ(rest->waiting, 1);  // k2, never reviewed

  auto reviews = store_->Reviews(samples[0]);
  ASSERT_TRUE(reviews);
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ(reviews->front().reviewer, "rita");
  EXPECT_FALSE(reviews->front().approved);
  EXPECT_EQ(reviews->front().note, "reading looks wrong");

  // Released bills are final, and their customers are notified.
  auto k1 = store_->ReviewBill({bills["k1"].id, "rita", Now(), false, "too late"});
  ASSERT_FALSE(k1);
  EXPECT_EQ(k1.error().code, core::ErrorCode::kConflict);
  auto due = store_->DueNotifications(Now(), 100);
  ASSERT_TRUE(due);
  EXPECT_EQ(due->size(), 6u);  // k1 and r1..r5 have e-mail addresses
}

TEST_F(BillRunTest, AMidPeriodMoveInIsBilledFromItsDayAndMarked) {
  AddAccount("new", "suburb", 1);
  auto account = store_->GetAccount("new");
  ASSERT_TRUE(account && *account);
  store::Account a = **account;
  a.move_in_day = Day("2026-01-22");  // 10 days of January
  ASSERT_TRUE(store_->PutAccount(a));
  auto run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run) << run.error().ToString();
  auto bill = Bills(run->id)["new"];
  EXPECT_EQ(bill.from_day, Day("2026-01-22"));
  EXPECT_EQ(bill.intervals, 10 * 96);
  EXPECT_EQ(bill.changes, "move_in");
  // 0.96 m3 x 2.00 = 1.92; 10 days x 0.10 = 1.00; VAT 10% of 2.92 = 0.292 -> 3.212 -> 3.21.
  EXPECT_EQ(bill.total_micros, 3'210'000);
}

TEST_F(BillRunTest, MetersThatReportOnlyRegistersAreBilledFromTheirReads) {
  // Daily register reads (m3 at scale -3) and no interval block at all.
  auto registers = [&](const std::string& meter, std::vector<std::pair<std::string, int64_t>> reads) {
    store::IngestWrite w;
    w.source = "test";
    for (const auto& [day, litres] : reads) {
      w.registers.push_back({meter, core::Channel::kVolume, Day(day.c_str()), core::FromUnixSeconds(1'767'225'000),
                             core::Quantity{litres, -3, core::Unit::kM3}});
    }
    store::IngestWrite writes[] = {std::move(w)};
    ASSERT_TRUE(store_->Commit(writes));
  };
  AddAccount("reg", "suburb", 0, /*with_data=*/false);
  // A read in the middle of January does not count; the last before and the last within do.
  registers("wm-reg", {{"2025-12-30", 99'000}, {"2025-12-31", 100'000}, {"2026-01-15", 101'000}, {"2026-01-31", 102'976}});
  AddAccount("late", "suburb", 0, /*with_data=*/false);
  registers("wm-late", {{"2025-12-28", 100'000}, {"2026-01-31", 102'976}});
  AddAccount("old", "suburb", 0, /*with_data=*/false);
  registers("wm-old", {{"2025-12-20", 100'000}, {"2026-01-31", 102'976}});  // 12 days early: too old
  auto run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run) << run.error().ToString();
  auto bills = Bills(run->id);
  // 2.976 m3 x 2.00 = 5.952; 31 days x 0.10 = 3.10; VAT 10% of 9.052: 9.96, as from intervals.
  ASSERT_TRUE(bills.contains("reg"));
  EXPECT_EQ(bills["reg"].total_micros, 9'960'000);
  EXPECT_EQ(bills["reg"].intervals, 0);
  auto lines = DecodeLines(bills["reg"].lines);
  ASSERT_TRUE(lines) << lines.error().message;
  auto usage = std::find_if(lines->begin(), lines->end(), [](const BillLine& l) { return l.reads > 0; });
  ASSERT_NE(usage, lines->end());
  EXPECT_EQ(usage->quantity.value, 2'976);
  EXPECT_EQ(usage->estimated, 0);
  // A start read three days before the period is used, and the bill says it is estimated.
  ASSERT_TRUE(bills.contains("late"));
  EXPECT_EQ(bills["late"].total_micros, 9'960'000);
  EXPECT_EQ(bills["late"].estimated, 1);
  auto holds = Holds(run->id);
  ASSERT_TRUE(holds.contains("old"));
  EXPECT_EQ(holds["old"].rule, "no_data");
  EXPECT_NE(holds["old"].reason.find("no interval data or register reads for meter wm-old"), std::string::npos)
      << holds["old"].reason;

  // A total register cannot be split among rate periods: a TOU tariff holds the account.
  std::string tou = kWater;
  tou.replace(tou.find("id = \"water\""), 12, "id = \"water-tou\"");
  tou.replace(tou.find("to = \"24:00\""), 12, "to = \"12:00\"");
  tou += "[[version.rate]]\nname = \"afternoon\"\nfrom = \"12:00\"\nto = \"24:00\"\nprice = \"3.00\"\n";
  ASSERT_TRUE(store_->PutTariff({"water-tou", tou, Now(), "test"}));
  AddAccount("tou", "suburb", 0, /*with_data=*/false);
  registers("wm-tou", {{"2026-01-31", 102'976}, {"2026-02-28", 104'000}});
  auto account = store_->GetAccount("tou");
  ASSERT_TRUE(account && *account);
  store::Account a = **account;
  a.tariff = "water-tou";
  ASSERT_TRUE(store_->PutAccount(a));
  // Rate periods only count in the versions in force: from March the tariff is one rate again.
  tou += "[[version]]\neffective = \"2026-03-01\"\n"
         "fixed = [{ name = \"Standing charge\", amount = \"0.10\", per = \"day\" }]\n"
         "taxes = [{ name = \"VAT\", rate = \"0.10\" }]\n"
         "[[version.rate]]\nname = \"all\"\nfrom = \"00:00\"\nto = \"24:00\"\nprice = \"2.50\"\n";
  ASSERT_TRUE(store_->PutTariff({"water-tou", tou, Now(), "test"}));
  RunOptions february = January();
  february.from_day = Day("2026-02-01");
  february.to_day = Day("2026-03-01");
  auto second = RunBills(*store_, Rules{}, february);
  ASSERT_TRUE(second) << second.error().ToString();
  auto held = Holds(second->id);
  ASSERT_TRUE(held.contains("tou"));
  EXPECT_EQ(held["tou"].rule, "registers");
  EXPECT_NE(held["tou"].reason.find("meter wm-tou reports registers only, and tariff water-tou has 2 rate periods"),
            std::string::npos)
      << held["tou"].reason;
  registers("wm-tou", {{"2026-03-31", 105'000}});
  RunOptions march = January();
  march.from_day = Day("2026-03-01");
  march.to_day = Day("2026-04-01");
  auto third = RunBills(*store_, Rules{}, march);
  ASSERT_TRUE(third) << third.error().ToString();
  auto billed = Bills(third->id);
  ASSERT_TRUE(billed.contains("tou")) << (Holds(third->id).contains("tou") ? Holds(third->id)["tou"].reason : "");
  // 1.000 m3 x 2.50 = 2.50; 31 days x 0.10 = 3.10; VAT 10% of 5.60: 6.16.
  EXPECT_EQ(billed["tou"].total_micros, 6'160'000);
}

TEST_F(BillRunTest, CyclesAreCountedWhole) {
  for (int i = 0; i < 5; ++i) AddAccount(fmt::format("m{}", i), "suburb", 1, /*with_data=*/false);
  AddAccount("q0", "suburb", 1, /*with_data=*/false);
  auto q = store_->GetAccount("q0");
  ASSERT_TRUE(q && *q);
  store::Account a = **q;
  a.cycle = "q1";
  ASSERT_TRUE(store_->PutAccount(a));
  auto cycles = store_->ListCycles();
  ASSERT_TRUE(cycles) << cycles.error().ToString();
  ASSERT_EQ(cycles->size(), 2u);
  EXPECT_EQ((*cycles)[0].cycle, "m1");
  EXPECT_EQ((*cycles)[0].accounts, 5);
  EXPECT_EQ((*cycles)[1].cycle, "q1");
  EXPECT_EQ((*cycles)[1].accounts, 1);
}

TEST_F(BillRunTest, ARebillAfterCorrectedDataShowsTheDifference) {
  AddAccount("fix", "centre", 1);
  auto run = RunBills(*store_, Rules{}, January());
  ASSERT_TRUE(run);
  auto first = Bills(run->id)["fix"];
  ASSERT_TRUE(store_->ReviewBill({first.id, "rita", Now(), true, ""}));
  ASSERT_TRUE(store_->ReleaseRun(run->id, Now()));
  // A corrected day: 96 slots of 11 L instead of 1 L on 10 January (+0.96 m3 = +1.92 + 10% VAT).
  WriteJanuary("wm-fix", 11, /*only_day=*/9);
  auto rebill = Rebill(*store_, first.id);
  ASSERT_TRUE(rebill) << rebill.error().ToString();
  EXPECT_EQ(rebill->version, 2);
  EXPECT_EQ(rebill->previous, first.id);
  EXPECT_EQ(rebill->total_micros - first.total_micros, 2'110'000);
  EXPECT_EQ(rebill->difference_micros, 2'110'000);
  // The released bill stays released and unchanged.
  auto kept = store_->GetBill(first.id);
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->state, store::BillState::kReleased);
  EXPECT_EQ((*kept)->total_micros, first.total_micros);
}

}  // namespace
}  // namespace meterd::billing

namespace meterd::billing {
namespace {

// Closed months packed into one row per meter bill exactly as their loose days did, whether a
// chunk's accounts are all packed (no loose days looked for), some are, or none.
TEST_F(BillRunTest, PackedMonthsBillTheSameAsLooseDays) {
  AddAccount("packed", "centre", 1);
  AddAccount("mixed", "centre", 1);
  auto packed = store_->PackMonths(Day("2026-02-05"), 0);
  ASSERT_TRUE(packed) << packed.error().ToString();
  ASSERT_EQ(packed->months, 2);
  WriteJanuary("wm-mixed", 11, /*only_day=*/9);  // unpacks the month of wm-mixed
  AddAccount("loose", "centre", 1);
  ASSERT_EQ(store_->Stats()->packed_months, 1);

  for (auto [chunk, from] : {std::pair{1, Day("2026-01-01")}, std::pair{3, Day("2026-01-02")}}) {
    SCOPED_TRACE(fmt::format("chunk {}", chunk));
    RunOptions o = January(chunk);
    o.from_day = from;
    auto run = RunBills(*store_, Rules{}, o);
    ASSERT_TRUE(run) << run.error().ToString();
    auto bills = Bills(run->id);
    ASSERT_EQ(bills.size(), 3u);
    const int64_t days = Day("2026-02-01") - from;
    EXPECT_EQ(bills["packed"].intervals, days * 96);
    EXPECT_EQ(bills["loose"].intervals, days * 96);
    EXPECT_EQ(bills["mixed"].intervals, days * 96);
    EXPECT_EQ(bills["packed"].total_micros, bills["loose"].total_micros);
    EXPECT_EQ(bills["packed"].lines, bills["loose"].lines);
    // 96 slots of 11 L instead of 1 L on 10 January: +0.96 m3 at 2.00 + 10% VAT.
    EXPECT_EQ(bills["mixed"].total_micros - bills["loose"].total_micros, 2'110'000);
  }
}

}  // namespace
}  // namespace meterd::billing
