// SPDX-License-Identifier: Apache-2.0
#pragma once
// The API test fixture: Api::Handle with a real SQLite store and ingest service (no sockets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "api/api.h"
#include "codec/acq/uplink.h"
#include "security/crypto.h"

namespace meterd::api::testing {

namespace json = boost::json;
namespace fs = std::filesystem;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("meterd-api-{}-{}", getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>meterd</title>";
    std::ofstream(dir_ / "secret.txt") << "outside the web root";
    store_ = std::move(*store::OpenSqliteStore({(dir_ / "db").string(), false}));
    ingest_ = std::make_unique<headend::IngestService>(*store_, headend::IngestService::Options{});
    ApiConfig config;
    config.static_dir = (dir_ / "web").string();
    config.enrolment_key = "k3y-for-tests-k3y-for-tests-k3y-for-tests";
    api_ = std::make_unique<Api>(*store_, *ingest_, config);
    api_->clock = [this] { return now_; };
    auto hash = security::HashPassword("pw");
    ASSERT_TRUE(store_->PutUser({"admin", *hash, "admin", now_}));
  }
  void TearDown() override {
    api_.reset();
    ingest_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  Response Call(const std::string& method, const std::string& target, const std::string& body = {},
                const std::string& token = {}) {
    Request r;
    r.method = method;
    r.target = target;
    EXPECT_TRUE(ParseTarget(target, r.path, r.query));
    r.body = body;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return api_->Handle(r);
  }
  std::string Login() {
    auto r = Call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"pw"})");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(json::parse(r.body).at("token").as_string());
  }
  std::string DeviceToken(const std::string& id) {
    return security::DeviceTokenFromEnrolmentKey(api_->config().enrolment_key, id);
  }
  Response Uplink(const std::string& id, std::vector<codec::acq::Message> messages,
                  std::vector<codec::acq::CommandAck> acks = {}) {
    codec::acq::Uplink up;
    up.device = id;
    up.meter = "W-" + id;
    up.medium = core::Medium::kWater;
    up.pulse_weight = core::Quantity{1, 0, core::Unit::kL};
    up.messages = std::move(messages);
    up.acks = std::move(acks);
    return Call("POST", "/api/v1/devices/" + id + "/uplink", codec::acq::EncodeUplink(up), DeviceToken(id));
  }
  static std::string ErrorCode(const Response& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
  }
  static std::string ErrorField(const Response& r) {
    return std::string(json::parse(r.body).at("error").at("field").as_string());
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<headend::IngestService> ingest_;
  std::unique_ptr<Api> api_;
  core::Instant now_ = *core::ParseInstant("2026-11-21T12:00:00Z");
};

}  // namespace meterd::api::testing
