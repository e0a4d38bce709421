// SPDX-License-Identifier: Apache-2.0
#include "device/acq_device.h"

#include "security/crypto.h"

#include <fmt/format.h>

#include <algorithm>

namespace meterd::device {
namespace {

namespace acq = codec::acq;

constexpr int64_t kFirstRetryS = 30;
constexpr int64_t kMaxRetryS = 3600;

uint64_t CounterMask(int32_t bits) { return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

uint64_t Hash(std::string_view s, uint64_t salt) {  // FNV-1a, then a splitmix finaliser
  uint64_t h = 1469598103934665603ull ^ salt;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

// Details are sent in acks and events, which allow kMaxDetailBytes; cut on a UTF-8 boundary.
std::string Clip(std::string s) {
  if (s.size() <= acq::kMaxDetailBytes) return s;
  size_t n = acq::kMaxDetailBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

}  // namespace

AcqDevice::AcqDevice(AcqDeviceConfig config, MessageQueue queue)
    : config_(std::move(config)), queue_(std::move(queue)), state_(queue_.State()) {}

core::Result<AcqDevice> AcqDevice::Open(AcqDeviceConfig config) {
  if (!core::IsValidId(config.id)) return core::Fail(core::Error::Invalid("bad device id", "id"));
  if (!core::IsValidId(config.meter)) return core::Fail(core::Error::Invalid("bad meter id", "meter"));
  if (config.counter_bits < 16 || config.counter_bits > 64) {
    return core::Fail(core::Error::Invalid("counter_bits must be 16..64", "counter_bits"));
  }
  if (!core::CheckCommandArgument(core::CommandType::kSetInterval, config.interval_s)) {
    return core::Fail(core::Error::Invalid("interval_s must be 60..86400 and divide a day", "interval_s"));
  }
  auto queue = MessageQueue::Open({config.state_dir, config.fsync});
  if (!queue) return core::Fail(std::move(queue.error()));
  AcqDevice device(std::move(config), std::move(*queue));
  DeviceState& s = device.state_;
  if (s.interval_s == 0) s.interval_s = device.config_.interval_s;
  // The log may be ahead of the saved state: samples are logged without saving the state.
  // Then the last logged message is the truth for seq, count and output, and the events
  // saved as pending went into the first of those samples.
  const MessageQueue& q = device.queue_;
  if (q.LastSeq() >= s.next_seq) {
    if (!q.Pending().empty() && q.Pending().back().seq == q.LastSeq()) {
      const acq::Message& last = q.Pending().back();
      uint64_t mask = CounterMask(device.config_.counter_bits);
      s.total_pulses += (last.count - s.count) & mask;
      s.count = last.count;
      s.output_on = last.output_on;
    }
    s.next_seq = q.LastSeq() + 1;
    s.pending_events.clear();
  }
  return device;
}

void AcqDevice::AddPulses(uint64_t n) {
  state_.count = (state_.count + n) & CounterMask(config_.counter_bits);
  state_.total_pulses += n;
}

core::Result<void> AcqDevice::Sample(core::Instant at) {
  acq::Message m{state_.next_seq, at, state_.count, state_.output_on, state_.pending_events};
  if (auto r = queue_.Append(m); !r) return r;
  ++state_.next_seq;
  state_.pending_events.clear();
  return {};
}

core::Result<void> AcqDevice::RaiseEvent(core::EventType type, core::Instant at, std::string detail) {
  auto& events = state_.pending_events;
  if (events.size() >= acq::kMaxEventsPerMessage) events.erase(events.begin());
  events.push_back({type, at, Clip(std::move(detail))});
  return queue_.SaveState(state_);  // events are rare and must survive a restart
}

std::optional<std::string> AcqDevice::NextUplink(core::Instant now, size_t max_messages) {
  const auto& pending = queue_.Pending();
  if (now < retry_at_ || (pending.empty() && state_.pending_acks.empty())) return std::nullopt;
  acq::Uplink u;
  u.device = config_.id;
  u.meter = config_.meter;
  u.medium = config_.medium;
  u.pulse_weight = config_.pulse_weight;
  u.counter_bits = config_.counter_bits;
  u.interval_s = state_.interval_s;
  u.backlog = static_cast<uint32_t>(std::min<size_t>(pending.size(), UINT32_MAX));
  u.oldest_seq = pending.empty() ? 0 : pending.front().seq;
  size_t n = std::min({pending.size(), max_messages, acq::kMaxMessagesPerUplink});
  u.messages.assign(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
  u.acks = state_.pending_acks;
  acks_in_flight_ = u.acks.size();
  return acq::EncodeUplink(u);
}

acq::CommandAck AcqDevice::Carry(const acq::DownlinkCommand& c, core::Instant now) {
  auto& recent = state_.recent_commands;
  auto seen = std::find_if(recent.begin(), recent.end(), [&](const DeviceState::Done& d) { return d.id == c.id; });
  if (seen != recent.end()) return {c.id, seen->ok, "already handled"};  // a repeat: ack again, do nothing
  // Authenticity first. A command refused here is not remembered, so a forged command cannot
  // take the id of a genuine one or push the replay window forward.
  if (!config_.trusted_keys.empty()) {
    if (c.signature.empty()) return {c.id, false, "unsigned command refused"};
    auto key = config_.trusted_keys.find(c.key_id);
    if (key == config_.trusted_keys.end()) return {c.id, false, Clip(fmt::format("unknown signing key '{}'", c.key_id))};
    if (!security::Ed25519Verify(key->second, acq::CommandSigningBytes(config_.id, c), c.signature)) {
      return {c.id, false, "bad signature: command refused"};
    }
  }
  acq::CommandAck ack{c.id, true, ""};
  int64_t newest = 0;
  for (const auto& d : recent) newest = std::max(newest, d.id);
  if (c.id < newest) {
    ack = {c.id, false, fmt::format("command {} is older than command {} already handled: replay refused", c.id, newest)};
  } else if (!c.unknown_type.empty()) {
    ack = {c.id, false, Clip(fmt::format("unknown command type '{}'", c.unknown_type))};
  } else if (c.expires <= now) {
    ack = {c.id, false, fmt::format("expired at {}", core::FormatInstant(c.expires))};
  } else if (auto arg = core::CheckCommandArgument(c.type, c.argument); !arg) {
    ack = {c.id, false, Clip(arg.error().message)};
  } else if (c.type == core::CommandType::kSetOutput) {
    bool on = c.argument != 0;
    if (on != state_.output_on) {
      state_.output_on = on;
      auto& events = state_.pending_events;
      if (events.size() >= acq::kMaxEventsPerMessage) events.erase(events.begin());
      events.push_back({core::EventType::kOutputChanged, now, fmt::format("{} by command {}", on ? "on" : "off", c.id)});
    }
  } else {
    state_.interval_s = static_cast<int32_t>(c.argument);
  }
  recent.push_back({c.id, ack.ok});
  if (recent.size() > kMaxRecentCommands) recent.erase(recent.begin());
  return ack;
}

core::Result<void> AcqDevice::OnDownlink(std::string_view body, core::Instant now) {
  auto downlink = acq::DecodeDownlink(body);
  if (!downlink) return core::Fail(std::move(downlink.error()));
  // The acks of the last uplink have arrived with it.
  auto& acks = state_.pending_acks;
  acks.erase(acks.begin(), acks.begin() + static_cast<std::ptrdiff_t>(std::min(acks_in_flight_, acks.size())));
  acks_in_flight_ = 0;
  for (const auto& command : downlink->commands) acks.push_back(Carry(command, now));
  if (acks.size() > acq::kMaxMessagesPerUplink) acks.erase(acks.begin(), acks.end() - acq::kMaxMessagesPerUplink);
  failures_ = 0;
  retry_at_ = {};
  return queue_.Acknowledge(downlink->ack_seq, state_);
}

void AcqDevice::OnSendFailed(core::Instant now) {
  ++failures_;
  int64_t delay = kFirstRetryS;
  for (int i = 1; i < failures_ && delay < kMaxRetryS; ++i) delay *= 2;
  delay = std::min(delay, kMaxRetryS);
  int64_t jitter = static_cast<int64_t>(Hash(config_.id, static_cast<uint64_t>(failures_)) % static_cast<uint64_t>(delay / 4 + 1));
  retry_at_ = now + core::Seconds{delay + jitter};
}

core::Instant AcqDevice::NextSampleAt(core::Instant now) const {
  int64_t t = core::ToUnixSeconds(now);
  int64_t step = state_.interval_s;
  int64_t floor = (t >= 0 ? t / step : -((-t + step - 1) / step)) * step;
  return core::FromUnixSeconds(floor + step);
}

}  // namespace meterd::device
