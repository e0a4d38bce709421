// SPDX-License-Identifier: Apache-2.0
// Health, login and logout.
#include <fmt/format.h>

#include <algorithm>

#include "api/api.h"
#include "api/json_views.h"
#include "security/crypto.h"

namespace meterd::api {
namespace {

namespace json = boost::json;

Response Health(Api& api, Request&, const RouteParams&, const Caller&) {
  json::object o;
  o["status"] = "ok";
  o["version"] = api.config().version;
  o["time"] = core::FormatInstant(api.clock());
  return Json(200, json::serialize(o));
}

// An attempted user name as the audit log keeps it: at most `max` bytes, not cutting a UTF-8
// sequence in half, control characters replaced by '?' so that no one can smuggle terminal
// escapes into `meterctl audit` through the login form.
std::string LoggableName(std::string_view s, size_t max) {
  size_t n = std::min(s.size(), max);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::string out(s.substr(0, n));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

Response Login(Api& api, Request& req, const RouteParams&, const Caller&) {
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) return ErrorResponse(core::Error::Invalid("body must be {\"username\",\"password\"}"));
  const auto& o = v.as_object();
  const json::value* user = o.if_contains("username");
  const json::value* password = o.if_contains("password");
  if (!user || !user->is_string() || user->as_string().empty()) {
    return ErrorResponse(core::Error::Invalid("username is required", "username"));
  }
  if (!password || !password->is_string()) return ErrorResponse(core::Error::Invalid("password is required", "password"));
  const std::string name(std::string_view(user->as_string()).substr(0, 128));
  const core::Instant now = api.clock();
  // Too many failures for this name or from this address: wait, whatever the password.
  if (auto wait = api.login_guard().RetryAfter(name, req.remote, now); wait.count() > 0) {
    RecordAudit(api, req, LoggableName(user->as_string(), 64), "auth.login_refused", "",
                fmt::format(R"({{"reason":"too many failed logins","retry_after_s":{}}})", wait.count()));
    Response r = ErrorResponse(429, "too_many_requests",
                               fmt::format("too many failed logins; try again in {} s", wait.count()));
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  // The attempted name (never the password) goes to the audit log.
  auto failed = [&] {
    api.login_guard().Failed(name, req.remote, now);
    RecordAudit(api, req, LoggableName(user->as_string(), 64), "auth.login_failed", "",
                R"({"reason":"wrong username or password"})");
    return ErrorResponse(core::Error::Unauthenticated("wrong username or password"));
  };
  if (user->as_string().size() > 128 || password->as_string().size() > 1024) return failed();
  auto stored = api.store().GetUser(std::string(user->as_string()));
  if (!stored) return ErrorResponse(stored.error());
  // One answer for an unknown user and a wrong password.
  if (!*stored || !security::VerifyPassword(password->as_string(), (*stored)->password_hash)) return failed();
  api.login_guard().Succeeded(name);
  std::string token = security::RandomHex(32);
  store::Session session;
  session.token_hash = security::Sha256Hex(token);
  session.user = (*stored)->name;
  session.created = api.clock();
  session.expires = session.created + core::Seconds{int64_t{api.config().session_hours} * 3600};
  auto put = api.store().PutSession(session);
  if (!put) return ErrorResponse(put.error());
  RecordAudit(api, req, session.user, "auth.login", "user:" + session.user);
  json::object out;
  out["token"] = token;
  out["expires"] = core::FormatInstant(session.expires);
  out["user"] = session.user;
  return Json(200, json::serialize(out));
}

Response Logout(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  auto deleted = api.store().DeleteSession(caller.token_hash);
  if (!deleted) return ErrorResponse(deleted.error());
  RecordAudit(api, req, caller.user, "auth.logout", "user:" + caller.user);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace

void AddAuthRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/health", Access::kPublic, "Liveness and version", Health});
  routes.push_back({"POST", "/api/v1/auth/login", Access::kPublic, "Exchange username and password for a bearer token", Login});
  routes.push_back({"POST", "/api/v1/auth/logout", Access::kUser, "End the session of the bearer token", Logout});
}

}  // namespace meterd::api
