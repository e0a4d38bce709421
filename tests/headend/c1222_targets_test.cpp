// SPDX-License-Identifier: Apache-2.0
// [[c1222]] sections of the poll targets file: every key, defaults, the file written back, and
// refusals that name the line.
#include <gtest/gtest.h>

#include "headend/poll_targets.h"

namespace meterd::headend {
namespace {

TEST(C1222Targets, ParsesEveryKeyAndFormatsBack) {
  auto t = ParsePollTargets(R"(
[[c1222]]
address = "127.0.0.1:1153"
ap_title = ".1153.7"

[[c1222]]
address = "meter-2.example:1153"
transport = "udp"
ap_title = "2.16.124.113620.1.22.0.1153.8"
calling_ap_title = ".99"
meter = "E-HOUSE.8"
model = "meterd-sim"
user_id = 2
user = "operator"
password = "pa\"ss"
key_id = 1
key = "0102030405060708090a0b0c0d0e0f10"
security = "authenticated"
registers = "daily"
load_profile_hours = 4
events = false
relay_procedure = "MP1"
timeout_ms = 2500
tries = 2
)", "targets.toml");
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->c1222.size(), 2u);
  const C1222TargetSpec& a = t->c1222[0];
  EXPECT_EQ(a.port, 1153);
  EXPECT_FALSE(a.udp);
  EXPECT_EQ(a.meter, "E-C1222-R1153.7");
  EXPECT_EQ(a.calling_ap_title, ".1");
  EXPECT_EQ(a.user, "meterd");
  EXPECT_TRUE(a.events);
  EXPECT_FALSE(a.registers_daily);
  EXPECT_EQ(a.load_profile_hours, 0);
  const C1222TargetSpec& b = t->c1222[1];
  EXPECT_TRUE(b.udp);
  EXPECT_EQ(b.meter, "E-HOUSE.8");
  EXPECT_EQ(b.password, "pa\"ss");
  EXPECT_TRUE(b.authenticate_only);
  EXPECT_TRUE(b.registers_daily);
  EXPECT_FALSE(b.events);
  EXPECT_EQ(b.relay_procedure, "MP1");
  EXPECT_EQ(b.timeout_ms, 2500);
  EXPECT_EQ(C1222TitleId(b.ap_title), "2.16.124.113620.1.22.0.1153.8");
  auto again = ParsePollTargets(FormatPollTargets(*t), "formatted");
  ASSERT_TRUE(again) << again.error().ToString() << "\n" << FormatPollTargets(*t);
  EXPECT_EQ(*again, *t);
}

TEST(C1222Targets, RefusesBadSectionsNamingTheLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[[c1222]]\naddress = \"h:1153\"\n", "targets.toml:1: c1222.ap_title must be an ApTitle"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \"7\"\n", "targets.toml:3: c1222.ap_title must be an ApTitle"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\ntransport = \"sctp\"\n", "targets.toml:4: c1222.transport must be one of tcp, udp"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\nkey = \"0102\"\n", "targets.toml:4: c1222.key must be 32 hex digits"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\nsecurity = \"ciphertext\"\n", "targets.toml:4: c1222.security needs a key"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\nload_profile_hours = 25\n", "targets.toml:4: c1222.load_profile_hours must be 0..24"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\nrelay_procedure = \"MPX\"\n", "targets.toml:4: c1222.relay_procedure"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\nuser = \"a-very-long-name\"\n", "targets.toml:4: c1222.user must be"},
      {"[[c1222]]\naddress = \"h:1153\"\nap_title = \".7\"\ncolour = 1\n", "targets.toml:4: unknown key c1222.colour"},
      {"[[c1222]]\nap_title = \".7\"\n", "[[c1222]] needs address"},
      {"c1222 = 1\n", "targets.toml:1: 'c1222' must be a list of tables"},
  };
  for (const auto& c : cases) {
    auto t = ParsePollTargets(c.text, "targets.toml");
    ASSERT_FALSE(t) << c.text;
    EXPECT_NE(t.error().message.find(c.expect), std::string::npos) << c.text << " -> " << t.error().message;
  }
}

}  // namespace
}  // namespace meterd::headend
