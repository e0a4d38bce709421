// SPDX-License-Identifier: Apache-2.0
// C12.18 requests (plus the C12.21 and C12.22 additions without ApTitles). Checks run in wire
// order, so the first error reported is the first byte that is wrong.
#include "codec/c1218/request.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "codec/c1218/table_data.h"
#include "codec/c1218/wire.h"

namespace meterd::codec::c1218 {

using core::Fail;
using core::Result;

namespace {

constexpr std::string_view kCodec = "c1218";

Result<std::vector<uint16_t>> ReadIndices(Reader& r, size_t n) {
  std::vector<uint16_t> indices;
  indices.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto index = r.U16(fmt::format("index {} of {}", i + 1, n));
    if (!index) return Fail(index.error());
    indices.push_back(*index);
  }
  return indices;
}

Result<void> CheckIndices(const std::vector<uint16_t>& indices) {
  if (indices.empty() || indices.size() > kMaxIndices) {
    return Fail(EncodeError(kCodec, "indices", fmt::format("{} indices; expected 1..9", indices.size())));
  }
  return {};
}

Result<void> CheckOffset(uint32_t offset) {
  if (offset > kMaxOffset) {
    return Fail(EncodeError(kCodec, "offset", fmt::format("{} does not fit 24 bits", offset)));
  }
  return {};
}

// The body after the code, per family; `code` is the code byte as received.
Result<Request> DecodeBody(uint8_t code, Reader& r) {
  const auto family = RequestFamily(static_cast<RequestCode>(code));
  switch (family) {
    case RequestCode::kIdentify: return IdentifyRequest{};
    case RequestCode::kTerminate: return TerminateRequest{};
    case RequestCode::kDisconnect: return DisconnectRequest{};
    case RequestCode::kLogoff: return LogoffRequest{};
    case RequestCode::kDefaultRead: return DefaultReadRequest{};
    case RequestCode::kFullRead: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      return FullReadRequest{*table};
    }
    case RequestCode::kPartialReadIndex: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      auto indices = ReadIndices(r, code - 0x30);
      if (!indices) return Fail(indices.error());
      auto count = r.U16("element count");
      if (!count) return Fail(count.error());
      return PartialReadIndexRequest{*table, std::move(*indices), *count};
    }
    case RequestCode::kPartialReadOffset: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      auto offset = r.U24("offset");
      if (!offset) return Fail(offset.error());
      auto count = r.U16("octet count");
      if (!count) return Fail(count.error());
      return PartialReadOffsetRequest{*table, *offset, *count};
    }
    case RequestCode::kFullWrite: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      auto data = ReadTableData(r);
      if (!data) return Fail(data.error());
      return FullWriteRequest{*table, {data->begin(), data->end()}};
    }
    case RequestCode::kPartialWriteIndex: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      auto indices = ReadIndices(r, code - 0x40);
      if (!indices) return Fail(indices.error());
      auto data = ReadTableData(r);
      if (!data) return Fail(data.error());
      return PartialWriteIndexRequest{*table, std::move(*indices), {data->begin(), data->end()}};
    }
    case RequestCode::kPartialWriteOffset: {
      auto table = r.U16("table id");
      if (!table) return Fail(table.error());
      auto offset = r.U24("offset");
      if (!offset) return Fail(offset.error());
      auto data = ReadTableData(r);
      if (!data) return Fail(data.error());
      return PartialWriteOffsetRequest{*table, *offset, {data->begin(), data->end()}};
    }
    case RequestCode::kDefaultWrite: {
      auto data = ReadTableData(r);
      if (!data) return Fail(data.error());
      return DefaultWriteRequest{{data->begin(), data->end()}};
    }
    case RequestCode::kLogon: {
      LogonRequest q;
      auto user_id = r.U16("user id");
      if (!user_id) return Fail(user_id.error());
      auto user = r.Take(kUserSize, "user name");
      if (!user) return Fail(user.error());
      q.user_id = *user_id;
      q.user.assign(user->begin(), user->end());
      if (!r.AtEnd()) {
        auto timeout = r.U16("session idle timeout (C12.22 logon)");
        if (!timeout) return Fail(timeout.error());
        q.session_idle_timeout_s = *timeout;
      }
      return q;
    }
    case RequestCode::kSecurity: {
      SecurityRequest q;
      auto password = r.Take(kPasswordSize, "password");
      if (!password) return Fail(password.error());
      std::copy(password->begin(), password->end(), q.password.begin());
      if (!r.AtEnd()) {
        auto user_id = r.U16("user id (C12.22 security)");
        if (!user_id) return Fail(user_id.error());
        q.user_id = *user_id;
      }
      return q;
    }
    case RequestCode::kAuthenticate: {
      auto length = r.U8("authentication request length");
      if (!length) return Fail(length.error());
      auto data = r.Take(*length, "authentication request");
      if (!data) return Fail(data.error());
      return AuthenticateRequest{{data->begin(), data->end()}};
    }
    case RequestCode::kNegotiate: {
      auto size = r.U16("packet size");
      if (!size) return Fail(size.error());
      auto packets = r.U8("number of packets");
      if (!packets) return Fail(packets.error());
      auto bauds = r.Take(code - 0x60, fmt::format("{} baud rate codes", code - 0x60));
      if (!bauds) return Fail(bauds.error());
      return NegotiateRequest{*size, *packets, {bauds->begin(), bauds->end()}};
    }
    case RequestCode::kWait: {
      auto seconds = r.U8("wait time, seconds");
      if (!seconds) return Fail(seconds.error());
      return WaitRequest{*seconds};
    }
    case RequestCode::kTimingSetup: {
      auto t = r.Take(4, "channel traffic, inter-character, response time-outs and retries");
      if (!t) return Fail(t.error());
      return TimingSetupRequest{(*t)[0], (*t)[1], (*t)[2], (*t)[3]};
    }
    case RequestCode::kDeregister:
    case RequestCode::kResolve:
    case RequestCode::kTrace:
    case RequestCode::kRegister:
      return Fail(ErrorAt(kCodec, 0, fmt::format("expected a C12.18 request code, got 0x{:02X} ({}), a C12.22 "
                                                 "network service (codec/c1222)",
                                                 code, RequestCodeName(code))));
  }
  return Fail(ErrorAt(kCodec, 0, fmt::format("expected a request code, got 0x{:02X}", code)));
}

}  // namespace

bool IsRequestCode(uint8_t c) {
  return (c >= 0x20 && c <= 0x22) || (c >= 0x24 && c <= 0x27) || (c >= 0x30 && c <= 0x39) || c == 0x3E ||
         c == 0x3F || (c >= 0x40 && c <= 0x49) || c == 0x4E || c == 0x4F || (c >= 0x50 && c <= 0x53) ||
         (c >= 0x60 && c <= 0x6B) || c == 0x70 || c == 0x71;
}

RequestCode RequestFamily(RequestCode code) {
  const auto c = static_cast<uint8_t>(code);
  if (c >= 0x31 && c <= 0x39) return RequestCode::kPartialReadIndex;
  if (c >= 0x41 && c <= 0x49) return RequestCode::kPartialWriteIndex;
  if (c >= 0x60 && c <= 0x6B) return RequestCode::kNegotiate;
  return code;
}

std::string_view RequestCodeName(uint8_t code) {
  if (!IsRequestCode(code)) return "unknown";
  switch (RequestFamily(static_cast<RequestCode>(code))) {
    case RequestCode::kIdentify: return "identify";
    case RequestCode::kTerminate: return "terminate";
    case RequestCode::kDisconnect: return "disconnect";
    case RequestCode::kDeregister: return "deregister";
    case RequestCode::kResolve: return "resolve";
    case RequestCode::kTrace: return "trace";
    case RequestCode::kRegister: return "register";
    case RequestCode::kFullRead: return "full read";
    case RequestCode::kPartialReadIndex: return "partial read (index)";
    case RequestCode::kDefaultRead: return "default read";
    case RequestCode::kPartialReadOffset: return "partial read (offset)";
    case RequestCode::kFullWrite: return "full write";
    case RequestCode::kPartialWriteIndex: return "partial write (index)";
    case RequestCode::kDefaultWrite: return "default write";
    case RequestCode::kPartialWriteOffset: return "partial write (offset)";
    case RequestCode::kLogon: return "logon";
    case RequestCode::kSecurity: return "security";
    case RequestCode::kLogoff: return "logoff";
    case RequestCode::kAuthenticate: return "authenticate";
    case RequestCode::kNegotiate: return "negotiate";
    case RequestCode::kWait: return "wait";
    case RequestCode::kTimingSetup: return "timing setup";
  }
  return "unknown";
}

std::optional<uint32_t> BaudRate(uint8_t code) {
  static constexpr std::array<uint32_t, 11> kRates{0, 300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 57600};
  if (code == 0 || code >= kRates.size()) return std::nullopt;
  return kRates[code];
}

std::array<uint8_t, kPasswordSize> PadPassword(std::string_view password, uint8_t pad) {
  std::array<uint8_t, kPasswordSize> out;
  out.fill(pad);
  std::copy_n(password.begin(), std::min(password.size(), kPasswordSize), out.begin());
  return out;
}

RequestCode CodeOf(const Request& request) {
  return std::visit(
      Overload{
          [](const IdentifyRequest&) { return RequestCode::kIdentify; },
          [](const TerminateRequest&) { return RequestCode::kTerminate; },
          [](const DisconnectRequest&) { return RequestCode::kDisconnect; },
          [](const FullReadRequest&) { return RequestCode::kFullRead; },
          [](const PartialReadIndexRequest& q) { return static_cast<RequestCode>(0x30 + (q.indices.size() & 0x0F)); },
          [](const PartialReadOffsetRequest&) { return RequestCode::kPartialReadOffset; },
          [](const DefaultReadRequest&) { return RequestCode::kDefaultRead; },
          [](const FullWriteRequest&) { return RequestCode::kFullWrite; },
          [](const PartialWriteIndexRequest& q) {
            return static_cast<RequestCode>(0x40 + (q.indices.size() & 0x0F));
          },
          [](const PartialWriteOffsetRequest&) { return RequestCode::kPartialWriteOffset; },
          [](const DefaultWriteRequest&) { return RequestCode::kDefaultWrite; },
          [](const LogonRequest&) { return RequestCode::kLogon; },
          [](const SecurityRequest&) { return RequestCode::kSecurity; },
          [](const LogoffRequest&) { return RequestCode::kLogoff; },
          [](const AuthenticateRequest&) { return RequestCode::kAuthenticate; },
          [](const NegotiateRequest& q) { return static_cast<RequestCode>(0x60 + (q.baud_codes.size() & 0x0F)); },
          [](const WaitRequest&) { return RequestCode::kWait; },
          [](const TimingSetupRequest&) { return RequestCode::kTimingSetup; },
      },
      request);
}

Result<Request> DecodeRequest(std::span<const uint8_t> bytes) {
  Reader r(bytes, kCodec);
  auto code = r.U8("request code");
  if (!code) return Fail(code.error());
  if (!IsRequestCode(*code)) {
    return Fail(ErrorAt(kCodec, 0, fmt::format("expected a request code, got 0x{:02X}", *code)));
  }
  auto request = DecodeBody(*code, r);
  if (!request) return request;
  if (auto end = r.ExpectEnd(fmt::format("the {} request", RequestCodeName(*code))); !end) return Fail(end.error());
  return request;
}

Result<std::vector<uint8_t>> EncodeRequest(const Request& request) {
  std::vector<uint8_t> out;
  out.push_back(static_cast<uint8_t>(CodeOf(request)));
  auto body = std::visit(
      Overload{
          [](const IdentifyRequest&) -> Result<void> { return {}; },
          [](const TerminateRequest&) -> Result<void> { return {}; },
          [](const DisconnectRequest&) -> Result<void> { return {}; },
          [](const LogoffRequest&) -> Result<void> { return {}; },
          [](const DefaultReadRequest&) -> Result<void> { return {}; },
          [&](const FullReadRequest& q) -> Result<void> {
            PutBe16(out, q.table_id);
            return {};
          },
          [&](const PartialReadIndexRequest& q) -> Result<void> {
            if (auto c = CheckIndices(q.indices); !c) return c;
            PutBe16(out, q.table_id);
            for (uint16_t i : q.indices) PutBe16(out, i);
            PutBe16(out, q.count);
            return {};
          },
          [&](const PartialReadOffsetRequest& q) -> Result<void> {
            if (auto c = CheckOffset(q.offset); !c) return c;
            PutBe16(out, q.table_id);
            PutBe24(out, q.offset);
            PutBe16(out, q.count);
            return {};
          },
          [&](const FullWriteRequest& q) -> Result<void> {
            PutBe16(out, q.table_id);
            return PutTableData(out, q.data, kCodec, "data");
          },
          [&](const PartialWriteIndexRequest& q) -> Result<void> {
            if (auto c = CheckIndices(q.indices); !c) return c;
            PutBe16(out, q.table_id);
            for (uint16_t i : q.indices) PutBe16(out, i);
            return PutTableData(out, q.data, kCodec, "data");
          },
          [&](const PartialWriteOffsetRequest& q) -> Result<void> {
            if (auto c = CheckOffset(q.offset); !c) return c;
            PutBe16(out, q.table_id);
            PutBe24(out, q.offset);
            return PutTableData(out, q.data, kCodec, "data");
          },
          [&](const DefaultWriteRequest& q) -> Result<void> { return PutTableData(out, q.data, kCodec, "data"); },
          [&](const LogonRequest& q) -> Result<void> {
            if (q.user.size() > kUserSize) {
              return Fail(EncodeError(kCodec, "user", fmt::format("{} bytes; at most 10", q.user.size())));
            }
            PutBe16(out, q.user_id);
            std::string user = q.user;
            user.resize(kUserSize, ' ');
            out.insert(out.end(), user.begin(), user.end());
            if (q.session_idle_timeout_s) PutBe16(out, *q.session_idle_timeout_s);
            return {};
          },
          [&](const SecurityRequest& q) -> Result<void> {
            PutBytes(out, q.password);
            if (q.user_id) PutBe16(out, *q.user_id);
            return {};
          },
          [&](const AuthenticateRequest& q) -> Result<void> {
            if (q.data.size() > 0xFF) {
              return Fail(EncodeError(kCodec, "data", fmt::format("{} bytes; at most 255", q.data.size())));
            }
            out.push_back(static_cast<uint8_t>(q.data.size()));
            PutBytes(out, q.data);
            return {};
          },
          [&](const NegotiateRequest& q) -> Result<void> {
            if (q.baud_codes.size() > kMaxBaudRates) {
              return Fail(EncodeError(kCodec, "baud_codes", fmt::format("{}; at most 11", q.baud_codes.size())));
            }
            PutBe16(out, q.packet_size);
            out.push_back(q.nbr_packets);
            PutBytes(out, q.baud_codes);
            return {};
          },
          [&](const WaitRequest& q) -> Result<void> {
            out.push_back(q.seconds);
            return {};
          },
          [&](const TimingSetupRequest& q) -> Result<void> {
            out.insert(out.end(), {q.channel_traffic_timeout_s, q.inter_character_timeout_s, q.response_timeout_s,
                                   q.retries});
            return {};
          },
      },
      request);
  if (!body) return Fail(body.error());
  return out;
}

}  // namespace meterd::codec::c1218
