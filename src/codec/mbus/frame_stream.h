// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

// Telegram boundaries in a byte stream (a TCP connection to an M-Bus converter, a serial port):
// where the telegram at the front of the stream ends, from its start byte and L field alone
// (EN 13757-2 §5). DecodeFrame then checks the checksum, stop byte and C field.
namespace meterd::codec::mbus {

struct FrameBoundary {
  enum class Kind : uint8_t {
    kNeedMore,  // the bytes so far are the beginning of a telegram; read more
    kFrame,     // bytes[0, length) is one telegram's length worth of bytes
    kNoFrame,   // bytes[0] cannot start a telegram (bad start byte, L fields differ, L < 3, no second
                // 68): on a bus this is noise or a collision; skip `length` bytes and look again
  };
  Kind kind = Kind::kNeedMore;
  size_t length = 0;
};

// E5 is 1 byte, 10 ... a short frame 5, 68 L L 68 ... a long frame L + 6.
FrameBoundary FindFrame(std::span<const uint8_t> bytes);

}  // namespace meterd::codec::mbus
