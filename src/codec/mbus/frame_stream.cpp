// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/frame_stream.h"

#include "codec/mbus/frame.h"

namespace meterd::codec::mbus {

FrameBoundary FindFrame(std::span<const uint8_t> bytes) {
  using Kind = FrameBoundary::Kind;
  if (bytes.empty()) return {Kind::kNeedMore, 0};
  switch (bytes[0]) {
    case kAckByte:
      return {Kind::kFrame, 1};
    case kShortStart:
      return bytes.size() < 5 ? FrameBoundary{Kind::kNeedMore, 0} : FrameBoundary{Kind::kFrame, 5};
    case kLongStart: {
      if (bytes.size() >= 2 && bytes[1] < 3) return {Kind::kNoFrame, 1};
      if (bytes.size() >= 3 && bytes[2] != bytes[1]) return {Kind::kNoFrame, 1};
      if (bytes.size() >= 4 && bytes[3] != kLongStart) return {Kind::kNoFrame, 1};
      if (bytes.size() < 4) return {Kind::kNeedMore, 0};
      const size_t total = size_t{bytes[1]} + 6;
      return bytes.size() < total ? FrameBoundary{Kind::kNeedMore, 0} : FrameBoundary{Kind::kFrame, total};
    }
    default:
      return {Kind::kNoFrame, 1};
  }
}

}  // namespace meterd::codec::mbus
