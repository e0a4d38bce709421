// SPDX-License-Identifier: Apache-2.0
// RateDays: the bill-run path. Per local day a cached table of runs of slots in one rate period;
// per run a plain integer loop over values and qualities (sum, count, estimated, peak); then the
// same pricing as Rate() on the aggregates (determinants.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include "billing/determinants.h"
#include "billing/rating.h"

namespace meterd::billing {
namespace {

// Slots [begin, end) of a day in rate `rate` of the day's version.
struct Run {
  int32_t begin;
  int32_t end;
  int32_t rate;
};

// What a local day looks like, computed once per scratch (time-zone lookups are slow).
struct DayInfo {
  bool ready = false;
  bool regular = false;        // 86400 s from local midnight at one UTC offset
  int32_t version = -1;        // index in Tariff::versions; -1: none
  int64_t start_unix = 0;
  int64_t length_s = 0;
  // The runs for the (interval, slots) last asked for on this day.
  int32_t interval_s = 0;
  int32_t slots = -1;
  const std::vector<Run>* runs = nullptr;
};

// What the cached tables depend on: everything in a tariff that maps an instant to a rate.
struct RateShape {
  std::vector<uint32_t> months;
  std::vector<DayType> days;
  int from_minute;
  int to_minute;
  friend bool operator==(const RateShape&, const RateShape&) = default;
};
struct VersionShape {
  int32_t effective_day;
  std::vector<int32_t> holidays;
  std::vector<RateShape> rates;
};

// Sums of one run of slots.
struct RunSums {
  int64_t sum = 0;
  int64_t peak = 0;  // highest value, at least 0 (only if asked for)
  int64_t count = 0;
  int64_t estimated = 0;
  bool overflow = false;
};

// How many of the bytes of quality[begin, end) are not kMissing (0) and how many are kEstimated
// (2), eight at a time: the high bit of each byte of ((w & 0x7f..) + 0x7f..) | w is set iff the
// byte is not zero, and a multiply adds up the eight bits.
inline void CountQuality(const core::Quality* quality, int32_t begin, int32_t end, int64_t& present, int64_t& estimated) {
  constexpr uint64_t k01 = 0x0101010101010101, k7f = 0x7f7f7f7f7f7f7f7f, k80 = 0x8080808080808080;
  const auto* bytes = reinterpret_cast<const uint8_t*>(quality);
  auto nonzero = [](uint64_t w) { return static_cast<int64_t>((((((w & k7f) + k7f) | w) & k80) >> 7) * k01 >> 56); };
  int32_t i = begin;
  for (; i + 8 <= end; i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes + i, 8);
    present += nonzero(w);
    estimated += 8 - nonzero(w ^ (k01 * static_cast<uint8_t>(core::Quality::kEstimated)));
  }
  for (; i < end; ++i) {
    present += bytes[i] != static_cast<uint8_t>(core::Quality::kMissing);
    estimated += bytes[i] == static_cast<uint8_t>(core::Quality::kEstimated);
  }
}

// A day has at most 90000 slots (< 2^17), so sums of values in [-2^46, 2^46) cannot overflow:
// value + 2^46 is then below 2^47, and so is the OR of all of them.
constexpr uint64_t kSafeOffset = uint64_t{1} << 46;

// The inner loop: plain integer sums the compiler vectorises. A run without kMissing slots (the
// usual case) sums the values as they are; one with them masks each missing value to 0. A run
// with a value beyond +-2^46 is summed again with overflow checks.
template <bool kPeak>
inline RunSums SumRun(const int64_t* values, const core::Quality* quality, int32_t begin, int32_t end) {
  RunSums out;
  CountQuality(quality, begin, end, out.count, out.estimated);
  uint64_t sum = 0, guard = 0;
  int64_t peak = 0;
  if (out.count == end - begin) {
    for (int32_t i = begin; i < end; ++i) {
      const auto x = static_cast<uint64_t>(values[i]);
      sum += x;
      guard |= x + kSafeOffset;
      if constexpr (kPeak) peak = values[i] > peak ? values[i] : peak;
    }
  } else {
    for (int32_t i = begin; i < end; ++i) {
      const int64_t x = values[i] & -static_cast<int64_t>(quality[i] != core::Quality::kMissing);
      sum += static_cast<uint64_t>(x);
      guard |= static_cast<uint64_t>(x) + kSafeOffset;
      if constexpr (kPeak) peak = x > peak ? x : peak;
    }
  }
  out.sum = static_cast<int64_t>(sum);
  out.peak = peak;
  if (guard >= 2 * kSafeOffset) {
    int64_t exact = 0;
    for (int32_t i = begin; i < end; ++i) {
      if (quality[i] != core::Quality::kMissing) out.overflow = out.overflow || __builtin_add_overflow(exact, values[i], &exact);
    }
    out.sum = exact;
  }
  return out;
}

core::Error TooLarge(int32_t day) {
  return core::Error{core::ErrorCode::kOutOfRange, fmt::format("interval values of {} are too large to sum", core::FormatDay(day)), {}};
}

}  // namespace

struct RatingScratch::Impl {
  std::string zone;
  std::vector<VersionShape> shape;
  int32_t day_base = 0;
  std::vector<DayInfo> days;  // days[d - day_base]
  // (version, month, day type, interval, slots, day or INT32_MIN for regular days) -> runs
  std::map<std::tuple<int32_t, int32_t, int32_t, int32_t, int32_t, int32_t>, std::vector<Run>> tables;
  Determinants det;
  std::vector<uint8_t> seen;

  // Keeps the caches if `tariff` maps instants to rates as the one they were built for.
  void Bind(const Tariff& tariff) {
    if (Matches(tariff)) return;
    zone = tariff.zone.Name();
    shape.clear();
    for (const auto& v : tariff.versions) {
      VersionShape vs{v.effective_day, v.holidays, {}};
      for (const auto& r : v.rates) vs.rates.push_back({r.months, r.days, r.from_minute, r.to_minute});
      shape.push_back(std::move(vs));
    }
    days.clear();
    tables.clear();
  }

  bool Matches(const Tariff& tariff) const {
    if (zone != tariff.zone.Name() || shape.size() != tariff.versions.size()) return false;
    for (size_t i = 0; i < shape.size(); ++i) {
      const VersionShape& s = shape[i];
      const TariffVersion& v = tariff.versions[i];
      if (s.effective_day != v.effective_day || s.holidays != v.holidays || s.rates.size() != v.rates.size()) return false;
      for (size_t r = 0; r < s.rates.size(); ++r) {
        const RateShape& a = s.rates[r];
        const RatePeriod& b = v.rates[r];
        if (a.from_minute != b.from_minute || a.to_minute != b.to_minute || a.months != b.months || a.days != b.days) return false;
      }
    }
    return true;
  }

  DayInfo& Day(const Tariff& tariff, int32_t day) {
    if (days.empty() || day < day_base || day >= day_base + static_cast<int32_t>(days.size())) {
      int32_t lo = days.empty() ? day : std::min(day, day_base);
      int32_t hi = days.empty() ? day + 1 : std::max(day + 1, day_base + static_cast<int32_t>(days.size()));
      if (hi - lo > 40'000) {  // a century of days; beyond, start afresh
        days.clear();
        lo = day;
        hi = day + 1;
      }
      std::vector<DayInfo> grown(hi - lo);
      std::copy(days.begin(), days.end(), grown.begin() + (days.empty() ? 0 : day_base - lo));
      days = std::move(grown);
      day_base = lo;
    }
    DayInfo& info = days[day - day_base];
    if (!info.ready) {
      const TariffVersion* v = tariff.VersionOn(day);
      info.version = v ? static_cast<int32_t>(v - tariff.versions.data()) : -1;
      info.start_unix = core::ToUnixSeconds(tariff.zone.StartOf(day));
      info.length_s = core::ToUnixSeconds(tariff.zone.StartOf(day + 1)) - info.start_unix;
      const int64_t offset = tariff.zone.OffsetSeconds(core::FromUnixSeconds(info.start_unix));
      info.regular = info.length_s == 86400 && info.start_unix + offset == int64_t{day} * 86400 &&
                     tariff.zone.OffsetSeconds(core::FromUnixSeconds(info.start_unix + 86399)) == offset;
      info.ready = true;
    }
    return info;
  }

  // The runs of a day of `slots` slots of `interval_s`; the day must have a version.
  core::Result<const std::vector<Run>*> Runs(const Tariff& tariff, int32_t day, DayInfo& info, int32_t interval_s, int32_t slots) {
    if (info.runs && info.interval_s == interval_s && info.slots == slots) return info.runs;
    if (slots > 0 && (int64_t{slots} - 1) * interval_s >= info.length_s) {
      return core::Fail(core::Error::Invalid(fmt::format("{} slots of {} s do not fit local day {} ({} s)", slots, interval_s,
                                                         core::FormatDay(day), info.length_s)));
    }
    const TariffVersion& v = tariff.versions[info.version];
    auto key = std::tuple{info.version, static_cast<int32_t>(core::CivilFromDays(day).month),
                          static_cast<int32_t>(DayTypeOf(v, day)), interval_s, slots,
                          info.regular ? std::numeric_limits<int32_t>::min() : day};
    auto [it, fresh] = tables.try_emplace(key);
    if (fresh) {
      std::vector<Run>& runs = it->second;
      for (int32_t i = 0; i < slots; ++i) {
        int64_t local = int64_t{i} * interval_s;  // seconds after local midnight
        if (!info.regular) {
          int64_t start = info.start_unix + local;
          local = start + tariff.zone.OffsetSeconds(core::FromUnixSeconds(start)) - int64_t{day} * 86400;
        }
        const RatePeriod* p = PeriodAt(v, day, static_cast<int>(local / 60));
        if (!p) {
          tables.erase(it);
          return core::Fail(core::Error::Internal(fmt::format("tariff {} has no rate on {} at slot {}", tariff.id, core::FormatDay(day), i)));
        }
        int32_t rate = static_cast<int32_t>(p - v.rates.data());
        if (!runs.empty() && runs.back().rate == rate) ++runs.back().end;
        else runs.push_back({i, i + 1, rate});
      }
    }
    info.interval_s = interval_s;
    info.slots = slots;
    info.runs = &it->second;
    return info.runs;
  }

  // Accumulates `days` (active energy or, with `reactive`, reactive energy) into det.
  core::Result<void> Accumulate(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const DayUsage> input,
                                bool reactive) {
    int8_t scale = reactive ? det.reactive_scale : det.scale;
    for (const DayUsage& u : input) {
      if (u.day < from_day || u.day >= to_day) {
        return core::Fail(core::Error::Invalid(fmt::format("day {} is outside the billing period", core::FormatDay(u.day))));
      }
      if (u.values.size() != u.quality.size() || u.interval_s <= 0 || u.scale < -18 || u.scale > 18) {
        return core::Fail(core::Error::Invalid(fmt::format("the data of {} is malformed (slots, interval or scale)", core::FormatDay(u.day))));
      }
      // Only a day that would lower the scale is looked into (all days at one scale: none).
      if (u.scale < scale &&
          std::any_of(u.quality.begin(), u.quality.end(), [](core::Quality q) { return q != core::Quality::kMissing; })) {
        scale = u.scale;
      }
    }
    (reactive ? det.reactive_scale : det.scale) = scale;
    for (const DayUsage& u : input) {
      DayInfo& info = Day(tariff, u.day);
      auto runs = Runs(tariff, u.day, info, u.interval_s, static_cast<int32_t>(u.values.size()));
      if (!runs) return core::Fail(runs.error());
      const VersionSegment& seg = det.segments[info.version - det.segments.front().version_index];
      PeriodUse* use = &det.use[seg.first_use];
      if (u.scale - scale > 18) return core::Fail(TooLarge(u.day));
      const int64_t factor = static_cast<int64_t>(Pow10(u.scale - scale));
      int64_t day_count = 0, day_estimated = 0;
      // The peak interval is only looked for where a demand charge will use it.
      const bool peaks = !reactive && !seg.version->demand.empty();
      for (const Run& run : **runs) {
        RunSums s = peaks ? SumRun<true>(u.values.data(), u.quality.data(), run.begin, run.end)
                          : SumRun<false>(u.values.data(), u.quality.data(), run.begin, run.end);
        if (s.count == 0) continue;
        PeriodUse& p = use[run.rate];
        int64_t energy;
        if (s.overflow || __builtin_mul_overflow(s.sum, factor, &energy)) return core::Fail(TooLarge(u.day));
        if (__builtin_add_overflow(reactive ? p.reactive : p.energy, energy, reactive ? &p.reactive : &p.energy)) {
          return core::Fail(TooLarge(u.day));
        }
        day_count += s.count;
        day_estimated += s.estimated;
        if (reactive) {
          p.reactive_intervals += s.count;
          p.reactive_estimated += s.estimated;
        } else {
          p.intervals += s.count;
          p.estimated += s.estimated;
          if (!peaks) continue;
          // As Rate(): the mean power of the value at the bill's scale, rounded once; only when it
          // can beat the period's peak so far (peak x 3600 / s <= max_w rounds to <= max_w).
          const __int128 wh3600 = static_cast<__int128>(s.peak) * factor * 3600;
          if (wh3600 > static_cast<__int128>(p.max_w) * u.interval_s) {
            __int128 w = DivRound(wh3600, u.interval_s);
            if (w > std::numeric_limits<int64_t>::max()) return core::Fail(TooLarge(u.day));
            p.max_w = std::max(p.max_w, static_cast<int64_t>(w));
          }
        }
      }
      if (!reactive && day_count > 0) {
        seen[u.day - from_day] = 1;
        det.intervals += day_count;
        det.estimated += day_estimated;
      }
    }
    return {};
  }
};

RatingScratch::RatingScratch() : impl_(std::make_unique<Impl>()) {}
RatingScratch::~RatingScratch() = default;
RatingScratch::RatingScratch(RatingScratch&&) noexcept = default;
RatingScratch& RatingScratch::operator=(RatingScratch&&) noexcept = default;

core::Result<Bill> RateDays(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const DayUsage> days,
                            const RateContext& context, RatingScratch& scratch) {
  if (!context.reactive.empty()) {
    return core::Fail(core::Error::Invalid("RateDays takes reactive energy in context.reactive_days, not context.reactive"));
  }
  RatingScratch::Impl& s = scratch.impl();
  s.Bind(tariff);
  if (auto r = SplitByVersion(tariff, from_day, to_day, s.det); !r) return core::Fail(r.error());
  s.seen.assign(static_cast<size_t>(to_day - from_day), 0);
  if (auto r = s.Accumulate(tariff, from_day, to_day, days, false); !r) return core::Fail(r.error());
  if (auto r = s.Accumulate(tariff, from_day, to_day, context.reactive_days, true); !r) return core::Fail(r.error());
  s.det.missing_days = std::count(s.seen.begin(), s.seen.end(), uint8_t{0});
  return PriceDeterminants(tariff, from_day, to_day, s.det, context);
}

core::Result<Bill> RateDays(const Tariff& tariff, int32_t from_day, int32_t to_day, std::span<const DayUsage> days,
                            const RateContext& context) {
  thread_local RatingScratch scratch;
  return RateDays(tariff, from_day, to_day, days, context, scratch);
}

}  // namespace meterd::billing
