// SPDX-License-Identifier: Apache-2.0
// C12.18 packet framing. Checks run in wire order, so the first error reported is the first
// byte that is wrong.
#include "codec/c1218/packet.h"

#include <fmt/format.h>

#include <algorithm>

#include "codec/c1218/crc.h"
#include "codec/c1218/wire.h"

namespace meterd::codec::c1218 {

using core::Fail;
using core::Result;

namespace {

constexpr std::string_view kCodec = "c1218";

Result<void> CheckControl(uint8_t ctrl, uint8_t sequence) {
  if ((ctrl & kCtrlFirstPacket) && !(ctrl & kCtrlMultiPacket)) {
    return Fail(ErrorAt(kCodec, 2,
                        fmt::format("expected the multi-packet bit with the first-packet bit, got control 0x{:02X}",
                                    ctrl)));
  }
  if (!(ctrl & kCtrlMultiPacket) && sequence != 0) {
    return Fail(ErrorAt(kCodec, 3, fmt::format("expected sequence number 0 in a single packet, got {}", sequence)));
  }
  return {};
}

}  // namespace

uint8_t ControlByte(const Packet& p) {
  return static_cast<uint8_t>((p.multi_packet ? kCtrlMultiPacket : 0) | (p.first_packet ? kCtrlFirstPacket : 0) |
                              (p.toggle ? kCtrlToggle : 0) | ((p.reserved << 2) & kCtrlReserved) |
                              (p.data_format & kCtrlDataFormat));
}

Result<std::optional<size_t>> PacketSize(std::span<const uint8_t> prefix) {
  if (prefix.empty()) return std::optional<size_t>();
  if (prefix[0] != kStartOfPacket) {
    return Fail(ErrorAt(kCodec, 0, fmt::format("expected start of packet 0xEE, got 0x{:02X}", prefix[0])));
  }
  if (prefix.size() < kPacketHeaderSize) return std::optional<size_t>();
  const size_t length = size_t{prefix[4]} << 8 | prefix[5];
  if (length > kMaxPacketData) {
    return Fail(ErrorAt(kCodec, 4, fmt::format("expected length <= {}, got {}", kMaxPacketData, length)));
  }
  return std::optional<size_t>(length + kPacketOverhead);
}

Result<Packet> DecodePacket(std::span<const uint8_t> bytes) {
  Reader r(bytes, kCodec);
  auto stp = r.U8("start of packet 0xEE");
  if (!stp) return Fail(stp.error());
  if (*stp != kStartOfPacket) {
    return Fail(ErrorAt(kCodec, 0, fmt::format("expected start of packet 0xEE, got 0x{:02X}", *stp)));
  }
  auto identity = r.U8("identity");
  if (!identity) return Fail(identity.error());
  auto ctrl = r.U8("control byte");
  if (!ctrl) return Fail(ctrl.error());
  auto seq = r.U8("sequence number");
  if (!seq) return Fail(seq.error());
  if (auto c = CheckControl(*ctrl, *seq); !c) return Fail(c.error());
  auto length = r.U16("length");
  if (!length) return Fail(length.error());
  if (*length > kMaxPacketData) {
    return Fail(ErrorAt(kCodec, 4, fmt::format("expected length <= {}, got {}", kMaxPacketData, *length)));
  }
  auto data = r.Take(*length, fmt::format("{} data bytes", *length));
  if (!data) return Fail(data.error());
  const size_t crc_at = r.offset();
  auto crc_bytes = r.Take(2, "CRC");
  if (!crc_bytes) return Fail(crc_bytes.error());
  if (auto end = r.ExpectEnd("the CRC"); !end) return Fail(end.error());
  const uint16_t received = static_cast<uint16_t>((*crc_bytes)[0] | (*crc_bytes)[1] << 8);
  const uint16_t computed = Crc16X25(bytes.first(crc_at));
  if (received != computed) {
    return Fail(ErrorAt(kCodec, crc_at,
                        fmt::format("expected CRC {:02X} {:02X} (0x{:04X}, low byte first), got {:02X} {:02X}",
                                    computed & 0xFF, computed >> 8, computed, (*crc_bytes)[0], (*crc_bytes)[1])));
  }
  Packet p;
  p.identity = *identity;
  p.multi_packet = (*ctrl & kCtrlMultiPacket) != 0;
  p.first_packet = (*ctrl & kCtrlFirstPacket) != 0;
  p.toggle = (*ctrl & kCtrlToggle) != 0;
  p.reserved = static_cast<uint8_t>((*ctrl & kCtrlReserved) >> 2);
  p.data_format = *ctrl & kCtrlDataFormat;
  p.sequence = *seq;
  p.data.assign(data->begin(), data->end());
  return p;
}

Result<std::vector<uint8_t>> EncodePacket(const Packet& p) {
  if (p.data.size() > kMaxPacketData) {
    return Fail(EncodeError(kCodec, "data", fmt::format("{} bytes; at most {} fit a packet", p.data.size(),
                                                        kMaxPacketData)));
  }
  if (p.first_packet && !p.multi_packet) return Fail(EncodeError(kCodec, "first_packet", "set without multi_packet"));
  if (!p.multi_packet && p.sequence != 0) {
    return Fail(EncodeError(kCodec, "sequence", fmt::format("{} in a single packet; expected 0", p.sequence)));
  }
  if (p.reserved > 7) return Fail(EncodeError(kCodec, "reserved", "more than 3 bits"));
  if (p.data_format > 3) return Fail(EncodeError(kCodec, "data_format", "more than 2 bits"));
  std::vector<uint8_t> out;
  out.reserve(p.data.size() + kPacketOverhead);
  out.push_back(kStartOfPacket);
  out.push_back(p.identity);
  out.push_back(ControlByte(p));
  out.push_back(p.sequence);
  PutBe16(out, static_cast<uint16_t>(p.data.size()));
  PutBytes(out, p.data);
  const uint16_t crc = Crc16X25(out);
  out.push_back(static_cast<uint8_t>(crc & 0xFF));
  out.push_back(static_cast<uint8_t>(crc >> 8));
  return out;
}

Result<std::vector<Packet>> SegmentMessage(std::span<const uint8_t> message, size_t max_packet_size, bool& toggle,
                                           uint8_t identity) {
  if (message.empty()) return Fail(EncodeError(kCodec, "message", "empty"));
  if (max_packet_size <= kPacketOverhead || max_packet_size > kMaxPacketSize) {
    return Fail(EncodeError(kCodec, "max_packet_size",
                            fmt::format("{}; expected {}..{}", max_packet_size, kPacketOverhead + 1, kMaxPacketSize)));
  }
  const size_t per_packet = max_packet_size - kPacketOverhead;
  const size_t count = (message.size() + per_packet - 1) / per_packet;
  if (count > 256) {
    return Fail(EncodeError(kCodec, "message",
                            fmt::format("{} bytes need {} packets of {} bytes; the sequence number allows 256",
                                        message.size(), count, max_packet_size)));
  }
  std::vector<Packet> packets;
  packets.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    Packet p;
    p.identity = identity;
    p.multi_packet = count > 1;
    p.first_packet = count > 1 && i == 0;
    p.toggle = toggle;
    toggle = !toggle;
    p.sequence = static_cast<uint8_t>(count - 1 - i);
    auto part = message.subspan(i * per_packet, std::min(per_packet, message.size() - i * per_packet));
    p.data.assign(part.begin(), part.end());
    packets.push_back(std::move(p));
  }
  return packets;
}

}  // namespace meterd::codec::c1218
