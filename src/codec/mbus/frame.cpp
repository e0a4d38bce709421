// SPDX-License-Identifier: Apache-2.0
// EN 13757-2 §5 telegram formats. Checks run in wire order so the first error reported is the
// first byte that is wrong.
#include "codec/mbus/frame.h"

#include <fmt/format.h>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/control_field.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

core::Error At(size_t offset, std::string message) { return ByteReader::ErrorAt(offset, std::move(message)); }

// The C fields EN 13757-2 allows in a short frame: SND_NKE and REQ_UD1/REQ_UD2 with FCV set.
bool ValidShortControl(uint8_t c) {
  return c == control::kSndNke || control::WithFcb(c, false) == control::kReqUd1 ||
         control::WithFcb(c, false) == control::kReqUd2;
}

// ... and in a control or long frame: SND_UD with FCV set, or RSP_UD with any ACD/DFC.
bool ValidLongControl(uint8_t c) {
  return control::WithFcb(c, false) == control::kSndUd || control::IsRspUd(c);
}

std::string ControlNote(uint8_t c) {
  std::string text = fmt::format("C field 0x{:02X}: {}", c, ControlName(c));
  if (control::FromMaster(c)) {
    if (control::Fcv(c)) text += fmt::format(", FCB={}", control::Fcb(c) ? 1 : 0);
  } else {
    if (control::Acd(c)) text += ", ACD (access demand)";
    if (control::Dfc(c)) text += ", DFC (slave busy)";
  }
  return text;
}

std::string AddressNote(uint8_t a) {
  switch (a) {
    case address::kNetworkLayer: return "A field 0xFD: slave selected by secondary address";
    case address::kBroadcastReply: return "A field 0xFE: broadcast, all slaves reply";
    case address::kBroadcastNoReply: return "A field 0xFF: broadcast, no reply";
    default: return fmt::format("A field {}: primary address", a);
  }
}

core::Result<Frame> DecodeShort(std::span<const uint8_t> b, ByteReader& r) {
  if (b.size() < 5) {
    return Fail(At(b.size(), fmt::format("short frame truncated: expected 5 bytes, got {}", b.size())));
  }
  if (b.size() > 5) return Fail(At(5, fmt::format("{} bytes after the end of a short frame", b.size() - 5)));
  Frame f;
  f.type = FrameType::kShort;
  f.control = b[1];
  f.address = b[2];
  if (!ValidShortControl(f.control)) {
    return Fail(At(1, fmt::format("C field 0x{:02X} is not allowed in a short frame (expected SND_NKE 40, "
                                  "REQ_UD1 5A/7A or REQ_UD2 5B/7B)",
                                  f.control)));
  }
  const uint8_t sum = Checksum(b.subspan(1, 2));
  if (b[3] != sum) return Fail(At(3, fmt::format("checksum 0x{:02X} does not match 0x{:02X}", b[3], sum)));
  if (b[4] != kStopByte) return Fail(At(4, fmt::format("expected stop byte 16, got {:02X}", b[4])));
  if (r.explaining()) {
    r.Note(0, 1, "start of short frame");
    r.Note(1, 1, ControlNote(f.control));
    r.Note(2, 1, AddressNote(f.address));
    r.Note(3, 1, fmt::format("checksum 0x{:02X}", sum));
    r.Note(4, 1, "stop");
  }
  return f;
}

core::Result<Frame> DecodeLong(std::span<const uint8_t> b, ByteReader& r) {
  if (b.size() < 4) {
    return Fail(At(b.size(), fmt::format("long frame truncated: expected 68 L L 68, got {} bytes", b.size())));
  }
  const size_t length = b[1];
  if (length < 3) return Fail(At(1, fmt::format("length field {} is below 3 (C, A and CI)", length)));
  if (b[2] != b[1]) {
    return Fail(At(2, fmt::format("second length field {} differs from the first, {}", b[2], b[1])));
  }
  if (b[3] != kLongStart) return Fail(At(3, fmt::format("expected second start byte 68, got {:02X}", b[3])));
  const size_t total = length + 6;
  if (b.size() < total) {
    return Fail(At(b.size(), fmt::format("frame truncated: L={} needs {} bytes, got {}", length, total, b.size())));
  }
  if (b.size() > total) {
    return Fail(At(total, fmt::format("{} bytes after the end of the frame (L={})", b.size() - total, length)));
  }
  Frame f;
  f.type = length == 3 ? FrameType::kControl : FrameType::kLong;
  f.control = b[4];
  f.address = b[5];
  f.ci = b[6];
  if (!ValidLongControl(f.control)) {
    return Fail(At(4, fmt::format("C field 0x{:02X} is not allowed in a {} frame (expected SND_UD 53/73 or "
                                  "RSP_UD 08/18/28/38)",
                                  f.control, FrameTypeName(f.type))));
  }
  const uint8_t sum = Checksum(b.subspan(4, length));
  if (b[4 + length] != sum) {
    return Fail(At(4 + length, fmt::format("checksum 0x{:02X} does not match 0x{:02X}", b[4 + length], sum)));
  }
  if (b[5 + length] != kStopByte) {
    return Fail(At(5 + length, fmt::format("expected stop byte 16, got {:02X}", b[5 + length])));
  }
  f.data.assign(b.begin() + kFrameDataOffset, b.begin() + 4 + length);
  if (r.explaining()) {
    r.Note(0, 1, fmt::format("start of {} frame", FrameTypeName(f.type)));
    r.Note(1, 2, fmt::format("length L={} (C, A, CI and {} data bytes), sent twice", length, length - 3));
    r.Note(3, 1, "second start byte");
    r.Note(4, 1, ControlNote(f.control));
    r.Note(5, 1, AddressNote(f.address));
    r.Note(6, 1, fmt::format("CI field 0x{:02X}", f.ci));
    r.Note(4 + length, 1, fmt::format("checksum 0x{:02X}", sum));
    r.Note(5 + length, 1, "stop");
  }
  return f;
}

}  // namespace

std::string_view FrameTypeName(FrameType type) {
  switch (type) {
    case FrameType::kAck: return "single character";
    case FrameType::kShort: return "short";
    case FrameType::kControl: return "control";
    case FrameType::kLong: return "long";
  }
  return "unknown";
}

std::string_view ControlName(uint8_t c) {
  if (control::FromMaster(c)) {
    switch (control::Function(c)) {
      case control::kFunctionSndNke: return "SND_NKE";
      case control::kFunctionSndUd: return "SND_UD";
      case control::kFunctionReqUd1: return "REQ_UD1";
      case control::kFunctionReqUd2: return "REQ_UD2";
      default: return "unknown";
    }
  }
  return control::Function(c) == control::kFunctionRspUd ? "RSP_UD" : "unknown";
}

uint8_t Checksum(std::span<const uint8_t> bytes) {
  uint8_t sum = 0;
  for (uint8_t b : bytes) sum = static_cast<uint8_t>(sum + b);
  return sum;
}

core::Result<Frame> DecodeFrame(std::span<const uint8_t> bytes, Explainer* explain) {
  ByteReader r(bytes, 0, explain);
  if (bytes.empty()) return Fail(At(0, "expected a start byte (E5, 10 or 68), but the input is empty"));
  switch (bytes[0]) {
    case kAckByte:
      if (bytes.size() > 1) return Fail(At(1, fmt::format("{} bytes after a single-character E5", bytes.size() - 1)));
      r.Note(0, 1, "single character E5 (acknowledge)");
      return Frame{};
    case kShortStart: return DecodeShort(bytes, r);
    case kLongStart: return DecodeLong(bytes, r);
    default: return Fail(At(0, fmt::format("expected a start byte (E5, 10 or 68), got {:02X}", bytes[0])));
  }
}

core::Result<std::vector<uint8_t>> EncodeFrame(const Frame& frame) {
  std::vector<uint8_t> out;
  switch (frame.type) {
    case FrameType::kAck: out.push_back(kAckByte); return out;
    case FrameType::kShort: {
      const uint8_t cs = static_cast<uint8_t>(frame.control + frame.address);
      out = {kShortStart, frame.control, frame.address, cs, kStopByte};
      return out;
    }
    case FrameType::kControl:
      if (!frame.data.empty()) {
        return Fail(core::Error::Invalid("a control frame carries no data; use a long frame", "data"));
      }
      break;
    case FrameType::kLong:
      if (frame.data.empty()) return Fail(core::Error::Invalid("a long frame needs data; use a control frame", "data"));
      if (frame.data.size() > kMaxFrameData) {
        return Fail(core::Error::Invalid(
            fmt::format("{} data bytes do not fit a long frame (at most {})", frame.data.size(), kMaxFrameData),
            "data"));
      }
      break;
  }
  const auto length = static_cast<uint8_t>(frame.data.size() + 3);
  out.reserve(frame.data.size() + 9);
  out = {kLongStart, length, length, kLongStart, frame.control, frame.address, frame.ci};
  out.insert(out.end(), frame.data.begin(), frame.data.end());
  out.push_back(Checksum(std::span<const uint8_t>(out).subspan(4)));
  out.push_back(kStopByte);
  return out;
}

}  // namespace meterd::codec::mbus
