// SPDX-License-Identifier: Apache-2.0
// Roles, permissions and credentials through Api::Handle: the permission matrix (every route
// as every role, against the OpenAPI document and the role table), device scoping, API tokens
// with scopes and expiry, the console cookie with CSRF, password change and admin reset.
#include <gtest/gtest.h>

#include <set>

#include "api_fixture.h"
#include "security/roles.h"

namespace meterd::api {
namespace {

using testing::ApiTest;
namespace json = boost::json;

class PermissionTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // Two devices; scoped roles get D1 only.
    ASSERT_EQ(Uplink("D1", {{1, *core::ParseInstant("2026-11-21T11:00:00Z"), 5, false, {}}}).status, 200);
    ASSERT_EQ(Uplink("D2", {{1, *core::ParseInstant("2026-11-21T11:00:00Z"), 5, false, {}}}).status, 200);
    for (const auto& role : security::Roles()) {
      store::User u{"u_" + std::string(role.name), *security::HashPassword("a-long-password"), std::string(role.name), now_};
      if (role.scoped) u.devices = {"D1"};
      ASSERT_TRUE(store_->PutUser(u));
    }
    ASSERT_TRUE(store_->PutUser({"victim", *security::HashPassword("a-long-password"), "viewer", now_}));
    // Command 1, for D1, so that /commands/{id} has something a technician may see.
    ASSERT_EQ(Call("POST", "/api/v1/devices/D1/commands", R"({"type":"set_output","on":true})", SessionFor("u_admin")).status, 201);
  }

  // A fresh session for `user`, made straight in the store (no scrypt per call).
  std::string SessionFor(const std::string& user) {
    std::string token = security::RandomHex(16);
    EXPECT_TRUE(store_->PutSession({security::Sha256Hex(token), user, now_, now_ + core::Seconds{3600}}));
    return token;
  }

  Response CallCookie(const std::string& method, const std::string& target, const std::string& cookie_token,
                      const std::string& csrf, const std::string& body = {}) {
    Request r;
    r.method = method;
    r.target = target;
    EXPECT_TRUE(ParseTarget(target, r.path, r.query));
    r.body = body;
    r.headers["cookie"] = "theme=dark; meterd_session=" + cookie_token + "; other=1";
    if (!csrf.empty()) r.headers["x-csrf-token"] = csrf;
    return api_->Handle(r);
  }

  json::object LoginAs(const std::string& user, const std::string& password, Response* raw = nullptr) {
    auto r = Call("POST", "/api/v1/auth/login", json::serialize(json::object{{"username", user}, {"password", password}}));
    if (raw) *raw = r;
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }
};

// A path for a route pattern that a scoped caller (assigned D1) may use.
std::string Concrete(std::string path) {
  auto put = [&](std::string_view from, std::string_view to) {
    if (auto at = path.find(from); at != std::string::npos) path.replace(at, from.size(), to);
  };
  if (path.starts_with("/api/v1/meters/")) put("{id}", "W-D1");
  if (path.starts_with("/api/v1/auth/tokens/")) put("{id}", "0000000000000000");
  put("{id}", path.starts_with("/api/v1/commands/") ? "1" : "D1");
  put("{name}", "victim");
  return path;
}

TEST_F(PermissionTest, EveryRouteAsEveryRoleMatchesTheDocumentedPermissions) {
  // The documents under test: the OpenAPI operations' x-meterd-permission and the role table.
  auto doc = Call("GET", "/api/v1/openapi.json", "", SessionFor("u_viewer"));
  ASSERT_EQ(doc.status, 200);
  auto paths = json::parse(doc.body).at("paths").as_object();
  auto roles = Call("GET", "/api/v1/roles", "", SessionFor("u_viewer"));
  ASSERT_EQ(roles.status, 200);
  std::map<std::string, std::pair<std::set<std::string>, bool>> documented;  // role -> permissions, scoped
  json::value role_doc = json::parse(roles.body);
  for (const auto& r : role_doc.at("items").as_array()) {
    auto& entry = documented[std::string(r.at("name").as_string())];
    for (const auto& p : r.at("permissions").as_array()) entry.first.insert(std::string(p.as_string()));
    entry.second = r.at("scoped").as_bool();
  }
  ASSERT_EQ(documented.size(), 7u);
  for (const char* name : {"admin", "operator", "billing_clerk", "reviewer", "field_technician", "viewer", "customer"}) {
    EXPECT_TRUE(documented.contains(name)) << name;
  }

  int checked = 0;
  for (const auto& route : api_->routes()) {  // enumerated from the router: a new route is covered
    if (route.access != Access::kUser) continue;
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    const auto& op = paths.at(route.pattern).at(method).as_object();
    ASSERT_TRUE(op.contains("x-meterd-permission")) << route.pattern;
    std::string permission(op.at("x-meterd-permission").as_string());
    std::string scope(op.at("x-meterd-scope").as_string());
    for (const auto& [role, spec] : documented) {
      const auto& [permissions, scoped] = spec;
      bool allowed = permissions.contains(permission) && !(scoped && scope == "fleet");
      std::string token = SessionFor("u_" + role);
      std::string body = route.method == "GET" ? "" : "{}";
      auto r = Call(route.method, Concrete(route.pattern), body, token);
      std::string what = fmt::format("{} {} as {} ({}): {} {}", route.method, route.pattern, role, permission, r.status, r.body);
      EXPECT_NE(r.status, 401) << what;
      if (allowed) {
        EXPECT_NE(r.status, 403) << what;
      } else {
        EXPECT_EQ(r.status, 403) << what;
        EXPECT_EQ(ErrorCode(r), "forbidden") << what;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 7 * 25);
}

TEST_F(PermissionTest, ScopedRolesSeeOnlyTheirAssignedDevices) {
  for (const char* user : {"u_customer", "u_field_technician"}) {
    std::string token = SessionFor(user);
    auto devices = Call("GET", "/api/v1/devices", "", token);
    ASSERT_EQ(devices.status, 200);
    auto items = json::parse(devices.body).at("items").as_array();
    ASSERT_EQ(items.size(), 1u) << user;
    EXPECT_EQ(items[0].at("id").as_string(), "D1");
    auto meters = Call("GET", "/api/v1/meters?search=W-", "", token);
    ASSERT_EQ(json::parse(meters.body).at("total").as_int64(), 1);
    EXPECT_EQ(Call("GET", "/api/v1/devices/D1", "", token).status, 200);
    EXPECT_EQ(Call("GET", "/api/v1/devices/D2", "", token).status, 403) << user;
    EXPECT_EQ(Call("GET", "/api/v1/meters/W-D2/readings?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z", "", token).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/meters/W-D1/readings?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z", "", token).status, 200);
    EXPECT_EQ(Call("GET", "/api/v1/meters/nonexistent", "", token).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/events", "", token).status, 403);
  }
  // The technician may switch the assigned device's relay, not another one; the customer neither.
  std::string command = R"({"type":"set_output","on":false})";
  auto sent = Call("POST", "/api/v1/devices/D1/commands", command, SessionFor("u_field_technician"));
  ASSERT_EQ(sent.status, 201);
  std::string cid = std::to_string(json::parse(sent.body).at("id").as_int64());
  EXPECT_EQ(Call("GET", "/api/v1/commands/" + cid, "", SessionFor("u_field_technician")).status, 200);
  auto other = Call("POST", "/api/v1/devices/D2/commands", command, SessionFor("u_admin"));
  std::string other_id = std::to_string(json::parse(other.body).at("id").as_int64());
  EXPECT_EQ(Call("GET", "/api/v1/commands/" + other_id, "", SessionFor("u_field_technician")).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/devices/D2/commands", command, SessionFor("u_field_technician")).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/devices/D1/commands", command, SessionFor("u_customer")).status, 403);
  // An unscoped viewer sees both devices.
  auto all = Call("GET", "/api/v1/devices", "", SessionFor("u_viewer"));
  EXPECT_EQ(json::parse(all.body).at("total").as_int64(), 2);
}

TEST_F(PermissionTest, ApiTokensHaveScopesAndExpire) {
  std::string session = SessionFor("u_operator");
  auto made = Call("POST", "/api/v1/auth/tokens", R"({"name":"grafana","scopes":["fleet:read","metrics:read"],"expires_days":30})", session);
  ASSERT_EQ(made.status, 201) << made.body;
  auto o = json::parse(made.body).as_object();
  std::string token(o.at("token").as_string());
  EXPECT_TRUE(token.starts_with("mdt_"));
  EXPECT_EQ(o.at("expires").as_string(), "2026-12-21T12:00:00Z");
  // Only the hash is kept.
  EXPECT_TRUE(store_->GetSession(security::Sha256Hex(token)).value().has_value());
  EXPECT_FALSE(store_->GetSession(token).value().has_value());

  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 200);
  EXPECT_EQ(Call("GET", "/metrics", "", token).status, 200);
  auto refused = Call("POST", "/api/v1/devices/D1/commands", R"({"type":"set_output","on":true})", token);
  EXPECT_EQ(refused.status, 403);  // the operator may, the token's scopes do not
  EXPECT_NE(refused.body.find("commands:send"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/meters/W-D1/readings?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z", "", token).status, 403);
  // A token cannot mint tokens; a session cannot grant what its role lacks or what does not exist.
  EXPECT_EQ(Call("POST", "/api/v1/auth/tokens", R"({"name":"x","scopes":["fleet:read"],"expires_days":1})", token).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/auth/tokens", R"({"name":"x","scopes":["users:manage"],"expires_days":1})", session).status, 403);
  auto unknown = Call("POST", "/api/v1/auth/tokens", R"({"name":"x","scopes":["root"],"expires_days":1})", session);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(ErrorField(unknown), "scopes");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/auth/tokens", R"({"name":"x","scopes":["fleet:read"],"expires_days":366})", session)), "expires_days");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/auth/tokens", R"({"name":"","scopes":["fleet:read"],"expires_days":1})", session)), "name");
  // A token never outgrows its user's role: demote the operator and the metrics scope dies.
  ASSERT_EQ(Call("PATCH", "/api/v1/users/u_operator", R"({"role":"viewer"})", SessionFor("u_admin")).status, 200);
  EXPECT_EQ(Call("GET", "/metrics", "", token).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 200);
  // Listed (marked current only for the caller's own credential), then expired, then revoked.
  auto list = json::parse(Call("GET", "/api/v1/auth/tokens", "", session).body).at("items").as_array();
  ASSERT_EQ(list.size(), 2u);
  std::string id;
  for (const auto& t : list) {
    if (t.at("kind") == "api") id = std::string(t.at("id").as_string());
    EXPECT_EQ(t.at("current").as_bool(), t.at("kind") == "session");
    EXPECT_FALSE(t.as_object().contains("token"));
  }
  now_ += core::Seconds{30 * 86400};
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 401);
  now_ -= core::Seconds{30 * 86400};
  EXPECT_EQ(Call("DELETE", "/api/v1/auth/tokens/" + id, "", SessionFor("u_operator")).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 401);
  EXPECT_EQ(Call("DELETE", "/api/v1/auth/tokens/" + id, "", SessionFor("u_operator")).status, 404);
  // Someone else's token id is not yours to revoke.
  auto other = Call("POST", "/api/v1/auth/tokens", R"({"name":"y","scopes":["fleet:read"],"expires_days":1})", SessionFor("u_viewer"));
  std::string other_id(json::parse(other.body).at("id").as_string());
  EXPECT_EQ(Call("DELETE", "/api/v1/auth/tokens/" + other_id, "", SessionFor("u_admin")).status, 404);
}

TEST_F(PermissionTest, ConsoleCookieNeedsTheCsrfTokenForChanges) {
  Response raw;
  auto login = LoginAs("u_operator", "a-long-password", &raw);
  std::string token(login.at("token").as_string());
  std::string csrf(login.at("csrf").as_string());
  EXPECT_EQ(login.at("role").as_string(), "operator");
  std::string cookie;
  for (const auto& [k, v] : raw.headers) {
    if (k == "Set-Cookie") cookie = v;
  }
  EXPECT_TRUE(cookie.starts_with("meterd_session=" + token + ";")) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here

  EXPECT_EQ(CallCookie("GET", "/api/v1/devices", token, "").status, 200);
  auto me = CallCookie("GET", "/api/v1/auth/me", token, "");
  EXPECT_EQ(json::parse(me.body).at("csrf").as_string(), csrf);
  std::string command = R"({"type":"set_output","on":false})";
  auto no_csrf = CallCookie("POST", "/api/v1/devices/D1/commands", token, "", command);
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(ErrorCode(no_csrf), "csrf");
  EXPECT_EQ(CallCookie("POST", "/api/v1/devices/D1/commands", token, csrf + "0", command).status, 403);
  EXPECT_EQ(CallCookie("POST", "/api/v1/devices/D1/commands", token, csrf, command).status, 201);
  // The same token as a bearer needs no CSRF token (no browser sends it by itself).
  EXPECT_EQ(Call("POST", "/api/v1/devices/D1/commands", command, token).status, 201);
  // An API token is not accepted from a cookie.
  auto made = Call("POST", "/api/v1/auth/tokens", R"({"name":"t","scopes":["fleet:read"],"expires_days":1})", token);
  std::string api_token(json::parse(made.body).at("token").as_string());
  EXPECT_EQ(CallCookie("GET", "/api/v1/devices", api_token, "").status, 401);
  // Logout clears the cookie and ends the session.
  Response out = CallCookie("POST", "/api/v1/auth/logout", token, csrf);
  EXPECT_EQ(out.status, 204);
  ASSERT_FALSE(out.headers.empty());
  EXPECT_NE(out.headers.back().second.find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(CallCookie("GET", "/api/v1/devices", token, "").status, 401);
}

TEST_F(PermissionTest, SecureCookieUnderTls) {
  Request r;
  r.method = "POST";
  r.target = r.path = "/api/v1/auth/login";
  r.body = R"({"username":"u_viewer","password":"a-long-password"})";
  r.tls = true;
  auto res = api_->Handle(r);
  ASSERT_EQ(res.status, 200);
  bool secure = false;
  for (const auto& [k, v] : res.headers) secure |= k == "Set-Cookie" && v.find("; Secure") != std::string::npos;
  EXPECT_TRUE(secure);
}

TEST_F(PermissionTest, PasswordChangeRevokesOtherSessions) {
  std::string mine = LoginAs("u_viewer", "a-long-password").at("token").as_string().c_str();
  std::string other = SessionFor("u_viewer");
  auto wrong = Call("POST", "/api/v1/auth/password", R"({"current_password":"nope-nope-nope","new_password":"another-long-one"})", mine);
  EXPECT_EQ(wrong.status, 401);
  auto shorty = Call("POST", "/api/v1/auth/password", R"({"current_password":"a-long-password","new_password":"short"})", mine);
  EXPECT_EQ(shorty.status, 400);
  EXPECT_EQ(ErrorField(shorty), "new_password");
  EXPECT_EQ(Call("POST", "/api/v1/auth/password", R"({"current_password":"a-long-password","new_password":"another-long-one"})", mine).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", mine).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", other).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"u_viewer","password":"a-long-password"})").status, 401);
  LoginAs("u_viewer", "another-long-one");
}

TEST_F(PermissionTest, AdminResetForcesAPasswordChange) {
  std::string admin = SessionFor("u_admin");
  std::string victim_session = SessionFor("victim");
  auto reset = Call("POST", "/api/v1/users/victim/password", "", admin);
  ASSERT_EQ(reset.status, 200) << reset.body;
  std::string generated(json::parse(reset.body).at("password").as_string());
  EXPECT_EQ(generated.size(), 16u);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", victim_session).status, 401);  // revoked
  auto login = LoginAs("victim", generated);
  EXPECT_TRUE(login.at("must_change_password").as_bool());
  ASSERT_EQ(login.at("permissions").as_array().size(), 1u);
  std::string token(login.at("token").as_string());
  auto blocked = Call("GET", "/api/v1/devices", "", token);
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(ErrorCode(blocked), "password_change_required");
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", token).status, 200);
  auto change = json::object{{"current_password", generated}, {"new_password", "victim-chose-this"}};
  EXPECT_EQ(Call("POST", "/api/v1/auth/password", json::serialize(change), token).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 200);
}

TEST_F(PermissionTest, AdminManagesUsers) {
  std::string admin = SessionFor("u_admin");
  auto made = Call("POST", "/api/v1/users", R"({"name":"cust42","role":"customer","devices":["D2"],"password":"customer-pass-1","must_change_password":false})", admin);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_FALSE(json::parse(made.body).as_object().contains("password"));
  std::string cust = LoginAs("cust42", "customer-pass-1").at("token").as_string().c_str();
  EXPECT_EQ(Call("GET", "/api/v1/devices/D2", "", cust).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/devices/D1", "", cust).status, 403);
  // Bad input, each naming its field.
  EXPECT_EQ(Call("POST", "/api/v1/users", R"({"name":"cust42","role":"customer"})", admin).status, 409);
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/users", R"({"name":"a b","role":"viewer"})", admin)), "name");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/users", R"({"name":"ab","role":"root"})", admin)), "role");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/users", R"({"name":"ab","role":"viewer","devices":["nope"]})", admin)), "devices");
  EXPECT_EQ(ErrorField(Call("POST", "/api/v1/users", R"({"name":"ab","role":"viewer","password":"short"})", admin)), "password");
  EXPECT_EQ(ErrorField(Call("PATCH", "/api/v1/users/cust42", R"({"colour":"red"})", admin)), "colour");
  EXPECT_EQ(Call("PATCH", "/api/v1/users/nobody", R"({"disabled":true})", admin).status, 404);
  // Reassign, then disable: the session ends and the login is refused.
  auto moved = Call("PATCH", "/api/v1/users/cust42", R"({"devices":["D1"]})", admin);
  ASSERT_EQ(moved.status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/devices/D1", "", cust).status, 200);
  EXPECT_EQ(Call("PATCH", "/api/v1/users/cust42", R"({"disabled":true})", admin).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/devices/D1", "", cust).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"cust42","password":"customer-pass-1"})").status, 401);
  // The last enabled admin cannot be demoted or disabled ("admin" from the fixture and u_admin).
  EXPECT_EQ(Call("PATCH", "/api/v1/users/admin", R"({"role":"viewer"})", admin).status, 200);
  auto last = Call("PATCH", "/api/v1/users/u_admin", R"({"disabled":true})", admin);
  EXPECT_EQ(last.status, 409) << last.body;
  // Each change is in the audit log under the admin's name.
  auto audit = json::parse(Call("GET", "/api/v1/audit?actor=u_admin", "", admin).body).at("items").as_array();
  std::multiset<std::string> actions;
  for (const auto& e : audit) actions.insert(std::string(e.at("action").as_string()));
  EXPECT_EQ(actions.count("user.create"), 1u);
  EXPECT_EQ(actions.count("user.update"), 3u);
}

}  // namespace
}  // namespace meterd::api
