// SPDX-License-Identifier: Apache-2.0
// C12.18 responses (plus the C12.21 and C12.22 forms without ApTitles). Checks run in wire
// order, so the first error reported is the first byte that is wrong.
#include "codec/c1218/response.h"

#include <fmt/format.h>

#include "codec/c1218/table_data.h"
#include "codec/c1218/wire.h"

namespace meterd::codec::c1218 {

using core::Fail;
using core::Result;

namespace {

constexpr std::string_view kCodec = "c1218";

bool HasMaxSize(ResponseCode code) { return code == ResponseCode::kRqtl || code == ResponseCode::kRstl; }

// A universal-id element: 0x06 (absolute OID) or 0x0D (relative OID), BER length >= 1, content.
Result<std::vector<uint8_t>> ReadIdElement(Reader& r, std::string_view what) {
  const size_t start = r.position();
  const size_t at = r.offset();
  auto tag = r.U8(what);
  if (!tag) return Fail(tag.error());
  if (*tag != 0x06 && *tag != 0x0D) {
    return Fail(r.FailAt(at, fmt::format("expected {} as a universal id (tag 0x06 or 0x0D), got tag 0x{:02X}", what,
                                         *tag)));
  }
  auto length = ReadBerLength(r, what);
  if (!length) return Fail(length.error());
  if (*length == 0) return Fail(r.FailAt(at + 1, fmt::format("expected a non-empty {}", what)));
  auto content = r.Take(*length, what);
  if (!content) return Fail(content.error());
  const size_t end = r.position();
  std::vector<uint8_t> element;
  element.reserve(end - start);
  element.push_back(*tag);
  PutBerLength(element, *length);
  PutBytes(element, *content);
  return element;
}

Result<IdentifyResponse> DecodeIdentify(Reader& r) {
  IdentifyResponse id;
  auto head = r.Take(3, "standard, version and revision");
  if (!head) return Fail(head.error());
  id.standard = (*head)[0];
  id.version = (*head)[1];
  id.revision = (*head)[2];
  for (;;) {
    const size_t at = r.offset();
    auto code = r.U8("a feature code or end of list 0x00");
    if (!code) return Fail(code.error());
    if (*code == kEndOfFeatures) break;
    IdentifyFeature f;
    f.code = static_cast<FeatureCode>(*code);
    switch (f.code) {
      case FeatureCode::kSecurityMechanism:
      case FeatureCode::kDeviceClass: {
        auto element = ReadIdElement(r, f.code == FeatureCode::kDeviceClass ? "device class" : "security mechanism");
        if (!element) return Fail(element.error());
        f.id_element = std::move(*element);
        break;
      }
      case FeatureCode::kSessionControl: {
        auto ctrl = r.U8("session control");
        if (!ctrl) return Fail(ctrl.error());
        f.session_control = *ctrl;
        break;
      }
      case FeatureCode::kDeviceIdentity: {
        const size_t length_at = r.offset();
        auto length = r.U8("device identity length");
        if (!length) return Fail(length.error());
        if (*length == 0) return Fail(r.FailAt(length_at, "expected device identity length >= 1 (format byte), got 0"));
        auto format = r.U8("device identity format");
        if (!format) return Fail(format.error());
        auto identity = r.Take(*length - 1u, "device identification");
        if (!identity) return Fail(identity.error());
        f.identity_format = *format;
        f.identity.assign(identity->begin(), identity->end());
        break;
      }
      default:
        return Fail(r.FailAt(at, fmt::format("expected an identify feature (0x04..0x07) or end of list 0x00, got 0x{:02X}",
                                             *code)));
    }
    id.features.push_back(std::move(f));
  }
  return id;
}

Result<Response> DecodeOkBody(RequestCode request, Reader& r) {
  switch (RequestFamily(request)) {
    case RequestCode::kIdentify: {
      auto id = DecodeIdentify(r);
      if (!id) return Fail(id.error());
      return *id;
    }
    case RequestCode::kFullRead:
    case RequestCode::kPartialReadIndex:
    case RequestCode::kPartialReadOffset:
    case RequestCode::kDefaultRead: {
      auto data = ReadTableData(r);
      if (!data) return Fail(data.error());
      return ReadResponse{{data->begin(), data->end()}};
    }
    case RequestCode::kLogon: {
      LogonResponse logon;
      if (!r.AtEnd()) {
        auto timeout = r.U16("session idle timeout (C12.22 logon)");
        if (!timeout) return Fail(timeout.error());
        logon.session_idle_timeout_s = *timeout;
      }
      return logon;
    }
    case RequestCode::kNegotiate: {
      NegotiateResponse n;
      auto size = r.U16("packet size");
      if (!size) return Fail(size.error());
      auto packets = r.U8("number of packets");
      if (!packets) return Fail(packets.error());
      n.packet_size = *size;
      n.nbr_packets = *packets;
      if (!r.AtEnd()) n.baud_code = *r.U8("baud rate code");
      return n;
    }
    case RequestCode::kTimingSetup: {
      auto t = r.Take(4, "channel traffic, inter-character, response time-outs and retries");
      if (!t) return Fail(t.error());
      return TimingSetupResponse{(*t)[0], (*t)[1], (*t)[2], (*t)[3]};
    }
    case RequestCode::kAuthenticate: {
      auto length = r.U8("authentication response length");
      if (!length) return Fail(length.error());
      auto data = r.Take(*length, "authentication response");
      if (!data) return Fail(data.error());
      return AuthenticateResponse{{data->begin(), data->end()}};
    }
    case RequestCode::kTerminate:
    case RequestCode::kDisconnect:
    case RequestCode::kFullWrite:
    case RequestCode::kPartialWriteIndex:
    case RequestCode::kPartialWriteOffset:
    case RequestCode::kDefaultWrite:
    case RequestCode::kSecurity:
    case RequestCode::kLogoff:
    case RequestCode::kWait:
    case RequestCode::kDeregister: return OkResponse{};
    case RequestCode::kResolve:
    case RequestCode::kTrace:
    case RequestCode::kRegister: break;
  }
  return Fail(core::Error::Invalid(
      fmt::format("c1218: an ok response to {} (0x{:02X}) carries C12.22 ApTitles; decode it with codec/c1222",
                  RequestCodeName(request), static_cast<uint8_t>(request)),
      "request"));
}

Result<void> PutIdElement(std::vector<uint8_t>& out, const std::vector<uint8_t>& element) {
  Reader r(element, kCodec);
  auto checked = ReadIdElement(r, "feature universal id");
  if (!checked || !r.AtEnd()) {
    return Fail(EncodeError(kCodec, "id_element", "not one universal-id element (0x06 or 0x0D, length, content)"));
  }
  PutBytes(out, element);
  return {};
}

Result<void> EncodeIdentify(std::vector<uint8_t>& out, const IdentifyResponse& id) {
  out.insert(out.end(), {id.standard, id.version, id.revision});
  for (const auto& f : id.features) {
    out.push_back(static_cast<uint8_t>(f.code));
    switch (f.code) {
      case FeatureCode::kSecurityMechanism:
      case FeatureCode::kDeviceClass:
        if (auto p = PutIdElement(out, f.id_element); !p) return p;
        break;
      case FeatureCode::kSessionControl: out.push_back(f.session_control); break;
      case FeatureCode::kDeviceIdentity:
        if (f.identity.size() > 254) {
          return Fail(EncodeError(kCodec, "identity", fmt::format("{} bytes; at most 254", f.identity.size())));
        }
        out.push_back(static_cast<uint8_t>(f.identity.size() + 1));
        out.push_back(f.identity_format);
        PutBytes(out, f.identity);
        break;
      default:
        return Fail(EncodeError(kCodec, "features", fmt::format("unknown feature code 0x{:02X}",
                                                                static_cast<uint8_t>(f.code))));
    }
  }
  out.push_back(kEndOfFeatures);
  return {};
}

}  // namespace

std::optional<uint32_t> MaxSize(const ErrorResponse& response) {
  if (!HasMaxSize(response.code) || response.data.size() != 4) return std::nullopt;
  const auto& d = response.data;
  return static_cast<uint32_t>(d[0]) << 24 | static_cast<uint32_t>(d[1]) << 16 | static_cast<uint32_t>(d[2]) << 8 | d[3];
}

ResponseCode CodeOf(const Response& response) {
  if (const auto* e = std::get_if<ErrorResponse>(&response)) return e->code;
  return ResponseCode::kOk;
}

Result<Response> DecodeResponse(RequestCode request, std::span<const uint8_t> bytes) {
  if (!IsRequestCode(static_cast<uint8_t>(request))) {
    return Fail(core::Error::Invalid(
        fmt::format("c1218: cannot decode a response to 0x{:02X}, which is not a request code",
                    static_cast<uint8_t>(request)),
        "request"));
  }
  Reader r(bytes, kCodec);
  auto code = r.U8("response code");
  if (!code) return Fail(code.error());
  if (!IsResponseCode(*code)) {
    return Fail(ErrorAt(kCodec, 0, fmt::format("expected a response code 0x00..0x12, got 0x{:02X}", *code)));
  }
  const auto rc = static_cast<ResponseCode>(*code);
  if (rc != ResponseCode::kOk) {
    ErrorResponse e{rc, {}};
    if (HasMaxSize(rc)) {
      auto size = r.Take(4, fmt::format("the largest {} size", rc == ResponseCode::kRqtl ? "request" : "response"));
      if (!size) return Fail(size.error());
      e.data.assign(size->begin(), size->end());
      if (auto end = r.ExpectEnd("the size"); !end) return Fail(end.error());
    } else {
      auto rest = r.Rest();
      e.data.assign(rest.begin(), rest.end());
    }
    return e;
  }
  auto response = DecodeOkBody(request, r);
  if (!response) return response;
  if (auto end = r.ExpectEnd(fmt::format("an ok response to {}", RequestCodeName(request))); !end) {
    return Fail(end.error());
  }
  return response;
}

Result<std::vector<uint8_t>> EncodeResponse(const Response& response) {
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(CodeOf(response)));
  auto body = std::visit(
      Overload{
          [&](const ErrorResponse& e) -> Result<void> {
            if (e.code == ResponseCode::kOk || !IsResponseCode(static_cast<uint8_t>(e.code))) {
              return Fail(EncodeError(kCodec, "code", fmt::format("0x{:02X} is not an error response code",
                                                                  static_cast<uint8_t>(e.code))));
            }
            if (HasMaxSize(e.code) && e.data.size() != 4) {
              return Fail(EncodeError(kCodec, "data", fmt::format("{} needs the 4-byte size, got {} bytes",
                                                                  ResponseCodeAbbreviation(e.code), e.data.size())));
            }
            PutBytes(out, e.data);
            return {};
          },
          [](const OkResponse&) -> Result<void> { return {}; },
          [&](const IdentifyResponse& id) { return EncodeIdentify(out, id); },
          [&](const ReadResponse& read) { return PutTableData(out, read.data, kCodec, "data"); },
          [&](const LogonResponse& logon) -> Result<void> {
            if (logon.session_idle_timeout_s) PutBe16(out, *logon.session_idle_timeout_s);
            return {};
          },
          [&](const NegotiateResponse& n) -> Result<void> {
            PutBe16(out, n.packet_size);
            out.push_back(n.nbr_packets);
            if (n.baud_code) out.push_back(*n.baud_code);
            return {};
          },
          [&](const TimingSetupResponse& t) -> Result<void> {
            out.insert(out.end(), {t.channel_traffic_timeout_s, t.inter_character_timeout_s, t.response_timeout_s,
                                   t.retries});
            return {};
          },
          [&](const AuthenticateResponse& a) -> Result<void> {
            if (a.data.size() > 0xFF) {
              return Fail(EncodeError(kCodec, "data", fmt::format("{} bytes; at most 255", a.data.size())));
            }
            out.push_back(static_cast<uint8_t>(a.data.size()));
            PutBytes(out, a.data);
            return {};
          },
      },
      response);
  if (!body) return Fail(body.error());
  return out;
}

}  // namespace meterd::codec::c1218
