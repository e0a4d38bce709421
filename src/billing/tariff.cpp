// SPDX-License-Identifier: Apache-2.0
#include "billing/tariff.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace meterd::billing {
namespace {

// "<source>:<line>: <what>"
struct Where {
  std::string_view source;
  core::Error operator()(const toml::node& node, std::string what) const {
    return core::Error::Invalid(fmt::format("{}:{}: {}", source, node.source().begin.line, what));
  }
  core::Error operator()(int line, std::string what) const {
    return core::Error::Invalid(fmt::format("{}:{}: {}", source, line, what));
  }
};

core::Result<std::string> Text(const Where& at, const toml::table& t, std::string_view key, bool required = true) {
  const toml::node* n = t.get(key);
  if (!n) {
    if (!required) return std::string();
    return core::Fail(at(t, fmt::format("missing '{}'", key)));
  }
  auto v = n->value<std::string>();
  if (!v) return core::Fail(at(*n, fmt::format("'{}' must be a string", key)));
  return *v;
}

core::Result<void> OnlyKeys(const Where& at, const toml::table& t, std::initializer_list<std::string_view> keys,
                            std::string_view what) {
  for (const auto& [key, value] : t) {
    if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
      return core::Fail(at(value, fmt::format("unknown key '{}' in {}", key.str(), what)));
    }
  }
  return {};
}

// "0.2345" in the tariff's currency.
core::Result<core::Money> Price(const Where& at, const toml::node& n, std::string_view currency, std::string_view what) {
  auto text = n.value<std::string>();
  if (!text) return core::Fail(at(n, fmt::format("{} must be a decimal string such as \"0.2345\"", what)));
  // "0.40" takes the tariff's currency; "0.40 EUR" must name the same one.
  bool has_code = text->find(' ') != std::string::npos;
  auto m = core::Money::Parse(has_code ? *text : *text + " " + std::string(currency));
  if (!m) return core::Fail(at(n, fmt::format("{}: {}", what, m.error().message)));
  if (m->Currency() != currency) {
    return core::Fail(at(n, fmt::format("{}: currency mismatch: {} in a tariff in {}", what, m->Currency(), currency)));
  }
  return *m;
}

// "HH:MM" (24:00 allowed as the end of the day) -> minutes.
core::Result<int> Clock(const Where& at, const toml::node& n, std::string_view what) {
  auto text = n.value<std::string>();
  bool ok = text && text->size() == 5 && (*text)[2] == ':';
  int h = 0, m = 0;
  if (ok) {
    for (int i : {0, 1, 3, 4}) ok = ok && (*text)[i] >= '0' && (*text)[i] <= '9';
    h = ((*text)[0] - '0') * 10 + ((*text)[1] - '0');
    m = ((*text)[3] - '0') * 10 + ((*text)[4] - '0');
    ok = ok && m < 60 && (h < 24 || (h == 24 && m == 0));
  }
  if (!ok) return core::Fail(at(n, fmt::format("{} must be a time \"HH:MM\" (00:00 to 24:00)", what)));
  return h * 60 + m;
}

core::Result<RatePeriod> ParsePeriod(const Where& at, const toml::table& t, std::string_view currency,
                                     const core::Quantity& unit_one) {
  if (auto r = OnlyKeys(at, t, {"name", "months", "days", "from", "to", "price", "tiers"}, "[[version.rate]]"); !r) {
    return core::Fail(r.error());
  }
  RatePeriod p;
  p.line = static_cast<int>(t.source().begin.line);
  auto name = Text(at, t, "name");
  if (!name) return core::Fail(name.error());
  p.name = *name;
  if (const toml::node* months = t.get("months")) {
    const toml::array* a = months->as_array();
    if (!a || a->empty()) return core::Fail(at(*months, "months must be a list of 1..12"));
    for (const auto& x : *a) {
      auto v = x.value<int64_t>();
      if (!v || *v < 1 || *v > 12) return core::Fail(at(x, "months must be 1..12"));
      p.months.push_back(static_cast<uint32_t>(*v));
    }
  } else {
    for (uint32_t m = 1; m <= 12; ++m) p.months.push_back(m);
  }
  if (const toml::node* days = t.get("days")) {
    const toml::array* a = days->as_array();
    if (!a || a->empty()) return core::Fail(at(*days, "days must list weekday, weekend and/or holiday"));
    for (const auto& x : *a) {
      auto v = x.value<std::string>();
      if (v == "weekday") p.days.push_back(DayType::kWeekday);
      else if (v == "weekend") p.days.push_back(DayType::kWeekend);
      else if (v == "holiday") p.days.push_back(DayType::kHoliday);
      else return core::Fail(at(x, "days must be weekday, weekend or holiday"));
    }
  } else {
    p.days = {DayType::kWeekday, DayType::kWeekend, DayType::kHoliday};
  }
  if (const toml::node* from = t.get("from")) {
    auto v = Clock(at, *from, "from");
    if (!v) return core::Fail(v.error());
    p.from_minute = *v;
  }
  if (const toml::node* to = t.get("to")) {
    auto v = Clock(at, *to, "to");
    if (!v) return core::Fail(v.error());
    p.to_minute = *v;
  }
  if (p.to_minute <= p.from_minute || p.from_minute >= 1440) {
    return core::Fail(at(t, fmt::format("rate '{}': from must be before to (periods over midnight are two rates)", p.name)));
  }
  const toml::node* price = t.get("price");
  const toml::node* tiers = t.get("tiers");
  if ((price != nullptr) == (tiers != nullptr)) return core::Fail(at(t, fmt::format("rate '{}' needs either price or tiers", p.name)));
  if (price) {
    auto m = Price(at, *price, currency, "price");
    if (!m) return core::Fail(m.error());
    p.tiers.push_back({std::nullopt, *m});
  } else {
    const toml::array* a = tiers->as_array();
    if (!a || a->empty() || !a->is_array_of_tables()) return core::Fail(at(*tiers, "tiers must be a list of { up_to, price }"));
    std::string prev_text;
    for (size_t i = 0; i < a->size(); ++i) {
      const toml::table& tier = *a->get(i)->as_table();
      if (auto r = OnlyKeys(at, tier, {"up_to", "price"}, "a tier"); !r) return core::Fail(r.error());
      const toml::node* pr = tier.get("price");
      if (!pr) return core::Fail(at(tier, "a tier needs a price"));
      auto m = Price(at, *pr, currency, "tier price");
      if (!m) return core::Fail(m.error());
      Tier out{std::nullopt, *m};
      if (const toml::node* up = tier.get("up_to")) {
        auto text = up->value<std::string>();
        auto q = text ? core::Quantity::Parse(*text + (unit_one.unit == core::Unit::kWh ? " kWh" : " m3"))
                      : core::Result<core::Quantity>(core::Fail(core::Error::Invalid("")));
        if (!q || q->value <= 0) return core::Fail(at(*up, "up_to must be a positive decimal string such as \"100\""));
        out.up_to = *q;
        if (!p.tiers.empty() && p.tiers.back().up_to) {
          auto prev = *p.tiers.back().up_to;
          int8_t s = std::min(prev.scale, q->scale);
          if (q->Rescaled(s)->value <= prev.Rescaled(s)->value) {
            return core::Fail(at(*up, fmt::format("tiers out of order: {} after {}", *text, prev_text)));
          }
        }
      } else if (i + 1 != a->size()) {
        return core::Fail(at(tier, "only the last tier may be open (no up_to)"));
      }
      if (const toml::node* up = tier.get("up_to"); up && up->value<std::string>()) prev_text = *up->value<std::string>();
      p.tiers.push_back(std::move(out));
    }
    if (p.tiers.back().up_to) return core::Fail(at(*tiers, "the last tier must be open (no up_to)"));
  }
  return p;
}

// Every month x day type must be covered by exactly one period at every minute of the day.
core::Result<void> CheckCoverage(const Where& at, const TariffVersion& v, int line) {
  for (uint32_t month = 1; month <= 12; ++month) {
    for (DayType day : {DayType::kWeekday, DayType::kWeekend, DayType::kHoliday}) {
      std::vector<const RatePeriod*> in;
      for (const auto& p : v.rates) {
        if (std::find(p.months.begin(), p.months.end(), month) != p.months.end() &&
            std::find(p.days.begin(), p.days.end(), day) != p.days.end()) {
          in.push_back(&p);
        }
      }
      std::sort(in.begin(), in.end(), [](auto* a, auto* b) { return a->from_minute < b->from_minute; });
      int covered = 0;
      for (const RatePeriod* p : in) {
        if (p->from_minute < covered) {
          return core::Fail(at(p->line, fmt::format("rate '{}' overlaps another on {}s in month {} at {:02}:{:02}", p->name,
                                                    DayTypeName(day), month, p->from_minute / 60, p->from_minute % 60)));
        }
        if (p->from_minute > covered) break;
        covered = p->to_minute;
      }
      if (covered < 1440) {
        return core::Fail(at(line, fmt::format("no rate on {}s in month {} from {:02}:{:02}", DayTypeName(day), month,
                                               covered / 60, covered % 60)));
      }
    }
  }
  return {};
}

// The tables of an array-of-tables key (`fixed`, `demand`, `taxes`): each checked for its keys
// and its "name" read; `read` fills the rest.
template <class Read>
core::Result<void> EachNamed(const Where& at, const toml::node& node, std::initializer_list<std::string_view> keys,
                             std::string_view what, Read read) {
  const toml::array* a = node.as_array();
  if (!a || !a->is_array_of_tables()) return core::Fail(at(node, fmt::format("{} must be a list of tables", what)));
  for (const auto& item : *a) {
    const toml::table& t = *item.as_table();
    if (auto r = OnlyKeys(at, t, keys, what); !r) return r;
    auto name = Text(at, t, "name");
    if (!name) return core::Fail(name.error());
    if (auto r = read(t, *name); !r) return r;
  }
  return {};
}

// A required key of `t`.
core::Result<const toml::node*> Required(const Where& at, const toml::table& t, std::string_view key, std::string_view what) {
  const toml::node* n = t.get(key);
  if (!n) return core::Fail(at(t, fmt::format("{} needs '{}'", what, key)));
  return n;
}

// A decimal fraction "0.05" (at most 6 decimals, 0..10) in parts per million.
core::Result<int64_t> Fraction(const Where& at, const toml::node& n, std::string_view what) {
  auto text = n.value<std::string>();
  auto q = text ? core::Quantity::Parse(*text) : core::Result<core::Quantity>(core::Fail(core::Error::Invalid("")));
  auto ppm = q && q->scale >= -6 ? q->Rescaled(-6) : core::Result<core::Quantity>(core::Fail(core::Error::Invalid("")));
  if (!ppm || ppm->value < 0 || ppm->value > 10'000'000) {
    return core::Fail(at(n, fmt::format("{} must be a decimal fraction such as \"0.05\"", what)));
  }
  return ppm->value;
}

// The optional "periods" list of a charge: names of rates of version `v`.
core::Result<void> RateNames(const Where& at, const toml::table& t, const TariffVersion& v, std::vector<std::string>& out) {
  const toml::node* periods = t.get("periods");
  if (!periods) return {};
  const toml::array* pa = periods->as_array();
  if (!pa) return core::Fail(at(*periods, "periods must be a list of rate names"));
  for (const auto& p : *pa) {
    auto n = p.value<std::string>();
    bool known = n && std::any_of(v.rates.begin(), v.rates.end(), [&](const RatePeriod& r) { return r.name == *n; });
    if (!known) return core::Fail(at(p, "periods must name rates of this version"));
    out.push_back(*n);
  }
  return {};
}

// A [[version.reactive]] table: price per kvarh and either the free ratio or the power factor.
core::Result<ReactiveCharge> ParseReactive(const Where& at, const toml::table& t, const std::string& name,
                                           std::string_view currency, const TariffVersion& v) {
  ReactiveCharge c;
  c.name = name;
  c.line = static_cast<int>(t.source().begin.line);
  auto price = Required(at, t, "price", "a reactive charge");
  if (!price) return core::Fail(price.error());
  auto m = Price(at, **price, currency, "reactive price");
  if (!m) return core::Fail(m.error());
  c.price = *m;
  const toml::node* pf = t.get("power_factor");
  const toml::node* ratio = t.get("free_ratio");
  if ((pf != nullptr) == (ratio != nullptr)) {
    return core::Fail(at(t, fmt::format("reactive charge '{}' needs either power_factor or free_ratio", name)));
  }
  if (pf) {
    auto ppm = Fraction(at, *pf, "power_factor");
    if (!ppm || *ppm == 0 || *ppm > 1'000'000) {
      return core::Fail(at(*pf, "power_factor must be a decimal above 0 and at most 1 such as \"0.90\""));
    }
    c.power_factor_ppm = *ppm;
    c.free_ratio_ppm = FreeRatioPpm(*ppm);
  } else {
    auto ppm = Fraction(at, *ratio, "free_ratio");
    if (!ppm) return core::Fail(ppm.error());
    c.free_ratio_ppm = *ppm;
  }
  if (auto r = RateNames(at, t, v, c.periods); !r) return core::Fail(r.error());
  return c;
}

// demand, reactive, minimum and taxes of a version.
core::Result<void> ParseExtras(const Where& at, const toml::table& vt, const Tariff& tariff, TariffVersion& v) {
  const std::string_view currency = tariff.currency;
  if (const toml::node* demand = vt.get("demand")) {
    auto r = EachNamed(at, *demand, {"name", "price", "periods", "ratchet"}, "demand",
                       [&](const toml::table& dt, const std::string& name) -> core::Result<void> {
      DemandCharge c;
      c.name = name;
      auto price = Required(at, dt, "price", "a demand charge");
      if (!price) return core::Fail(price.error());
      auto m = Price(at, **price, currency, "demand price");
      if (!m) return core::Fail(m.error());
      c.price = *m;
      if (auto r = RateNames(at, dt, v, c.periods); !r) return r;
      if (const toml::node* ratchet = dt.get("ratchet")) {
        auto ppm = Fraction(at, *ratchet, "ratchet");
        if (!ppm || *ppm > 1'000'000 || *ppm % 10'000 != 0) return core::Fail(at(*ratchet, "ratchet must be a fraction 0..1 in whole percent"));
        c.ratchet_percent = static_cast<int32_t>(*ppm / 10'000);
      }
      v.demand.push_back(std::move(c));
      return {};
    });
    if (!r) return r;
  }
  if (const toml::node* reactive = vt.get("reactive")) {
    if (tariff.unit != core::Unit::kWh) return core::Fail(at(*reactive, "reactive charges need a tariff in kWh"));
    auto r = EachNamed(at, *reactive, {"name", "price", "power_factor", "free_ratio", "periods"}, "reactive",
                       [&](const toml::table& rt, const std::string& name) -> core::Result<void> {
      auto c = ParseReactive(at, rt, name, currency, v);
      if (!c) return core::Fail(c.error());
      v.reactive.push_back(std::move(*c));
      return {};
    });
    if (!r) return r;
  }
  if (const toml::node* minimum = vt.get("minimum")) {
    auto m = Price(at, *minimum, currency, "minimum");
    if (!m) return core::Fail(m.error());
    v.minimum = *m;
  }
  if (const toml::node* taxes = vt.get("taxes")) {
    auto r = EachNamed(at, *taxes, {"name", "rate"}, "taxes", [&](const toml::table& xt, const std::string& name) -> core::Result<void> {
      auto rate = Required(at, xt, "rate", "a tax");
      if (!rate) return core::Fail(rate.error());
      auto ppm = Fraction(at, **rate, "tax rate");
      if (!ppm) return core::Fail(ppm.error());
      v.taxes.push_back({name, *ppm});
      return {};
    });
    if (!r) return r;
  }
  return {};
}

}  // namespace

std::string_view DayTypeName(DayType t) {
  switch (t) {
    case DayType::kWeekday: return "weekday";
    case DayType::kWeekend: return "weekend";
    case DayType::kHoliday: return "holiday";
  }
  return "weekday";
}

int64_t FreeRatioPpm(int64_t power_factor_ppm) {
  const __int128 p = power_factor_ppm;
  if (p <= 0 || p > 1'000'000) return 0;
  // r = round(10^6 x sqrt(10^12 - p^2) / p): with S = isqrt(4 x 10^12 x (10^12 - p^2)), the
  // largest r with (2r - 1) p <= S is floor((floor(S / p) + 1) / 2).
  const __int128 n = static_cast<__int128>(4'000'000'000'000) * (static_cast<__int128>(1'000'000'000'000) - p * p);
  __int128 lo = 0, hi = static_cast<__int128>(1) << 42;  // sqrt(4 x 10^24) < 2^42
  while (lo < hi) {
    __int128 mid = (lo + hi + 1) / 2;
    if (mid * mid <= n) lo = mid;
    else hi = mid - 1;
  }
  return static_cast<int64_t>((lo / p + 1) / 2);
}

const TariffVersion* Tariff::VersionOn(int32_t day) const {
  const TariffVersion* found = nullptr;
  for (const auto& v : versions) {
    if (v.effective_day <= day) found = &v;
  }
  return found;
}

DayType DayTypeOf(const TariffVersion& version, int32_t day) {
  if (std::binary_search(version.holidays.begin(), version.holidays.end(), day)) return DayType::kHoliday;
  int weekday = ((day % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday == 0 || weekday == 6 ? DayType::kWeekend : DayType::kWeekday;
}

const RatePeriod* PeriodAt(const TariffVersion& version, int32_t day, int minute) {
  uint32_t month = core::CivilFromDays(day).month;
  DayType type = DayTypeOf(version, day);
  for (const auto& p : version.rates) {
    if (minute >= p.from_minute && minute < p.to_minute &&
        std::find(p.months.begin(), p.months.end(), month) != p.months.end() &&
        std::find(p.days.begin(), p.days.end(), type) != p.days.end()) {
      return &p;
    }
  }
  return nullptr;
}

core::Result<Tariff> ParseTariff(std::string_view text, std::string_view source) {
  Where at{source};
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return core::Fail(core::Error::Invalid(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description())));
  }
  if (auto r = OnlyKeys(at, root, {"id", "name", "currency", "unit", "time_zone", "version"}, "the tariff"); !r) {
    return core::Fail(r.error());
  }
  Tariff t;
  for (auto [key, out] : {std::pair{"id", &t.id}, std::pair{"name", &t.name}, std::pair{"currency", &t.currency}}) {
    auto v = Text(at, root, key);
    if (!v) return core::Fail(v.error());
    *out = *v;
  }
  if (t.currency.size() != 3 || !std::all_of(t.currency.begin(), t.currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return core::Fail(at(*root.get("currency"), "currency must be an ISO 4217 code such as \"GBP\""));
  }
  auto unit = Text(at, root, "unit");
  if (!unit) return core::Fail(unit.error());
  if (*unit == "kWh") {
    t.unit = core::Unit::kWh;
    t.unit_scale = 3;
  } else if (*unit == "m3") {
    t.unit = core::Unit::kM3;
    t.unit_scale = 0;
  } else {
    return core::Fail(at(*root.get("unit"), "unit must be \"kWh\" (electricity, heat) or \"m3\" (water, gas)"));
  }
  auto zone_name = Text(at, root, "time_zone");
  if (!zone_name) return core::Fail(zone_name.error());
  auto zone = core::TimeZone::Find(*zone_name);
  if (!zone) return core::Fail(at(*root.get("time_zone"), fmt::format("unknown time zone '{}'", *zone_name)));
  t.zone = *zone;
  const core::Quantity unit_one{1, 0, *unit == "kWh" ? core::Unit::kWh : core::Unit::kM3};

  const toml::node* versions = root.get("version");
  const toml::array* list = versions ? versions->as_array() : nullptr;
  if (!list || list->empty() || !list->is_array_of_tables()) return core::Fail(at(root, "a tariff needs [[version]] tables"));
  for (const auto& item : *list) {
    const toml::table& vt = *item.as_table();
    if (auto r = OnlyKeys(at, vt, {"effective", "fixed", "holidays", "rate", "demand", "reactive", "minimum", "taxes"},
                          "[[version]]"); !r) {
      return core::Fail(r.error());
    }
    TariffVersion v;
    auto eff = Text(at, vt, "effective");
    if (!eff) return core::Fail(eff.error());
    auto day = core::ParseDay(*eff);
    if (!day) return core::Fail(at(*vt.get("effective"), "effective must be a date \"YYYY-MM-DD\""));
    v.effective_day = *day;
    if (!t.versions.empty() && v.effective_day <= t.versions.back().effective_day) {
      return core::Fail(at(vt, fmt::format("versions must be in order of their effective dates ({} is not after {})", *eff,
                                           core::FormatDay(t.versions.back().effective_day))));
    }
    if (const toml::node* fixed = vt.get("fixed")) {
      auto r = EachNamed(at, *fixed, {"name", "amount", "per"}, "fixed", [&](const toml::table& ft, const std::string& name) -> core::Result<void> {
        FixedCharge c;
        c.name = name;
        auto amount = Required(at, ft, "amount", "a fixed charge");
        if (!amount) return core::Fail(amount.error());
        auto m = Price(at, **amount, t.currency, "amount");
        if (!m) return core::Fail(m.error());
        c.amount = *m;
        auto per = Text(at, ft, "per");
        if (!per) return core::Fail(per.error());
        if (*per == "day") c.per = FixedPer::kDay;
        else if (*per == "month") c.per = FixedPer::kMonth;
        else return core::Fail(at(*ft.get("per"), "per must be \"day\" or \"month\""));
        v.fixed.push_back(std::move(c));
        return {};
      });
      if (!r) return core::Fail(r.error());
    }
    if (const toml::node* holidays = vt.get("holidays")) {
      const toml::array* a = holidays->as_array();
      if (!a) return core::Fail(at(*holidays, "holidays must be a list of dates"));
      for (const auto& h : *a) {
        auto d = h.value<std::string>() ? core::ParseDay(*h.value<std::string>()) : core::Result<int32_t>(core::Fail(core::Error::Invalid("")));
        if (!d) return core::Fail(at(h, "holidays must be dates \"YYYY-MM-DD\""));
        v.holidays.push_back(*d);
      }
      std::sort(v.holidays.begin(), v.holidays.end());
    }
    const toml::node* rates = vt.get("rate");
    const toml::array* ra = rates ? rates->as_array() : nullptr;
    if (!ra || ra->empty() || !ra->is_array_of_tables()) return core::Fail(at(vt, "a version needs [[version.rate]] tables"));
    for (const auto& r : *ra) {
      auto p = ParsePeriod(at, *r.as_table(), t.currency, unit_one);
      if (!p) return core::Fail(p.error());
      v.rates.push_back(std::move(*p));
    }
    if (auto c = CheckCoverage(at, v, static_cast<int>(vt.source().begin.line)); !c) return core::Fail(c.error());
    if (auto e = ParseExtras(at, vt, t, v); !e) return core::Fail(e.error());
    t.versions.push_back(std::move(v));
  }
  return t;
}

core::Result<Tariff> LoadTariff(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Fail(core::Error::NotFound(fmt::format("cannot read tariff file {}", path)));
  std::stringstream text;
  text << in.rdbuf();
  return ParseTariff(text.str(), path);
}

}  // namespace meterd::billing
