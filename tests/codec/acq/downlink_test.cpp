// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "codec/acq/uplink.h"

namespace meterd::codec::acq {
namespace {

constexpr std::string_view kExample =
    R"({"ack":120,"server_time":"2026-11-21T10:15:01Z","commands":[)"
    R"({"id":17,"type":"set_output","on":true,"expires":"2026-11-22T10:15:01Z"},)"
    R"({"id":18,"type":"set_interval","interval_s":300,"expires":"2026-11-22T10:15:01Z"}]})";

std::string Edited(std::string_view from, std::string_view to) {
  std::string s(kExample);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

void ExpectRejected(const std::string& json, std::string_view field) {
  auto d = DecodeDownlink(json);
  ASSERT_FALSE(d) << json;
  EXPECT_EQ(d.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(d.error().field, field) << d.error().message;
}

TEST(Downlink, DecodesTheDocumentedExample) {
  auto d = DecodeDownlink(kExample);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->ack_seq, 120u);
  EXPECT_EQ(core::FormatInstant(d->server_time), "2026-11-21T10:15:01Z");
  ASSERT_EQ(d->commands.size(), 2u);
  EXPECT_EQ(d->commands[0].id, 17);
  EXPECT_EQ(d->commands[0].type, core::CommandType::kSetOutput);
  EXPECT_EQ(d->commands[0].argument, 1);
  EXPECT_EQ(d->commands[1].type, core::CommandType::kSetInterval);
  EXPECT_EQ(d->commands[1].argument, 300);
  EXPECT_EQ(core::FormatInstant(d->commands[1].expires), "2026-11-22T10:15:01Z");
}

TEST(Downlink, RoundTrips) {
  auto d = DecodeDownlink(kExample);
  ASSERT_TRUE(d);
  std::string json = EncodeDownlink(*d);
  EXPECT_EQ(json, kExample);
  Downlink empty{7, core::FromUnixSeconds(0), {}};
  auto back = DecodeDownlink(EncodeDownlink(empty));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, empty);
}

TEST(Downlink, CommandsAreOptional) {
  auto d = DecodeDownlink(R"({"ack":0,"server_time":"2026-11-21T10:15:01Z"})");
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_TRUE(d->commands.empty());
}

TEST(Downlink, KeepsUnknownCommandTypesForTheDeviceToRefuse) {
  auto d = DecodeDownlink(Edited(R"("type":"set_output","on":true)", R"("type":"reboot","delay_s":5)"));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->commands[0].unknown_type, "reboot");
  EXPECT_TRUE(d->commands[1].unknown_type.empty());
  auto back = DecodeDownlink(EncodeDownlink(*d));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, *d);
}

TEST(Downlink, LeavesTheIntervalRangeToTheDevice) {
  auto d = DecodeDownlink(Edited(R"("interval_s":300)", R"("interval_s":7)"));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->commands[1].argument, 7);
}

TEST(Downlink, RejectsEachRuleWithItsPath) {
  ExpectRejected(Edited(R"("ack":120)", R"("ack":-1)"), "ack");
  ExpectRejected(Edited(R"("ack":120,)", ""), "ack");
  ExpectRejected(Edited(R"("ack":120)", R"("ack":1.5)"), "ack");
  ExpectRejected(Edited(R"("server_time":"2026-11-21T10:15:01Z")", R"("server_time":"yesterday")"), "server_time");
  ExpectRejected(Edited(R"("commands":[)", R"("commands":{"a":[)"), "");
  ExpectRejected(Edited(R"("id":17)", R"("id":0)"), "commands[0].id");
  ExpectRejected(Edited(R"("id":18)", R"("id":"18")"), "commands[1].id");
  ExpectRejected(Edited(R"("type":"set_output")", R"("type":"")"), "commands[0].type");
  ExpectRejected(Edited(R"("on":true)", R"("on":1)"), "commands[0].on");
  ExpectRejected(Edited(R"("on":true,)", ""), "commands[0].on");
  ExpectRejected(Edited(R"("interval_s":300)", R"("interval_s":"300")"), "commands[1].interval_s");
  ExpectRejected(Edited(R"("interval_s":300,"expires":"2026-11-22T10:15:01Z")", R"("interval_s":300)"),
                 "commands[1].expires");
  ExpectRejected(R"({"ack":1,"server_time":"2026-11-21T10:15:01Z","commands":"none"})", "commands");
}

TEST(Downlink, RejectsMalformedAndTruncatedInput) {
  ExpectRejected("", "");
  ExpectRejected("\"ack\"", "");
  ExpectRejected(std::string(kExample) + "}", "");
  std::string full(kExample);
  for (size_t n = 0; n < full.size(); ++n) EXPECT_FALSE(DecodeDownlink(std::string_view(full).substr(0, n))) << n;
}

}  // namespace
}  // namespace meterd::codec::acq
