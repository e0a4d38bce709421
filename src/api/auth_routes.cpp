// SPDX-License-Identifier: Apache-2.0
// Health, login and logout, the caller's own account (password, sessions, API tokens), roles.
#include <fmt/format.h>

#include <algorithm>

#include "api/api.h"
#include "api/json_views.h"
#include "security/crypto.h"
#include "security/password_policy.h"

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
json::array NamesJson(const security::PermissionSet& set) {
  json::array out;
  for (const auto& n : set.Names()) out.emplace_back(n);
  return out;
}

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
  const security::Role* role = security::FindRole((*stored)->role);
  if ((*stored)->disabled || !role) return failed();
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
  out["role"] = role->name;
  out["permissions"] = NamesJson((*stored)->must_change_password ? security::PermissionSet{security::Permission::kSelf}
                                                                 : role->permissions);
  out["scoped"] = role->scoped;
  out["devices"] = StringsJson((*stored)->devices);
  out["csrf"] = CsrfToken(token);
  out["must_change_password"] = (*stored)->must_change_password;
  Response r = Json(200, json::serialize(out));
  // The console uses the cookie (out of reach of scripts); API clients use the token.
  r.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", kSessionCookie,
                                                   token, int64_t{api.config().session_hours} * 3600,
                                                   req.tls ? "; Secure" : ""));
  return r;
}

Response Logout(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  auto deleted = api.store().DeleteSession(caller.token_hash);
  api.CredentialsChanged();
  if (!deleted) return ErrorResponse(deleted.error());
  RecordAudit(api, req, caller.user, "auth.logout", "user:" + caller.user);
  Response r;
  r.status = 204;
  r.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}", kSessionCookie,
                                                   req.tls ? "; Secure" : ""));
  return r;
}

Response Me(Api&, Request&, const RouteParams&, const Caller& caller) {
  json::object out;
  out["user"] = caller.user;
  out["role"] = caller.role;
  out["permissions"] = NamesJson(caller.permissions);
  out["devices"] = StringsJson(caller.devices);
  out["scoped"] = caller.scoped;
  out["must_change_password"] = caller.must_change_password;
  out["token_kind"] = caller.token_kind;
  out["expires"] = core::FormatInstant(caller.token_expires);
  if (caller.by_cookie) out["csrf"] = caller.csrf;
  return Json(200, json::serialize(out));
}

Response ChangePassword(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto current = StringField(*body, "current_password", security::kMaxPasswordBytes);
  if (!current) return ErrorResponse(current.error());
  const json::value* fresh = body->if_contains("new_password");
  if (!fresh || !fresh->is_string()) return ErrorResponse(core::Error::Invalid("new_password must be a string", "new_password"));
  if (auto ok = security::CheckNewPassword(caller.user, fresh->as_string(), "new_password"); !ok) return ErrorResponse(ok.error());
  if (fresh->as_string() == *current) {
    return ErrorResponse(core::Error::Invalid("the new password must differ from the current one", "new_password"));
  }
  auto user = api.store().GetUser(caller.user);
  if (!user) return ErrorResponse(user.error());
  if (!*user || !security::VerifyPassword(*current, (*user)->password_hash)) {
    RecordAudit(api, req, caller.user, "auth.password_change_failed", "user:" + caller.user,
                R"({"reason":"wrong current password"})");
    return ErrorResponse(core::Error::Unauthenticated("the current password is wrong"));
  }
  auto hash = security::HashPassword(fresh->as_string());
  if (!hash) return ErrorResponse(hash.error());
  (*user)->password_hash = *hash;
  (*user)->must_change_password = false;
  if (auto put = api.store().PutUser(**user); !put) return ErrorResponse(put.error());
  // Whoever else holds a session or token of this user loses it; this session stays.
  auto revoked = api.store().DeleteSessionsOfUser(caller.user, caller.token_hash);
  api.CredentialsChanged();
  if (!revoked) return ErrorResponse(revoked.error());
  RecordAudit(api, req, caller.user, "auth.password_change", "user:" + caller.user,
              fmt::format(R"({{"revoked_credentials":{}}})", *revoked));
  Response r;
  r.status = 204;
  return r;
}

json::object CredentialJson(const store::Session& s, const Caller& caller) {
  json::object o;
  o["id"] = s.Id();
  o["kind"] = s.kind;
  o["name"] = s.name;
  json::array scopes;
  if (s.scopes) {
    for (const auto& x : *s.scopes) scopes.emplace_back(x);
  }
  o["scopes"] = std::move(scopes);  // empty for a session: all of the role's permissions
  o["created"] = core::FormatInstant(s.created);
  o["expires"] = core::FormatInstant(s.expires);
  o["current"] = s.token_hash == caller.token_hash;
  return o;
}

Response ListTokens(Api& api, Request&, const RouteParams&, const Caller& caller) {
  auto sessions = api.store().ListSessions(caller.user, api.clock());
  if (!sessions) return ErrorResponse(sessions.error());
  json::array items;
  for (const auto& s : *sessions) items.push_back(CredentialJson(s, caller));
  json::object out;
  out["total"] = static_cast<int64_t>(items.size());
  out["items"] = std::move(items);
  return Json(200, json::serialize(out));
}

Response CreateToken(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  // A token can only come from a person signed in with a password, so a leaked token cannot
  // make itself a longer-lived successor.
  if (caller.token_kind != "session") {
    return ErrorResponse(403, "forbidden", "API tokens are made from a signed-in session, not with another token");
  }
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto name = StringField(*body, "name", 64);
  if (!name) return ErrorResponse(name.error());
  auto scope_names = StringArrayField(*body, "scopes", 32, 32);
  if (!scope_names) return ErrorResponse(scope_names.error());
  if (scope_names->empty()) return ErrorResponse(core::Error::Invalid("scopes must name at least one permission", "scopes"));
  auto days = IntField(*body, "expires_days", 1, 365);
  if (!days) return ErrorResponse(days.error());
  std::vector<std::string> scopes;
  for (const auto& n : *scope_names) {
    auto p = security::ParsePermission(n);
    if (!p) return ErrorResponse(core::Error::Invalid(fmt::format("unknown permission '{}'", n), "scopes"));
    if (!caller.permissions.Has(*p)) {
      return ErrorResponse(403, "forbidden", fmt::format("you do not have the permission {} to give a token", n), "scopes");
    }
    if (std::find(scopes.begin(), scopes.end(), n) == scopes.end()) scopes.push_back(n);
  }
  std::string token = "mdt_" + security::RandomHex(32);
  store::Session s;
  s.token_hash = security::Sha256Hex(token);
  s.user = caller.user;
  s.created = api.clock();
  s.expires = s.created + core::Seconds{*days * 86400};
  s.kind = "api";
  s.name = *name;
  s.scopes = scopes;
  if (auto put = api.store().PutSession(s); !put) return ErrorResponse(put.error());
  json::object detail{{"id", s.Id()}, {"name", s.name}, {"scopes", StringsJson(scopes)}, {"expires", core::FormatInstant(s.expires)}};
  RecordAudit(api, req, caller.user, "token.create", "user:" + caller.user, json::serialize(detail));
  json::object out = CredentialJson(s, caller);
  out["token"] = token;  // shown once; only its hash is kept
  return Json(201, json::serialize(out));
}

Response RevokeToken(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto sessions = api.store().ListSessions(caller.user, api.clock());
  if (!sessions) return ErrorResponse(sessions.error());
  for (const auto& s : *sessions) {
    if (s.Id() != params.Get("id")) continue;
    auto deleted = api.store().DeleteSession(s.token_hash);
    api.CredentialsChanged();
    if (!deleted) return ErrorResponse(deleted.error());
    RecordAudit(api, req, caller.user, "token.revoke", "user:" + caller.user,
                json::serialize(json::object{{"id", s.Id()}, {"kind", s.kind}, {"name", s.name}}));
    Response r;
    r.status = 204;
    return r;
  }
  return ErrorResponse(core::Error::NotFound(fmt::format("no session or token '{}' of yours", params.Get("id"))));
}

Response ListRoles(Api&, Request&, const RouteParams&, const Caller&) {
  json::array roles;
  for (const auto& role : security::Roles()) {
    roles.push_back(json::object{{"name", role.name}, {"description", role.description},
                                 {"permissions", NamesJson(role.permissions)}, {"scoped", role.scoped}});
  }
  json::array permissions;
  for (auto p : security::kAllPermissions) {
    permissions.push_back(json::object{{"name", security::PermissionName(p)}, {"description", security::PermissionDescription(p)}});
  }
  json::object out;
  out["items"] = std::move(roles);
  out["permissions"] = std::move(permissions);
  return Json(200, json::serialize(out));
}

}  // namespace

void AddAuthRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/health", Access::kPublic, P::kSelf, Scope::kOwn, "Liveness and version", Health});
  routes.push_back({"POST", "/api/v1/auth/login", Access::kPublic, P::kSelf, Scope::kOwn,
                    "Exchange username and password for a session (bearer token and console cookie)", Login});
  routes.push_back({"POST", "/api/v1/auth/logout", Access::kUser, P::kSelf, Scope::kOwn, "End this session", Logout, 204});
  routes.push_back({"GET", "/api/v1/auth/me", Access::kUser, P::kSelf, Scope::kOwn,
                    "Who is calling: user, role, effective permissions, CSRF token", Me});
  routes.push_back({"POST", "/api/v1/auth/password", Access::kUser, P::kSelf, Scope::kOwn,
                    "Change your password; your other sessions and tokens are revoked", ChangePassword, 204});
  routes.push_back({"GET", "/api/v1/auth/tokens", Access::kUser, P::kSelf, Scope::kOwn, "Your sessions and API tokens", ListTokens});
  routes.push_back({"POST", "/api/v1/auth/tokens", Access::kUser, P::kSelf, Scope::kOwn,
                    "Make an API token with scopes and expiry; the token is shown once", CreateToken, 201});
  routes.push_back({"DELETE", "/api/v1/auth/tokens/{id}", Access::kUser, P::kSelf, Scope::kOwn,
                    "Revoke one of your sessions or tokens", RevokeToken, 204});
  routes.push_back({"GET", "/api/v1/roles", Access::kUser, P::kSelf, Scope::kOwn, "Roles and their permissions", ListRoles});
}

}  // namespace meterd::api
