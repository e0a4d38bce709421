// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "codec/acq/uplink.h"

namespace meterd::codec::acq {
namespace {

using core::FromUnixSeconds;

// The example from docs/formats/acq.md.
constexpr std::string_view kExample =
    R"({"v":1,"device":"D000001","meter":"W000001","medium":"water","pulse_weight":"1 L","counter_bits":32,)"
    R"("interval_s":900,"oldest_seq":118,"backlog":3,)"
    R"("messages":[{"seq":118,"at":"2026-11-21T10:15:00Z","count":123456,"output":false,)"
    R"("events":[{"type":"tamper","at":"2026-11-21T10:07:12Z","detail":"lid opened"}]}],)"
    R"("acks":[{"command":17,"ok":true,"detail":""}]})";

Uplink Sample() {
  Uplink u;
  u.device = "D000001";
  u.meter = "W000001";
  u.medium = core::Medium::kWater;
  u.pulse_weight = core::Quantity{1, 0, core::Unit::kL};
  u.counter_bits = 32;
  u.interval_s = 900;
  u.oldest_seq = 118;
  u.backlog = 3;
  for (uint64_t i = 0; i < 3; ++i) {
    Message m{118 + i, FromUnixSeconds(1795256100 + 900 * i), 123456 + 10 * i, i == 2, {}};
    u.messages.push_back(m);
  }
  u.messages[0].events.push_back({core::EventType::kTamper, FromUnixSeconds(1795255632), "lid opened"});
  u.messages[2].events.push_back({core::EventType::kOutputChanged, FromUnixSeconds(1795256000), ""});
  u.acks.push_back({17, true, ""});
  u.acks.push_back({18, false, "expired \"quoted\" \\ \n\t\x01 é"});
  return u;
}

// kExample with `from` replaced by `to` (which must occur).
std::string Edited(std::string_view from, std::string_view to, std::string_view base = kExample) {
  std::string s(base);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

void ExpectRejected(const std::string& json, std::string_view field) {
  auto u = DecodeUplink(json);
  ASSERT_FALSE(u) << json;
  EXPECT_EQ(u.error().code, core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(u.error().field, field) << u.error().message << "\n" << json;
  EXPECT_FALSE(u.error().message.empty());
}

TEST(Uplink, DecodesTheDocumentedExample) {
  auto u = DecodeUplink(kExample);
  ASSERT_TRUE(u) << u.error().ToString();
  EXPECT_EQ(u->device, "D000001");
  EXPECT_EQ(u->meter, "W000001");
  EXPECT_EQ(u->medium, core::Medium::kWater);
  EXPECT_EQ(u->pulse_weight, (core::Quantity{1, 0, core::Unit::kL}));
  EXPECT_EQ(u->counter_bits, 32);
  EXPECT_EQ(u->interval_s, 900);
  EXPECT_EQ(u->oldest_seq, 118u);
  EXPECT_EQ(u->backlog, 3u);
  ASSERT_EQ(u->messages.size(), 1u);
  EXPECT_EQ(u->messages[0].seq, 118u);
  EXPECT_EQ(core::FormatInstant(u->messages[0].at), "2026-11-21T10:15:00Z");
  EXPECT_EQ(u->messages[0].count, 123456u);
  EXPECT_FALSE(u->messages[0].output_on);
  ASSERT_EQ(u->messages[0].events.size(), 1u);
  EXPECT_EQ(u->messages[0].events[0].type, core::EventType::kTamper);
  EXPECT_EQ(u->messages[0].events[0].detail, "lid opened");
  ASSERT_EQ(u->acks.size(), 1u);
  EXPECT_EQ(u->acks[0].id, 17);
  EXPECT_TRUE(u->acks[0].ok);
}

TEST(Uplink, RoundTrips) {
  Uplink u = Sample();
  std::string json = EncodeUplink(u);
  auto back = DecodeUplink(json);
  ASSERT_TRUE(back) << back.error().ToString() << "\n" << json;
  EXPECT_EQ(*back, u);
  EXPECT_EQ(EncodeUplink(*back), json);
}

TEST(Uplink, RoundTripsExtremes) {
  Uplink u = Sample();
  u.counter_bits = 64;
  u.medium = core::Medium::kElectricity;
  u.pulse_weight = core::Quantity{5, -1, core::Unit::kWh};
  u.messages[0].count = UINT64_MAX;
  u.messages[0].seq = UINT64_MAX;
  u.oldest_seq = UINT64_MAX;
  u.backlog = UINT32_MAX;
  u.messages[1].at = FromUnixSeconds(-62167219200);  // 0000-01-01
  u.messages[2].at = FromUnixSeconds(253402300799);  // 9999-12-31T23:59:59
  u.acks[0].id = INT64_MAX;
  u.acks[1].detail = std::string(kMaxDetailBytes, 'x');
  auto back = DecodeUplink(EncodeUplink(u));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(*back, u);
}

TEST(Uplink, EncoderReplacesInvalidUtf8SoTheDecoderAcceptsIt) {
  Uplink u = Sample();
  u.acks[0].detail = "bad \xff\xc3 end \xe2\x82";
  auto back = DecodeUplink(EncodeUplink(u));
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->acks[0].detail, "bad ?? end ??");
}

TEST(Uplink, OptionalFieldsDefault) {
  auto u = DecodeUplink(
      R"({"v":1,"device":"D1","meter":"M1","medium":"gas","pulse_weight":"0.01 m3","counter_bits":16,)"
      R"("interval_s":3600,"messages":[{"seq":1,"at":"2026-01-01T00:00:00+01:00","count":65535,"output":true}]})");
  ASSERT_TRUE(u) << u.error().ToString();
  EXPECT_EQ(u->oldest_seq, 0u);
  EXPECT_EQ(u->backlog, 0u);
  EXPECT_TRUE(u->acks.empty());
  EXPECT_TRUE(u->messages[0].events.empty());
  EXPECT_EQ(core::FormatInstant(u->messages[0].at), "2025-12-31T23:00:00Z");
  EXPECT_EQ(u->pulse_weight, (core::Quantity{1, -2, core::Unit::kM3}));
}

TEST(Uplink, IgnoresUnknownKeys) {
  auto u = DecodeUplink(Edited(R"("backlog":3,)", R"("backlog":3,"firmware":{"x":[1,2.5,null]},"rssi":-71.5,)"));
  ASSERT_TRUE(u) << u.error().ToString();
  auto m = DecodeUplink(Edited(R"("count":123456,)", R"("count":123456,"battery_mv":3012,)"));
  ASSERT_TRUE(m) << m.error().ToString();
}

TEST(Uplink, AcceptsAnEmptyBatch) {
  auto u = DecodeUplink(Edited(R"("messages":[{"seq":118,"at":"2026-11-21T10:15:00Z","count":123456,"output":false,)"
                               R"("events":[{"type":"tamper","at":"2026-11-21T10:07:12Z","detail":"lid opened"}]}])",
                               R"("messages":[])"));
  ASSERT_TRUE(u) << u.error().ToString();
  EXPECT_TRUE(u->messages.empty());
  EXPECT_EQ(u->acks.size(), 1u);
}

TEST(Uplink, RejectsEachHeaderRule) {
  ExpectRejected(Edited(R"("v":1)", R"("v":2)"), "v");
  ExpectRejected(Edited(R"("v":1)", R"("v":1.0)"), "v");
  ExpectRejected(Edited(R"("v":1)", R"("v":"1")"), "v");
  ExpectRejected(Edited(R"("v":1,)", ""), "v");
  ExpectRejected(Edited(R"("D000001")", R"("D 000001")"), "device");
  ExpectRejected(Edited(R"("D000001")", R"("")"), "device");
  ExpectRejected(Edited(R"("D000001")", "\"" + std::string(65, 'a') + "\""), "device");
  ExpectRejected(Edited(R"("W000001")", R"("W/1")"), "meter");
  ExpectRejected(Edited(R"("W000001")", R"(7)"), "meter");
  ExpectRejected(Edited(R"("water")", R"("steam")"), "medium");
  ExpectRejected(Edited(R"("1 L")", R"("0 L")"), "pulse_weight");
  ExpectRejected(Edited(R"("1 L")", R"("-1 L")"), "pulse_weight");
  ExpectRejected(Edited(R"("1 L")", R"("1 V")"), "pulse_weight");
  ExpectRejected(Edited(R"("1 L")", R"("one L")"), "pulse_weight");
  ExpectRejected(Edited(R"("1 L")", R"(1)"), "pulse_weight");
  ExpectRejected(Edited(R"("counter_bits":32)", R"("counter_bits":15)"), "counter_bits");
  ExpectRejected(Edited(R"("counter_bits":32)", R"("counter_bits":65)"), "counter_bits");
  ExpectRejected(Edited(R"("interval_s":900)", R"("interval_s":59)"), "interval_s");
  ExpectRejected(Edited(R"("interval_s":900)", R"("interval_s":86401)"), "interval_s");
  ExpectRejected(Edited(R"("interval_s":900)", R"("interval_s":700)"), "interval_s");
  ExpectRejected(Edited(R"("oldest_seq":118)", R"("oldest_seq":-1)"), "oldest_seq");
  ExpectRejected(Edited(R"("backlog":3)", R"("backlog":4294967296)"), "backlog");
  ExpectRejected(Edited(R"("backlog":3)", R"("backlog":true)"), "backlog");
}

TEST(Uplink, RejectsEachMessageRuleWithItsPath) {
  ExpectRejected(Edited(R"("seq":118)", R"("seq":0)"), "messages[0].seq");
  ExpectRejected(Edited(R"("seq":118,)", ""), "messages[0].seq");
  ExpectRejected(Edited(R"("at":"2026-11-21T10:15:00Z")", R"("at":"2026-11-21 10:15")"), "messages[0].at");
  ExpectRejected(Edited(R"("at":"2026-11-21T10:15:00Z")", R"("at":"2026-02-30T10:15:00Z")"), "messages[0].at");
  ExpectRejected(Edited(R"("at":"2026-11-21T10:15:00Z")", R"("at":"0000-01-01T00:00:00+01:00")"),
                 "messages[0].at");
  ExpectRejected(Edited(R"("count":123456)", R"("count":4294967296)"), "messages[0].count");
  ExpectRejected(Edited(R"("count":123456)", R"("count":-5)"), "messages[0].count");
  ExpectRejected(Edited(R"("count":123456)", R"("count":12.5)"), "messages[0].count");
  ExpectRejected(Edited(R"("count":123456)", R"("count":1e3)"), "messages[0].count");
  ExpectRejected(Edited(R"("count":123456)", R"("count":"123456")"), "messages[0].count");
  ExpectRejected(Edited(R"("count":123456)", R"("count":null)"), "messages[0].count");
  ExpectRejected(Edited(R"("output":false)", R"("output":0)"), "messages[0].output");
  ExpectRejected(Edited(R"("tamper")", R"("sequence_gap")"), "messages[0].events[0].type");
  ExpectRejected(Edited(R"("tamper")", R"("party")"), "messages[0].events[0].type");
  ExpectRejected(Edited(R"("at":"2026-11-21T10:07:12Z")", R"("at":12)"), "messages[0].events[0].at");
  ExpectRejected(Edited(R"("lid opened")", "\"" + std::string(257, 'x') + "\""), "messages[0].events[0].detail");
  ExpectRejected(Edited(R"("events":[)", R"("events":{)"), "");  // malformed JSON
  ExpectRejected(Edited(R"("events":[{"type":"tamper","at":"2026-11-21T10:07:12Z","detail":"lid opened"}])",
                        R"("events":"tamper")"),
                 "messages[0].events");
  ExpectRejected(Edited(R"("messages":[{)", R"("messages":[7,{)"), "messages[0]");
}

TEST(Uplink, PathsNameLaterElements) {
  std::string msgs;
  for (int i = 0; i < 4; ++i) {
    msgs += R"({"seq":)" + std::to_string(i + 1) + R"(,"at":"2026-11-21T10:00:00Z","count":)" +
            (i == 3 ? std::string("-1") : std::to_string(i)) + R"(,"output":false},)";
  }
  std::string json = Edited(R"("messages":[)", "\"messages\":[" + msgs);
  ExpectRejected(json, "messages[3].count");
  ExpectRejected(Edited(R"("acks":[{"command":17,"ok":true,"detail":""}])",
                        R"("acks":[{"command":17,"ok":true},{"command":0,"ok":true}])"),
                 "acks[1].command");
  ExpectRejected(Edited(R"("ok":true)", R"("ok":"yes")"), "acks[0].ok");
  ExpectRejected(Edited(R"("command":17)", R"("command":9223372036854775808)"), "acks[0].command");
}

TEST(Uplink, EnforcesLimits) {
  std::string events;
  for (size_t i = 0; i <= kMaxEventsPerMessage; ++i) events += R"({"type":"tamper","at":"2026-11-21T10:07:12Z"},)";
  events.pop_back();
  ExpectRejected(Edited(R"("events":[{"type":"tamper","at":"2026-11-21T10:07:12Z","detail":"lid opened"}])",
                        "\"events\":[" + events + "]"),
                 "messages[0].events");

  std::string many = R"({"v":1,"device":"D1","meter":"M1","medium":"water","pulse_weight":"1 L",)"
                     R"("counter_bits":32,"interval_s":900,"messages":[)";
  for (size_t i = 0; i <= kMaxMessagesPerUplink; ++i) {
    many += R"({"seq":1,"at":"2026-11-21T10:00:00Z","count":1,"output":false},)";
  }
  many.back() = ']';
  many += '}';
  ExpectRejected(many, "messages");

  std::string huge(kMaxUplinkBytes + 1, ' ');
  ExpectRejected(huge, "");
}

TEST(Uplink, RejectsMalformedAndTruncatedInputWithoutCrashing) {
  ExpectRejected("", "");
  ExpectRejected("null", "");
  ExpectRejected("[]", "");
  ExpectRejected("{", "");
  ExpectRejected("{\"v\":1,}", "");
  ExpectRejected(std::string(kExample) + "x", "");
  ExpectRejected(std::string(100, '['), "");
  ExpectRejected(Edited("lid opened", "lid \xff opened"), "");  // invalid UTF-8
  std::string full(kExample);
  for (size_t n = 0; n < full.size(); ++n) {
    auto u = DecodeUplink(std::string_view(full).substr(0, n));
    EXPECT_FALSE(u) << n;
  }
}

TEST(Uplink, RejectsHugeNumbers) {
  ExpectRejected(Edited(R"("count":123456)", R"("count":18446744073709551616)"), "messages[0].count");
  ExpectRejected(Edited(R"("counter_bits":32)", R"("counter_bits":99999999999999999999999999)"), "counter_bits");
  EXPECT_FALSE(DecodeUplink(Edited(R"("seq":118)", R"("seq":1e400)")));
  ExpectRejected(Edited(R"("1 L")", R"("99999999999999999999 L")"), "pulse_weight");
  auto ok = DecodeUplink(Edited(R"("counter_bits":32)", R"("counter_bits":64)", Edited(R"("count":123456)",
                                                                                       R"("count":18446744073709551615)")));
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->messages[0].count, UINT64_MAX);
}

}  // namespace
}  // namespace meterd::codec::acq
