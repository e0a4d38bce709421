// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "codec/c1218/request.h"
#include "codec/c1218/response_code.h"
#include "core/error.h"

// C12.18 service responses, meter to client. A response does not say which request it answers,
// so the decoder is told: DecodeResponse(RequestCode, bytes). Grammar in docs/formats/c1218.md.
//
// One spelling per message: whatever DecodeResponse accepts, EncodeResponse gives back byte for
// byte. Offsets in errors count from the first byte of the response (its response code).
namespace meterd::codec::c1218 {

// Any response code but ok, with what follows it: for rqtl and rstl the largest acceptable
// request / response size (4 bytes, see MaxSize); for others whatever the device added (sgerr
// details, a partial trace), usually nothing.
struct ErrorResponse {
  ResponseCode code = ResponseCode::kErr;
  std::vector<uint8_t> data;
  friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;
};
// The size an rqtl / rstl response names; nullopt for other codes.
std::optional<uint32_t> MaxSize(const ErrorResponse& response);

// ok with nothing after it: terminate, disconnect, every write, security, logoff, wait, deregister.
struct OkResponse {
  friend bool operator==(const OkResponse&, const OkResponse&) = default;
};

// Identify features. C12.18 devices list none; C12.22 (IEEE 1703 §5.3.2.4.1) defines these four.
enum class FeatureCode : uint8_t {
  kSecurityMechanism = 0x04,  // followed by a universal-id element (the mechanism OID)
  kSessionControl = 0x05,     // followed by 1 byte: bits 0..6 sessions supported, bit 7 sessionless supported
  kDeviceClass = 0x06,        // followed by a universal-id element
  kDeviceIdentity = 0x07,     // followed by <length 1> <format 1> <identification: length - 1 bytes>
};
inline constexpr uint8_t kEndOfFeatures = 0x00;

struct IdentifyFeature {
  FeatureCode code = FeatureCode::kSessionControl;
  // kSecurityMechanism, kDeviceClass: the universal-id element as sent: tag 0x06 (absolute OID)
  // or 0x0D (relative OID), BER length, content. c1222::DecodeUniversalId reads it.
  std::vector<uint8_t> id_element;
  uint8_t session_control = 0;    // kSessionControl
  uint8_t identity_format = 0;    // kDeviceIdentity
  std::vector<uint8_t> identity;  // kDeviceIdentity, 0..254 bytes
  friend bool operator==(const IdentifyFeature&, const IdentifyFeature&) = default;
};

struct IdentifyResponse {
  uint8_t standard = 0;  // 0 = C12.18, 1 = reserved (Industry Canada), 2 = C12.21, 3 = C12.22
  uint8_t version = 0;
  uint8_t revision = 0;
  std::vector<IdentifyFeature> features;  // the wire ends the list with 0x00
  friend bool operator==(const IdentifyResponse&, const IdentifyResponse&) = default;
};

// ok to any read: <count 2> <data> <cksum>; the checksum is checked on decode, computed on encode.
struct ReadResponse {
  std::vector<uint8_t> data;
  friend bool operator==(const ReadResponse&, const ReadResponse&) = default;
};

struct LogonResponse {
  std::optional<uint16_t> session_idle_timeout_s;  // C12.22 only: the timeout the device granted
  friend bool operator==(const LogonResponse&, const LogonResponse&) = default;
};

struct NegotiateResponse {
  uint16_t packet_size = 0;
  uint8_t nbr_packets = 0;
  std::optional<uint8_t> baud_code;  // absent when the request offered no baud rates
  friend bool operator==(const NegotiateResponse&, const NegotiateResponse&) = default;
};

struct TimingSetupResponse {  // C12.21: the values the device accepted
  uint8_t channel_traffic_timeout_s = 0;
  uint8_t inter_character_timeout_s = 0;
  uint8_t response_timeout_s = 0;
  uint8_t retries = 0;
  friend bool operator==(const TimingSetupResponse&, const TimingSetupResponse&) = default;
};

struct AuthenticateResponse {  // C12.21: <len 1> <auth-response>
  std::vector<uint8_t> data;
  friend bool operator==(const AuthenticateResponse&, const AuthenticateResponse&) = default;
};

using Response = std::variant<ErrorResponse, OkResponse, IdentifyResponse, ReadResponse, LogonResponse,
                              NegotiateResponse, TimingSetupResponse, AuthenticateResponse>;

// The response code of `response` (kOk unless it is an ErrorResponse).
ResponseCode CodeOf(const Response& response);

// Exactly one response to a request sent with code `request`. A response code other than ok
// decodes as ErrorResponse for any request; ok is followed by what that request's response
// carries. Fails for a code above 0x12, a body of the wrong size, a wrong table data checksum,
// an ok to a C12.22 network service other than deregister (c1222::DecodeResponse), or a
// `request` that is not a request code (then field "request" and no offset).
core::Result<Response> DecodeResponse(RequestCode request, std::span<const uint8_t> bytes);

// Fails for an ErrorResponse with code ok or above 0x12, rqtl/rstl without exactly 4 data bytes,
// more than 65535 read bytes, an identify feature that does not fit its grammar.
core::Result<std::vector<uint8_t>> EncodeResponse(const Response& response);

}  // namespace meterd::codec::c1218
