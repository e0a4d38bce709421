// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "codec/c1218/packet.h"
#include "core/error.h"

namespace meterd::codec::c1218 {

// Joins the packets one side receives into service messages (ANSI C12.18 data link):
// - a packet whose toggle bit equals that of the last accepted packet is a retransmission: the
//   receiver ACKs it and drops it (kDuplicate);
// - a single packet (multi-packet bit clear) is a whole message;
// - a multi-packet transmission starts with the first-packet bit and sequence number N (packets
//   still to follow), and each following packet counts down by one to 0, which ends it.
// Anything else (a continuation without a first packet, a skipped or repeated sequence number, a
// new message before the last one ended, a message larger than the limit) is an error naming
// the offset in the offending packet (2 = control, 3 = sequence number); the partial message is
// dropped and the toggle bit is not recorded, so the sender's retry can start over.
// Not thread-safe: one per receiving direction of a session.
class Reassembler {
 public:
  enum class Outcome { kNeedMore, kComplete, kDuplicate };

  // `max_message_size`: the largest message accepted; the default is what 256 packets of the
  // largest size carry.
  explicit Reassembler(size_t max_message_size = 256 * kMaxPacketData) : max_message_size_(max_message_size) {}

  core::Result<Outcome> Push(const Packet& packet);

  // The message completed by the last Push that returned kComplete (moved out).
  std::vector<uint8_t> TakeMessage() { return std::move(message_); }

  // Forgets the toggle bit and any partial message, as at the start of a session.
  void Reset();

  bool in_progress() const { return expected_sequence_.has_value(); }

 private:
  core::Result<Outcome> Fail(size_t offset, std::string_view what);

  size_t max_message_size_;
  std::optional<bool> last_toggle_;
  std::optional<uint8_t> expected_sequence_;  // set while a multi-packet transmission is open
  std::vector<uint8_t> partial_;
  std::vector<uint8_t> message_;
};

}  // namespace meterd::codec::c1218
