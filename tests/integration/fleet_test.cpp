// SPDX-License-Identifier: Apache-2.0
// meterd and metersim as real processes on loopback: 200 devices report 7 simulated days,
// 20 of them lose their network for 12 simulated hours, and every reading must be stored
// exactly once with the right totals, through a restart of meterd too.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include "process.h"

namespace meterd::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class Api {
 public:
  explicit Api(const std::string& url) { client_ = std::move(*apps::HttpClient::Create(url)); }
  void Login(const std::string& password) {
    auto r = client_->Send("POST", "/api/v1/auth/login", fmt::format(R"({{"username":"admin","password":"{}"}})", password), "");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    token_ = std::string(json::parse(r->body).at("token").as_string());
  }
  json::value Get(const std::string& target) {
    auto r = client_->Send("GET", target, "", token_);
    EXPECT_TRUE(r) << target;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << target << " " << r->body;
    return json::parse(r->body);
  }

 private:
  std::unique_ptr<apps::HttpClient> client_;
  std::string token_;
};

struct Totals {
  std::string total;
  size_t points = 0;
  size_t valid = 0;
};

Totals MeterTotals(Api& api, const json::object& d) {
  Totals t;
  auto r = api.Get(fmt::format("/api/v1/meters/{}/readings?from={}&to={}&resolution=interval",
                               d.at("meter").as_string().c_str(), d.at("first_sample").as_string().c_str(),
                               d.at("last_sample").as_string().c_str()));
  if (!r.is_object()) return t;
  t.total = std::string(r.at("total").as_string());
  for (const auto& p : r.at("points").as_array()) {
    ++t.points;
    if (p.at("quality").as_string() == "valid") ++t.valid;
  }
  return t;
}

TEST(Fleet, SevenDaysWithNetworkCutsArriveExactlyOnce) {
  fs::path dir = fs::temp_directory_path() / fmt::format("meterd-fleet-{}", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string password = "integration-secret";
  const std::vector<std::string> meterd_args{BinDir() + "/meterd", "--listen", "127.0.0.1:0", "--data-dir",
                                             (dir / "data").string(), "--static-dir", (dir / "none").string()};
  auto meterd = std::make_unique<Process>(meterd_args, dir / "meterd.log",
                                          std::vector<std::string>{"METERD_ADMIN_PASSWORD=" + password});
  ASSERT_TRUE(meterd->started());
  std::string url = WaitForListening(dir / "meterd.log", std::chrono::seconds(60));
  ASSERT_FALSE(url.empty()) << ReadFile(dir / "meterd.log");

  Process sim({BinDir() + "/metersim", "--url", url, "--devices", "200", "--days", "7", "--interval", "900",
               "--upload-every", "4", "--connections", "8", "--state-dir", (dir / "sim").string(),
               "--enrolment-key-file", (dir / "data" / "enrolment.key").string(), "--cut-count", "20",
               "--cut-after-hours", "48", "--cut-hours", "12", "--summary", (dir / "summary.json").string()},
              dir / "metersim.log");
  ASSERT_EQ(sim.Wait(), 0) << ReadFile(dir / "metersim.log");

  json::array summary = json::parse(ReadFile(dir / "summary.json")).as_array();
  ASSERT_EQ(summary.size(), 200u);
  int cut = 0;
  for (const auto& d : summary) {
    if (d.at("cut").as_bool()) {
      ++cut;
      EXPECT_GT(d.at("failures").as_int64(), 0) << "a cut device never failed to send";
    }
    EXPECT_EQ(d.at("backlog").as_int64(), 0);
  }
  EXPECT_EQ(cut, 20);

  Api api(url);
  api.Login(password);
  // 7 days of 15-minute samples: the first is the baseline, each later one closes an interval.
  const size_t samples = 7 * 96;
  const size_t intervals = samples - 1;
  auto check_all = [&](const char* when) {
    for (const auto& v : summary) {
      const auto& d = v.as_object();
      Totals t = MeterTotals(api, d);
      ASSERT_EQ(t.total, std::string(d.at("consumption").as_string())) << when << ": " << d.at("meter").as_string();
      ASSERT_EQ(t.points, intervals) << when << ": " << d.at("meter").as_string();
      ASSERT_EQ(t.valid, intervals) << when << ": " << d.at("meter").as_string();
    }
  };
  check_all("after the run");

  auto devices = api.Get("/api/v1/devices?limit=1000");
  ASSERT_EQ(devices.at("total").as_int64(), 200);
  for (const auto& d : devices.at("items").as_array()) {
    EXPECT_EQ(d.at("acked_seq").as_int64(), static_cast<int64_t>(samples)) << d.at("id").as_string();
    EXPECT_EQ(d.at("backlog").as_int64(), 0) << d.at("id").as_string();
  }

  // A command travels to a device signed, is verified and carried out, and its ack comes back.
  {
    auto post = apps::HttpClient::Create(url);
    ASSERT_TRUE(post);
    auto login = (*post)->Send("POST", "/api/v1/auth/login",
                               fmt::format(R"({{"username":"admin","password":"{}"}})", password), "");
    std::string token(json::parse(login->body).at("token").as_string());
    auto created = (*post)->Send("POST", "/api/v1/devices/D000007/commands", R"({"type":"set_output","on":true})", token);
    ASSERT_EQ(created->status, 201) << created->body;
    int64_t id = json::parse(created->body).at("id").as_int64();
    Process poll({BinDir() + "/metersim", "--url", url, "--devices", "200", "--days", "0", "--poll-rounds", "2",
                  "--state-dir", (dir / "sim").string(), "--enrolment-key-file", (dir / "data" / "enrolment.key").string()},
                 dir / "metersim-poll.log");
    ASSERT_EQ(poll.Wait(), 0) << ReadFile(dir / "metersim-poll.log");
    auto command = api.Get(fmt::format("/api/v1/commands/{}", id));
    EXPECT_EQ(command.at("state").as_string(), "acknowledged") << command;
    EXPECT_EQ(api.Get("/api/v1/devices/D000007").at("output").as_string(), "on");
  }

  // A clean stop and a restart lose and duplicate nothing.
  ASSERT_EQ(meterd->Stop(SIGTERM), 0) << ReadFile(dir / "meterd.log");
  meterd = std::make_unique<Process>(meterd_args, dir / "meterd2.log");
  url = WaitForListening(dir / "meterd2.log", std::chrono::seconds(60));
  ASSERT_FALSE(url.empty()) << ReadFile(dir / "meterd2.log");
  Api again(url);
  again.Login(password);
  api = std::move(again);
  check_all("after a restart");
  ASSERT_EQ(meterd->Stop(SIGTERM), 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meterd::testing
