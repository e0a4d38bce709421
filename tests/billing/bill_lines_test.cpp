// SPDX-License-Identifier: Apache-2.0
#include "billing/bill_lines.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace meterd::billing {
namespace {

core::Money Eur(int64_t micros) {
  auto m = core::Money::Parse("0 EUR");
  m->micros = micros;
  return *m;
}

std::vector<BillLine> Lines() {
  return {
      {"Standing charge", 20544, 20574, {30, 0, core::Unit::kNone}, Eur(250'000), Eur(7'500'000), 0, 0, 0},
      {"peak, tier 1 \"Kühl\"", 20544, 20574, {123'456, 0, core::Unit::kWh}, Eur(312'000), Eur(38'518'272), 1440, 0, 3},
      {"Demand", 20544, 20574, {-4'200, -3, core::Unit::kW}, Eur(-1), Eur(INT64_MIN), INT64_MAX, 2, 0},
  };
}

TEST(BillLines, RoundTripAndAboutAFifthOfTheJson) {
  auto lines = Lines();
  std::string bytes = EncodeLines(lines);
  auto back = DecodeLines(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, lines);
  EXPECT_EQ(bytes[0], 1);
  EXPECT_EQ(bytes.substr(1, 3), "EUR");
  // The point of the form: what a bill run writes per bill.
  EXPECT_LT(bytes.size() * 3, LinesJson(lines).size()) << bytes.size() << " vs " << LinesJson(lines).size();
}

TEST(BillLines, JsonIsWhatTheApiServes) {
  std::vector<BillLine> one{Lines()[1]};
  EXPECT_EQ(LinesJson(one),
            "[{\"description\":\"peak, tier 1 \\\"Kühl\\\"\",\"from\":\"2026-04-01\",\"to\":\"2026-05-01\","
            "\"quantity\":{\"value\":123456,\"scale\":0,\"unit\":\"Wh\"},\"unit_price\":\"0.312000\","
            "\"amount\":\"38.518272\",\"intervals\":1440,\"reads\":0,\"estimated\":3}]");
  auto stored = StoredLinesJson(EncodeLines(one));
  ASSERT_TRUE(stored);
  EXPECT_EQ(*stored, LinesJson(one));
  // Bills written by schema 6 kept their lines as JSON: served as they are.
  EXPECT_EQ(*StoredLinesJson("[{\"description\":\"old\"}]"), "[{\"description\":\"old\"}]");
}

TEST(BillLines, BadBytesNameTheOffsetAndWhat) {
  std::string bytes = EncodeLines(Lines());
  auto err = [](std::string_view b) {
    auto r = DecodeLines(b);
    EXPECT_FALSE(r);
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(err(""), "bill lines at offset 0: expected the format version byte: needs 1 bytes, 0 left");
  EXPECT_EQ(err(std::string("\x02" "EUR\x00", 5)), "bill lines at offset 0: expected the format version byte: expected 1, got 2");
  EXPECT_EQ(err(std::string("\x01" "eur\x00", 5)), "bill lines at offset 1: expected the currency: not three capital letters");
  EXPECT_EQ(err(bytes.substr(0, bytes.size() - 1)),
            fmt::format("bill lines at offset {}: expected the estimated count of line 2: found end of data",
                        bytes.size() - 1));
  EXPECT_EQ(err(bytes + "x"), fmt::format("bill lines at offset {}: expected the end of the lines: 1 trailing bytes",
                                          bytes.size()));
  // A description longer than the rest of the data.
  std::string lie = std::string("\x01" "EUR\x01\x7f", 6) + "ab";
  EXPECT_EQ(err(lie), "bill lines at offset 6: expected the description of line 0: needs 127 bytes, 2 left");
  // Unit 200 is no unit.
  std::vector<BillLine> one{Lines()[0]};
  std::string b = EncodeLines(one);
  size_t unit_at = 1 + 3 + 1 + 1 + one[0].description.size() + 3 * 2 + 1 + 1;  // days take 3 bytes each
  ASSERT_EQ(static_cast<uint8_t>(b[unit_at]), 0);
  b[unit_at] = static_cast<char>(0x48);  // 72
  EXPECT_EQ(err(b), fmt::format("bill lines at offset {}: expected the quantity's unit of line 0: 72 is no unit", unit_at));
  // A line count no tariff makes is refused before anything is allocated for it.
  EXPECT_EQ(err(std::string("\x01" "EUR\xff\xff\xff\x7f", 8)),
            "bill lines at offset 4: expected the line count: 268435455 is over 65536");
}

}  // namespace
}  // namespace meterd::billing
