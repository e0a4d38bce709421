// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/command.h"
#include "core/error.h"
#include "core/event.h"
#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"

// The acquisition-device protocol v1: JSON over HTTP. Grammar and semantics: docs/formats/acq.md.
namespace meterd::codec::acq {

inline constexpr size_t kMaxMessagesPerUplink = 10000;
inline constexpr size_t kMaxEventsPerMessage = 16;
inline constexpr size_t kMaxUplinkBytes = 4 << 20;  // also the limit for a downlink
inline constexpr size_t kMaxDetailBytes = 256;       // event and ack details

// Something the device saw happen. Only device-reported types are valid here: tamper,
// power_loss, power_restored, output_changed, command_failed.
struct DeviceEvent {
  core::EventType type;
  core::Instant at;
  std::string detail;  // optional, at most 256 bytes
  friend bool operator==(const DeviceEvent&, const DeviceEvent&) = default;
};

// One periodic sample.
struct Message {
  uint64_t seq = 0;        // 1, 2, 3, ... per device, never reused
  core::Instant at;        // the device's clock, UTC, normally on an interval boundary
  uint64_t count = 0;      // cumulative pulse counter, < 2^counter_bits
  bool output_on = false;  // output relay state at `at`
  std::vector<DeviceEvent> events;
  friend bool operator==(const Message&, const Message&) = default;
};

struct CommandAck {
  int64_t id = 0;
  bool ok = true;
  std::string detail;  // at most 256 bytes
  friend bool operator==(const CommandAck&, const CommandAck&) = default;
};

// A batch of messages from one device, oldest first as the device sends them (the decoder
// does not reorder or check the sequence: that is the head-end's job).
struct Uplink {
  int version = 1;
  std::string device;
  std::string meter;
  core::Medium medium = core::Medium::kWater;
  core::Quantity pulse_weight;  // as sent, e.g. 10 L or 0.5 Wh; positive
  int32_t counter_bits = 32;    // 16..64
  int32_t interval_s = 900;     // the reporting interval the device is using
  uint64_t oldest_seq = 0;      // lowest sequence the device still holds (0: holds nothing older than messages)
  uint32_t backlog = 0;         // messages queued on the device, this batch included
  std::vector<Message> messages;
  std::vector<CommandAck> acks;
  friend bool operator==(const Uplink&, const Uplink&) = default;
};

// Bytes in, Uplink or an error naming the field ("messages[3].count") and the problem.
core::Result<Uplink> DecodeUplink(std::string_view json);
std::string EncodeUplink(const Uplink& uplink);

struct DownlinkCommand {
  int64_t id = 0;
  core::CommandType type = core::CommandType::kSetOutput;
  int64_t argument = 0;  // set_output: 1 on / 0 off; set_interval: seconds
  core::Instant expires;
  // Set when "type" names a command this protocol version does not know (a newer head-end):
  // `type` and `argument` are then meaningless and the device refuses it (ack ok=false). Kept
  // rather than rejecting the whole downlink, so the ack and the other commands still get through.
  std::string unknown_type;
  // Ed25519 signature by the head-end (hex, 128 digits) over CommandSigningBytes, and the id of
  // the key that made it (16 hex digits). Empty when unsigned; devices with trusted keys refuse
  // unsigned commands.
  std::string key_id;
  std::string signature;
  friend bool operator==(const DownlinkCommand&, const DownlinkCommand&) = default;
};

// What the head-end signs for a command to `device`: the device, id, type, argument and expiry,
// so a signature cannot be moved to another device, command or time.
std::string CommandSigningBytes(std::string_view device, const DownlinkCommand& command);

// The head-end's answer to an uplink.
struct Downlink {
  uint64_t ack_seq = 0;  // highest contiguous sequence stored; the device may drop <= ack_seq
  core::Instant server_time;
  std::vector<DownlinkCommand> commands;
  friend bool operator==(const Downlink&, const Downlink&) = default;
};

core::Result<Downlink> DecodeDownlink(std::string_view json);
std::string EncodeDownlink(const Downlink& downlink);

}  // namespace meterd::codec::acq
