// SPDX-License-Identifier: Apache-2.0
#include "device/device_state.h"

#include <fmt/format.h>

#include <charconv>

namespace meterd::device {
namespace {

constexpr std::string_view kMagic = "meterd-device-state 1";

// Free text on one line: bytes outside printable ASCII, and '%', as %XX; "-" for empty.
std::string Escape(std::string_view s) {
  if (s.empty()) return "-";
  std::string out;
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7F && c != '%') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

bool Unescape(std::string_view s, std::string& out) {
  out.clear();
  if (s == "-") return true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return false;
    auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (r.ptr != s.data() + i + 3) return false;
    out += static_cast<char>(v);
    i += 2;
  }
  return true;
}

// Splits off the next space-separated word.
std::string_view Word(std::string_view& rest) {
  size_t sp = rest.find(' ');
  std::string_view w = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  return w;
}

template <class T>
bool Number(std::string_view w, T& out) {
  auto r = std::from_chars(w.data(), w.data() + w.size(), out);
  return r.ec == std::errc() && r.ptr == w.data() + w.size();
}

}  // namespace

std::string EncodeDeviceState(const DeviceState& s) {
  std::string out(kMagic);
  out += fmt::format("\nacked_seq {}\nnext_seq {}\ncount {}\ntotal_pulses {}\noutput {}\ninterval_s {}\n",
                     s.acked_seq, s.next_seq, s.count, s.total_pulses, s.output_on ? 1 : 0, s.interval_s);
  for (const auto& a : s.pending_acks) out += fmt::format("ack {} {} {}\n", a.id, a.ok ? 1 : 0, Escape(a.detail));
  for (const auto& e : s.pending_events) {
    out += fmt::format("event {} {} {}\n", core::EventTypeName(e.type), core::ToUnixSeconds(e.at), Escape(e.detail));
  }
  for (const auto& d : s.recent_commands) out += fmt::format("done {} {}\n", d.id, d.ok ? 1 : 0);
  return out;
}

core::Result<DeviceState> DecodeDeviceState(std::string_view text) {
  DeviceState s;
  if (text.empty()) return s;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    auto bad = [&] { return core::Fail(core::Error::Corruption(fmt::format("device state line {}: '{}'", line_no, line))); };
    if (line_no == 1) {
      if (line != kMagic) return bad();
      continue;
    }
    std::string_view rest = line;
    std::string_view key = Word(rest);
    int flag = 0;
    bool ok = true;
    if (key == "acked_seq") {
      ok = Number(rest, s.acked_seq);
    } else if (key == "next_seq") {
      ok = Number(rest, s.next_seq);
    } else if (key == "count") {
      ok = Number(rest, s.count);
    } else if (key == "total_pulses") {
      ok = Number(rest, s.total_pulses);
    } else if (key == "output") {
      ok = Number(rest, flag);
      s.output_on = flag != 0;
    } else if (key == "interval_s") {
      ok = Number(rest, s.interval_s);
    } else if (key == "ack") {
      codec::acq::CommandAck a;
      ok = Number(Word(rest), a.id) && Number(Word(rest), flag) && Unescape(rest, a.detail);
      a.ok = flag != 0;
      s.pending_acks.push_back(std::move(a));
    } else if (key == "event") {
      codec::acq::DeviceEvent e;
      auto type = core::ParseEventType(Word(rest));
      int64_t at = 0;
      ok = type && Number(Word(rest), at) && Unescape(rest, e.detail);
      if (ok) {
        e.type = *type;
        e.at = core::FromUnixSeconds(at);
        s.pending_events.push_back(std::move(e));
      }
    } else if (key == "done") {
      DeviceState::Done d;
      ok = Number(Word(rest), d.id) && Number(rest, flag);
      d.ok = flag != 0;
      s.recent_commands.push_back(d);
    } else if (!line.empty()) {
      ok = false;
    }
    if (!ok) return bad();
  }
  return s;
}

}  // namespace meterd::device
