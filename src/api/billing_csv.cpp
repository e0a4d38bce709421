// SPDX-License-Identifier: Apache-2.0
// Bills as CSV: one row per bill line and a total row per bill (docs/billing-runs.md, "Exports").
#include <fmt/format.h>

#include "api/billing_api.h"
#include "api/json_views.h"
#include "billing/bill_lines.h"
#include "core/money.h"

namespace meterd::api {
namespace {

namespace json = boost::json;
using P = security::Permission;

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Response CsvResponse(std::string body, std::string filename) {
  Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", filename));
  return r;
}

// One row per line: bill, account, period, line description, line period, quantity, unit, unit price, amount.
void AppendCsvLines(std::string& out, const store::BillRecord& b) {
  auto text = billing::StoredLinesJson(b.lines);
  if (!text) return;
  boost::system::error_code ec;
  json::value lines = json::parse(*text, ec);
  if (ec || !lines.is_array()) return;
  for (const auto& l : lines.as_array()) {
    if (!l.is_object()) continue;
    const auto& o = l.as_object();
    auto str = [&](const char* k) -> std::string {
      const json::value* v = o.if_contains(k);
      if (!v) return "";
      if (v->is_string()) return std::string(v->as_string());
      return json::serialize(*v);
    };
    std::string qty;
    if (const json::value* q = o.if_contains("quantity"); q && q->is_object()) {
      const auto& qo = q->as_object();
      int64_t value = qo.at("value").to_number<int64_t>();
      int64_t scale = qo.at("scale").to_number<int64_t>();
      qty = fmt::format("{}e{} {}", value, scale, json::value_to<std::string>(qo.at("unit")));
    }
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{},{},{}\r\n", b.id, CsvField(b.account),
                   core::FormatDay(b.from_day), core::FormatDay(b.to_day), CsvField(str("description")), str("from"),
                   str("to"), CsvField(qty), str("unit_price"), str("amount"), str("intervals"), str("estimated"));
  }
  fmt::format_to(std::back_inserter(out), "{},{},{},{},Total,,,,,{},,\r\n", b.id, CsvField(b.account),
                 core::FormatDay(b.from_day), core::FormatDay(b.to_day), core::FormatCents(b.total_micros));
}

constexpr std::string_view kCsvHeader =
    "bill,account,period_from,period_to,description,line_from,line_to,quantity,unit_price,amount,intervals,"
    "estimated\r\n";

Response BillCsv(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto bill = FindBill(api, params);
  if (!bill) return ErrorResponse(bill.error());
  std::string out(kCsvHeader);
  AppendCsvLines(out, *bill);
  return CsvResponse(std::move(out), fmt::format("bill-{}.csv", bill->id));
}

Response RunCsv(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto id = IdParam(params);
  if (!id) return ErrorResponse(id.error());
  std::string out(kCsvHeader);
  store::BillFilter f;
  f.run = *id;
  f.limit = 1000;
  for (;;) {
    auto page = api.store().ListBills(f);
    if (!page) return ErrorResponse(page.error());
    for (const auto& b : page->items) {
      if (b.state != store::BillState::kSuperseded) AppendCsvLines(out, b);
    }
    if (page->items.size() < 1000) break;
    f.offset += 1000;
  }
  return CsvResponse(std::move(out), fmt::format("bill-run-{}.csv", *id));
}

}  // namespace

void AddBillingCsvRoutes(std::vector<Route>& routes) {
  const auto U = Access::kUser;
  const auto S = Scope::kUnscoped;
  routes.push_back({"GET", "/api/v1/bill-runs/{id}/bills.csv", U, P::kBillingRead, S, "A run's bill lines as CSV", RunCsv});
  routes.push_back({"GET", "/api/v1/bills/{id}/csv", U, P::kBillingRead, S, "A bill's lines as CSV", BillCsv});
}

}  // namespace meterd::api
