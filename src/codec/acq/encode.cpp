// SPDX-License-Identifier: Apache-2.0
// Encoders for the acquisition protocol v1 (docs/formats/acq.md). They write the JSON by hand:
// the simulator encodes as many uplinks as the server decodes, and a DOM would only add copies.
// Input is trusted to satisfy the rules the decoders check; what they write, they accept back.
#include <string>

#include "codec/acq/json_text.h"
#include "codec/acq/uplink.h"

namespace meterd::codec::acq {

using internal::AppendBool;
using internal::AppendInstant;
using internal::AppendInt;
using internal::AppendString;
using internal::AppendUint;

namespace {

void AppendMessage(std::string& out, const Message& m) {
  out += "{\"seq\":";
  AppendUint(out, m.seq);
  out += ",\"at\":";
  AppendInstant(out, m.at);
  out += ",\"count\":";
  AppendUint(out, m.count);
  out += ",\"output\":";
  AppendBool(out, m.output_on);
  if (!m.events.empty()) {
    out += ",\"events\":[";
    for (size_t i = 0; i < m.events.size(); ++i) {
      const DeviceEvent& e = m.events[i];
      if (i) out += ',';
      out += "{\"type\":";
      AppendString(out, core::EventTypeName(e.type));
      out += ",\"at\":";
      AppendInstant(out, e.at);
      out += ",\"detail\":";
      AppendString(out, e.detail);
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

std::string EncodeUplink(const Uplink& u) {
  std::string out;
  out.reserve(256 + u.messages.size() * 80 + u.acks.size() * 48);
  out += "{\"v\":1,\"device\":";
  AppendString(out, u.device);
  out += ",\"meter\":";
  AppendString(out, u.meter);
  out += ",\"medium\":";
  AppendString(out, core::MediumName(u.medium));
  out += ",\"pulse_weight\":";
  AppendString(out, u.pulse_weight.ToString());
  out += ",\"counter_bits\":";
  AppendInt(out, u.counter_bits);
  out += ",\"interval_s\":";
  AppendInt(out, u.interval_s);
  out += ",\"oldest_seq\":";
  AppendUint(out, u.oldest_seq);
  out += ",\"backlog\":";
  AppendUint(out, u.backlog);
  out += ",\"messages\":[";
  for (size_t i = 0; i < u.messages.size(); ++i) {
    if (i) out += ',';
    AppendMessage(out, u.messages[i]);
  }
  out += ']';
  if (!u.acks.empty()) {
    out += ",\"acks\":[";
    for (size_t i = 0; i < u.acks.size(); ++i) {
      const CommandAck& a = u.acks[i];
      if (i) out += ',';
      out += "{\"command\":";
      AppendInt(out, a.id);
      out += ",\"ok\":";
      AppendBool(out, a.ok);
      out += ",\"detail\":";
      AppendString(out, a.detail);
      out += '}';
    }
    out += ']';
  }
  out += '}';
  return out;
}

std::string EncodeDownlink(const Downlink& d) {
  std::string out;
  out.reserve(64 + d.commands.size() * 96);
  out += "{\"ack\":";
  AppendUint(out, d.ack_seq);
  out += ",\"server_time\":";
  AppendInstant(out, d.server_time);
  out += ",\"commands\":[";
  for (size_t i = 0; i < d.commands.size(); ++i) {
    const DownlinkCommand& c = d.commands[i];
    if (i) out += ',';
    out += "{\"id\":";
    AppendInt(out, c.id);
    out += ",\"type\":";
    if (!c.unknown_type.empty()) {
      AppendString(out, c.unknown_type);
    } else {
      AppendString(out, core::CommandTypeName(c.type));
      if (c.type == core::CommandType::kSetOutput) {
        out += ",\"on\":";
        AppendBool(out, c.argument != 0);
      } else {
        out += ",\"interval_s\":";
        AppendInt(out, c.argument);
      }
    }
    out += ",\"expires\":";
    AppendInstant(out, c.expires);
    if (!c.key_id.empty()) {
      out += ",\"key\":";
      AppendString(out, c.key_id);
    }
    if (!c.signature.empty()) {
      out += ",\"sig\":";
      AppendString(out, c.signature);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

std::string CommandSigningBytes(std::string_view device, const DownlinkCommand& c) {
  std::string out = "meterd-command-v1\n";
  out += device;
  out += '\n';
  AppendInt(out, c.id);
  out += '\n';
  out += c.unknown_type.empty() ? core::CommandTypeName(c.type) : std::string_view(c.unknown_type);
  out += '\n';
  AppendInt(out, c.argument);
  out += '\n';
  AppendInt(out, core::ToUnixSeconds(c.expires));
  return out;
}

}  // namespace meterd::codec::acq
