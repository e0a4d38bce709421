// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "codec/c1218/request.h"
#include "codec/c1218/response.h"
#include "codec/c1218/response_code.h"
#include "codec/c1222/ap_title.h"
#include "core/error.h"

// The services one EPSEM carries: every C12.18 request and response (codec/c1218), plus the
// C12.22 network services that name ApTitles (IEEE 1703 §5.3.2.4.10..13): register,
// deregister, resolve and trace. ApTitles in service bodies are universal-id elements: 0x06
// (absolute) or 0x0D (relative). Grammar in docs/formats/c1222.md. Offsets in errors count
// from the service's first byte. The functions are named Decode/EncodeService* because plain
// DecodeResponse(c1218::RequestCode, ...) would be ambiguous with c1218's by argument-dependent
// lookup.
namespace meterd::codec::c1222 {

using c1218::RequestCode;
using c1218::ResponseAction;
using c1218::ResponseCode;

// Bits of RegisterRequest::node_type.
inline constexpr uint8_t kNodeRelay = 0x01;
inline constexpr uint8_t kNodeMasterRelay = 0x02;
inline constexpr uint8_t kNodeHost = 0x04;
inline constexpr uint8_t kNodeNotificationHost = 0x08;
inline constexpr uint8_t kNodeAuthenticationHost = 0x10;
inline constexpr uint8_t kNodeEndDevice = 0x20;
inline constexpr uint8_t kNodeMyDomainPattern = 0x80;  // a my-domain-pattern follows

struct RegisterRequest {
  uint8_t node_type = kNodeEndDevice;
  uint8_t connection_type = 0;  // bit 7 accept connections, 6 connection mode, 5 accept connectionless, 4 connectionless, ...
  std::array<uint8_t, 4> device_class{};
  ApTitle ap_title;
  ApTitle electronic_serial_number;
  std::vector<uint8_t> native_address;  // 0..255 bytes
  uint32_t registration_period_s = 0;   // 24 bits
  // Present exactly when node_type has kNodeMyDomainPattern: <length 1> <pattern>.
  std::optional<std::vector<uint8_t>> my_domain_pattern;
  friend bool operator==(const RegisterRequest&, const RegisterRequest&) = default;
};
struct RegisterResponse {
  ApTitle ap_title;  // the title the network assigned or confirmed
  uint16_t registration_delay_s = 0;
  uint32_t registration_period_s = 0;  // 24 bits
  uint8_t registration_info = 0;
  friend bool operator==(const RegisterResponse&, const RegisterResponse&) = default;
};
struct DeregisterRequest {
  ApTitle ap_title;
  friend bool operator==(const DeregisterRequest&, const DeregisterRequest&) = default;
};
struct ResolveRequest {
  ApTitle ap_title;
  friend bool operator==(const ResolveRequest&, const ResolveRequest&) = default;
};
struct ResolveResponse {
  std::vector<uint8_t> local_address;  // 0..255 bytes, the native address of the node
  friend bool operator==(const ResolveResponse&, const ResolveResponse&) = default;
};
struct TraceRequest {
  ApTitle ap_title;
  friend bool operator==(const TraceRequest&, const TraceRequest&) = default;
};
struct TraceResponse {
  std::vector<ApTitle> ap_titles;  // the relays on the way, in order
  friend bool operator==(const TraceResponse&, const TraceResponse&) = default;
};

using ServiceRequest = std::variant<c1218::Request, RegisterRequest, DeregisterRequest, ResolveRequest, TraceRequest>;
using ServiceResponse = std::variant<c1218::Response, RegisterResponse, ResolveResponse, TraceResponse>;

RequestCode CodeOf(const ServiceRequest& request);
ResponseCode CodeOf(const ServiceResponse& response);

// Exactly one request: a network service, else c1218::DecodeRequest.
core::Result<ServiceRequest> DecodeServiceRequest(std::span<const uint8_t> bytes);
core::Result<std::vector<uint8_t>> EncodeServiceRequest(const ServiceRequest& request);

// Exactly one response to a request sent with code `request`: an ok to register, resolve or
// trace decodes here, everything else as c1218::DecodeResponse.
core::Result<ServiceResponse> DecodeServiceResponse(RequestCode request, std::span<const uint8_t> bytes);
core::Result<std::vector<uint8_t>> EncodeServiceResponse(const ServiceResponse& response);

}  // namespace meterd::codec::c1222
