// SPDX-License-Identifier: Apache-2.0
#include "billing/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "core/money.h"

namespace meterd::billing {

using core::Error;
using core::Fail;

namespace {

std::string At(std::string_view source, const toml::node& node, std::string_view reason) {
  return fmt::format("{}:{}: {}", source, node.source().begin.line, reason);
}

// "12.34" (the currency is the tariff's) to micro-units.
core::Result<int64_t> ParseAmount(std::string_view text) {
  auto money = core::Money::Parse(fmt::format("{} XXX", text));
  if (!money) return Fail(money.error());
  return money->micros;
}

core::Result<bool> ReadBool(const toml::table& t, std::string_view key, bool fallback, std::string_view source) {
  const toml::node* n = t.get(key);
  if (!n) return fallback;
  if (!n->is_boolean()) return Fail(Error::Invalid(At(source, *n, fmt::format("{} must be true or false", key))));
  return n->value_or(fallback);
}

core::Result<int64_t> ReadInt(const toml::table& t, std::string_view key, int64_t fallback, int64_t lo, int64_t hi,
                              std::string_view source) {
  const toml::node* n = t.get(key);
  if (!n) return fallback;
  auto v = n->value<int64_t>();
  if (!n->is_integer() || !v || *v < lo || *v > hi) {
    return Fail(Error::Invalid(At(source, *n, fmt::format("{} must be an integer {}..{}", key, lo, hi))));
  }
  return *v;
}

core::Result<void> CheckKeys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                             std::string_view source, std::string_view where) {
  for (const auto& [key, node] : t) {
    bool ok = false;
    for (auto a : allowed) ok = ok || key.str() == a;
    if (!ok) return Fail(Error::Invalid(At(source, node, fmt::format("unknown key '{}' in {}", key.str(), where))));
  }
  return {};
}

}  // namespace

core::Result<Rules> ParseRules(std::string_view text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string(source));
  } catch (const toml::parse_error& e) {
    return Fail(Error::Invalid(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description())));
  }
  Rules rules;
  if (auto r = CheckKeys(doc, {"hold", "flag"}, source, "the rules file"); !r) return Fail(r.error());
  if (const toml::node* hold_node = doc.get("hold")) {
    const toml::table* hold = hold_node->as_table();
    if (!hold) return Fail(Error::Invalid(At(source, *hold_node, "[hold] must be a table")));
    if (auto r = CheckKeys(*hold,
                           {"consumption_not_negative", "max_estimated_intervals", "meter_matches_service_point",
                            "total_bounds"},
                           source, "[hold]");
        !r) {
      return Fail(r.error());
    }
    auto neg = ReadBool(*hold, "consumption_not_negative", true, source);
    if (!neg) return Fail(neg.error());
    rules.consumption_not_negative = *neg;
    auto meter = ReadBool(*hold, "meter_matches_service_point", true, source);
    if (!meter) return Fail(meter.error());
    rules.meter_matches_service_point = *meter;
    if (hold->contains("max_estimated_intervals")) {
      auto n = ReadInt(*hold, "max_estimated_intervals", 0, 0, 1'000'000, source);
      if (!n) return Fail(n.error());
      rules.max_estimated_intervals = *n;
    }
    if (const toml::node* bounds_node = hold->get("total_bounds")) {
      const toml::array* bounds = bounds_node->as_array();
      if (!bounds) return Fail(Error::Invalid(At(source, *bounds_node, "total_bounds must be an array of tables")));
      for (const toml::node& b : *bounds) {
        const toml::table* t = b.as_table();
        if (!t) return Fail(Error::Invalid(At(source, b, "each total_bounds entry must be a table")));
        if (auto r = CheckKeys(*t, {"class", "min", "max"}, source, "total_bounds"); !r) return Fail(r.error());
        auto cls = t->get_as<std::string>("class");
        auto lo = t->get_as<std::string>("min");
        auto hi = t->get_as<std::string>("max");
        if (!cls || !lo || !hi) {
          return Fail(Error::Invalid(At(source, b, "total_bounds needs class, min and max (amounts as strings)")));
        }
        auto min = ParseAmount(lo->get());
        auto max = ParseAmount(hi->get());
        if (!min || !max) return Fail(Error::Invalid(At(source, b, "min and max must be decimal amounts like \"12.50\"")));
        if (*min > *max) return Fail(Error::Invalid(At(source, b, "min is above max")));
        for (const auto& existing : rules.total_bounds) {
          if (existing.customer_class == cls->get()) {
            return Fail(Error::Invalid(At(source, b, fmt::format("class '{}' has bounds already", cls->get()))));
          }
        }
        rules.total_bounds.push_back({cls->get(), *min, *max});
      }
    }
  }
  if (const toml::node* flag_node = doc.get("flag")) {
    const toml::table* flag = flag_node->as_table();
    if (!flag) return Fail(Error::Invalid(At(source, *flag_node, "[flag] must be a table")));
    if (auto r = CheckKeys(*flag, {"fluctuation_percent", "history"}, source, "[flag]"); !r) return Fail(r.error());
    auto pct = ReadInt(*flag, "fluctuation_percent", 50, 0, 10'000, source);
    if (!pct) return Fail(pct.error());
    auto history = ReadInt(*flag, "history", 3, 1, 24, source);
    if (!history) return Fail(history.error());
    rules.fluctuation_percent = static_cast<int32_t>(*pct);
    rules.history = static_cast<int32_t>(*history);
  }
  return rules;
}

core::Result<Rules> LoadRules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::NotFound(fmt::format("{}: cannot open the rules file", path)));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseRules(text.str(), path);
}

Verdict Audit(const Rules& rules, const AuditInput& in) {
  Verdict v;
  const Bill& bill = *in.bill;
  const store::Account& account = *in.account;
  auto hold = [&](std::string rule, std::string reason) {
    if (v.hold_rule.empty()) {
      v.hold_rule = std::move(rule);
      v.hold_reason = std::move(reason);
    }
  };
  const bool reads = std::any_of(bill.lines.begin(), bill.lines.end(), [](const BillLine& l) { return l.reads > 0; });
  if (bill.intervals == 0 && !reads) {
    hold("no_data", fmt::format("no interval data or register reads for meter {} in the period", account.meter));
  }
  if (rules.consumption_not_negative && in.negative_intervals > 0) {
    hold("consumption_not_negative",
         fmt::format("{} interval(s) of meter {} have negative consumption", in.negative_intervals, account.meter));
  }
  if (rules.max_estimated_intervals && bill.estimated > *rules.max_estimated_intervals) {
    hold("max_estimated", fmt::format("{} estimated intervals, more than the {} allowed", bill.estimated,
                                      *rules.max_estimated_intervals));
  }
  if (rules.meter_matches_service_point) {
    if (!in.point) {
      hold("meter_matches_service_point", fmt::format("service point {} is unknown", account.service_point));
    } else if (in.point->meter != account.meter) {
      hold("meter_matches_service_point",
           fmt::format("the account bills meter {} but service point {} has meter {}", account.meter,
                       account.service_point, in.point->meter));
    }
  }
  for (const auto& b : rules.total_bounds) {
    if (b.customer_class != account.customer_class) continue;
    int64_t total = bill.total.micros;
    if (total < b.min_micros || total > b.max_micros) {
      hold("total_bounds", fmt::format("total {} is outside {}..{} for class {}", core::FormatCents(total), core::FormatCents(b.min_micros),
                                       core::FormatCents(b.max_micros), b.customer_class));
    }
  }
  if (rules.fluctuation_percent > 0 && !in.earlier_totals.empty()) {
    size_t n = std::min<size_t>(in.earlier_totals.size(), static_cast<size_t>(rules.history));
    __int128 sum = 0;
    for (size_t i = 0; i < n; ++i) sum += in.earlier_totals[i];
    int64_t mean = static_cast<int64_t>(sum / static_cast<__int128>(n));
    __int128 diff = static_cast<__int128>(bill.total.micros) - mean;
    __int128 abs_diff = diff < 0 ? -diff : diff;
    __int128 abs_mean = mean < 0 ? -mean : mean;
    // |total - mean| > pct% of |mean|; a zero mean flags any non-zero total.
    if (abs_diff * 100 > abs_mean * rules.fluctuation_percent) {
      int64_t pct = abs_mean == 0 ? 0 : static_cast<int64_t>(diff * 100 / abs_mean);
      v.flag = abs_mean == 0 ? fmt::format("fluctuation: {} against a {}-bill mean of 0.00", core::FormatCents(bill.total.micros), n)
                             : fmt::format("fluctuation: {:+}% against the {}-bill mean of {}", pct, n, core::FormatCents(mean));
    }
  }
  return v;
}

}  // namespace meterd::billing
