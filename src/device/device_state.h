// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/acq/uplink.h"
#include "core/error.h"

namespace meterd::device {

// What an acquisition device must remember across a restart, apart from its queued messages.
// Kept in the small text file `state` beside the queue log (format: docs/device.md), replaced
// atomically. Saved when the queue is acknowledged and when a command or event changes it;
// not on every sample, because the last logged message already carries seq and count.
struct DeviceState {
  uint64_t acked_seq = 0;     // the head-end has stored every seq <= this
  uint64_t next_seq = 1;      // the seq the next sample gets
  uint64_t count = 0;         // pulse counter, < 2^counter_bits
  uint64_t total_pulses = 0;  // every pulse ever counted, never wraps (for tests and the simulator)
  bool output_on = false;
  int32_t interval_s = 0;     // 0: the configured interval
  std::vector<codec::acq::CommandAck> pending_acks;   // to send in the next uplink
  std::vector<codec::acq::DeviceEvent> pending_events;  // raised since the last sample
  struct Done {
    int64_t id = 0;
    bool ok = false;
    friend bool operator==(const Done&, const Done&) = default;
  };
  std::vector<Done> recent_commands;  // the newest last; ids not to carry out twice

  friend bool operator==(const DeviceState&, const DeviceState&) = default;
};

inline constexpr size_t kMaxRecentCommands = 64;

std::string EncodeDeviceState(const DeviceState& state);
// An empty text is the state of a new device.
core::Result<DeviceState> DecodeDeviceState(std::string_view text);

}  // namespace meterd::device
