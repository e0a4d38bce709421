// SPDX-License-Identifier: Apache-2.0
#include "api/api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>

#include "headend/poll_scheduler.h"
#include "security/audit.h"
#include "security/crypto.h"

namespace meterd::api {
namespace {

// Matches "/api/v1/devices/{id}" against a path; fills params.
bool Match(std::string_view pattern, std::string_view path, RouteParams& params) {
  params.values.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty()) return false;
    if (pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    size_t pe = pattern.find('/');
    size_t se = path.find('/');
    std::string_view pseg = pattern.substr(0, pe);
    std::string_view sseg = path.substr(0, se);
    if (pseg.size() > 2 && pseg.front() == '{' && pseg.back() == '}') {
      if (sseg.empty()) return false;
      params.values.emplace(std::string(pseg.substr(1, pseg.size() - 2)), std::string(sseg));
    } else if (pseg != sseg) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view() : path.substr(se);
  }
  return true;
}

std::string BearerToken(const Request& r) {
  std::string h = r.Header("authorization");
  if (h.size() > 7 && (h.compare(0, 7, "Bearer ") == 0 || h.compare(0, 7, "bearer ") == 0)) return h.substr(7);
  return {};
}

}  // namespace

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

core::Result<int64_t> QueryInt(const Request& r, std::string_view name, int64_t fallback, int64_t lo, int64_t hi) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return fallback;
  int64_t v = 0;
  const std::string& s = it->second;
  bool negative = s[0] == '-';
  if (s.size() > 19 || s.size() == (negative ? 1u : 0u)) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be an integer", name), std::string(name)));
  }
  for (size_t i = negative ? 1 : 0; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return core::Fail(core::Error::Invalid(fmt::format("{} must be an integer", name), std::string(name)));
    }
    v = v * 10 + (s[i] - '0');
  }
  if (negative) v = -v;
  if (v < lo || v > hi) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be between {} and {}", name, lo, hi), std::string(name)));
  }
  return v;
}

core::Result<std::optional<core::Instant>> QueryInstant(const Request& r, std::string_view name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second.empty()) return std::optional<core::Instant>();
  auto t = core::ParseInstant(it->second);
  if (!t) return core::Fail(core::Error::Invalid(t.error().message, std::string(name)));
  return std::optional<core::Instant>(*t);
}

core::Result<store::Page> QueryPage(const Request& r) {
  store::Page page;
  auto limit = QueryInt(r, "limit", 50, 1, 1000);
  if (!limit) return core::Fail(limit.error());
  auto offset = QueryInt(r, "offset", 0, 0, INT64_MAX / 2);
  if (!offset) return core::Fail(offset.error());
  page.limit = static_cast<int32_t>(*limit);
  page.offset = *offset;
  return page;
}

void RecordAudit(Api& api, const Request& request, std::string actor, std::string action, std::string target,
                 std::string detail) {
  security::AuditEntry entry;
  entry.at = api.clock();
  entry.actor = std::move(actor);
  entry.action = std::move(action);
  entry.target = std::move(target);
  entry.detail = std::move(detail);
  entry.remote = request.remote;
  if (auto r = api.store().AppendAudit(std::move(entry), security::AuditHash); !r) {
    spdlog::error("audit log append failed: {}", r.error().ToString());
  }
}

Api::Api(store::Store& store, headend::IngestService& ingest, ApiConfig config)
    : store_(store), ingest_(ingest), config_(std::move(config)), started_(std::chrono::system_clock::now()) {
  clock = [] { return std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now()); };
  AddAuthRoutes(routes_);
  AddFleetRoutes(routes_);
  AddReadingRoutes(routes_);
  AddUplinkRoutes(routes_);
  AddAuditRoutes(routes_);
  AddUserRoutes(routes_);
  AddBillingRoutes(routes_);
  AddDocRoutes(routes_);
}

bool Caller::MaySee(std::string_view device_id) const {
  return !scoped || std::find(devices.begin(), devices.end(), device_id) != devices.end();
}

std::string CsrfToken(std::string_view session_token) {
  return security::HmacSha256Hex(session_token, "meterd csrf v1");
}

std::string SessionCookie(const Request& request) {
  std::string_view h = request.HeaderView("cookie");
  // "a=1; meterd_session=abc; b=2"
  while (!h.empty()) {
    size_t end = h.find(';');
    std::string_view pair = h.substr(0, end);
    h = end == std::string_view::npos ? std::string_view() : h.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > kSessionCookie.size() && pair.starts_with(kSessionCookie) && pair[kSessionCookie.size()] == '=') {
      return std::string(pair.substr(kSessionCookie.size() + 1));
    }
  }
  return {};
}

core::Result<Caller> Api::AuthenticateUser(const Request& request) {
  Caller caller;
  std::string token = BearerToken(request);
  if (token.empty()) {
    token = SessionCookie(request);
    caller.by_cookie = !token.empty();
  }
  if (token.empty()) return core::Fail(core::Error::Unauthenticated("missing bearer token or session cookie"));
  if (token.size() > 512) return core::Fail(core::Error::Unauthenticated("invalid token"));
  caller.token_hash = security::Sha256Hex(token);
  const core::Instant now = clock();
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = credential_cache_.find(caller.token_hash); it != credential_cache_.end()) {
      const CachedCaller& c = it->second;
      if (c.caller.by_cookie == caller.by_cookie && now >= c.cached_at &&
          now - c.cached_at < core::Seconds{kCredentialCacheSeconds} && now < c.caller.token_expires) {
        return c.caller;
      }
      credential_cache_.erase(it);
    }
  }
  auto session = store_.GetSession(caller.token_hash);
  if (!session) return core::Fail(session.error());
  // A cookie must hold a console session, never an API token.
  if (!*session || (*session)->expires <= now || (caller.by_cookie && (*session)->kind != "session")) {
    return core::Fail(core::Error::Unauthenticated("invalid or expired token"));
  }
  auto user = store_.GetUser((*session)->user);
  if (!user) return core::Fail(user.error());
  const security::Role* role = *user ? security::FindRole((*user)->role) : nullptr;
  if (!*user || (*user)->disabled || !role) return core::Fail(core::Error::Unauthenticated("invalid or expired token"));
  caller.user = (*user)->name;
  caller.role = std::string(role->name);
  caller.permissions = role->permissions;
  if ((*session)->scopes) {
    security::PermissionSet scopes;
    for (const auto& name : *(*session)->scopes) {
      if (auto p = security::ParsePermission(name)) scopes.Add(*p);
    }
    caller.permissions = caller.permissions.Intersect(scopes);
  }
  // Until an admin-reset password is changed, the user may do nothing else.
  caller.must_change_password = (*user)->must_change_password;
  if (caller.must_change_password) caller.permissions = security::PermissionSet{security::Permission::kSelf};
  caller.scoped = role->scoped;
  caller.devices = std::move((*user)->devices);
  caller.token_kind = (*session)->kind;
  caller.token_expires = (*session)->expires;
  if (caller.by_cookie) caller.csrf = CsrfToken(token);
  std::lock_guard lock(cache_mu_);
  if (credential_cache_.size() >= 10000) credential_cache_.clear();  // bounded; refills as used
  credential_cache_[caller.token_hash] = {caller, now};
  return caller;
}

void Api::CredentialsChanged() {
  std::lock_guard lock(cache_mu_);
  credential_cache_.clear();
}

core::Result<Caller> Api::Authenticate(const Route& route, const Request& request, const RouteParams& params) {
  if (route.access == Access::kPublic) return Caller{};
  if (route.access == Access::kUser) return AuthenticateUser(request);
  Caller caller;
  std::string token = BearerToken(request);
  if (token.empty()) return core::Fail(core::Error::Unauthenticated("missing bearer token"));
  if (token.size() > 512) return core::Fail(core::Error::Unauthenticated("invalid token"));
  caller.token_hash = security::Sha256Hex(token);
  // Device routes: the token must belong to the device named in the path.
  const std::string& id = params.Get("id");
  auto device = store_.GetDevice(id);
  if (!device) return core::Fail(device.error());
  if (*device) {
    if (!security::ConstantTimeEquals((*device)->token_hash, caller.token_hash)) {
      return core::Fail(core::Error::Unauthenticated("invalid device token"));
    }
  } else {
    if (config_.enrolment_key.empty() ||
        !security::ConstantTimeEquals(security::DeviceTokenFromEnrolmentKey(config_.enrolment_key, id), token)) {
      // Same answer as a wrong token: do not reveal which device ids exist.
      return core::Fail(core::Error::Unauthenticated("invalid device token"));
    }
    caller.enrolling = true;
  }
  caller.device = id;
  return caller;
}

std::optional<Response> Api::Authorize(const Route& route, const Request& request, const RouteParams& params,
                                      const Caller& caller) {
  auto deny = [](std::string_view code, std::string message) {
    return std::optional<Response>(ErrorResponse(403, code, message));
  };
  if (route.access != Access::kUser) return std::nullopt;
  // A cookie is sent by the browser whoever made the page; a change needs the CSRF token too.
  if (caller.by_cookie && request.method != "GET" && request.method != "HEAD") {
    std::string_view sent = request.HeaderView("x-csrf-token");
    if (sent.empty() || !security::ConstantTimeEquals(sent, caller.csrf)) {
      return deny("csrf", "missing or wrong X-CSRF-Token header");
    }
  }
  if (!caller.permissions.Has(route.permission)) {
    if (caller.must_change_password) {
      return deny("password_change_required", "change your password first");
    }
    return deny("forbidden",
        fmt::format("this needs the permission {}, which role {} does not have{}", security::PermissionName(route.permission),
                    caller.role, caller.token_kind == "api" ? " (or the token's scopes leave out)" : ""));
  }
  if (!caller.scoped) return std::nullopt;
  switch (route.scope) {
    case Scope::kOwn:
    case Scope::kFiltered:
      return std::nullopt;
    case Scope::kUnscoped:
      return deny("forbidden", fmt::format("not available to role {}", caller.role));
    case Scope::kDeviceParam:
      if (caller.MaySee(params.Get("id"))) return std::nullopt;
      return deny("forbidden", fmt::format("device '{}' is not assigned to you", params.Get("id")));
    case Scope::kMeterParam: {
      auto meter = store_.GetMeter(params.Get("id"));
      if (!meter) return ErrorResponse(meter.error());
      if (*meter && caller.MaySee((*meter)->device)) return std::nullopt;
      return deny("forbidden", fmt::format("meter '{}' is not assigned to you", params.Get("id")));
    }
    case Scope::kCommandParam: {
      int64_t id = 0;
      const std::string& text = params.Get("id");
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // the handler's 400
      auto command = store_.GetCommand(core::CommandId{id});
      if (!command) return ErrorResponse(command.error());
      if (*command && caller.MaySee((*command)->device)) return std::nullopt;
      return deny("forbidden", fmt::format("command {} is not for a device assigned to you", text));
    }
  }
  return std::nullopt;
}

Response Api::Handle(Request& request) {
  auto start = std::chrono::steady_clock::now();
  RouteParams params;
  const Route* found = nullptr;
  bool path_known = false;
  for (const auto& route : routes_) {
    if (Match(route.pattern, request.path, params)) {
      path_known = true;
      if (route.method == request.method) {
        found = &route;
        break;
      }
    }
  }
  Response response;
  std::string label;
  if (!found) {
    if (path_known) {
      response = ErrorResponse(405, "method_not_allowed", fmt::format("{} is not allowed on {}", request.method, request.path));
      label = "unmatched";
    } else if (request.method == "GET" && request.path.rfind("/api/", 0) != 0 && request.path != "/metrics") {
      label = "static";
      response = ServeStatic(config_.static_dir, request.path);
    } else {
      label = "unmatched";
      response = ErrorResponse(404, "not_found", fmt::format("no such endpoint: {} {}", request.method, request.path));
    }
  } else {
    label = found->method + " " + found->pattern;
    auto caller = Authenticate(*found, request, params);
    std::optional<Response> denied;
    if (caller) denied = Authorize(*found, request, params, *caller);
    if (!caller) {
      response = ErrorResponse(caller.error());
    } else if (denied) {
      response = std::move(*denied);
    } else {
      response = found->handler(*this, request, params, *caller);
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Count(label, response.status, seconds);
  return response;
}

void Api::Count(const std::string& route, int status, double seconds) {
  std::lock_guard lock(metrics_mu_);
  auto& s = route_stats_[route];
  ++s.by_status[status];
  s.seconds += seconds;
}

std::string Api::MetricsText() {
  std::string out;
  out += "# HELP meterd_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE meterd_http_requests_total counter\n";
  {
    std::lock_guard lock(metrics_mu_);
    for (const auto& [route, s] : route_stats_) {
      for (const auto& [status, n] : s.by_status) {
        out += fmt::format("meterd_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", route, status, n);
      }
    }
    out += "# HELP meterd_http_request_seconds_total Time spent in handlers by route.\n";
    out += "# TYPE meterd_http_request_seconds_total counter\n";
    for (const auto& [route, s] : route_stats_) {
      out += fmt::format("meterd_http_request_seconds_total{{route=\"{}\"}} {:.6f}\n", route, s.seconds);
    }
  }
  const auto& c = ingest_.counters();
  auto counter = [&](const char* name, const char* help, int64_t v) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, v);
  };
  counter("meterd_ingest_uplinks_total", "Uplinks committed.", c.uplinks.load());
  counter("meterd_ingest_readings_total", "Interval readings committed.", c.readings.load());
  counter("meterd_ingest_duplicates_total", "Messages received again and ignored.", c.duplicates.load());
  counter("meterd_ingest_deferred_total", "Messages past a sequence gap, left for replay.", c.deferred.load());
  counter("meterd_ingest_rejected_total", "Uplinks refused.", c.rejected.load());
  counter("meterd_ingest_commits_total", "Group-commit transactions.", c.commits.load());
  counter("meterd_ingest_commit_failures_total", "Group commits that failed and were retried alone.", c.commit_failures.load());
  if (poll_counters_) {
    counter("meterd_poll_rounds_total", "Rounds of reading M-Bus and Modbus meters.", poll_counters_->rounds.load());
    counter("meterd_poll_meters_read_total", "Polled meter reads that reached the store.", poll_counters_->meters_read.load());
    counter("meterd_poll_errors_total", "Polled meter reads that failed (timeouts, exceptions, collisions).",
            poll_counters_->errors.load());
  }
  out += fmt::format("# HELP meterd_ingest_queue_depth Uplinks waiting for the writer.\n# TYPE meterd_ingest_queue_depth gauge\nmeterd_ingest_queue_depth {}\n",
                     ingest_.QueueDepth());
  if (auto stats = store_.Stats()) {
    out += fmt::format("# HELP meterd_devices Devices known.\n# TYPE meterd_devices gauge\nmeterd_devices {}\n", stats->devices);
    out += fmt::format("# HELP meterd_meters Meters known.\n# TYPE meterd_meters gauge\nmeterd_meters {}\n", stats->meters);
    out += fmt::format("# HELP meterd_day_blocks Interval day blocks stored.\n# TYPE meterd_day_blocks gauge\nmeterd_day_blocks {}\n", stats->blocks);
    out += fmt::format("# HELP meterd_packed_months Closed months packed into one row per meter and channel.\n# TYPE meterd_packed_months gauge\nmeterd_packed_months {}\n", stats->packed_months);
    out += fmt::format("# HELP meterd_commands_pending Commands not yet acknowledged.\n# TYPE meterd_commands_pending gauge\nmeterd_commands_pending {}\n", stats->pending_commands);
  }
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_rss = 0;
  if (statm >> pages_total >> pages_rss) {
    out += fmt::format("# HELP process_resident_memory_bytes Resident memory.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n",
                       pages_rss * sysconf(_SC_PAGESIZE));
  }
  out += fmt::format("# HELP process_start_time_seconds Start time.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {}\n",
                     std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch()).count());
  return out;
}

}  // namespace meterd::api
