// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/http_types.h"
#include "headend/ingest_service.h"
#include "security/login_guard.h"
#include "security/roles.h"
#include "store/store.h"

namespace meterd::headend {
struct PollCounters;  // headend/poll_scheduler.h
}  // namespace meterd::headend
namespace meterd::billing {
class Service;  // billing/service.h
}  // namespace meterd::billing

namespace meterd::api {

// How a route is authenticated. Every route declares one; the router checks it (and, for user
// routes, the route's permission and scope) before the handler runs, so no handler does its
// own authentication or authorisation.
enum class Access {
  kPublic,  // health, login, static console files
  kUser,    // a user's console session (cookie + CSRF) or bearer token (session or API token)
  kDevice,  // the device's own token, for its {id}
};

// How a route applies to a scoped caller (a customer or field technician, who may see only the
// devices assigned to them).
enum class Scope {
  kUnscoped,     // fleet-wide: refused to scoped callers
  kDeviceParam,  // {id} is a device: it must be assigned to a scoped caller
  kMeterParam,   // {id} is a meter: its device must be assigned to a scoped caller
  kCommandParam, // {id} is a command: its device must be assigned to a scoped caller
  kFiltered,     // a listing the handler restricts to Caller::devices for scoped callers
  kOwn,          // about the caller themself (session, password, tokens)
};

struct Caller {
  std::string user;    // set for kUser
  std::string role;
  security::PermissionSet permissions;  // the role's, narrowed by an API token's scopes
  bool scoped = false;                  // see Scope
  std::vector<std::string> devices;     // assigned devices of a scoped caller
  std::string device;  // set for kDevice
  std::string token_hash;
  std::string token_kind;   // "session" or "api"
  core::Instant token_expires;
  bool must_change_password = false;
  bool by_cookie = false;   // authenticated by the console's session cookie
  std::string csrf;         // the CSRF token that must come with a cookie-authenticated change
  bool enrolling = false;  // a device seen for the first time, admitted by its enrolment token

  bool MaySee(std::string_view device_id) const;
};

struct RouteParams {
  std::map<std::string, std::string, std::less<>> values;
  const std::string& Get(std::string_view name) const { return values.find(name)->second; }
};

struct ApiConfig {
  std::string version = "0.1.0";
  std::string static_dir;       // the built console (web/dist); empty: no console
  std::string enrolment_key;    // fleet key for device tokens; empty: devices must be added first
  int session_hours = 12;
};

class Api;
using RouteHandler = std::function<Response(Api&, Request&, const RouteParams&, const Caller&)>;

struct Route {
  std::string method;
  std::string pattern;   // "/api/v1/devices/{id}"
  Access access;
  security::Permission permission;  // required of kUser callers
  Scope scope;
  std::string summary;   // one line for the OpenAPI document
  RouteHandler handler;
  int ok_status = 200;   // the success status, for the OpenAPI document
};

// The HTTP API: routing, authentication, metrics, and the handlers in the other api/*.cpp.
class Api {
 public:
  // `store` and `ingest` must outlive the Api.
  Api(store::Store& store, headend::IngestService& ingest, ApiConfig config);

  Response Handle(Request& request);
  const std::vector<Route>& routes() const { return routes_; }

  store::Store& store() { return store_; }
  headend::IngestService& ingest() { return ingest_; }
  const ApiConfig& config() const { return config_; }
  std::chrono::system_clock::time_point started() const { return started_; }
  std::string MetricsText();
  security::LoginGuard& login_guard() { return login_guard_; }
  // Handlers that change users or revoke sessions and tokens call this, so no request is
  // authorised from a cached credential that no longer holds.
  void CredentialsChanged();
  // The poll scheduler's counters for /metrics (M-Bus and Modbus meters); must outlive the Api.
  void SetPollCounters(const headend::PollCounters* counters) { poll_counters_ = counters; }
  // Bill runs in the background and notifications; null: the billing routes that need it answer 503.
  void SetBilling(billing::Service* service) { billing_ = service; }
  billing::Service* billing() { return billing_; }
  // The current time; tests may replace it to compress time.
  std::function<core::Instant()> clock;

 private:
  core::Result<Caller> Authenticate(const Route& route, const Request& request, const RouteParams& params);
  core::Result<Caller> AuthenticateUser(const Request& request);
  // nullopt when the caller may run the route, else the 403 answer.
  std::optional<Response> Authorize(const Route& route, const Request& request, const RouteParams& params,
                                    const Caller& caller);
  void Count(const std::string& route, int status, double seconds);

  store::Store& store_;
  headend::IngestService& ingest_;
  ApiConfig config_;
  std::vector<Route> routes_;
  std::chrono::system_clock::time_point started_;

  security::LoginGuard login_guard_;
  const headend::PollCounters* poll_counters_ = nullptr;
  billing::Service* billing_ = nullptr;

  // Recently authenticated users by token hash, so a request costs no store reads for its
  // credential. An entry is used for at most kCredentialCacheSeconds and dropped by
  // CredentialsChanged(); the session's own expiry is still checked on every request.
  static constexpr int kCredentialCacheSeconds = 10;
  struct CachedCaller {
    Caller caller;
    core::Instant cached_at;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedCaller> credential_cache_;  // GUARDED_BY(cache_mu_)
  std::mutex metrics_mu_;
  struct RouteStats {
    std::map<int, int64_t> by_status;
    double seconds = 0;
  };
  std::map<std::string, RouteStats> route_stats_;  // GUARDED_BY(metrics_mu_)
};

// The route tables of each handler file, gathered by Api's constructor.
void AddAuthRoutes(std::vector<Route>& routes);
void AddFleetRoutes(std::vector<Route>& routes);
void AddReadingRoutes(std::vector<Route>& routes);
void AddUplinkRoutes(std::vector<Route>& routes);
void AddDocRoutes(std::vector<Route>& routes);
void AddAuditRoutes(std::vector<Route>& routes);
void AddUserRoutes(std::vector<Route>& routes);
void AddBillingRoutes(std::vector<Route>& routes);

// The console's session cookie and the CSRF token that goes with it (derived from the session
// token, so it needs no storage and dies with the session).
inline constexpr std::string_view kSessionCookie = "meterd_session";
std::string CsrfToken(std::string_view session_token);
// The session token from the request's Cookie header, or empty.
std::string SessionCookie(const Request& request);

// Appends an entry to the audit log (store AppendAudit) with the request's peer address and
// the API clock. Best effort: the change it records has already happened, so a failure to
// append is logged as an error rather than failing the request. `detail` must hold no secret.
void RecordAudit(Api& api, const Request& request, std::string actor, std::string action, std::string target,
                 std::string detail = {});

// Static console files under config.static_dir; never outside it.
Response ServeStatic(const std::string& root, const std::string& path);
// The OpenAPI 3.0 document generated from the route table and the schemas in openapi.cpp.
std::string OpenApiDocument(const std::vector<Route>& routes, const std::string& version);

// Query helpers shared by handlers: parse or fail with the parameter named.
core::Result<int64_t> QueryInt(const Request& r, std::string_view name, int64_t fallback, int64_t lo, int64_t hi);
core::Result<std::optional<core::Instant>> QueryInstant(const Request& r, std::string_view name);
core::Result<store::Page> QueryPage(const Request& r);
Response Json(int status, std::string body);

// Sets filter.from and filter.to from the optional RFC 3339 query parameters "from" and "to".
template <class Filter>
core::Result<void> QueryTimeRange(const Request& r, Filter& filter) {
  auto from = QueryInstant(r, "from");
  if (!from) return core::Fail(from.error());
  auto to = QueryInstant(r, "to");
  if (!to) return core::Fail(to.error());
  filter.from = *from;
  filter.to = *to;
  return {};
}

}  // namespace meterd::api
