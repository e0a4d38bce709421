// SPDX-License-Identifier: Apache-2.0
// Decoders for the acquisition protocol v1 (docs/formats/acq.md).
//
// Input is parsed into a Boost.JSON DOM held in a per-thread monotonic arena that is reused from
// call to call, then walked once. Nothing here throws: the parser reports through error codes,
// and allocation failure (the only exception left) is caught at the entry points. Field paths
// for errors ("messages[3].count") are only built when an error is reported.
#include <boost/json.hpp>
#include <fmt/format.h>

#include <limits>
#include <new>
#include <optional>

#include "codec/acq/uplink.h"

namespace meterd::codec::acq {
namespace json = boost::json;

namespace {

// Where a value sits in the document: a chain of stack frames, rendered only for errors.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // empty for an array element
  size_t index = 0;

  Path Key(std::string_view k) const { return Path{this, k, 0}; }
  Path Index(size_t i) const { return Path{this, {}, i}; }

  void Render(std::string& out) const {
    if (parent) parent->Render(out);
    if (key.empty() && parent) {
      out += fmt::format("[{}]", index);
    } else if (!key.empty()) {
      if (!out.empty()) out += '.';
      out += key;
    }
  }
  std::string ToString() const {
    std::string s;
    Render(s);
    return s;
  }
};

std::string_view KindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a non-integer number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "something else";
}

// The instants a timestamp can name and FormatInstant can write back: years 0000..9999 in UTC.
constexpr int64_t kMinUnix = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxUnix = 253402300799;  // 9999-12-31T23:59:59Z
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// Reads typed members out of objects and keeps the first error ("sticky"): after a failure every
// read returns a default value and does nothing, so decoding code stays straight-line and checks
// Failed() once per element instead of after every field.
class Reader {
 public:
  bool Failed() const { return failed_; }
  core::Error TakeError() { return std::move(error_); }

  void Fail(const Path& at, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = core::Error::Invalid(std::move(message), at.ToString());
  }
  void Expected(const Path& at, std::string_view what) { Fail(at, fmt::format("expected {}", what)); }
  void Expected(const Path& at, std::string_view what, const json::value& got) {
    Fail(at, fmt::format("expected {}, got {}", what, KindName(got)));
  }

  // The member `at.key` of `o`; nullptr (and an error, when required) if absent.
  const json::value* Member(const json::object& o, const Path& at, bool required) {
    if (failed_) return nullptr;
    const json::value* v = o.if_contains(at.key);
    if (!v && required) Fail(at, "required field is missing");
    return v;
  }

  const json::object* Object(const json::value& v, const Path& at) {
    if (failed_) return nullptr;
    const json::object* o = v.if_object();
    if (!o) Expected(at, "an object", v);
    return o;
  }

  // An array of at most `max` elements; nullptr when absent and optional.
  const json::array* Array(const json::object& o, const Path& at, bool required, size_t max) {
    const json::value* v = Member(o, at, required);
    if (!v) return nullptr;
    const json::array* a = v->if_array();
    if (!a) {
      Expected(at, "an array", *v);
      return nullptr;
    }
    if (a->size() > max) {
      Expected(at, fmt::format("at most {} elements", max));
      return nullptr;
    }
    return a;
  }

  // An integer in lo..hi; `fallback` when absent and optional.
  uint64_t Unsigned(const json::object& o, const Path& at, bool required, uint64_t lo = 0,
                    uint64_t hi = kU64Max, uint64_t fallback = 0) {
    const json::value* v = Member(o, at, required);
    if (!v) return fallback;
    uint64_t n = 0;
    if (const uint64_t* u = v->if_uint64()) {
      n = *u;
    } else if (const int64_t* i = v->if_int64(); i && *i >= 0) {
      n = static_cast<uint64_t>(*i);
    } else if (v->is_int64() || v->is_double()) {
      Expected(at, fmt::format("an integer in {}..{}", lo, hi));
      return fallback;
    } else {
      Expected(at, "an integer", *v);
      return fallback;
    }
    if (n < lo || n > hi) {
      Expected(at, fmt::format("an integer in {}..{}", lo, hi));
      return fallback;
    }
    return n;
  }

  int64_t Signed(const json::object& o, const Path& at, bool required) {
    const json::value* v = Member(o, at, required);
    if (!v) return 0;
    if (const int64_t* i = v->if_int64()) return *i;
    if (v->is_uint64() || v->is_double()) {
      Expected(at, "an integer in -2^63..2^63-1");
    } else {
      Expected(at, "an integer", *v);
    }
    return 0;
  }

  bool Bool(const json::object& o, const Path& at, bool required) {
    const json::value* v = Member(o, at, required);
    if (!v) return false;
    if (const bool* b = v->if_bool()) return *b;
    Expected(at, "true or false", *v);
    return false;
  }

  // A view into the document; valid while the document is.
  std::string_view String(const json::object& o, const Path& at, bool required) {
    const json::value* v = Member(o, at, required);
    if (!v) return {};
    if (const json::string* s = v->if_string()) return std::string_view(*s);
    Expected(at, "a string", *v);
    return {};
  }

  core::Instant Instant(const json::object& o, const Path& at, bool required) {
    if (!Member(o, at, required)) return {};
    std::string_view text = String(o, at, required);
    if (failed_) return {};
    auto t = core::ParseInstant(text);
    if (!t) {
      Fail(at, t.error().message + " (RFC 3339, e.g. 2026-11-21T10:15:00Z)");
      return {};
    }
    int64_t unix_s = core::ToUnixSeconds(*t);
    if (unix_s < kMinUnix || unix_s > kMaxUnix) {
      Expected(at, "a timestamp between years 0000 and 9999 in UTC");
      return {};
    }
    return *t;
  }

  std::string Detail(const json::object& o, const Path& at) {
    std::string_view s = String(o, at, false);
    if (s.size() > kMaxDetailBytes) {
      Expected(at, fmt::format("at most {} bytes", kMaxDetailBytes));
      return {};
    }
    return std::string(s);
  }

  std::string Id(const json::object& o, const Path& at) {
    std::string_view s = String(o, at, true);
    if (failed_) return {};
    if (!core::IsValidId(s)) {
      Expected(at, "an id of 1-64 characters A-Z a-z 0-9 . _ -");
      return {};
    }
    return std::string(s);
  }

 private:
  bool failed_ = false;
  core::Error error_;
};

// Parses `text` into a DOM in the calling thread's arena. The returned value lives in that arena
// and is invalidated by the next Parse on the same thread.
class Arena {
 public:
  Arena() : parser_(json::storage_ptr(), Options()) {}

  core::Result<json::value> Parse(std::string_view text) {
    // A fresh resource each time rather than release(): in Boost 1.81 release() keeps the grown
    // block size, which doubles with every large document until allocation fails.
    resource_.reset();
    resource_.emplace(buffer_, sizeof buffer_);
    parser_.reset(json::storage_ptr(&*resource_));
    boost::system::error_code ec;
    size_t used = parser_.write(text.data(), text.size(), ec);
    if (ec) {
      return core::Fail(core::Error::Invalid(
          fmt::format("malformed JSON at offset {}: {}", used, ec.message()), ""));
    }
    return parser_.release();
  }

 private:
  static json::parse_options Options() {
    json::parse_options o;
    o.max_depth = 16;  // the protocol nests four deep; deeper input is refused early
    return o;
  }

  alignas(16) unsigned char buffer_[64 << 10];
  std::optional<json::monotonic_resource> resource_;
  json::parser parser_;
};

core::Result<json::value> ParseDocument(std::string_view text) {
  if (text.size() > kMaxUplinkBytes) {
    return core::Fail(core::Error::Invalid(
        fmt::format("body is {} bytes: at most {} allowed", text.size(), kMaxUplinkBytes), ""));
  }
  thread_local Arena arena;
  return arena.Parse(text);
}

// --- uplink --------------------------------------------------------------------------------

bool IsDeviceEvent(core::EventType t) {
  return t == core::EventType::kTamper || t == core::EventType::kPowerLoss ||
         t == core::EventType::kPowerRestored || t == core::EventType::kOutputChanged ||
         t == core::EventType::kCommandFailed;
}

void DecodeEvent(Reader& r, const json::value& v, const Path& at, DeviceEvent& e) {
  const json::object* o = r.Object(v, at);
  if (!o) return;
  Path type_at = at.Key("type");
  std::string_view type_name = r.String(*o, type_at, true);
  if (r.Failed()) return;
  auto type = core::ParseEventType(type_name);
  if (!type || !IsDeviceEvent(*type)) {
    r.Expected(type_at, "tamper, power_loss, power_restored, output_changed or command_failed");
    return;
  }
  e.type = *type;
  e.at = r.Instant(*o, at.Key("at"), true);
  e.detail = r.Detail(*o, at.Key("detail"));
}

void DecodeMessage(Reader& r, const json::value& v, const Path& at, uint64_t max_count, Message& m) {
  const json::object* o = r.Object(v, at);
  if (!o) return;
  m.seq = r.Unsigned(*o, at.Key("seq"), true, 1);
  m.at = r.Instant(*o, at.Key("at"), true);
  m.count = r.Unsigned(*o, at.Key("count"), true, 0, max_count);
  m.output_on = r.Bool(*o, at.Key("output"), true);
  Path events_at = at.Key("events");
  if (const json::array* events = r.Array(*o, events_at, false, kMaxEventsPerMessage)) {
    m.events.resize(events->size());
    for (size_t i = 0; i < events->size() && !r.Failed(); ++i) {
      DecodeEvent(r, (*events)[i], events_at.Index(i), m.events[i]);
    }
  }
}

void DecodeAck(Reader& r, const json::value& v, const Path& at, CommandAck& a) {
  const json::object* o = r.Object(v, at);
  if (!o) return;
  Path id_at = at.Key("command");
  a.id = r.Signed(*o, id_at, true);
  if (!r.Failed() && a.id < 1) r.Expected(id_at, "a command id >= 1");
  a.ok = r.Bool(*o, at.Key("ok"), true);
  a.detail = r.Detail(*o, at.Key("detail"));
}

core::Result<Uplink> DecodeUplinkDocument(const json::value& doc) {
  Reader r;
  const Path root;
  Uplink u;
  const json::object* o = r.Object(doc, root);
  if (!o) return core::Fail(r.TakeError());

  Path v_at = root.Key("v");
  if (const json::value* v = r.Member(*o, v_at, true)) {
    if (!(v->is_int64() && v->get_int64() == 1) && !(v->is_uint64() && v->get_uint64() == 1)) {
      r.Expected(v_at, "protocol version 1");
    }
  }
  u.device = r.Id(*o, root.Key("device"));
  u.meter = r.Id(*o, root.Key("meter"));

  Path medium_at = root.Key("medium");
  std::string_view medium_name = r.String(*o, medium_at, true);
  if (!r.Failed()) {
    if (auto medium = core::ParseMedium(medium_name)) {
      u.medium = *medium;
    } else {
      r.Expected(medium_at, "electricity, water, hot_water or gas");
    }
  }

  Path weight_at = root.Key("pulse_weight");
  std::string_view weight_text = r.String(*o, weight_at, true);
  if (!r.Failed()) {
    auto weight = core::Quantity::Parse(weight_text);
    if (!weight || weight->value <= 0 ||
        (weight->unit != core::Unit::kL && weight->unit != core::Unit::kM3 && weight->unit != core::Unit::kWh)) {
      r.Expected(weight_at, "a positive quantity in L, m3 or Wh, e.g. \"1 L\" or \"0.5 Wh\"");
    } else {
      u.pulse_weight = *weight;
    }
  }

  u.counter_bits = static_cast<int32_t>(r.Unsigned(*o, root.Key("counter_bits"), true, 16, 64, 32));
  Path interval_at = root.Key("interval_s");
  u.interval_s = static_cast<int32_t>(r.Unsigned(*o, interval_at, true, 60, 86400, 900));
  if (!r.Failed() && 86400 % u.interval_s != 0) {
    r.Expected(interval_at, "seconds in 60..86400 that divide a day (60, 300, 900, 3600, ...)");
  }
  u.oldest_seq = r.Unsigned(*o, root.Key("oldest_seq"), false);
  u.backlog = static_cast<uint32_t>(
      r.Unsigned(*o, root.Key("backlog"), false, 0, std::numeric_limits<uint32_t>::max()));
  if (r.Failed()) return core::Fail(r.TakeError());

  uint64_t max_count = u.counter_bits >= 64 ? kU64Max : (uint64_t{1} << u.counter_bits) - 1;
  Path messages_at = root.Key("messages");
  if (const json::array* messages = r.Array(*o, messages_at, true, kMaxMessagesPerUplink)) {
    u.messages.resize(messages->size());
    for (size_t i = 0; i < messages->size() && !r.Failed(); ++i) {
      DecodeMessage(r, (*messages)[i], messages_at.Index(i), max_count, u.messages[i]);
    }
  }
  Path acks_at = root.Key("acks");
  if (const json::array* acks = r.Array(*o, acks_at, false, kMaxMessagesPerUplink)) {
    u.acks.resize(acks->size());
    for (size_t i = 0; i < acks->size() && !r.Failed(); ++i) {
      DecodeAck(r, (*acks)[i], acks_at.Index(i), u.acks[i]);
    }
  }
  if (r.Failed()) return core::Fail(r.TakeError());
  return u;
}

// --- downlink ------------------------------------------------------------------------------

constexpr size_t kMaxCommandsPerDownlink = 1000;
constexpr size_t kMaxTypeBytes = 64;

void DecodeCommand(Reader& r, const json::value& v, const Path& at, DownlinkCommand& c) {
  const json::object* o = r.Object(v, at);
  if (!o) return;
  Path id_at = at.Key("id");
  c.id = r.Signed(*o, id_at, true);
  if (!r.Failed() && c.id < 1) r.Expected(id_at, "a command id >= 1");
  Path type_at = at.Key("type");
  std::string_view type_name = r.String(*o, type_at, true);
  if (r.Failed()) return;
  if (type_name.empty() || type_name.size() > kMaxTypeBytes) {
    r.Expected(type_at, fmt::format("a command type of 1..{} bytes", kMaxTypeBytes));
    return;
  }
  auto type = core::ParseCommandType(type_name);
  if (!type) {
    c.unknown_type = std::string(type_name);  // a newer head-end's command: the device refuses it
  } else if (*type == core::CommandType::kSetOutput) {
    c.type = *type;
    c.argument = r.Bool(*o, at.Key("on"), true) ? 1 : 0;
  } else {
    // The range is the device's to check (it refuses with an ack), so that one odd command
    // cannot make the whole downlink, and with it the ack, undecodable.
    c.type = *type;
    c.argument = r.Signed(*o, at.Key("interval_s"), true);
  }
  c.expires = r.Instant(*o, at.Key("expires"), true);
  Path key_at = at.Key("key");
  std::string_view key = r.String(*o, key_at, false);
  if (!r.Failed() && key.size() > 64) r.Expected(key_at, "a key id of at most 64 characters");
  Path sig_at = at.Key("sig");
  std::string_view sig = r.String(*o, sig_at, false);
  if (!r.Failed() && sig.size() > 256) r.Expected(sig_at, "a signature of at most 256 characters");
  if (r.Failed()) return;
  c.key_id = std::string(key);
  c.signature = std::string(sig);
}

core::Result<Downlink> DecodeDownlinkDocument(const json::value& doc) {
  Reader r;
  const Path root;
  Downlink d;
  const json::object* o = r.Object(doc, root);
  if (!o) return core::Fail(r.TakeError());
  d.ack_seq = r.Unsigned(*o, root.Key("ack"), true);
  d.server_time = r.Instant(*o, root.Key("server_time"), true);
  Path commands_at = root.Key("commands");
  if (const json::array* commands = r.Array(*o, commands_at, false, kMaxCommandsPerDownlink)) {
    d.commands.resize(commands->size());
    for (size_t i = 0; i < commands->size() && !r.Failed(); ++i) {
      DecodeCommand(r, (*commands)[i], commands_at.Index(i), d.commands[i]);
    }
  }
  if (r.Failed()) return core::Fail(r.TakeError());
  return d;
}

}  // namespace

core::Result<Uplink> DecodeUplink(std::string_view text) {
  try {
    auto doc = ParseDocument(text);
    if (!doc) return core::Fail(std::move(doc.error()));
    return DecodeUplinkDocument(*doc);
  } catch (const std::bad_alloc&) {
    return core::Fail(core::Error::Internal("out of memory decoding an uplink"));
  }
}

core::Result<Downlink> DecodeDownlink(std::string_view text) {
  try {
    auto doc = ParseDocument(text);
    if (!doc) return core::Fail(std::move(doc.error()));
    return DecodeDownlinkDocument(*doc);
  } catch (const std::bad_alloc&) {
    return core::Fail(core::Error::Internal("out of memory decoding a downlink"));
  }
}

}  // namespace meterd::codec::acq
