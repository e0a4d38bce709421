// SPDX-License-Identifier: Apache-2.0
// Users: create, list, change role / devices / disabled, admin password reset (users:manage).
#include <fmt/format.h>

#include "api/api.h"
#include "api/json_views.h"
#include "security/crypto.h"
#include "security/password_policy.h"

namespace meterd::api {
namespace {

namespace json = boost::json;

json::object UserJson(const store::User& u) {
  json::object o;
  o["name"] = u.name;
  o["role"] = u.role;
  o["disabled"] = u.disabled;
  o["must_change_password"] = u.must_change_password;
  o["devices"] = StringsJson(u.devices);
  o["created"] = core::FormatInstant(u.created);
  return o;
}

core::Result<store::User> FindUser(Api& api, const std::string& name) {
  auto user = api.store().GetUser(name);
  if (!user) return core::Fail(user.error());
  if (!*user) return core::Fail(core::Error::NotFound(fmt::format("no user '{}'", name)));
  return std::move(**user);
}

// The device list of a body, each device checked to exist.
core::Result<std::vector<std::string>> DevicesField(Api& api, const json::object& body) {
  auto devices = StringArrayField(body, "devices", 10000, 64);
  if (!devices) return devices;
  for (const auto& id : *devices) {
    auto d = api.store().GetDevice(id);
    if (!d) return core::Fail(d.error());
    if (!*d) return core::Fail(core::Error::Invalid(fmt::format("no device '{}'", id), "devices"));
  }
  return devices;
}

// Refuses a change that would leave no enabled admin: someone must be able to manage users.
core::Result<void> KeepAnAdmin(Api& api, const store::User& before, const store::User& after) {
  bool was_admin = before.role == "admin" && !before.disabled;
  bool is_admin = after.role == "admin" && !after.disabled;
  if (!was_admin || is_admin) return {};
  store::Page page{1000, 0};
  auto users = api.store().ListUsers(page);
  if (!users) return core::Fail(users.error());
  for (const auto& u : users->items) {
    if (u.name != before.name && u.role == "admin" && !u.disabled) return {};
  }
  return core::Fail(core::Error::Conflict(fmt::format("'{}' is the last enabled admin", before.name)));
}

Response ListUsers(Api& api, Request& req, const RouteParams&, const Caller&) {
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  auto users = api.store().ListUsers(*page);
  if (!users) return ErrorResponse(users.error());
  return Json(200, ListingJson(*users, *page, UserJson));
}

Response GetUser(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto user = FindUser(api, params.Get("name"));
  if (!user) return ErrorResponse(user.error());
  return Json(200, json::serialize(UserJson(*user)));
}

Response CreateUser(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto name = StringField(*body, "name", 64);
  if (!name) return ErrorResponse(name.error());
  if (auto ok = security::CheckUserName(*name); !ok) return ErrorResponse(ok.error());
  auto role = StringField(*body, "role", 32);
  if (!role) return ErrorResponse(role.error());
  if (!security::FindRole(*role)) return ErrorResponse(core::Error::Invalid(fmt::format("no role '{}'", *role), "role"));
  store::User user;
  user.name = *name;
  user.role = *role;
  user.created = api.clock();
  user.must_change_password = true;
  if (body->contains("must_change_password")) {
    auto must = BoolField(*body, "must_change_password");
    if (!must) return ErrorResponse(must.error());
    user.must_change_password = *must;
  }
  if (body->contains("devices")) {
    auto devices = DevicesField(api, *body);
    if (!devices) return ErrorResponse(devices.error());
    user.devices = std::move(*devices);
  }
  std::string password;
  bool generated = !body->contains("password");
  if (generated) {
    password = security::GeneratePassword();
  } else {
    const json::value* p = body->if_contains("password");
    if (!p->is_string()) return ErrorResponse(core::Error::Invalid("password must be a string", "password"));
    password = std::string(p->as_string());
    if (auto ok = security::CheckNewPassword(user.name, password, "password"); !ok) return ErrorResponse(ok.error());
  }
  auto existing = api.store().GetUser(user.name);
  if (!existing) return ErrorResponse(existing.error());
  if (*existing) return ErrorResponse(core::Error::Conflict(fmt::format("user '{}' exists", user.name)));
  auto hash = security::HashPassword(password);
  if (!hash) return ErrorResponse(hash.error());
  user.password_hash = *hash;
  if (auto put = api.store().PutUser(user); !put) return ErrorResponse(put.error());
  json::object out = UserJson(user);
  RecordAudit(api, req, caller.user, "user.create", "user:" + user.name, json::serialize(out));
  if (generated) out["password"] = password;  // shown once, to the admin who made the user
  return Json(201, json::serialize(out));
}

Response UpdateUser(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  auto before = FindUser(api, params.Get("name"));
  if (!before) return ErrorResponse(before.error());
  store::User user = *before;
  json::object changes;
  for (const auto& [key, value] : *body) {
    if (key != "role" && key != "disabled" && key != "devices") {
      return ErrorResponse(core::Error::Invalid(fmt::format("unknown field '{}' (role, disabled, devices)", std::string_view(key)),
                                                std::string(key)));
    }
  }
  if (body->contains("role")) {
    auto role = StringField(*body, "role", 32);
    if (!role) return ErrorResponse(role.error());
    if (!security::FindRole(*role)) return ErrorResponse(core::Error::Invalid(fmt::format("no role '{}'", *role), "role"));
    user.role = *role;
    changes["role"] = *role;
  }
  if (body->contains("disabled")) {
    auto disabled = BoolField(*body, "disabled");
    if (!disabled) return ErrorResponse(disabled.error());
    user.disabled = *disabled;
    changes["disabled"] = *disabled;
  }
  if (body->contains("devices")) {
    auto devices = DevicesField(api, *body);
    if (!devices) return ErrorResponse(devices.error());
    user.devices = std::move(*devices);
    changes["devices"] = StringsJson(user.devices);
  }
  if (auto ok = KeepAnAdmin(api, *before, user); !ok) return ErrorResponse(ok.error());
  auto put = api.store().PutUser(user);
  api.CredentialsChanged();  // role, devices or disabled: cached callers of this user are stale
  if (!put) return ErrorResponse(put.error());
  if (user.disabled && !before->disabled) {
    auto revoked = api.store().DeleteSessionsOfUser(user.name, "");
    if (!revoked) return ErrorResponse(revoked.error());
    changes["revoked_credentials"] = *revoked;
  }
  RecordAudit(api, req, caller.user, "user.update", "user:" + user.name, json::serialize(changes));
  return Json(200, json::serialize(UserJson(user)));
}

Response ResetPassword(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  json::object body;
  if (!req.body.empty()) {
    auto parsed = ParseObject(req.body);
    if (!parsed) return ErrorResponse(parsed.error());
    body = std::move(*parsed);
  }
  auto user = FindUser(api, params.Get("name"));
  if (!user) return ErrorResponse(user.error());
  std::string password;
  bool generated = !body.contains("password");
  if (generated) {
    password = security::GeneratePassword();
  } else {
    const json::value* p = body.if_contains("password");
    if (!p->is_string()) return ErrorResponse(core::Error::Invalid("password must be a string", "password"));
    password = std::string(p->as_string());
    if (auto ok = security::CheckNewPassword(user->name, password, "password"); !ok) return ErrorResponse(ok.error());
  }
  auto hash = security::HashPassword(password);
  if (!hash) return ErrorResponse(hash.error());
  user->password_hash = *hash;
  user->must_change_password = true;
  if (auto put = api.store().PutUser(*user); !put) return ErrorResponse(put.error());
  // Every session and token of the user ends, except the admin's own when resetting themself.
  auto revoked = api.store().DeleteSessionsOfUser(user->name, user->name == caller.user ? caller.token_hash : "");
  api.CredentialsChanged();
  if (!revoked) return ErrorResponse(revoked.error());
  RecordAudit(api, req, caller.user, "user.password_reset", "user:" + user->name,
              fmt::format(R"({{"generated":{},"revoked_credentials":{}}})", generated, *revoked));
  json::object out;
  out["name"] = user->name;
  out["must_change_password"] = true;
  if (generated) out["password"] = password;
  return Json(200, json::serialize(out));
}

}  // namespace

void AddUserRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/users", Access::kUser, P::kUsersManage, Scope::kUnscoped, "List users", ListUsers});
  routes.push_back({"POST", "/api/v1/users", Access::kUser, P::kUsersManage, Scope::kUnscoped,
                    "Create a user (password generated and shown once unless given)", CreateUser, 201});
  routes.push_back({"GET", "/api/v1/users/{name}", Access::kUser, P::kUsersManage, Scope::kUnscoped, "One user", GetUser});
  routes.push_back({"PATCH", "/api/v1/users/{name}", Access::kUser, P::kUsersManage, Scope::kUnscoped,
                    "Change a user's role, devices or disabled flag", UpdateUser});
  routes.push_back({"POST", "/api/v1/users/{name}/password", Access::kUser, P::kUsersManage, Scope::kUnscoped,
                    "Reset a user's password; they must change it at next login", ResetPassword});
}

}  // namespace meterd::api
