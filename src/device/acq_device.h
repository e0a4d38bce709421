// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "codec/acq/uplink.h"
#include "core/error.h"
#include "device/message_queue.h"

namespace meterd::device {

struct AcqDeviceConfig {
  std::string id;     // device id, e.g. "D000001"
  std::string meter;  // the meter its pulse input is wired to
  core::Medium medium = core::Medium::kWater;
  core::Quantity pulse_weight{1, 0, core::Unit::kL};
  int32_t counter_bits = 32;  // 16..64
  int32_t interval_s = 900;   // initial sampling interval; set_interval changes it
  std::string token;          // bearer token for the uplink; the transport's to use
  std::filesystem::path state_dir;  // this device's own directory
  bool fsync = false;
  // The head-end's command-signing public keys by key id (hex). When any is set, the device
  // carries out only commands signed by one of them, and refuses unsigned, forged, replayed
  // and expired ones. Several keys allow rotation: trust the new key before the head-end uses it.
  std::map<std::string, std::string> trusted_keys;
};

// One acquisition device: a pulse input counted into a wrapping counter, one output relay, and
// a persistent store-and-forward queue of samples. It has no transport: the caller posts what
// NextUplink returns to POST /api/v1/devices/{id}/uplink and hands the answer to OnDownlink,
// or calls OnSendFailed. One uplink in flight at a time. Not thread-safe. Model and files:
// docs/device.md.
class AcqDevice {
 public:
  // Loads the queue and state from config.state_dir: a restart continues seq and count where
  // the last logged sample left them (pulses added after that sample are lost, as on a device
  // that keeps its counter in RAM between samples).
  static core::Result<AcqDevice> Open(AcqDeviceConfig config);

  // Counts n pulses; the counter wraps at 2^counter_bits.
  void AddPulses(uint64_t n);
  // Appends a message (next seq, at, count, output, events raised since the last sample).
  core::Result<void> Sample(core::Instant at);
  // Remembers an event for the next sample (at most kMaxEventsPerMessage; the oldest go first).
  core::Result<void> RaiseEvent(core::EventType type, core::Instant at, std::string detail = {});

  // The body of the next uplink: the oldest unacknowledged messages (at most max_messages),
  // with oldest_seq, backlog and the pending command acks. Nothing when there is nothing to
  // send or the retry backoff has not elapsed at `now`.
  std::optional<std::string> NextUplink(core::Instant now, size_t max_messages = codec::acq::kMaxMessagesPerUplink);
  // The head-end's answer: drops acknowledged messages, carries out commands (each id once),
  // queues their acks and resets the backoff. A body that does not decode is an error and
  // changes nothing; the caller treats it as a failed send.
  core::Result<void> OnDownlink(std::string_view body, core::Instant now);
  // The uplink was not delivered: retry after 30 s, doubling per failure up to 1 h, plus a
  // jitter of up to a quarter of the delay that is a function of the device id and the attempt.
  void OnSendFailed(core::Instant now);

  size_t Backlog() const { return queue_.Pending().size(); }
  bool OutputOn() const { return state_.output_on; }
  int32_t IntervalS() const { return state_.interval_s; }
  uint64_t Count() const { return state_.count; }
  uint64_t NextSeq() const { return state_.next_seq; }
  uint64_t TotalPulses() const { return state_.total_pulses; }
  // The first boundary of the interval after `now`, aligned to the interval in UTC.
  core::Instant NextSampleAt(core::Instant now) const;
  // When NextUplink will next give something (the backoff), or any time if not backing off.
  core::Instant RetryAt() const { return retry_at_; }
  int Failures() const { return failures_; }
  const AcqDeviceConfig& Config() const { return config_; }
  const MessageQueue& Queue() const { return queue_; }

 private:
  AcqDevice(AcqDeviceConfig config, MessageQueue queue);
  codec::acq::CommandAck Carry(const codec::acq::DownlinkCommand& command, core::Instant now);

  AcqDeviceConfig config_;
  MessageQueue queue_;
  DeviceState state_;      // the live state; queue_ holds the saved one
  size_t acks_in_flight_ = 0;  // pending acks that went out in the last uplink
  int failures_ = 0;
  core::Instant retry_at_{};
};

}  // namespace meterd::device
