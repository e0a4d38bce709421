// SPDX-License-Identifier: Apache-2.0
#include "codec/c1218/reassembler.h"

#include <fmt/format.h>

#include "codec/c1218/wire.h"

namespace meterd::codec::c1218 {

using core::Result;

void Reassembler::Reset() {
  last_toggle_.reset();
  expected_sequence_.reset();
  partial_.clear();
  message_.clear();
}

Result<Reassembler::Outcome> Reassembler::Fail(size_t offset, std::string_view what) {
  expected_sequence_.reset();
  partial_.clear();
  return core::Fail(ErrorAt("c1218", offset, what));
}

Result<Reassembler::Outcome> Reassembler::Push(const Packet& packet) {
  if (last_toggle_ && *last_toggle_ == packet.toggle) return Outcome::kDuplicate;
  if (!packet.multi_packet) {
    if (expected_sequence_) {
      return Fail(2, fmt::format("expected a continuation packet with sequence number {}, got a single packet",
                                 *expected_sequence_));
    }
    if (packet.data.size() > max_message_size_) {
      return Fail(4, fmt::format("expected a message of at most {} bytes, got {}", max_message_size_,
                                 packet.data.size()));
    }
    last_toggle_ = packet.toggle;
    message_ = packet.data;
    return Outcome::kComplete;
  }
  if (packet.first_packet) {
    if (expected_sequence_) {
      return Fail(2, fmt::format("expected a continuation packet with sequence number {}, got a new first packet",
                                 *expected_sequence_));
    }
    partial_.clear();
  } else {
    if (!expected_sequence_) return Fail(2, "expected a single or first packet, got a continuation packet");
    if (packet.sequence != *expected_sequence_) {
      return Fail(3, fmt::format("expected sequence number {}, got {}", *expected_sequence_, packet.sequence));
    }
  }
  if (partial_.size() + packet.data.size() > max_message_size_) {
    return Fail(4, fmt::format("expected a message of at most {} bytes, got {} so far", max_message_size_,
                               partial_.size() + packet.data.size()));
  }
  last_toggle_ = packet.toggle;
  partial_.insert(partial_.end(), packet.data.begin(), packet.data.end());
  if (packet.sequence == 0) {
    expected_sequence_.reset();
    message_ = std::move(partial_);
    partial_.clear();
    return Outcome::kComplete;
  }
  expected_sequence_ = static_cast<uint8_t>(packet.sequence - 1);
  return Outcome::kNeedMore;
}

}  // namespace meterd::codec::c1218
