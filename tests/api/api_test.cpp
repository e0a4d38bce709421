// SPDX-License-Identifier: Apache-2.0
// The API through Api::Handle with a real SQLite store and ingest service (no sockets).
#include "api/api.h"

#include <gtest/gtest.h>

#include "api_fixture.h"

namespace meterd::api {
namespace {

using testing::ApiTest;
namespace json = boost::json;
namespace fs = std::filesystem;

codec::acq::Message Msg(uint64_t seq, const char* at, uint64_t count) {
  return {seq, *core::ParseInstant(at), count, false, {}};
}

TEST_F(ApiTest, HealthIsOpenAndEverythingElseNeedsAToken) {
  EXPECT_EQ(Call("GET", "/api/v1/health").status, 200);
  for (const auto& route : api_->routes()) {
    if (route.access == Access::kPublic) {
      // Only these may be called without credentials; a new public route must be added here
      // on purpose.
      std::string key = route.method + " " + route.pattern;
      EXPECT_TRUE(key == "GET /api/v1/health" || key == "POST /api/v1/auth/login") << key << " is public";
      continue;
    }
    std::string path = route.pattern;
    for (std::string p : {"{id}", "{name}"}) {
      if (auto at = path.find(p); at != std::string::npos) path.replace(at, p.size(), "X1");
    }
    auto r = Call(route.method, path);
    EXPECT_EQ(r.status, 401) << route.method << " " << route.pattern;
    EXPECT_EQ(ErrorCode(r), "unauthenticated");
    auto bad = Call(route.method, path, "", "not-a-token");
    EXPECT_EQ(bad.status, 401) << route.method << " " << route.pattern;
  }
}

TEST_F(ApiTest, LoginRefusesWrongPasswordsAndUnknownUsersAlike) {
  auto wrong = Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"nope"})");
  auto unknown = Call("POST", "/api/v1/auth/login", R"({"username":"eve","password":"pw"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", "{not json").status, 400);
  std::string token = Login();
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "", token).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 401);
}

TEST_F(ApiTest, RepeatedFailuresLockTheNameThenExpire) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"guess"})").status, 401);
  }
  // Locked: even the right password waits, and says how long.
  auto locked = Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(ErrorCode(locked), "too_many_requests");
  // An unknown name locks the same way, so a lock tells nothing about which accounts exist.
  for (int i = 0; i < 5; ++i) Call("POST", "/api/v1/auth/login", R"({"username":"nobody","password":"x"})");
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"nobody","password":"x"})").status, 429);
  now_ += core::Seconds{16 * 60};
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})").status, 200);
}

TEST_F(ApiTest, SessionsExpire) {
  std::string token = Login();
  now_ += core::Seconds{13 * 3600};
  EXPECT_EQ(Call("GET", "/api/v1/devices", "", token).status, 401);
}

TEST_F(ApiTest, UplinkEnrolsAndAcknowledgesAndRefusesBadInput) {
  auto first = Uplink("D1", {Msg(1, "2026-11-21T10:00:00Z", 10), Msg(2, "2026-11-21T10:15:00Z", 25)});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json::parse(first.body).at("ack").as_int64(), 2);
  // Wrong token, unknown device with a made-up token, malformed JSON, path mismatch.
  auto wrong = Call("POST", "/api/v1/devices/D1/uplink", "{}", DeviceToken("D2"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/devices/D9/uplink", "{}", "guess").status, 401);
  auto malformed = Call("POST", "/api/v1/devices/D1/uplink", R"({"v":1,"device":"D1",)", DeviceToken("D1"));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(ErrorCode(malformed), "invalid_argument");
  codec::acq::Uplink other;
  other.device = "D2";
  other.meter = "W2";
  other.pulse_weight = core::Quantity{1, 0, core::Unit::kL};
  auto mismatch = Call("POST", "/api/v1/devices/D1/uplink", codec::acq::EncodeUplink(other), DeviceToken("D1"));
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(ErrorField(mismatch), "device");
  // Nothing accepted before is lost: the reading is still there once.
  std::string token = Login();
  auto readings = Call("GET", "/api/v1/meters/W-D1/readings?from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z", "", token);
  ASSERT_EQ(readings.status, 200) << readings.body;
  EXPECT_EQ(json::parse(readings.body).at("total").as_string(), "0.015");
}

TEST_F(ApiTest, CommandTravelsPendingSentAcknowledged) {
  ASSERT_EQ(Uplink("D1", {Msg(1, "2026-11-21T10:00:00Z", 10)}).status, 200);
  std::string token = Login();
  auto bad = Call("POST", "/api/v1/devices/D1/commands", R"({"type":"explode"})", token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(ErrorField(bad), "type");
  auto bad_interval = Call("POST", "/api/v1/devices/D1/commands", R"({"type":"set_interval","interval_s":7})", token);
  EXPECT_EQ(ErrorField(bad_interval), "interval_s");
  EXPECT_EQ(Call("POST", "/api/v1/devices/NOPE/commands", R"({"type":"set_output","on":true})", token).status, 404);
  auto created = Call("POST", "/api/v1/devices/D1/commands", R"({"type":"set_output","on":true})", token);
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t id = json::parse(created.body).at("id").as_int64();
  EXPECT_EQ(json::parse(created.body).at("state").as_string(), "pending");

  auto down = Uplink("D1", {Msg(2, "2026-11-21T10:15:00Z", 12)});
  auto commands = json::parse(down.body).at("commands").as_array();
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].at("id").as_int64(), id);
  auto sent = Call("GET", fmt::format("/api/v1/commands/{}", id), "", token);
  EXPECT_EQ(json::parse(sent.body).at("state").as_string(), "sent");

  // Another device cannot acknowledge it.
  Uplink("D2", {Msg(1, "2026-11-21T10:15:00Z", 1)}, {{id, true, ""}});
  EXPECT_EQ(json::parse(Call("GET", fmt::format("/api/v1/commands/{}", id), "", token).body).at("state").as_string(), "sent");

  Uplink("D1", {}, {{id, true, "output on"}});
  auto done = json::parse(Call("GET", fmt::format("/api/v1/commands/{}", id), "", token).body);
  EXPECT_EQ(done.at("state").as_string(), "acknowledged");
  EXPECT_EQ(done.at("result").as_string(), "output on");
  auto device = json::parse(Call("GET", "/api/v1/devices/D1", "", token).body);
  EXPECT_EQ(device.at("output").as_string(), "on");
}

TEST_F(ApiTest, ReadingsAggregateExactlyAndCheckParameters) {
  now_ = *core::ParseInstant("2026-11-22T06:00:00Z");
  std::vector<codec::acq::Message> msgs;
  uint64_t count = 0;
  core::Instant t = *core::ParseInstant("2026-11-20T00:00:00Z");
  for (uint64_t seq = 1; seq <= 2 * 96 + 1; ++seq) {
    msgs.push_back({seq, t, count, false, {}});
    t += core::Seconds{900};
    count += seq % 7;
  }
  ASSERT_EQ(Uplink("D1", msgs).status, 200);
  std::string token = Login();
  const std::string base = "/api/v1/meters/W-D1/readings?from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z";
  std::string total;
  for (const char* res : {"interval", "hour", "day", "month"}) {
    auto r = Call("GET", base + "&resolution=" + res, "", token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = json::parse(r.body);
    if (total.empty()) total = std::string(v.at("total").as_string());
    EXPECT_EQ(v.at("total").as_string(), total) << res;
    size_t expect = std::string(res) == "interval" ? 192 : std::string(res) == "hour" ? 48 : std::string(res) == "day" ? 2 : 1;
    EXPECT_EQ(v.at("points").as_array().size(), expect) << res;
  }
  EXPECT_EQ(total, core::FormatScaled(static_cast<int64_t>(msgs.back().count), -3));  // litres -> m3
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/meters/W-D1/readings?to=2026-11-22T00:00:00Z", "", token)), "from");
  EXPECT_EQ(ErrorField(Call("GET", base + "&resolution=fortnight", "", token)), "resolution");
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/meters/W-D1/readings?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z", "", token)), "to");
  EXPECT_EQ(Call("GET", "/api/v1/meters/NOPE/readings?from=2026-11-20T00:00:00Z&to=2026-11-22T00:00:00Z", "", token).status, 404);
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/devices?limit=0", "", token)), "limit");
}

TEST_F(ApiTest, ListsFilterAndPage) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_EQ(Uplink(fmt::format("D{}", i), {Msg(1, "2026-11-21T10:00:00Z", 1)}).status, 200);
  }
  std::string token = Login();
  auto page = json::parse(Call("GET", "/api/v1/devices?limit=2&offset=2", "", token).body);
  EXPECT_EQ(page.at("total").as_int64(), 5);
  EXPECT_EQ(page.at("items").as_array().size(), 2u);
  auto search = json::parse(Call("GET", "/api/v1/devices?search=D3", "", token).body);
  EXPECT_EQ(search.at("total").as_int64(), 1);
  auto device = json::parse(Call("GET", "/api/v1/devices/D3", "", token).body);
  EXPECT_EQ(device.at("status").as_string(), "online");
  EXPECT_EQ(device.at("register").at("value").as_string(), "0.001");
  EXPECT_EQ(Call("GET", "/api/v1/devices/NOPE", "", token).status, 404);
  EXPECT_EQ(ErrorField(Call("GET", "/api/v1/devices?medium=plasma", "", token)), "medium");
}

TEST_F(ApiTest, UnknownPathsMethodsAndTraversal) {
  std::string token = Login();
  EXPECT_EQ(Call("GET", "/api/v1/nothing", "", token).status, 404);
  EXPECT_EQ(Call("DELETE", "/api/v1/devices", "", token).status, 405);
  EXPECT_EQ(Call("GET", "/").status, 200);
  EXPECT_EQ(Call("GET", "/devices/D1").status, 200);  // client-side route -> index.html
  for (const char* evil : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/../../secret.txt"}) {
    auto r = Call("GET", evil);
    EXPECT_EQ(r.status, 404) << evil;
    EXPECT_EQ(r.body.find("outside the web root"), std::string::npos) << evil;
  }
}

TEST_F(ApiTest, OpenApiListsEveryRouteWithItsAccess) {
  std::string token = Login();
  auto r = Call("GET", "/api/v1/openapi.json", "", token);
  ASSERT_EQ(r.status, 200);
  auto doc = json::parse(r.body);
  for (const auto& route : api_->routes()) {
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(c));
    const auto* item = doc.at("paths").as_object().if_contains(route.pattern);
    ASSERT_NE(item, nullptr) << route.pattern;
    ASSERT_TRUE(item->as_object().contains(method)) << route.method << " " << route.pattern;
  }
  auto metrics = Call("GET", "/metrics", "", token);
  EXPECT_NE(metrics.body.find("meterd_ingest_readings_total"), std::string::npos);
}

// Audit log: who, what and from where, for logins, failures, logouts and commands.
class AuditApiTest : public ApiTest {
 protected:
  Response CallFrom(const std::string& remote, const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& token = {}) {
    Request r;
    r.method = method;
    r.target = target;
    EXPECT_TRUE(ParseTarget(target, r.path, r.query));
    r.body = body;
    r.remote = remote;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return api_->Handle(r);
  }
  json::array Audit(const std::string& token, const std::string& query = {}) {
    auto r = Call("GET", "/api/v1/audit" + query, "", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("items").as_array();
  }
};

TEST_F(AuditApiTest, LoginFailureCommandAndLogoutAreRecorded) {
  ASSERT_EQ(Uplink("D1", {Msg(1, "2026-11-21T10:00:00Z", 10)}).status, 200);
  std::string long_name(100, 'm');
  EXPECT_EQ(CallFrom("198.51.100.9", "POST", "/api/v1/auth/login",
                     R"({"username":"admin","password":"guess-secret"})").status, 401);
  EXPECT_EQ(CallFrom("198.51.100.9", "POST", "/api/v1/auth/login",
                     R"({"username":")" + long_name + R"(","password":"x"})").status, 401);
  EXPECT_EQ(CallFrom("198.51.100.9", "POST", "/api/v1/auth/login", R"({"username":"ev\u001b[2Jil","password":"x"})").status, 401);
  auto login = CallFrom("203.0.113.5", "POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})");
  ASSERT_EQ(login.status, 200);
  std::string token(json::parse(login.body).at("token").as_string());
  auto created = CallFrom("203.0.113.5", "POST", "/api/v1/devices/D1/commands", R"({"type":"set_output","on":true})", token);
  ASSERT_EQ(created.status, 201);

  auto items = Audit(token);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[2].at("actor").as_string(), "ev?[2Jil");
  items.erase(items.begin() + 2);
  // Newest first.
  EXPECT_EQ(items[0].at("seq").as_int64(), 5);
  EXPECT_EQ(items[0].at("actor").as_string(), "admin");
  EXPECT_EQ(items[0].at("action").as_string(), "command.create");
  EXPECT_EQ(items[0].at("target").as_string(), "device:D1");
  EXPECT_EQ(items[0].at("remote").as_string(), "203.0.113.5");
  auto detail = json::parse(items[0].at("detail").as_string());
  EXPECT_EQ(detail.at("type").as_string(), "set_output");
  EXPECT_EQ(detail.at("argument").as_int64(), 1);
  EXPECT_EQ(items[1].at("action").as_string(), "auth.login");
  EXPECT_EQ(items[1].at("actor").as_string(), "admin");
  EXPECT_EQ(items[1].at("remote").as_string(), "203.0.113.5");
  EXPECT_EQ(items[2].at("action").as_string(), "auth.login_failed");
  EXPECT_EQ(items[2].at("actor").as_string(), std::string(64, 'm'));
  EXPECT_EQ(items[3].at("action").as_string(), "auth.login_failed");
  EXPECT_EQ(items[3].at("actor").as_string(), "admin");
  EXPECT_EQ(items[3].at("remote").as_string(), "198.51.100.9");
  EXPECT_EQ(items[3].at("at").as_string(), "2026-11-21T12:00:00Z");
  auto all = Call("GET", "/api/v1/audit", "", token).body;
  EXPECT_EQ(all.find("guess-secret"), std::string::npos);

  auto failed = Audit(token, "?action=auth.login_failed&actor=admin");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].at("seq").as_int64(), 1);
  EXPECT_EQ(Audit(token, "?target=D1").size(), 1u);
  EXPECT_EQ(Audit(token, "?limit=1&offset=1")[0].at("seq").as_int64(), 4);
  EXPECT_EQ(Call("GET", "/api/v1/audit?from=yesterday", "", token).status, 400);

  EXPECT_EQ(CallFrom("203.0.113.5", "POST", "/api/v1/auth/logout", "", token).status, 204);
  token = Login();
  auto after = Audit(token, "?action=auth.logout");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].at("actor").as_string(), "admin");
}

TEST_F(AuditApiTest, NeedsATokenAndVerifies) {
  EXPECT_EQ(Call("GET", "/api/v1/audit").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify").status, 401);
  std::string token = Login();
  for (int i = 0; i < 3; ++i) Call("POST", "/api/v1/auth/login", R"({"username":"x","password":"y"})");
  auto r = Call("GET", "/api/v1/audit/verify", "", token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body);
  EXPECT_TRUE(v.at("ok").as_bool());
  EXPECT_EQ(v.at("entries").as_int64(), 4);
  EXPECT_TRUE(v.at("first_broken").is_null());
  EXPECT_EQ(v.at("last_hash").as_string(), Audit(token)[0].at("hash").as_string());
}

}  // namespace
}  // namespace meterd::api
