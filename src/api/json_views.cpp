// SPDX-License-Identifier: Apache-2.0
#include "api/json_views.h"

#include <fmt/format.h>

namespace meterd::api {

namespace json = boost::json;

boost::json::value InstantJson(core::Instant t) {
  if (core::ToUnixSeconds(t) == 0) return nullptr;
  return boost::json::string(core::FormatInstant(t));
}

std::string DeviceStatus(const store::DeviceRecord& d, core::Instant now) {
  if (core::ToUnixSeconds(d.last_seen) == 0) return "never";
  auto silent = (now - d.last_seen).count();
  int64_t interval = d.interval_s > 0 ? d.interval_s : 900;
  if (silent <= 2 * interval) return "online";
  if (silent <= 6 * interval) return "late";
  return "offline";
}

boost::json::object DeviceJson(const store::DeviceRecord& d, core::Instant now) {
  boost::json::object o;
  o["id"] = d.id;
  o["meter"] = d.meter;
  o["medium"] = core::MediumName(d.medium);
  o["pulse_weight"] = d.pulse_weight.ToString();
  o["interval_s"] = d.interval_s;
  o["counter_bits"] = d.counter_bits;
  o["created"] = InstantJson(d.created);
  o["last_seen"] = InstantJson(d.last_seen);
  o["status"] = DeviceStatus(d, now);
  o["backlog"] = d.backlog;
  o["output"] = d.output_on ? "on" : "off";
  o["acked_seq"] = d.acked_seq;
  o["register"] = nullptr;
  return o;
}

boost::json::object MeterJson(const store::MeterRecord& m) {
  boost::json::object o;
  core::Channel channel = core::PulseChannel(m.medium);
  o["id"] = m.id;
  o["medium"] = core::MediumName(m.medium);
  o["device"] = m.device;
  o["time_zone"] = m.time_zone;
  o["interval_s"] = m.interval_s;
  o["channel"] = core::ChannelName(channel);
  o["unit"] = core::UnitSymbol(core::ChannelUnit(channel));
  if (m.has_register) {
    boost::json::object reg;
    reg["value"] = m.register_value.DecimalString();
    reg["unit"] = core::UnitSymbol(m.register_value.unit);
    reg["at"] = core::FormatInstant(m.register_at);
    o["register"] = std::move(reg);
  } else {
    o["register"] = nullptr;
  }
  return o;
}

boost::json::object CommandJson(const core::Command& c) {
  boost::json::object o;
  o["id"] = c.id;
  o["device"] = c.device;
  o["type"] = core::CommandTypeName(c.type);
  o["argument"] = c.argument;
  o["state"] = core::CommandStateName(c.state);
  o["created"] = InstantJson(c.created);
  o["updated"] = InstantJson(c.updated);
  o["expires"] = InstantJson(c.expires);
  o["result"] = c.result;
  o["created_by"] = c.created_by;
  return o;
}

boost::json::object EventJson(const core::Event& e) {
  boost::json::object o;
  o["at"] = core::FormatInstant(e.at);
  o["type"] = core::EventTypeName(e.type);
  o["device"] = e.device;
  o["meter"] = e.meter;
  o["detail"] = e.detail;
  return o;
}

json::array StringsJson(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

core::Result<json::object> ParseObject(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return core::Fail(core::Error::Invalid(fmt::format("request body is not JSON: {}", ec.message())));
  if (!v.is_object()) return core::Fail(core::Error::Invalid("request body must be a JSON object"));
  return std::move(v.as_object());
}

core::Result<int64_t> IntField(const json::object& o, std::string_view name, int64_t lo, int64_t hi) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_int64()) return core::Fail(core::Error::Invalid(fmt::format("{} must be an integer", name), std::string(name)));
  int64_t x = v->as_int64();
  if (x < lo || x > hi) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be between {} and {}", name, lo, hi), std::string(name)));
  }
  return x;
}

namespace {
core::Result<std::string> CheckText(const json::value* v, std::string_view name, size_t max_bytes) {
  if (!v || !v->is_string()) return core::Fail(core::Error::Invalid(fmt::format("{} must be a string", name), std::string(name)));
  std::string_view s = v->as_string();
  if (s.empty() || s.size() > max_bytes) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be 1 to {} bytes", name, max_bytes), std::string(name)));
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      return core::Fail(core::Error::Invalid(fmt::format("{} must not contain control characters", name), std::string(name)));
    }
  }
  return std::string(s);
}
}  // namespace

core::Result<std::string> StringField(const json::object& o, std::string_view name, size_t max_bytes) {
  return CheckText(o.if_contains(name), name, max_bytes);
}

core::Result<bool> BoolField(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_bool()) return core::Fail(core::Error::Invalid(fmt::format("{} must be true or false", name), std::string(name)));
  return v->as_bool();
}

core::Result<std::vector<std::string>> StringArrayField(const json::object& o, std::string_view name, size_t max_items,
                                                        size_t max_bytes) {
  const json::value* v = o.if_contains(name);
  if (!v || !v->is_array() || v->as_array().size() > max_items) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be an array of at most {} strings", name, max_items),
                                           std::string(name)));
  }
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    auto s = CheckText(&item, name, max_bytes);
    if (!s) return core::Fail(s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace meterd::api
