// SPDX-License-Identifier: Apache-2.0
// C12.22 network services, IEEE 1703 §5.3.2.4.10..13. Checks run in wire order.
#include "codec/c1222/service.h"

#include <fmt/format.h>

#include <algorithm>

#include "codec/c1222/ber.h"

namespace meterd::codec::c1222 {

using c1218::ErrorAt;
using c1218::Overload;
using c1218::Reader;
using core::Fail;
using core::Result;

namespace {

Result<std::vector<uint8_t>> ReadCounted(Reader& r, std::string_view what) {
  auto length = r.U8(fmt::format("{} length", what));
  if (!length) return Fail(length.error());
  auto bytes = r.Take(*length, what);
  if (!bytes) return Fail(bytes.error());
  return std::vector<uint8_t>(bytes->begin(), bytes->end());
}

Result<void> PutCounted(std::vector<uint8_t>& out, const std::vector<uint8_t>& bytes, std::string_view field) {
  if (bytes.size() > 0xFF) {
    return Fail(c1218::EncodeError(kCodec, field, fmt::format("{} bytes; at most 255", bytes.size())));
  }
  out.push_back(static_cast<uint8_t>(bytes.size()));
  c1218::PutBytes(out, bytes);
  return {};
}

Result<void> CheckU24(uint32_t v, std::string_view field) {
  if (v > 0xFFFFFF) return Fail(c1218::EncodeError(kCodec, field, fmt::format("{} does not fit 24 bits", v)));
  return {};
}

Result<ServiceRequest> DecodeRegister(Reader& r) {
  RegisterRequest q;
  auto head = r.Take(6, "node type, connection type and device class");
  if (!head) return Fail(head.error());
  q.node_type = (*head)[0];
  q.connection_type = (*head)[1];
  std::copy(head->begin() + 2, head->end(), q.device_class.begin());
  auto title = ReadUniversalId(r, "ApTitle");
  if (!title) return Fail(title.error());
  q.ap_title = std::move(*title);
  auto serial = ReadUniversalId(r, "electronic serial number");
  if (!serial) return Fail(serial.error());
  q.electronic_serial_number = std::move(*serial);
  auto address = ReadCounted(r, "native address");
  if (!address) return Fail(address.error());
  q.native_address = std::move(*address);
  auto period = r.U24("registration period");
  if (!period) return Fail(period.error());
  q.registration_period_s = *period;
  if (q.node_type & kNodeMyDomainPattern) {
    auto pattern = ReadCounted(r, "my-domain-pattern (node type bit 7 is set)");
    if (!pattern) return Fail(pattern.error());
    q.my_domain_pattern = std::move(*pattern);
  }
  return q;
}

}  // namespace

RequestCode CodeOf(const ServiceRequest& request) {
  return std::visit(Overload{
                        [](const c1218::Request& q) { return c1218::CodeOf(q); },
                        [](const RegisterRequest&) { return RequestCode::kRegister; },
                        [](const DeregisterRequest&) { return RequestCode::kDeregister; },
                        [](const ResolveRequest&) { return RequestCode::kResolve; },
                        [](const TraceRequest&) { return RequestCode::kTrace; },
                    },
                    request);
}

ResponseCode CodeOf(const ServiceResponse& response) {
  if (const auto* r = std::get_if<c1218::Response>(&response)) return c1218::CodeOf(*r);
  return ResponseCode::kOk;
}

Result<ServiceRequest> DecodeServiceRequest(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Fail(ErrorAt(kCodec, 0, "expected a request code, but the data ends"));
  const auto code = static_cast<RequestCode>(bytes[0]);
  if (code != RequestCode::kRegister && code != RequestCode::kDeregister && code != RequestCode::kResolve &&
      code != RequestCode::kTrace) {
    auto request = c1218::DecodeRequest(bytes);
    if (!request) return Fail(request.error());
    return ServiceRequest(std::move(*request));
  }
  Reader r(bytes, kCodec);
  (void)r.U8("request code");
  Result<ServiceRequest> request = [&]() -> Result<ServiceRequest> {
    if (code == RequestCode::kRegister) return DecodeRegister(r);
    auto title = ReadUniversalId(r, "ApTitle");
    if (!title) return Fail(title.error());
    if (code == RequestCode::kDeregister) return DeregisterRequest{std::move(*title)};
    if (code == RequestCode::kResolve) return ResolveRequest{std::move(*title)};
    return TraceRequest{std::move(*title)};
  }();
  if (!request) return request;
  if (auto end = r.ExpectEnd(fmt::format("the {} request", c1218::RequestCodeName(code))); !end) {
    return Fail(end.error());
  }
  return request;
}

Result<std::vector<uint8_t>> EncodeServiceRequest(const ServiceRequest& request) {
  if (const auto* q = std::get_if<c1218::Request>(&request)) return c1218::EncodeRequest(*q);
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(CodeOf(request)));
  auto body = std::visit(
      Overload{
          [](const c1218::Request&) -> Result<void> { return {}; },
          [&](const RegisterRequest& q) -> Result<void> {
            if (bool(q.node_type & kNodeMyDomainPattern) != q.my_domain_pattern.has_value()) {
              return Fail(c1218::EncodeError(kCodec, "my_domain_pattern",
                                             "present exactly when node_type has bit 7 (0x80) set"));
            }
            if (auto c = CheckU24(q.registration_period_s, "registration_period_s"); !c) return c;
            out.insert(out.end(), {q.node_type, q.connection_type});
            c1218::PutBytes(out, q.device_class);
            if (auto p = PutUniversalId(out, q.ap_title); !p) return p;
            if (auto p = PutUniversalId(out, q.electronic_serial_number); !p) return p;
            if (auto p = PutCounted(out, q.native_address, "native_address"); !p) return p;
            c1218::PutBe24(out, q.registration_period_s);
            if (q.my_domain_pattern) return PutCounted(out, *q.my_domain_pattern, "my_domain_pattern");
            return {};
          },
          [&](const DeregisterRequest& q) { return PutUniversalId(out, q.ap_title); },
          [&](const ResolveRequest& q) { return PutUniversalId(out, q.ap_title); },
          [&](const TraceRequest& q) { return PutUniversalId(out, q.ap_title); },
      },
      request);
  if (!body) return Fail(body.error());
  return out;
}

Result<ServiceResponse> DecodeServiceResponse(RequestCode request, std::span<const uint8_t> bytes) {
  const bool network = request == RequestCode::kRegister || request == RequestCode::kResolve ||
                       request == RequestCode::kTrace;
  if (!network || bytes.empty() || bytes[0] != static_cast<uint8_t>(ResponseCode::kOk)) {
    auto response = c1218::DecodeResponse(request, bytes);
    if (!response) return Fail(response.error());
    return ServiceResponse(std::move(*response));
  }
  Reader r(bytes, kCodec);
  (void)r.U8("response code");
  Result<ServiceResponse> response = [&]() -> Result<ServiceResponse> {
    if (request == RequestCode::kResolve) {
      auto address = ReadCounted(r, "local address");
      if (!address) return Fail(address.error());
      return ResolveResponse{std::move(*address)};
    }
    if (request == RequestCode::kTrace) {
      TraceResponse t;
      while (!r.AtEnd()) {
        auto title = ReadUniversalId(r, "ApTitle");
        if (!title) return Fail(title.error());
        t.ap_titles.push_back(std::move(*title));
      }
      return t;
    }
    RegisterResponse g;
    auto title = ReadUniversalId(r, "ApTitle");
    if (!title) return Fail(title.error());
    g.ap_title = std::move(*title);
    auto delay = r.U16("registration delay");
    if (!delay) return Fail(delay.error());
    auto period = r.U24("registration period");
    if (!period) return Fail(period.error());
    auto info = r.U8("registration info");
    if (!info) return Fail(info.error());
    g.registration_delay_s = *delay;
    g.registration_period_s = *period;
    g.registration_info = *info;
    return g;
  }();
  if (!response) return response;
  if (auto end = r.ExpectEnd(fmt::format("an ok response to {}", c1218::RequestCodeName(request))); !end) {
    return Fail(end.error());
  }
  return response;
}

Result<std::vector<uint8_t>> EncodeServiceResponse(const ServiceResponse& response) {
  if (const auto* r = std::get_if<c1218::Response>(&response)) return c1218::EncodeResponse(*r);
  std::vector<uint8_t> out{static_cast<uint8_t>(ResponseCode::kOk)};
  auto body = std::visit(
      Overload{
          [](const c1218::Response&) -> Result<void> { return {}; },
          [&](const RegisterResponse& g) -> Result<void> {
            if (auto c = CheckU24(g.registration_period_s, "registration_period_s"); !c) return c;
            if (auto p = PutUniversalId(out, g.ap_title); !p) return p;
            c1218::PutBe16(out, g.registration_delay_s);
            c1218::PutBe24(out, g.registration_period_s);
            out.push_back(g.registration_info);
            return {};
          },
          [&](const ResolveResponse& s) { return PutCounted(out, s.local_address, "local_address"); },
          [&](const TraceResponse& t) -> Result<void> {
            for (const auto& title : t.ap_titles) {
              if (auto p = PutUniversalId(out, title); !p) return p;
            }
            return {};
          },
      },
      response);
  if (!body) return Fail(body.error());
  return out;
}

}  // namespace meterd::codec::c1222
