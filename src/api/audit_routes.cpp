// SPDX-License-Identifier: Apache-2.0
// The audit log: listing with filters, and verification of the whole hash chain.
#include <fmt/format.h>

#include "api/api.h"
#include "api/json_views.h"
#include "security/audit.h"

namespace meterd::api {
namespace {

namespace json = boost::json;

// The listing shape (docs/api.md): prev_hash is left out, it is the previous item's hash.
json::object AuditJson(const security::AuditEntry& e) {
  json::object o;
  o["seq"] = e.seq;
  o["at"] = core::FormatInstant(e.at);
  o["actor"] = e.actor;
  o["action"] = e.action;
  o["target"] = e.target;
  o["detail"] = e.detail;
  o["remote"] = e.remote;
  o["hash"] = e.hash;
  return o;
}

Response ListAudit(Api& api, Request& req, const RouteParams&, const Caller&) {
  store::AuditFilter filter;
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  filter.page = *page;
  if (auto it = req.query.find("actor"); it != req.query.end()) filter.actor = it->second.substr(0, 128);
  if (auto it = req.query.find("action"); it != req.query.end()) filter.action = it->second.substr(0, 64);
  if (auto it = req.query.find("target"); it != req.query.end()) filter.target = it->second.substr(0, 128);
  if (auto range = QueryTimeRange(req, filter); !range) return ErrorResponse(range.error());
  auto listing = api.store().ListAudit(filter);
  if (!listing) return ErrorResponse(listing.error());
  return Json(200, ListingJson(*listing, filter.page, AuditJson));
}

// Reads the chain oldest first in pages of 1000, carrying the last hash and seq across pages,
// and stops at the first broken entry. "entries" counts the entries that verified.
Response VerifyAudit(Api& api, Request&, const RouteParams&, const Caller&) {
  constexpr int32_t kPage = 1000;
  std::string prev = security::kAuditGenesis;
  int64_t next = 1;
  std::optional<security::AuditFinding> finding;
  for (;;) {
    auto page = api.store().AuditRange(next, kPage);
    if (!page) return ErrorResponse(page.error());
    if (page->empty()) break;
    // A page that starts past `next` means entries before it are gone; the verifier names them.
    finding = security::VerifyAuditChain(*page, prev, next);
    if (finding) break;
    prev = page->back().hash;
    next = page->back().seq + 1;
    if (page->size() < static_cast<size_t>(kPage)) break;
  }
  json::object out;
  out["ok"] = !finding;
  out["entries"] = finding ? finding->seq - 1 : next - 1;
  if (finding) {
    json::object broken;
    broken["seq"] = finding->seq;
    broken["reason"] = finding->reason;
    out["first_broken"] = std::move(broken);
  } else {
    out["first_broken"] = nullptr;
  }
  // The newest verified hash: noted elsewhere, it lets a later check see a truncated log.
  out["last_hash"] = finding ? json::value(nullptr) : json::value(prev);
  return Json(200, json::serialize(out));
}

}  // namespace

void AddAuditRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/audit", Access::kUser, P::kAuditRead, Scope::kUnscoped,
                    "Audit log, newest first (actor, action, target, from, to, paging)", ListAudit});
  routes.push_back({"GET", "/api/v1/audit/verify", Access::kUser, P::kAuditRead, Scope::kUnscoped,
                    "Verify the audit log's hash chain; names the first broken entry", VerifyAudit});
}

}  // namespace meterd::api
