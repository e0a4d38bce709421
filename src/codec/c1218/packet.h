// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/error.h"

// The ANSI C12.18 data-link packet (optical port; also the datalink of C12.21 and of C12.22 on
// a serial line). Grammar in docs/formats/c1218.md:
//
//   <stp 0xEE> <identity 1> <ctrl 1> <seq-nbr 1> <length 2, BE> <data 0..8183> <crc 2, low byte first>
//
// Pure: bytes in, Packet out, and back. Decoders take exactly one packet and nothing after it;
// errors are kInvalidArgument, message "c1218: byte N: ...", field "offset N".
namespace meterd::codec::c1218 {

inline constexpr uint8_t kStartOfPacket = 0xEE;
inline constexpr uint8_t kAck = 0x06;  // link-level acknowledgement, sent alone after each packet
inline constexpr uint8_t kNak = 0x15;  // link-level negative acknowledgement
inline constexpr size_t kPacketHeaderSize = 6;  // stp, identity, ctrl, seq-nbr, length
inline constexpr size_t kPacketOverhead = 8;    // header + CRC
inline constexpr size_t kMaxPacketData = 8183;  // largest length field
inline constexpr size_t kMaxPacketSize = kMaxPacketData + kPacketOverhead;

// Bits of the control byte.
inline constexpr uint8_t kCtrlMultiPacket = 0x80;  // part of a multi-packet transmission
inline constexpr uint8_t kCtrlFirstPacket = 0x40;  // first packet of a multi-packet transmission
inline constexpr uint8_t kCtrlToggle = 0x20;       // alternates per new packet; same value = retransmission
inline constexpr uint8_t kCtrlReserved = 0x1C;     // bits 4..2
inline constexpr uint8_t kCtrlDataFormat = 0x03;   // bits 1..0: 0 in C12.18

struct Packet {
  uint8_t identity = 0;  // 0 in C12.18; the device identity in C12.21
  bool multi_packet = false;
  bool first_packet = false;  // only with multi_packet
  bool toggle = false;
  uint8_t reserved = 0;       // control bits 4..2 as received (0 when we send)
  uint8_t data_format = 0;    // control bits 1..0
  uint8_t sequence = 0;       // packets still to follow: counts down, 0 on the last or only one
  std::vector<uint8_t> data;  // the (part of the) service request or response, 0..8183 bytes
  friend bool operator==(const Packet&, const Packet&) = default;
};

uint8_t ControlByte(const Packet& packet);

// Exactly one packet. Checks, in wire order: start byte, control (first-packet needs
// multi-packet; a single packet has sequence 0), length <= 8183, that `bytes` holds exactly
// 8 + length bytes, and the CRC.
core::Result<Packet> DecodePacket(std::span<const uint8_t> bytes);

// The bytes of `packet`, CRC appended. Fails for more than 8183 data bytes, a first-packet flag
// without multi-packet, a single packet with a sequence number, or out-of-range bit fields.
core::Result<std::vector<uint8_t>> EncodePacket(const Packet& packet);

// For reading a byte stream: the size of the packet that starts at `prefix[0]` (8 + length),
// nullopt while fewer than 6 bytes are there, or an error for a wrong start byte or length.
core::Result<std::optional<size_t>> PacketSize(std::span<const uint8_t> prefix);

// Splits one service message into packets of at most `max_packet_size` bytes each (header and
// CRC included, as negotiated): one single packet if it fits, else a multi-packet transmission
// with sequence numbers counting down to 0. The first packet's toggle bit is `toggle`; each
// following packet flips it, and `toggle` is left holding the value for the next new packet.
// Fails for an empty message, a packet size below 9 or above 8191, or more than 256 packets.
core::Result<std::vector<Packet>> SegmentMessage(std::span<const uint8_t> message, size_t max_packet_size,
                                                 bool& toggle, uint8_t identity = 0);

}  // namespace meterd::codec::c1218
