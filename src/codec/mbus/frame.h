// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "codec/mbus/explainer.h"
#include "core/error.h"

// The wired M-Bus link layer, EN 13757-2 §5: the four telegram formats. Grammar in
// docs/formats/mbus.md.
namespace meterd::codec::mbus {

inline constexpr uint8_t kAckByte = 0xE5;     // single character
inline constexpr uint8_t kShortStart = 0x10;  // 10 C A CS 16
inline constexpr uint8_t kLongStart = 0x68;   // 68 L L 68 C A CI data CS 16
inline constexpr uint8_t kStopByte = 0x16;
inline constexpr size_t kMaxFrameData = 252;   // L is one byte and counts C, A and CI too
inline constexpr size_t kFrameDataOffset = 7;  // where the data of a long frame begins
inline constexpr size_t kFrameCiOffset = 6;

enum class FrameType : uint8_t {
  kAck,      // E5
  kShort,    // 10 C A CS 16
  kControl,  // 68 03 03 68 C A CI CS 16 (a long frame without data)
  kLong,     // 68 L L 68 C A CI data CS 16, 1..252 data bytes
};

std::string_view FrameTypeName(FrameType type);

struct Frame {
  FrameType type = FrameType::kAck;
  uint8_t control = 0;        // C field (not in kAck)
  uint8_t address = 0;        // A field (not in kAck)
  uint8_t ci = 0;             // CI field (kControl and kLong)
  std::vector<uint8_t> data;  // kLong only
  friend bool operator==(const Frame&, const Frame&) = default;
};

// Exactly one telegram: `bytes` must hold the whole frame and nothing after it. Checks start and
// stop bytes, both length fields, the checksum (sum of C..data mod 256) and that the C field is a
// function EN 13757-2 allows in that format (as libmbus's mbus_frame_verify does). Errors name
// the byte offset and what was expected there.
core::Result<Frame> DecodeFrame(std::span<const uint8_t> bytes, Explainer* explain = nullptr);

// The bytes of `frame`, length and checksum computed. Fails for a kControl frame with data or a
// kLong frame whose data is empty or longer than 252 bytes.
core::Result<std::vector<uint8_t>> EncodeFrame(const Frame& frame);

// "SND_NKE", "REQ_UD2", "RSP_UD", ... or "unknown"; ignores FCB/FCV/ACD/DFC.
std::string_view ControlName(uint8_t control);

// The checksum EN 13757-2 defines: arithmetic sum without carry of C, A, CI and data.
uint8_t Checksum(std::span<const uint8_t> bytes);

}  // namespace meterd::codec::mbus
