// SPDX-License-Identifier: Apache-2.0
// Interval readings at any resolution, and daily register reads.
#include <fmt/format.h>

#include "api/api.h"
#include "api/json_views.h"

namespace meterd::api {
namespace {

namespace json = boost::json;
using core::Instant;

enum class Resolution { kInterval, kHour, kDay, kMonth };

core::Result<Resolution> ParseResolution(std::string_view s) {
  if (s.empty() || s == "interval") return Resolution::kInterval;
  if (s == "hour") return Resolution::kHour;
  if (s == "day") return Resolution::kDay;
  if (s == "month") return Resolution::kMonth;
  return core::Fail(core::Error::Invalid(fmt::format("unknown resolution '{}': interval, hour, day or month", s), "resolution"));
}

// The calendar period of `resolution` in `zone` that holds the interval starting at `t`.
core::Interval Bucket(Resolution resolution, const core::TimeZone& zone, Instant t) {
  switch (resolution) {
    case Resolution::kInterval: break;
    case Resolution::kHour: {
      int64_t local = core::ToUnixSeconds(t) + zone.OffsetSeconds(t);
      int64_t into = ((local % 3600) + 3600) % 3600;
      Instant start = t - core::Seconds{into};
      return {start, start + core::Seconds{3600}};
    }
    case Resolution::kDay: {
      core::LocalDay day = zone.DayOf(t);
      return {zone.StartOf(day), zone.StartOf(day + 1)};
    }
    case Resolution::kMonth: {
      core::CivilDate c = core::CivilFromDays(zone.DayOf(t));
      core::CivilDate next = c.month == 12 ? core::CivilDate{c.year + 1, 1, 1} : core::CivilDate{c.year, c.month + 1, 1};
      return {zone.StartOf(core::DaysFromCivil({c.year, c.month, 1})), zone.StartOf(core::DaysFromCivil(next))};
    }
  }
  return {t, t};
}

core::Quality Worse(core::Quality a, core::Quality b) {
  auto rank = [](core::Quality q) { return q == core::Quality::kValid ? 0 : q == core::Quality::kEstimated ? 1 : 2; };
  return rank(a) >= rank(b) ? a : b;
}

Response Readings(Api& api, Request& req, const RouteParams& params, const Caller&) {
  auto meter = api.store().GetMeter(params.Get("id"));
  if (!meter) return ErrorResponse(meter.error());
  if (!*meter) return ErrorResponse(core::Error::NotFound(fmt::format("no meter '{}'", params.Get("id"))));
  const store::MeterRecord& m = **meter;
  core::Channel channel = core::PulseChannel(m.medium);
  if (auto it = req.query.find("channel"); it != req.query.end() && !it->second.empty()) {
    auto c = core::ParseChannel(it->second);
    if (!c) return ErrorResponse(c.error());
    channel = *c;
  }
  auto resolution = ParseResolution(req.query.contains("resolution") ? req.query.find("resolution")->second : "");
  if (!resolution) return ErrorResponse(resolution.error());
  auto from = QueryInstant(req, "from");
  if (!from) return ErrorResponse(from.error());
  auto to = QueryInstant(req, "to");
  if (!to) return ErrorResponse(to.error());
  if (!*from) return ErrorResponse(core::Error::Invalid("from is required (RFC 3339)", "from"));
  if (!*to) return ErrorResponse(core::Error::Invalid("to is required (RFC 3339)", "to"));
  if (**to <= **from) return ErrorResponse(core::Error::Invalid("to must be after from", "to"));
  if ((**to - **from).count() > int64_t{5} * 366 * 86400) {
    return ErrorResponse(core::Error::Invalid("at most five years per request", "to"));
  }
  auto zone = core::TimeZone::Find(m.time_zone);
  if (!zone) return ErrorResponse(core::Error::Internal(zone.error().message));
  auto intervals = api.store().Intervals(m.id, channel, *zone, core::Interval{**from, **to});
  if (!intervals) return ErrorResponse(intervals.error());

  core::Unit unit = core::ChannelUnit(channel);
  core::Quantity total{0, 0, unit};
  json::array points;
  struct Open {
    core::Interval span;
    core::Quantity sum;
    core::Quality quality;
  };
  std::optional<Open> open;
  auto flush = [&] {
    if (!open) return;
    json::object p;
    p["start"] = core::FormatInstant(open->span.start);
    p["end"] = core::FormatInstant(open->span.end);
    p["value"] = open->sum.DecimalString();
    p["quality"] = core::QualityName(open->quality);
    points.push_back(std::move(p));
    open.reset();
  };
  for (const auto& iv : *intervals) {
    auto sum = core::Add(total, iv.value);
    if (!sum) return ErrorResponse(core::Error::Internal(sum.error().message));
    total = *sum;
    core::Interval span = *resolution == Resolution::kInterval ? core::Interval{iv.start, iv.end}
                                                                : Bucket(*resolution, *zone, iv.start);
    if (open && open->span.start == span.start && *resolution != Resolution::kInterval) {
      auto s = core::Add(open->sum, iv.value);
      if (!s) return ErrorResponse(core::Error::Internal(s.error().message));
      open->sum = *s;
      open->quality = Worse(open->quality, iv.quality);
      continue;
    }
    flush();
    open = Open{span, iv.value, iv.quality};
  }
  flush();
  json::object root;
  root["meter"] = m.id;
  root["channel"] = core::ChannelName(channel);
  root["unit"] = core::UnitSymbol(unit);
  root["resolution"] = req.query.contains("resolution") && !req.query.find("resolution")->second.empty()
                           ? req.query.find("resolution")->second
                           : std::string("interval");
  root["time_zone"] = m.time_zone;
  root["from"] = core::FormatInstant(**from);
  root["to"] = core::FormatInstant(**to);
  root["total"] = total.DecimalString();
  root["points"] = std::move(points);
  return Json(200, json::serialize(root));
}

Response Registers(Api& api, Request& req, const RouteParams& params, const Caller&) {
  auto meter = api.store().GetMeter(params.Get("id"));
  if (!meter) return ErrorResponse(meter.error());
  if (!*meter) return ErrorResponse(core::Error::NotFound(fmt::format("no meter '{}'", params.Get("id"))));
  const store::MeterRecord& m = **meter;
  auto day_param = [&](std::string_view name) -> core::Result<core::LocalDay> {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) {
      return core::Fail(core::Error::Invalid(fmt::format("{} is required (YYYY-MM-DD)", name), std::string(name)));
    }
    auto d = core::ParseDay(it->second);
    if (!d) return core::Fail(core::Error::Invalid(d.error().message, std::string(name)));
    return *d;
  };
  auto from = day_param("from");
  if (!from) return ErrorResponse(from.error());
  auto to = day_param("to");
  if (!to) return ErrorResponse(to.error());
  if (*to < *from) return ErrorResponse(core::Error::Invalid("to must not be before from", "to"));
  if (*to - *from > 3660) return ErrorResponse(core::Error::Invalid("at most ten years per request", "to"));
  core::Channel channel = core::PulseChannel(m.medium);
  auto regs = api.store().Registers(m.id, channel, *from, *to);
  if (!regs) return ErrorResponse(regs.error());
  json::array items;
  for (const auto& r : *regs) {
    json::object o;
    o["day"] = core::FormatDay(r.day);
    o["at"] = core::FormatInstant(r.at);
    o["value"] = r.value.DecimalString();
    o["unit"] = core::UnitSymbol(r.value.unit);
    items.push_back(std::move(o));
  }
  json::object root;
  root["meter"] = m.id;
  root["channel"] = core::ChannelName(channel);
  root["items"] = std::move(items);
  return Json(200, json::serialize(root));
}

// The newest instantaneous values of a polled meter (temperatures, flow, voltages, ...).
Response Present(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto meter = api.store().GetMeter(params.Get("id"));
  if (!meter) return ErrorResponse(meter.error());
  if (!*meter) return ErrorResponse(core::Error::NotFound(fmt::format("no meter '{}'", params.Get("id"))));
  auto values = api.store().PresentValues((*meter)->id);
  if (!values) return ErrorResponse(values.error());
  json::array items;
  for (const auto& v : *values) {
    items.push_back(json::object{{"name", v.name}, {"value", v.value.DecimalString()},
                                 {"unit", core::UnitSymbol(v.value.unit)}, {"at", core::FormatInstant(v.at)}});
  }
  json::object root;
  root["meter"] = (*meter)->id;
  root["items"] = std::move(items);
  return Json(200, json::serialize(root));
}

}  // namespace

void AddReadingRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/meters/{id}/readings", Access::kUser, P::kReadingsRead, Scope::kMeterParam,
                    "Interval consumption at interval, hour, day or month resolution", Readings});
  routes.push_back({"GET", "/api/v1/meters/{id}/registers", Access::kUser, P::kReadingsRead, Scope::kMeterParam, "Daily register (index) reads", Registers});
  routes.push_back({"GET", "/api/v1/meters/{id}/present", Access::kUser, P::kReadingsRead, Scope::kMeterParam,
                    "A polled meter's newest instantaneous values (temperatures, flow, voltage, ...)", Present});
}

}  // namespace meterd::api
