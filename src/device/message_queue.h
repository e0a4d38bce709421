// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>

#include "codec/acq/uplink.h"
#include "core/error.h"
#include "device/device_state.h"

namespace meterd::device {

// The persistent store-and-forward queue of one device, in a directory of its own:
//   queue.log  append-only records of the messages sampled (length, CRC-32, payload)
//   state      the DeviceState, including the ack watermark, replaced atomically
// Reopening returns exactly the messages not yet acknowledged, oldest first. A torn or corrupt
// record at the end of the log (a crash mid-append) is cut off, and everything after it is
// lost; it is never fatal. Format: docs/device.md.
//
// No file stays open between calls. Not thread-safe: one owner per directory.
class MessageQueue {
 public:
  struct Options {
    std::filesystem::path dir;
    bool fsync = false;          // on for a real device; the simulator leaves it off
    size_t compact_after = 1024;  // rewrite the log once this many acknowledged records lead it
  };

  // Creates the directory when missing.
  static core::Result<MessageQueue> Open(Options options);

  // Logs `message`; its seq must be above every seq logged so far.
  core::Result<void> Append(const codec::acq::Message& message);
  // Drops messages with seq <= ack_seq, saves the watermark in the state and compacts the log
  // when the acknowledged prefix has grown past compact_after.
  // An ack above the last logged seq is taken as the last logged seq.
  core::Result<void> Acknowledge(uint64_t ack_seq);
  // The same, saving `state` (apart from its acked_seq) in the same write.
  core::Result<void> Acknowledge(uint64_t ack_seq, const DeviceState& state);

  const std::deque<codec::acq::Message>& Pending() const { return pending_; }
  // The highest seq ever logged (0 when none), including acknowledged ones.
  uint64_t LastSeq() const { return last_seq_; }

  // The state as last saved (its acked_seq is kept up to date by Acknowledge).
  const DeviceState& State() const { return state_; }
  // Saves `state` (its acked_seq is ignored: the queue owns it).
  core::Result<void> SaveState(const DeviceState& state);

  // Records in queue.log, acknowledged ones included: for tests of compaction.
  size_t LogRecords() const { return log_records_; }
  // Whether the last Open cut a torn or corrupt tail off the log.
  bool DroppedTornTail() const { return dropped_tail_; }

 private:
  explicit MessageQueue(Options options) : options_(std::move(options)) {}
  std::filesystem::path LogPath() const { return options_.dir / "queue.log"; }
  std::filesystem::path StatePath() const { return options_.dir / "state"; }
  core::Result<void> Load();
  core::Result<void> Compact();

  Options options_;
  DeviceState state_;
  std::deque<codec::acq::Message> pending_;
  uint64_t last_seq_ = 0;
  size_t log_records_ = 0;
  bool dropped_tail_ = false;
};

// A message as a log record payload and back (exposed for tests and tools).
std::string EncodeRecordPayload(const codec::acq::Message& message);
core::Result<codec::acq::Message> DecodeRecordPayload(std::string_view payload);

}  // namespace meterd::device
