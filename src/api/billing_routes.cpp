// SPDX-License-Identifier: Apache-2.0
// Billing: tariffs, review zones, service points, accounts, bill runs, bills, review and release
// (docs/api.md#billing, docs/billing-runs.md).
#include <fmt/format.h>

#include <charconv>

#include "api/api.h"
#include "api/billing_api.h"
#include "api/json_views.h"
#include "billing/bill_lines.h"
#include "billing/service.h"
#include "billing/tariff.h"
#include "core/money.h"

namespace meterd::api {
namespace {

namespace json = boost::json;
using P = security::Permission;

json::array SplitList(const std::string& csv) {
  json::array out;
  size_t start = 0;
  while (start < csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.emplace_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Flags are sentences that may contain commas: they are kept one per line.
json::array FlagList(const std::string& flags) {
  json::array out;
  if (!flags.empty()) out.emplace_back(flags);
  return out;
}

std::string_view StateName(store::BillState s) {
  switch (s) {
    case store::BillState::kDraft: return "draft";
    case store::BillState::kApproved: return "approved";
    case store::BillState::kRejected: return "rejected";
    case store::BillState::kReleased: return "released";
    case store::BillState::kSuperseded: return "superseded";
  }
  return "draft";
}

core::Result<store::BillState> ParseState(std::string_view s) {
  for (auto st : {store::BillState::kDraft, store::BillState::kApproved, store::BillState::kRejected,
                  store::BillState::kReleased, store::BillState::kSuperseded}) {
    if (StateName(st) == s) return st;
  }
  return core::Fail(core::Error::Invalid(
      fmt::format("state must be draft, approved, rejected, released or superseded, not '{}'", s), "state"));
}

std::string_view NotifyStateName(store::NotifyState s) {
  switch (s) {
    case store::NotifyState::kPending: return "pending";
    case store::NotifyState::kDelivered: return "delivered";
    case store::NotifyState::kFailed: return "failed";
  }
  return "pending";
}

json::object RunJson(const store::BillRun& r) {
  json::object o;
  o["id"] = r.id;
  o["cycle"] = r.cycle;
  o["from"] = core::FormatDay(r.from_day);
  o["to"] = core::FormatDay(r.to_day);
  o["state"] = r.state == store::RunState::kCompleted ? "completed" : "running";
  o["created"] = core::FormatInstant(r.created);
  o["created_by"] = r.created_by;
  o["finished"] = InstantJson(r.finished);
  o["accounts"] = r.accounts;
  o["chunks"] = r.chunks;
  o["chunks_done"] = r.chunks_done;
  o["billed"] = r.billed;
  o["held"] = r.held;
  o["flagged"] = r.flagged;
  return o;
}

json::object BillJson(const store::BillRecord& b, bool with_lines) {
  json::object o;
  o["id"] = b.id;
  o["account"] = b.account;
  o["run"] = b.run;
  o["from"] = core::FormatDay(b.from_day);
  o["to"] = core::FormatDay(b.to_day);
  o["version"] = b.version;
  o["state"] = StateName(b.state);
  o["currency"] = b.currency;
  o["subtotal"] = core::FormatMicros(b.subtotal_micros);
  o["total"] = core::FormatCents(b.total_micros);
  o["intervals"] = b.intervals;
  o["estimated"] = b.estimated;
  o["missing_days"] = b.missing_days;
  o["peak_demand_w"] = b.peak_demand_w;
  o["flags"] = FlagList(b.flags);
  o["changes"] = SplitList(b.changes);
  o["zone"] = b.zone;
  o["sampled"] = b.sampled;
  o["previous"] = b.previous ? json::value(*b.previous) : json::value(nullptr);
  o["difference"] = core::FormatCents(b.difference_micros);
  o["created"] = core::FormatInstant(b.created);
  o["released"] = InstantJson(b.released);
  if (with_lines) {
    // Lines that do not decode (a damaged row) are shown as none; the bill's totals still stand.
    auto text = billing::StoredLinesJson(b.lines);
    boost::system::error_code ec;
    json::value lines = text ? json::parse(*text, ec) : json::value();
    o["lines"] = text && !ec ? lines : json::value(json::array());
  }
  return o;
}

json::object AccountJson(const store::Account& a) {
  json::object o;
  o["id"] = a.id;
  o["name"] = a.name;
  o["cycle"] = a.cycle;
  o["zone"] = a.zone;
  o["customer_class"] = a.customer_class;
  o["service_point"] = a.service_point;
  o["meter"] = a.meter;
  o["tariff"] = a.tariff;
  o["email"] = a.email;
  o["phone"] = a.phone;
  o["move_in"] = core::FormatDay(a.move_in_day);
  o["move_out"] = a.move_out_day ? json::value(core::FormatDay(*a.move_out_day)) : json::value(nullptr);
  return o;
}

json::object TariffJson(const store::TariffRecord& r, bool with_source) {
  json::object o;
  o["id"] = r.id;
  auto parsed = billing::ParseTariff(r.source, fmt::format("tariff {}", r.id));
  if (parsed) {
    o["name"] = parsed->name;
    o["currency"] = parsed->currency;
    o["unit"] = parsed->unit == core::Unit::kM3 ? "m3" : "kWh";
    o["time_zone"] = std::string(parsed->zone.Name());
    o["versions"] = parsed->versions.size();
  }
  o["updated"] = core::FormatInstant(r.updated);
  o["updated_by"] = r.updated_by;
  if (with_source) o["source"] = r.source;
  return o;
}

core::Result<int32_t> DayField(const json::object& o, std::string_view name) {
  auto text = StringField(o, name, 10);
  if (!text) return core::Fail(text.error());
  auto day = core::ParseDay(*text);
  if (!day) return core::Fail(core::Error::Invalid(fmt::format("{} must be a date YYYY-MM-DD", name), std::string(name)));
  return *day;
}

billing::Service* Billing(Api& api) { return api.billing(); }

Response NoBilling() {
  return ErrorResponse(core::Error{core::ErrorCode::kUnavailable, "billing is not running in this meterd", ""});
}

// ---- tariffs ----

Response ListTariffs(Api& api, Request&, const RouteParams&, const Caller&) {
  auto list = api.store().ListTariffs();
  if (!list) return ErrorResponse(list.error());
  json::array items;
  for (const auto& t : *list) items.push_back(TariffJson(t, false));
  return Json(200, json::serialize(json::object{{"items", items}}));
}

Response GetTariff(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto t = api.store().GetTariff(params.Get("id"));
  if (!t) return ErrorResponse(t.error());
  if (!*t) return ErrorResponse(core::Error::NotFound(fmt::format("no tariff '{}'", params.Get("id"))));
  return Json(200, json::serialize(TariffJson(**t, true)));
}

Response PutTariff(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  const std::string& id = params.Get("id");
  auto parsed = billing::ParseTariff(req.body, fmt::format("tariff {}", id));
  if (!parsed) return ErrorResponse(parsed.error());
  if (parsed->id != id) {
    return ErrorResponse(core::Error::Invalid(
        fmt::format("the file's id '{}' is not the '{}' in the path", parsed->id, id), "id"));
  }
  store::TariffRecord r{id, req.body, api.clock(), caller.user};
  if (auto put = api.store().PutTariff(r); !put) return ErrorResponse(put.error());
  RecordAudit(api, req, caller.user, "tariff.put", "tariff:" + id,
              fmt::format("{} versions", parsed->versions.size()));
  return Json(200, json::serialize(TariffJson(r, true)));
}

// ---- zones, cycles, service points, accounts ----

Response ListZones(Api& api, Request&, const RouteParams&, const Caller&) {
  auto zones = api.store().ListZones();
  if (!zones) return ErrorResponse(zones.error());
  json::array items;
  for (const auto& z : *zones) items.push_back(json::object{{"id", z.id}, {"key", z.key}, {"sample_size", z.sample_size}});
  return Json(200, json::serialize(json::object{{"items", items}}));
}

Response PutZone(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto key = BoolField(*body, "key");
  if (!key) return ErrorResponse(key.error());
  auto size = IntField(*body, "sample_size", 0, 100000);
  if (!size) return ErrorResponse(size.error());
  store::ReviewZone z{params.Get("id"), *key, static_cast<int32_t>(*size)};
  if (auto put = api.store().PutZone(z); !put) return ErrorResponse(put.error());
  RecordAudit(api, req, caller.user, "zone.put", "zone:" + z.id, req.body);
  return Json(200, json::serialize(json::object{{"id", z.id}, {"key", z.key}, {"sample_size", z.sample_size}}));
}

Response ListCycles(Api& api, Request&, const RouteParams&, const Caller&) {
  auto cycles = api.store().ListCycles();
  if (!cycles) return ErrorResponse(cycles.error());
  json::array items;
  for (const auto& c : *cycles) items.push_back(json::object{{"cycle", c.cycle}, {"accounts", c.accounts}});
  return Json(200, json::serialize(json::object{{"items", items}}));
}

Response PutServicePoint(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto meter = StringField(*body, "meter", 64);
  if (!meter) return ErrorResponse(meter.error());
  auto since = DayField(*body, "since");
  if (!since) return ErrorResponse(since.error());
  store::ServicePoint p{params.Get("id"), *meter, *since};
  if (auto put = api.store().PutServicePoint(p); !put) return ErrorResponse(put.error());
  RecordAudit(api, req, caller.user, "service_point.put", "service_point:" + p.id, req.body);
  return Json(200, json::serialize(json::object{{"id", p.id}, {"meter", p.meter}, {"since", core::FormatDay(p.since_day)}}));
}

Response GetServicePoint(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto p = api.store().GetServicePoint(params.Get("id"));
  if (!p) return ErrorResponse(p.error());
  if (!*p) return ErrorResponse(core::Error::NotFound(fmt::format("no service point '{}'", params.Get("id"))));
  return Json(200, json::serialize(
                       json::object{{"id", (*p)->id}, {"meter", (*p)->meter}, {"since", core::FormatDay((*p)->since_day)}}));
}

Response ListAccounts(Api& api, Request& req, const RouteParams&, const Caller&) {
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  store::AccountFilter f;
  if (auto it = req.query.find("cycle"); it != req.query.end()) f.cycle = it->second;
  if (auto it = req.query.find("search"); it != req.query.end()) f.search = it->second;
  f.limit = page->limit;
  f.offset = page->offset;
  auto list = api.store().ListAccounts(f);
  if (!list) return ErrorResponse(list.error());
  return Json(200, ListingJson(*list, *page, AccountJson));
}

Response GetAccount(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto a = api.store().GetAccount(params.Get("id"));
  if (!a) return ErrorResponse(a.error());
  if (!*a) return ErrorResponse(core::Error::NotFound(fmt::format("no account '{}'", params.Get("id"))));
  return Json(200, json::serialize(AccountJson(**a)));
}

Response PutAccount(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  store::Account a;
  a.id = params.Get("id");
  struct Text {
    const char* name;
    std::string* out;
    bool required;
  };
  for (Text t : {Text{"name", &a.name, false}, Text{"cycle", &a.cycle, true}, Text{"zone", &a.zone, true},
                 Text{"customer_class", &a.customer_class, true}, Text{"service_point", &a.service_point, true},
                 Text{"meter", &a.meter, true}, Text{"tariff", &a.tariff, true}, Text{"email", &a.email, false},
                 Text{"phone", &a.phone, false}}) {
    const json::value* v = body->if_contains(t.name);
    if (!v || (v->is_string() && v->as_string().empty() && !t.required)) {
      if (t.required) return ErrorResponse(core::Error::Invalid(fmt::format("{} is required", t.name), t.name));
      continue;
    }
    auto s = StringField(*body, t.name, 256);
    if (!s) return ErrorResponse(s.error());
    *t.out = *s;
  }
  if (!a.email.empty() && (a.email.find('@') == std::string::npos || a.email.find_first_of(" <>\r\n") != std::string::npos)) {
    return ErrorResponse(core::Error::Invalid("email must be an address like name@example.org", "email"));
  }
  auto move_in = DayField(*body, "move_in");
  if (!move_in) return ErrorResponse(move_in.error());
  a.move_in_day = *move_in;
  if (const json::value* out = body->if_contains("move_out"); out && !out->is_null()) {
    auto day = DayField(*body, "move_out");
    if (!day) return ErrorResponse(day.error());
    if (*day <= a.move_in_day) return ErrorResponse(core::Error::Invalid("move_out must be after move_in", "move_out"));
    a.move_out_day = *day;
  }
  auto put = api.store().PutAccount(a);
  if (!put) return ErrorResponse(put.error());
  RecordAudit(api, req, caller.user, "account.put", "account:" + a.id, req.body);
  return Json(200, json::serialize(AccountJson(*put)));
}

// ---- runs ----

Response ListRuns(Api& api, Request&, const RouteParams&, const Caller&) {
  auto runs = api.store().ListRuns(100);
  if (!runs) return ErrorResponse(runs.error());
  json::array items;
  for (const auto& r : *runs) items.push_back(RunJson(r));
  return Json(200, json::serialize(json::object{{"items", items}}));
}

Response GetRun(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  auto run = api.store().GetRun(*id);
  if (!run) return ErrorResponse(run.error());
  if (!*run) return ErrorResponse(core::Error::NotFound(fmt::format("no bill run {}", *id)));
  return Json(200, json::serialize(RunJson(**run)));
}

Response StartRun(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  billing::Service* service = Billing(api);
  if (!service) return NoBilling();
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  billing::RunOptions o;
  auto cycle = StringField(*body, "cycle", 64);
  if (!cycle) return ErrorResponse(cycle.error());
  o.cycle = *cycle;
  auto from = DayField(*body, "from");
  if (!from) return ErrorResponse(from.error());
  auto to = DayField(*body, "to");
  if (!to) return ErrorResponse(to.error());
  if (*to <= *from) return ErrorResponse(core::Error::Invalid("to must be after from", "to"));
  if (*to - *from > 366) return ErrorResponse(core::Error::Invalid("a billing period is at most 366 days", "to"));
  o.from_day = *from;
  o.to_day = *to;
  if (body->contains("chunk_size")) {
    auto size = IntField(*body, "chunk_size", 1, 100000);
    if (!size) return ErrorResponse(size.error());
    o.chunk_size = static_cast<int32_t>(*size);
  }
  o.by = caller.user;
  auto run = service->StartRun(o);
  if (!run) return ErrorResponse(run.error());
  RecordAudit(api, req, caller.user, "bill_run.start", fmt::format("bill_run:{}", run->id),
              fmt::format("{} {}..{}", o.cycle, core::FormatDay(o.from_day), core::FormatDay(o.to_day)));
  return Json(202, json::serialize(RunJson(*run)));
}

Response ListHolds(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  auto holds = api.store().ListHolds(*id, /*unresolved_only=*/false);
  if (!holds) return ErrorResponse(holds.error());
  json::array items;
  for (const auto& h : *holds) {
    items.push_back(json::object{{"account", h.account}, {"rule", h.rule}, {"reason", h.reason},
                                 {"created", core::FormatInstant(h.created)}, {"resolved", h.resolved}});
  }
  return Json(200, json::serialize(json::object{{"items", items}}));
}

Response ReleaseRun(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  auto run = api.store().GetRun(*id);
  if (!run) return ErrorResponse(run.error());
  if (!*run) return ErrorResponse(core::Error::NotFound(fmt::format("no bill run {}", *id)));
  if ((*run)->state != store::RunState::kCompleted) {
    return ErrorResponse(core::Error::Conflict(fmt::format("bill run {} is still running", *id)));
  }
  auto out = api.store().ReleaseRun(*id, api.clock());
  if (!out) return ErrorResponse(out.error());
  if (billing::Service* s = Billing(api)) s->Notify();
  json::object o{{"released", out->released}, {"waiting", out->waiting}, {"held_zones", StringsJson(out->held_zones)}};
  RecordAudit(api, req, caller.user, "bill_run.release", fmt::format("bill_run:{}", *id), json::serialize(o));
  return Json(200, json::serialize(o));
}

// ---- bills ----

Response ListBills(Api& api, Request& req, const RouteParams&, const Caller&) {
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  store::BillFilter f;
  auto run = QueryInt(req, "run", 0, 0, INT64_MAX);
  if (!run) return ErrorResponse(run.error());
  f.run = *run;
  if (auto it = req.query.find("account"); it != req.query.end()) f.account = it->second;
  if (auto it = req.query.find("state"); it != req.query.end() && !it->second.empty()) {
    auto st = ParseState(it->second);
    if (!st) return ErrorResponse(st.error());
    f.state = *st;
  }
  auto review = QueryInt(req, "review", 0, 0, 1);
  if (!review) return ErrorResponse(review.error());
  f.review_queue = *review == 1;
  f.limit = page->limit;
  f.offset = page->offset;
  auto list = api.store().ListBills(f);
  if (!list) return ErrorResponse(list.error());
  return Json(200, ListingJson(*list, *page, [](const store::BillRecord& b) { return BillJson(b, false); }));
}

Response BillDetail(Api& api, const store::BillRecord& b, int status = 200) {
  json::object o = BillJson(b, true);
  json::array reviews;
  if (auto rs = api.store().Reviews(b.id)) {
    for (const auto& r : *rs) {
      reviews.push_back(json::object{{"reviewer", r.reviewer}, {"at", core::FormatInstant(r.at)},
                                     {"approved", r.approved}, {"note", r.note}});
    }
  }
  o["reviews"] = std::move(reviews);
  json::array notes;
  if (auto ns = api.store().BillNotifications(b.id)) {
    for (const auto& n : *ns) {
      notes.push_back(json::object{{"channel", n.channel}, {"address", n.address}, {"state", NotifyStateName(n.state)},
                                   {"attempts", n.attempts}, {"last_error", n.last_error},
                                   {"updated", core::FormatInstant(n.updated)}});
    }
  }
  o["notifications"] = std::move(notes);
  o["previous_bill"] = nullptr;
  if (b.previous) {
    if (auto prev = api.store().GetBill(*b.previous); prev && *prev) o["previous_bill"] = BillJson(**prev, true);
  }
  return Json(status, json::serialize(o));
}

Response GetBill(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto bill = FindBill(api, params);
  if (!bill) return ErrorResponse(bill.error());
  return BillDetail(api, *bill);
}

Response ReviewBill(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto bill = FindBill(api, params);
  if (!bill) return ErrorResponse(bill.error());
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto decision = StringField(*body, "decision", 16);
  if (!decision) return ErrorResponse(decision.error());
  if (*decision != "approve" && *decision != "reject") {
    return ErrorResponse(core::Error::Invalid("decision must be approve or reject", "decision"));
  }
  std::string note;
  if (const json::value* n = body->if_contains("note"); n && !(n->is_string() && n->as_string().empty())) {
    auto s = StringField(*body, "note", 2000);
    if (!s) return ErrorResponse(s.error());
    note = *s;
  }
  if (*decision == "reject" && note.empty()) {
    return ErrorResponse(core::Error::Invalid("a rejection needs a note saying why", "note"));
  }
  store::Review r{bill->id, caller.user, api.clock(), *decision == "approve", note};
  if (auto done = api.store().ReviewBill(r); !done) return ErrorResponse(done.error());
  RecordAudit(api, req, caller.user, "bill.review", fmt::format("bill:{}", bill->id),
              fmt::format("{}{}{}", *decision, note.empty() ? "" : ": ", note));
  auto now = FindBill(api, params);
  if (!now) return ErrorResponse(now.error());
  return BillDetail(api, *now);
}

Response RebillBill(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  auto bill = billing::Rebill(api.store(), *id);
  if (!bill) return ErrorResponse(bill.error());
  RecordAudit(api, req, caller.user, "bill.rebill", fmt::format("bill:{}", *id),
              fmt::format("new bill {} version {}, difference {}", bill->id, bill->version, core::FormatCents(bill->difference_micros)));
  return BillDetail(api, *bill, 201);
}

Response ReleaseOne(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  auto bill = api.store().ReleaseBill(*id, api.clock());
  if (!bill) return ErrorResponse(bill.error());
  if (billing::Service* s = Billing(api)) s->Notify();
  RecordAudit(api, req, caller.user, "bill.release", fmt::format("bill:{}", *id));
  return BillDetail(api, *bill);
}

}  // namespace

core::Result<int64_t> IdParam(const RouteParams& params) {
  const std::string& s = params.Get("id");
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) {
    return core::Fail(core::Error::Invalid(fmt::format("'{}' is not an id", s), "id"));
  }
  return v;
}

core::Result<store::BillRecord> FindBill(Api& api, const RouteParams& params) {
  auto id = IdParam(params);
  if (!id) return core::Fail(id.error());
  auto bill = api.store().GetBill(*id);
  if (!bill) return core::Fail(bill.error());
  if (!*bill) return core::Fail(core::Error::NotFound(fmt::format("no bill {}", *id)));
  return std::move(**bill);
}

void AddBillingRoutes(std::vector<Route>& routes) {
  const auto U = Access::kUser;
  const auto S = Scope::kUnscoped;
  routes.push_back({"GET", "/api/v1/tariffs", U, P::kBillingRead, S, "List tariffs", ListTariffs});
  routes.push_back({"GET", "/api/v1/tariffs/{id}", U, P::kBillingRead, S, "A tariff with its TOML source", GetTariff});
  routes.push_back({"PUT", "/api/v1/tariffs/{id}", U, P::kBillingRun, S, "Create or replace a tariff (TOML body)", PutTariff});
  routes.push_back({"GET", "/api/v1/billing/zones", U, P::kBillingRead, S, "List review zones", ListZones});
  routes.push_back({"PUT", "/api/v1/billing/zones/{id}", U, P::kBillingRun, S, "Create or replace a review zone", PutZone});
  routes.push_back({"GET", "/api/v1/billing/cycles", U, P::kBillingRead, S, "Billing cycles and their accounts", ListCycles});
  routes.push_back({"GET", "/api/v1/service-points/{id}", U, P::kBillingRead, S, "A service point", GetServicePoint});
  routes.push_back({"PUT", "/api/v1/service-points/{id}", U, P::kBillingRun, S, "Set a service point's meter", PutServicePoint});
  routes.push_back({"GET", "/api/v1/accounts", U, P::kBillingRead, S, "List billing accounts", ListAccounts});
  routes.push_back({"GET", "/api/v1/accounts/{id}", U, P::kBillingRead, S, "A billing account", GetAccount});
  routes.push_back({"PUT", "/api/v1/accounts/{id}", U, P::kBillingRun, S, "Create or replace an account", PutAccount});
  routes.push_back({"GET", "/api/v1/bill-runs", U, P::kBillingRead, S, "List bill runs, newest first", ListRuns});
  routes.push_back({"POST", "/api/v1/bill-runs", U, P::kBillingRun, S, "Start (or resume) the run of a cycle and period",
                    StartRun, 202});
  routes.push_back({"GET", "/api/v1/bill-runs/{id}", U, P::kBillingRead, S, "A bill run with its progress", GetRun});
  routes.push_back({"GET", "/api/v1/bill-runs/{id}/holds", U, P::kBillingRead, S, "Accounts a run holds, with reasons",
                    ListHolds});
  routes.push_back({"POST", "/api/v1/bill-runs/{id}/release", U, P::kBillingReview, S,
                    "Release what the review zones allow", ReleaseRun});
  routes.push_back({"GET", "/api/v1/bills", U, P::kBillingRead, S, "List bills (review=1: the review queue)", ListBills});
  routes.push_back({"GET", "/api/v1/bills/{id}", U, P::kBillingRead, S, "A bill with lines, reviews, notifications", GetBill});
  routes.push_back({"POST", "/api/v1/bills/{id}/review", U, P::kBillingReview, S, "Approve or reject a bill", ReviewBill});
  routes.push_back({"POST", "/api/v1/bills/{id}/rebill", U, P::kBillingRun, S, "Rebill after corrected data", RebillBill,
                    201});
  routes.push_back({"POST", "/api/v1/bills/{id}/release", U, P::kBillingReview, S, "Release one approved bill", ReleaseOne});
  AddBillingCsvRoutes(routes);
}

}  // namespace meterd::api
