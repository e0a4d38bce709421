// SPDX-License-Identifier: Apache-2.0
#include "headend/poll_targets.h"

#include <gtest/gtest.h>

namespace meterd::headend {
namespace {

TEST(PollTargets, ParsesAndFormatsBack) {
  auto t = ParsePollTargets(R"(
[[mbus]]
address = "127.0.0.1:10001"
primary = [1, 5]

[[modbus]]
address = "127.0.0.1:5020"
unit = 3
model = "eastron-sdm630"

[[modbus]]
address = "meter-2.example:502"
model = "eastron-sdm120"
meter = "E-KITCHEN.1"
)", "targets.toml");
  ASSERT_TRUE(t) << t.error().ToString();
  ASSERT_EQ(t->mbus.size(), 1u);
  EXPECT_EQ(t->mbus[0].host, "127.0.0.1");
  EXPECT_EQ(t->mbus[0].port, 10001);
  EXPECT_TRUE(t->mbus[0].scan);
  EXPECT_EQ(t->mbus[0].primary, (std::vector<int>{1, 5}));
  ASSERT_EQ(t->modbus.size(), 2u);
  EXPECT_EQ(t->modbus[0].unit, 3);
  EXPECT_EQ(t->modbus[0].meter, "E-eastron-sdm630-127.0.0.1-5020-3");
  EXPECT_EQ(t->modbus[1].host, "meter-2.example");
  EXPECT_EQ(t->modbus[1].unit, 1);
  EXPECT_EQ(t->modbus[1].meter, "E-KITCHEN.1");
  auto again = ParsePollTargets(FormatPollTargets(*t), "formatted");
  ASSERT_TRUE(again) << again.error().ToString() << "\n" << FormatPollTargets(*t);
  EXPECT_EQ(*again, *t);
}

TEST(PollTargets, RefusesBadFilesNamingTheLine) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[[mbus]]\naddress = \"nohost\"\n", "targets.toml:2: mbus.address must be"},
      {"[[mbus]]\naddress = \"h:70000\"\n", "targets.toml:2: mbus.address"},
      {"[[mbus]]\naddress = \"h:1\"\nprimary = [0]\n", "targets.toml:3: mbus.primary addresses must be 1..250"},
      {"[[mbus]]\naddress = \"h:1\"\nscan = false\n", "scan = false needs primary addresses"},
      {"[[mbus]]\naddress = \"h:1\"\ncolour = 1\n", "targets.toml:3: unknown key mbus.colour"},
      {"[[modbus]]\naddress = \"h:1\"\n", "modbus.model must name a register map"},
      {"[[modbus]]\naddress = \"h:1\"\nmodel = \"../etc/passwd\"\n", "targets.toml:3: modbus.model"},
      {"[[modbus]]\naddress = \"h:1\"\nmodel = \"m\"\nunit = 300\n", "targets.toml:4: modbus.unit must be 1..247"},
      {"[[modbus]]\naddress = \"h:1\"\nmodel = \"m\"\nmeter = \"a\\\"b\"\n", "targets.toml:4: modbus.meter"},
      {"[meters]\n", "targets.toml:1: unknown section 'meters'"},
      {"[[mbus]\n", "targets.toml:1:"},
  };
  for (const auto& c : cases) {
    auto t = ParsePollTargets(c.text, "targets.toml");
    ASSERT_FALSE(t) << c.text;
    EXPECT_NE(t.error().message.find(c.expect), std::string::npos) << c.text << " -> " << t.error().message;
  }
}

}  // namespace
}  // namespace meterd::headend
