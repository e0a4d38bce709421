// SPDX-License-Identifier: Apache-2.0
#include "headend/c1222_readings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace meterd::headend {

namespace c19 = codec::c1219;
using core::Fail;
using core::Instant;
using core::Quantity;
using core::Result;

std::string SourceName(const c19::Tdl& tdl, std::optional<uint8_t> source, std::string_view fallback) {
  const c19::SourceDef* def = source ? tdl.Source(*source) : nullptr;
  if (!def || def->name.empty()) return source ? fmt::format("source_{}", *source) : std::string(fallback);
  std::string name = def->name;
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

C1222Registers MapRegisters(const c19::Tdl& tdl, const c19::St22* st22, const c19::St23& st23,
                            const c19::St27* st27, const c19::St28* st28, Instant at) {
  C1222Registers out;
  auto select = [](const std::vector<uint8_t>* list, size_t i) -> std::optional<uint8_t> {
    if (!list || i >= list->size()) return std::nullopt;
    return (*list)[i];
  };
  const auto* sums = st22 ? &st22->summation_select : nullptr;
  const auto& total = st23.total.summations;
  for (size_t i = 0; i < total.size(); ++i) {
    if (!out.main && total[i].unit == core::Unit::kWh) {
      out.main = i;
      out.main_source = select(sums, i);
      out.main_value = total[i];
      continue;
    }
    out.present.push_back({SourceName(tdl, select(sums, i), fmt::format("summation_{}", i)), total[i], at});
  }
  for (size_t k = 0; k < st23.tiers.size(); ++k) {
    for (size_t i = 0; i < st23.tiers[k].summations.size(); ++i) {
      std::string name = SourceName(tdl, select(sums, i), fmt::format("summation_{}", i));
      out.present.push_back({fmt::format("{}_t{}", name, k + 1), st23.tiers[k].summations[i], at});
    }
  }
  const auto* demands = st22 ? &st22->demand_select : nullptr;
  for (size_t j = 0; j < st23.total.demands.size(); ++j) {
    const auto& d = st23.total.demands[j];
    if (d.demand.empty()) continue;
    std::string name = SourceName(tdl, select(demands, j), fmt::format("demand_{}", j));
    out.present.push_back({name + "_max_demand", d.demand.front(), at});
  }
  if (st28) {
    for (size_t i = 0; i < st28->present_value.size(); ++i) {
      out.present.push_back({SourceName(tdl, select(st27 ? &st27->present_value_select : nullptr, i),
                                        fmt::format("present_value_{}", i)),
                             st28->present_value[i], at});
    }
    for (size_t i = 0; i < st28->present_demand.size(); ++i) {
      std::string name = SourceName(tdl, select(st27 ? &st27->present_demand_select : nullptr, i),
                                    fmt::format("present_demand_{}", i));
      out.present.push_back({name + "_demand", st28->present_demand[i].value, at});
    }
  }
  return out;
}

Result<Instant> BlockEndInstant(const c19::LpBlock& block, uint16_t valid, bool descending, const C1219Clock& clock) {
  bool dst = clock.dst_now;
  if (valid > 0 && valid <= block.intervals.size()) {
    const c19::LpInterval& newest = block.intervals[descending ? 0 : valid - 1u];
    if (newest.status) dst = newest.status->dst;
  }
  return C1219Instant(block.end_time, clock, dst);
}

Result<std::vector<LpPoint>> LpPoints(std::span<const c19::LpBlock> blocks, uint16_t valid_in_last,
                                      uint8_t interval_minutes, size_t channel, bool descending,
                                      const C1219Clock& clock) {
  if (interval_minutes == 0) return Fail(core::Error::Invalid("load profile interval of 0 minutes"));
  const core::Seconds len{int64_t{interval_minutes} * 60};
  std::vector<LpPoint> out;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const c19::LpBlock& block = blocks[b];
    const size_t n = b + 1 == blocks.size() ? valid_in_last : block.intervals.size();
    if (n > block.intervals.size()) {
      return Fail(core::Error::Invalid(fmt::format("load profile block holds {} intervals, {} said valid",
                                                   block.intervals.size(), n)));
    }
    if (n == 0) continue;
    auto end = BlockEndInstant(block, static_cast<uint16_t>(n), descending, clock);
    if (!end) return Fail(core::Error::Invalid(fmt::format("load profile block end: {}", end.error().message)));
    for (size_t k = 0; k < n; ++k) {
      const c19::LpInterval& interval = block.intervals[descending ? n - 1 - k : k];
      if (channel >= interval.values.size()) {
        return Fail(core::Error::Invalid(fmt::format("load profile has no channel {}", channel)));
      }
      LpPoint p{*end - len * static_cast<int64_t>(n - 1 - k), interval.values[channel], std::nullopt};
      if (k + 1 == n && channel < block.end_readings.size()) p.end_reading = block.end_readings[channel].block_end_read;
      out.push_back(std::move(p));
    }
  }
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].end <= out[i - 1].end) {
      return Fail(core::Error::Invalid(fmt::format("load profile intervals out of order at {}",
                                                   core::FormatInstant(out[i].end))));
    }
  }
  return out;
}

Result<std::vector<RegisterSample>> RegisterSamples(std::span<const LpPoint> points, uint8_t interval_minutes,
                                                    Instant after, std::optional<RegisterSample> anchor,
                                                    std::optional<Quantity> fallback) {
  const core::Seconds len{int64_t{interval_minutes} * 60};
  const size_t n = points.size();
  std::vector<std::optional<Quantity>> reg(n);
  auto contiguous = [&](size_t i) { return points[i + 1].end - points[i].end == len; };  // i and i + 1
  auto minus = [](const Quantity& a, const Quantity& b) { return core::Add(a, Quantity{-b.value, b.scale, b.unit}); };
  auto back = [&]() -> Result<void> {
    for (size_t i = n; i-- > 1;) {
      if (reg[i] && !reg[i - 1] && contiguous(i - 1)) {
        auto v = minus(*reg[i], points[i].value);
        if (!v) return Fail(v.error());
        reg[i - 1] = *v;
      }
    }
    return {};
  };
  for (size_t i = 0; i < n; ++i) {
    reg[i] = points[i].end_reading;
    if (!reg[i] && anchor && anchor->at == points[i].end) reg[i] = anchor->value;
  }
  if (auto r = back(); !r) return Fail(r.error());
  for (size_t i = 0; i < n; ++i) {
    if (reg[i]) continue;
    std::optional<Quantity> before;
    if (i > 0 && reg[i - 1] && contiguous(i - 1)) {
      before = reg[i - 1];
    } else if (anchor && anchor->at < points[i].end && anchor->at >= points[i].end - len) {
      before = anchor->value;
    }
    if (!before) continue;
    auto v = core::Add(*before, points[i].value);
    if (!v) return Fail(v.error());
    reg[i] = *v;
  }
  if (n > 0 && !reg[n - 1] && fallback) {
    reg[n - 1] = fallback;
    if (auto r = back(); !r) return Fail(r.error());
  }
  std::vector<RegisterSample> out;
  for (size_t i = 0; i < n; ++i) {
    if (reg[i] && points[i].end > after) out.push_back({points[i].end, *reg[i]});
  }
  return out;
}

namespace {

std::optional<core::EventType> EventTypeOf(const c19::LogCode& code) {
  if (code.manufacturer) return std::nullopt;
  switch (code.number) {
    case 1: return core::EventType::kPowerLoss;
    case 2: return core::EventType::kPowerRestored;
    case 47:  // tamper attempt detected
    case 48:  // reverse rotation detected
      return core::EventType::kTamper;
    case 49:  // control point changed by a command, the schedule, a condition, prepayment
    case 50:
    case 51:
    case 52: return core::EventType::kOutputChanged;
    default: break;
  }
  if (code.number >= 37 && code.number <= 46) return core::EventType::kMeterError;  // configuration .. demand overload
  return std::nullopt;
}

bool Newer(uint16_t seq, uint16_t than) { return static_cast<uint16_t>(seq - than - 1) < 0x8000; }

// Standard event codes "Daylight Saving Time On" and "Off".
constexpr uint16_t kDstOn = 22, kDstOff = 23;

}  // namespace

LogEvents EventsFromLog(const c19::St76& log, std::optional<uint16_t> after_seq, const C1219Clock& clock) {
  LogEvents out;
  const size_t size = log.entries.size();
  const size_t valid = std::min<size_t>(log.header.nbr_valid_entries, size);
  if (valid == 0) return out;
  const size_t last = log.header.last_entry_element % size;
  auto entry = [&](size_t age) -> const c19::EventEntry& {  // age 0 is the newest
    return log.entries[log.header.flags.descending ? (last + age) % size : (last + size - age) % size];
  };
  // The DST state of each entry, newest first from the state at the read: before a DST change
  // the meter logged, the other state held.
  std::vector<bool> dst(valid);
  bool state = clock.dst_now;
  for (size_t age = 0; age < valid; ++age) {
    const c19::EventEntry& e = entry(age);
    dst[age] = state;
    if (!e.code.manufacturer && (e.code.number == kDstOn || e.code.number == kDstOff)) state = e.code.number == kDstOff;
  }
  for (size_t age = valid; age-- > 0;) {  // oldest first
    const c19::EventEntry& e = entry(age);
    if (after_seq && !Newer(e.seq_nbr, *after_seq)) continue;
    out.last_seq = e.seq_nbr;
    auto type = EventTypeOf(e.code);
    auto at = C1219Instant(e.time, clock, dst[age]);
    if (!type || !at) continue;
    std::string_view name = c19::StdEventName(e.code.number);
    out.events.push_back({*type, *at,
                          fmt::format("event log #{}: {} (user {})", e.seq_nbr,
                                      name.empty() ? fmt::format("code {}", e.code.number) : std::string(name),
                                      e.user_id)});
  }
  return out;
}

std::optional<uint16_t> EventLogSeqOf(std::string_view detail) {
  constexpr std::string_view kPrefix = "event log #";
  if (!detail.starts_with(kPrefix)) return std::nullopt;
  uint32_t seq = 0;
  size_t i = kPrefix.size();
  for (; i < detail.size() && std::isdigit(static_cast<unsigned char>(detail[i])); ++i) {
    seq = seq * 10 + static_cast<uint32_t>(detail[i] - '0');
    if (seq > 0xFFFF) return std::nullopt;
  }
  if (i == kPrefix.size() || i >= detail.size() || detail[i] != ':') return std::nullopt;
  return static_cast<uint16_t>(seq);
}

}  // namespace meterd::headend
