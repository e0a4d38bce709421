// SPDX-License-Identifier: Apache-2.0
#include "api/json_views.h"

namespace meterd::api {

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

}  // namespace meterd::api
