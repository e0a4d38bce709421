// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

// The first byte of every C12.18 / C12.22 response. 0x00..0x0A are C12.18's; 0x0B..0x12 were
// added by C12.22 (IEEE 1703); 0x13..0x1F are reserved.
namespace meterd::codec::c1218 {

enum class ResponseCode : uint8_t {
  kOk = 0x00,    // ok: acknowledge, no problems
  kErr = 0x01,   // err: rejected, reason not given
  kSns = 0x02,   // sns: service not supported
  kIsc = 0x03,   // isc: insufficient security clearance
  kOnp = 0x04,   // onp: operation not possible
  kIar = 0x05,   // iar: inappropriate action requested
  kBsy = 0x06,   // bsy: device busy
  kDnr = 0x07,   // dnr: data not ready
  kDlk = 0x08,   // dlk: data locked
  kRno = 0x09,   // rno: renegotiate request
  kIsss = 0x0A,  // isss: invalid service sequence state
  // C12.22 additions.
  kSme = 0x0B,    // sme: security mechanism error
  kUat = 0x0C,    // uat: unknown application title
  kNett = 0x0D,   // nett: network time-out
  kNetr = 0x0E,   // netr: network not reachable
  kRqtl = 0x0F,   // rqtl: request too large (followed by the largest request size, 4 bytes)
  kRstl = 0x10,   // rstl: response too large (followed by the largest response size, 4 bytes)
  kSgnp = 0x11,   // sgnp: segmentation not possible
  kSgerr = 0x12,  // sgerr: segmentation error
};

inline constexpr uint8_t kMaxResponseCode = 0x12;
inline bool IsResponseCode(uint8_t code) { return code <= kMaxResponseCode; }
inline bool IsC1222ResponseCode(ResponseCode code) { return static_cast<uint8_t>(code) >= 0x0B; }

// "isc"; "reserved" outside 0x00..0x12.
std::string_view ResponseCodeAbbreviation(ResponseCode code);
// "insufficient security clearance"; "reserved" outside 0x00..0x12.
std::string_view ResponseCodeName(ResponseCode code);

// What the requester should do about a response, as the standards intend it.
enum class ResponseAction {
  kSuccess,      // ok
  kRetryLater,   // bsy, dnr: the device cannot answer now; repeat the same request after a delay
  kRenegotiate,  // rno: renegotiate (C12.18) before going on
  kFail,         // everything else: retrying the same request will not help
};
ResponseAction ActionFor(ResponseCode code);

}  // namespace meterd::codec::c1218
