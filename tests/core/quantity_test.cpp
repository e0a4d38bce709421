// SPDX-License-Identifier: Apache-2.0
#include "core/quantity.h"

#include <gtest/gtest.h>

#include "core/money.h"

namespace meterd::core {
namespace {

TEST(Quantity, ParsesExactDecimals) {
  auto q = Quantity::Parse("0.25 Wh");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->value, 25);
  EXPECT_EQ(q->scale, -2);
  EXPECT_EQ(q->unit, Unit::kWh);
  auto k = Quantity::Parse("1.5 kWh");
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, (Quantity{1500, 0, Unit::kWh}));
  auto l = Quantity::Parse("10 L");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->Normalised(), (Quantity{10, -3, Unit::kM3}));
  EXPECT_EQ(l->Normalised().ToString(), "0.010 m3");
}

TEST(Quantity, ApparentEnergyIsVAh) {
  // kVAh is stored as its number: appended after kPF, never renumbered.
  EXPECT_EQ(static_cast<int>(Unit::kVAh), 18);
  EXPECT_EQ(UnitSymbol(Unit::kVAh), "VAh");
  EXPECT_EQ(*ParseUnit("VAh"), Unit::kVAh);
  EXPECT_EQ(*ParseUnit("VA"), Unit::kVA);  // apparent power stays apart
  EXPECT_FALSE(ParseUnit("vah"));
  auto k = Quantity::Parse("1.25 kVAh");
  ASSERT_TRUE(k) << k.error().ToString();
  EXPECT_EQ(*k, (Quantity{1250, 0, Unit::kVAh}));
  EXPECT_EQ((Quantity{12345, -1, Unit::kVAh}).ToString(), "1234.5 VAh");
  EXPECT_FALSE(Add(Quantity{1, 0, Unit::kVAh}, Quantity{1, 0, Unit::kWh}));
}

TEST(Quantity, EveryUnitRoundTripsThroughItsSymbol) {
  for (int n = 1; n <= static_cast<int>(Unit::kVAh); ++n) {
    const auto u = static_cast<Unit>(n);
    ASSERT_FALSE(UnitSymbol(u).empty()) << n;
    auto parsed = ParseUnit(UnitSymbol(u));
    ASSERT_TRUE(parsed) << UnitSymbol(u);
    EXPECT_EQ(*parsed, u) << UnitSymbol(u);
  }
}

TEST(Quantity, RejectsJunkAndOverflow) {
  EXPECT_FALSE(Quantity::Parse("ten L"));
  EXPECT_FALSE(Quantity::Parse("10 furlongs"));
  EXPECT_FALSE(Quantity::Parse("99999999999999999999 Wh"));
  EXPECT_FALSE((Quantity{1, -1, Unit::kWh}.Rescaled(0)));  // would lose 0.1
  EXPECT_FALSE((Quantity{INT64_MAX / 5, 0, Unit::kWh}.Rescaled(-1)));
}

TEST(Quantity, AddsAtFinerScaleAndRefusesMixedUnits) {
  auto sum = Add(Quantity{15, -1, Unit::kWh}, Quantity{2, 0, Unit::kWh});
  ASSERT_TRUE(sum);
  EXPECT_EQ(*sum, (Quantity{35, -1, Unit::kWh}));
  EXPECT_FALSE(Add(Quantity{1, 0, Unit::kWh}, Quantity{1, 0, Unit::kM3}));
}

TEST(Quantity, FormatsNegativeAndTinyValues) {
  EXPECT_EQ(FormatScaled(-5, -3), "-0.005");
  EXPECT_EQ(FormatScaled(INT64_MIN, -2), "-92233720368547758.08");
  EXPECT_EQ(FormatScaled(12, 2), "1200");
}

TEST(Money, ParsesAndChecksCurrency) {
  auto a = Money::Parse("12.34 EUR");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->micros, 12340000);
  EXPECT_EQ(a->ToString(), "12.340000 EUR");
  auto b = Money::Parse("1 USD");
  ASSERT_TRUE(b);
  EXPECT_FALSE(Add(*a, *b));
  EXPECT_FALSE(Money::Parse("1.0000001 EUR"));
  EXPECT_FALSE(Money::Parse("12 eur"));
}

}  // namespace
}  // namespace meterd::core
