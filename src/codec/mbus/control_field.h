// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

// The C field of the link layer (EN 13757-2 §5.4):
//   bit 7  0 (reserved)
//   bit 6  PRM: 1 = master to slave, 0 = slave to master
//   bit 5  FCB (frame count bit, master) / ACD (access demand, slave)
//   bit 4  FCV (frame count bit valid, master) / DFC (data flow control, slave)
//   bits 3..0  function
namespace meterd::codec::mbus::control {

inline constexpr uint8_t kPrm = 0x40;
inline constexpr uint8_t kFcb = 0x20;
inline constexpr uint8_t kFcv = 0x10;
inline constexpr uint8_t kAcd = 0x20;
inline constexpr uint8_t kDfc = 0x10;

// Values as sent, with FCB = 0 and, where the function uses the frame count, FCV = 1.
inline constexpr uint8_t kSndNke = 0x40;  // link reset (short frame)
inline constexpr uint8_t kSndUd = 0x53;   // send user data (long or control frame)
inline constexpr uint8_t kReqUd1 = 0x5A;  // request class 1 data (short frame)
inline constexpr uint8_t kReqUd2 = 0x5B;  // request class 2 data (short frame)
inline constexpr uint8_t kRspUd = 0x08;   // respond user data (long frame)

inline constexpr uint8_t kFunctionSndNke = 0x0;
inline constexpr uint8_t kFunctionSndUd = 0x3;
inline constexpr uint8_t kFunctionRspUd = 0x8;
inline constexpr uint8_t kFunctionReqUd1 = 0xA;
inline constexpr uint8_t kFunctionReqUd2 = 0xB;

constexpr bool FromMaster(uint8_t c) { return (c & kPrm) != 0; }
constexpr uint8_t Function(uint8_t c) { return c & 0x0F; }
constexpr bool Fcb(uint8_t c) { return FromMaster(c) && (c & kFcb) != 0; }
constexpr bool Fcv(uint8_t c) { return FromMaster(c) && (c & kFcv) != 0; }
constexpr bool Acd(uint8_t c) { return !FromMaster(c) && (c & kAcd) != 0; }
constexpr bool Dfc(uint8_t c) { return !FromMaster(c) && (c & kDfc) != 0; }
constexpr uint8_t WithFcb(uint8_t c, bool fcb) { return fcb ? (c | kFcb) : (c & ~kFcb); }

// A RSP_UD from a slave, whatever its ACD and DFC bits.
constexpr bool IsRspUd(uint8_t c) { return (c & 0xCF) == kRspUd; }

}  // namespace meterd::codec::mbus::control

namespace meterd::codec::mbus::address {

inline constexpr uint8_t kUnconfigured = 0x00;  // factory default primary address
inline constexpr uint8_t kMaxPrimary = 250;     // 1..250 are primary addresses
inline constexpr uint8_t kNetworkLayer = 0xFD;  // the slave selected by secondary address
inline constexpr uint8_t kBroadcastReply = 0xFE;
inline constexpr uint8_t kBroadcastNoReply = 0xFF;

}  // namespace meterd::codec::mbus::address
