// SPDX-License-Identifier: Apache-2.0
// The C12.22 client session: ACSE framing, EAX', timeouts and retries, the response-code rules,
// and the services on top (docs/headend.md, "C12.22 meters").
#include "headend/c1222_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "codec/c1218/response_code.h"
#include "codec/c1219/table_id.h"
#include "codec/c1222/acse.h"
#include "codec/c1222/security.h"
#include "security/crypto.h"

namespace meterd::headend {
namespace {

namespace c18 = codec::c1218;
namespace c22 = codec::c1222;
using core::Fail;
using core::Result;

core::Error Unavailable(std::string message) { return {core::ErrorCode::kUnavailable, std::move(message), {}}; }

bool IsTimeout(const core::Error& e) { return e.code == core::ErrorCode::kUnavailable; }

std::string TableName(uint16_t table_id) {
  return codec::c1219::TableIdName(static_cast<codec::c1219::TableId>(table_id & 0x0FFF));
}

std::string Describe(const c18::Request& request) {
  return std::visit(
      [](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, c18::FullReadRequest>) {
          return fmt::format("read {}", TableName(r.table_id));
        } else if constexpr (std::is_same_v<T, c18::PartialReadOffsetRequest>) {
          return fmt::format("read {} at {} ({} bytes)", TableName(r.table_id), r.offset, r.count);
        } else if constexpr (std::is_same_v<T, c18::FullWriteRequest>) {
          return fmt::format("write {}", TableName(r.table_id));
        } else if constexpr (std::is_same_v<T, c18::PartialWriteOffsetRequest>) {
          return fmt::format("write {} at {}", TableName(r.table_id), r.offset);
        } else {
          return std::string(c18::RequestCodeName(c18::CodeOf(c18::Request(r))));
        }
      },
      request);
}

// Four random bytes from the OS for the EAX' iv: the nonce must never repeat under one key.
std::vector<uint8_t> RandomIv() {
  std::string hex = security::RandomHex(4);
  std::vector<uint8_t> iv;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) iv.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return iv;
}

}  // namespace

Result<c22::AesKey> ParseAesKey(std::string_view hex) {
  c22::AesKey key{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() != 2 * key.size()) return Fail(core::Error::Invalid("an AES-128 key is 32 hex digits", "key"));
  for (size_t i = 0; i < key.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Fail(core::Error::Invalid("an AES-128 key is 32 hex digits", "key"));
    key[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return key;
}

C1222Client::C1222Client(C1222ClientOptions options, std::unique_ptr<C1222Link> link)
    : options_(std::move(options)), link_(std::move(link)) {}

C1222Client::~C1222Client() = default;

Result<std::unique_ptr<C1222Client>> C1222Client::Connect(C1222ClientOptions options) {
  if (options.tries < 1) return Fail(core::Error::Invalid("tries must be at least 1", "tries"));
  if (options.user.size() > c18::kUserSize) return Fail(core::Error::Invalid("user is at most 10 bytes", "user"));
  if (options.password.size() > c18::kPasswordSize) {
    return Fail(core::Error::Invalid("password is at most 20 bytes", "password"));
  }
  auto called = c22::ToAbsolute(options.called, options.ap_title_base);
  if (!called) return Fail(called.error());
  auto calling = c22::ToAbsolute(options.calling, options.ap_title_base);
  if (!calling) return Fail(calling.error());
  auto link = C1222Link::Open(options.host, options.port, options.transport, options.connect_timeout);
  if (!link) return Fail(link.error());
  std::unique_ptr<C1222Client> client(new C1222Client(std::move(options), std::move(*link)));
  client->called_absolute_ = std::move(*called);
  client->calling_absolute_ = std::move(*calling);
  if (client->options_.key) client->keys_.Set(client->options_.key->key_id, client->options_.key->key);
  // Start invocation ids somewhere random so that a late answer to an earlier session (UDP) is
  // not taken for an answer to this one.
  auto iv = RandomIv();
  client->next_invocation_id_ = ((uint32_t{iv[0]} << 16 | uint32_t{iv[1]} << 8 | iv[2]) & 0x7FFFFF) + 1;
  // Likewise the procedure sequence numbers: an ST8 left by an earlier session's call must not
  // pass for the answer to this session's first one.
  client->next_procedure_seq_ = iv[3];
  return client;
}

std::string C1222Client::Name() const {
  return fmt::format("meter {} ({} {})", options_.called.ToString(), link_ ? link_->peer() : options_.host,
                     C1222TransportName(options_.transport));
}

Result<std::vector<uint8_t>> C1222Client::SealRequest(const std::vector<c22::ServiceRequest>& requests,
                                                      uint32_t invocation_id) {
  c22::Epsem epsem;
  epsem.security_mode = options_.key ? options_.key->mode : c22::SecurityMode::kCleartext;
  epsem.response_control = c22::ResponseControl::kAlways;
  for (const auto& r : requests) {
    auto bytes = c22::EncodeServiceRequest(r);
    if (!bytes) return Fail(bytes.error());
    epsem.services.push_back(std::move(*bytes));
  }
  auto cleartext = c22::EncodeEpsem(epsem);
  if (!cleartext) return Fail(cleartext.error());
  c22::Apdu apdu;
  apdu.called_ap_title = options_.called;
  apdu.calling_ap_title = options_.calling;
  apdu.calling_ap_invocation_id = invocation_id;
  if (options_.key) {
    apdu.calling_authentication_value = c22::AuthenticationValue{options_.key->key_id, RandomIv(), {}};
  }
  return c22::SealApdu(std::move(apdu), *cleartext, keys_, options_.ap_title_base);
}

Result<std::vector<c22::ServiceResponse>> C1222Client::AwaitAnswer(const std::vector<c22::ServiceRequest>& requests,
                                                                   uint32_t invocation_id,
                                                                   C1222Link::Clock::time_point deadline) {
  std::string dropped;  // why the last APDU that was not the answer was dropped
  for (;;) {
    auto bytes = link_->Receive(deadline);
    if (!bytes) {
      if (!dropped.empty() && IsTimeout(bytes.error())) {
        return Fail(Unavailable(fmt::format("{}; dropped: {}", bytes.error().message, dropped)));
      }
      return Fail(bytes.error());
    }
    stats_.bytes_received += bytes->size();
    if (options_.trace) options_.trace(false, *bytes);
    auto message = c22::OpenMessage(*bytes, keys_, options_.ap_title_base);
    auto drop = [&](std::string why) {
      ++stats_.stale;
      dropped = std::move(why);
    };
    if (!message) {
      drop(message.error().ToString());
      continue;
    }
    const c22::Apdu& a = message->apdu;
    if (a.called_ap_invocation_id && *a.called_ap_invocation_id != invocation_id) {
      drop(fmt::format("an answer to invocation {} (waiting for {})", *a.called_ap_invocation_id, invocation_id));
      continue;
    }
    auto same = [&](const std::optional<c22::ApTitle>& title, const c22::ApTitle& want) {
      if (!title) return true;
      auto absolute = c22::ToAbsolute(*title, options_.ap_title_base);
      return absolute && *absolute == want;
    };
    if (!same(a.called_ap_title, calling_absolute_) || !same(a.calling_ap_title, called_absolute_)) {
      drop(fmt::format("an APDU from {} to {}", a.calling_ap_title ? a.calling_ap_title->ToString() : "?",
                       a.called_ap_title ? a.called_ap_title->ToString() : "?"));
      continue;
    }
    const auto wanted = options_.key ? options_.key->mode : c22::SecurityMode::kCleartext;
    // A device that cannot check our MAC answers sme (or uat, ...) in cleartext: take such an
    // answer when it carries only error codes, which tell why and reveal nothing.
    const bool cleartext_error =
        message->epsem.security_mode == c22::SecurityMode::kCleartext && !message->epsem.services.empty() &&
        std::all_of(message->epsem.services.begin(), message->epsem.services.end(), [](const auto& s) {
          return !s.empty() && s.front() != static_cast<uint8_t>(c18::ResponseCode::kOk) && s.size() == 1;
        });
    if (message->epsem.security_mode != wanted && !cleartext_error) {
      drop(fmt::format("an answer in security mode {} (sent mode {})", static_cast<int>(message->epsem.security_mode),
                       static_cast<int>(wanted)));
      continue;
    }
    const auto& services = message->epsem.services;
    if (services.empty() || services.size() > requests.size()) {
      return Fail(core::Error::Invalid(fmt::format("{}: {} answers to {} requests", Name(), services.size(),
                                                   requests.size())));
    }
    std::vector<c22::ServiceResponse> out;
    for (size_t i = 0; i < services.size(); ++i) {
      auto response = c22::DecodeServiceResponse(c22::CodeOf(requests[i]), services[i]);
      if (!response) {
        return Fail(core::Error::Invalid(fmt::format("{}: answer {}: {}", Name(), i, response.error().ToString())));
      }
      out.push_back(std::move(*response));
    }
    return out;
  }
}

Result<void> C1222Client::Reconnect() {
  link_.reset();
  ++stats_.reconnects;
  auto link = C1222Link::Open(options_.host, options_.port, options_.transport, options_.connect_timeout);
  if (!link) return Fail(link.error());
  link_ = std::move(*link);
  if (!logged_on_) return {};
  // The session may have ended with the connection: log on again, once, without retries. A
  // device that kept the session answers isss, which is fine.
  std::vector<c22::ServiceRequest> logon{c18::Request(c18::LogonRequest{options_.user_id, options_.user,
                                                                         options_.session_idle_timeout_s})};
  if (!options_.password.empty()) {
    logon.push_back(c18::Request(c18::SecurityRequest{c18::PadPassword(options_.password), std::nullopt}));
  }
  const uint32_t id = next_invocation_id_++;
  auto bytes = SealRequest(logon, id);
  if (!bytes) return Fail(bytes.error());
  ++stats_.requests;
  stats_.bytes_sent += bytes->size();
  if (options_.trace) options_.trace(true, *bytes);
  if (auto sent = link_->Send(*bytes); !sent) return sent;
  auto answer = AwaitAnswer(logon, id, C1222Link::Clock::now() + options_.response_timeout);
  if (!answer) return Fail(answer.error());
  return {};
}

Result<std::vector<c22::ServiceResponse>> C1222Client::Exchange(const std::vector<c22::ServiceRequest>& requests) {
  if (requests.empty()) return Fail(core::Error::Invalid("no requests"));
  const uint32_t id = next_invocation_id_++;
  auto bytes = SealRequest(requests, id);
  if (!bytes) return Fail(bytes.error());
  core::Error last = Unavailable("no answer");
  for (int attempt = 0; attempt < options_.tries; ++attempt) {
    if (!link_) {
      if (auto r = Reconnect(); !r) {
        last = r.error();
        continue;
      }
    }
    ++stats_.requests;
    stats_.bytes_sent += bytes->size();
    if (options_.trace) options_.trace(true, *bytes);
    if (auto sent = link_->Send(*bytes); !sent) {
      last = sent.error();
      link_.reset();
      continue;
    }
    auto answer = AwaitAnswer(requests, id, C1222Link::Clock::now() + options_.response_timeout);
    if (answer) return answer;
    last = answer.error();
    if (last.code != core::ErrorCode::kUnavailable && last.code != core::ErrorCode::kCorruption) return Fail(last);
    ++stats_.timeouts;
    // UDP sends the same datagram again (the same invocation id matches a late answer); a TCP
    // stream in an unknown state is replaced.
    if (options_.transport == C1222Transport::kTcp) link_.reset();
  }
  return Fail(Unavailable(fmt::format("{}: no answer after {} tries: {}", Name(), options_.tries, last.message)));
}

core::Error C1222Client::CodeError(std::string_view what, const c18::ErrorResponse& response) const {
  using RC = c18::ResponseCode;
  core::ErrorCode code = core::ErrorCode::kUnavailable;
  switch (response.code) {
    case RC::kIsc: code = core::ErrorCode::kPermissionDenied; break;
    case RC::kSme: code = core::ErrorCode::kUnauthenticated; break;
    case RC::kOnp:
    case RC::kIar:
    case RC::kDlk:
    case RC::kIsss:
    case RC::kRno: code = core::ErrorCode::kConflict; break;
    case RC::kErr:
    case RC::kSns: code = core::ErrorCode::kInvalidArgument; break;
    case RC::kRqtl:
    case RC::kRstl:
    case RC::kSgnp:
    case RC::kSgerr: code = core::ErrorCode::kOutOfRange; break;
    default: break;
  }
  std::string size;
  if (auto max = c18::MaxSize(response)) size = fmt::format(", at most {} bytes", *max);
  return {code,
          fmt::format("{}: {}: {} ({}{})", Name(), what, c18::ResponseCodeAbbreviation(response.code),
                      c18::ResponseCodeName(response.code), size),
          {}};
}

Result<c18::Response> C1222Client::Call(const c18::Request& request) {
  for (int busy = 0;; ++busy) {
    auto answers = Exchange({c22::ServiceRequest(request)});
    if (!answers) return Fail(answers.error());
    const auto* response = std::get_if<c18::Response>(&answers->front());
    if (!response) return Fail(core::Error::Invalid(fmt::format("{}: {}: unexpected answer", Name(), Describe(request))));
    const auto* error = std::get_if<c18::ErrorResponse>(response);
    if (!error) return *response;
    if (c18::ActionFor(error->code) == c18::ResponseAction::kRetryLater) {
      ++stats_.busy;
      if (busy < options_.busy_retries) {
        std::this_thread::sleep_for(options_.busy_delay);  // the protocol's wait, not a guess
        continue;
      }
      return Fail(Unavailable(CodeError(Describe(request), *error).message + fmt::format(" after {} retries", busy)));
    }
    return Fail(CodeError(Describe(request), *error));
  }
}

Result<void> C1222Client::Logon() {
  std::vector<c22::ServiceRequest> requests{
      c18::Request(c18::LogonRequest{options_.user_id, options_.user, options_.session_idle_timeout_s})};
  if (!options_.password.empty()) {
    requests.push_back(c18::Request(c18::SecurityRequest{c18::PadPassword(options_.password), std::nullopt}));
  }
  for (int busy = 0;; ++busy) {
    auto answers = Exchange(requests);
    if (!answers) return Fail(answers.error());
    bool retry = false;
    for (size_t i = 0; i < requests.size(); ++i) {
      const std::string what = i == 0 ? "logon" : "security";
      if (i >= answers->size()) return Fail(core::Error::Invalid(fmt::format("{}: no answer to {}", Name(), what)));
      const auto* response = std::get_if<c18::Response>(&(*answers)[i]);
      const auto* error = response ? std::get_if<c18::ErrorResponse>(response) : nullptr;
      if (!response) return Fail(core::Error::Invalid(fmt::format("{}: {}: unexpected answer", Name(), what)));
      if (!error) continue;
      if (c18::ActionFor(error->code) == c18::ResponseAction::kRetryLater && busy < options_.busy_retries) {
        ++stats_.busy;
        retry = true;
        break;
      }
      return Fail(CodeError(what, *error));
    }
    if (!retry) break;
    std::this_thread::sleep_for(options_.busy_delay);
  }
  logged_on_ = true;
  return {};
}

Result<void> C1222Client::Logoff() {
  if (!logged_on_) return {};
  logged_on_ = false;
  if (!link_) return {};  // the connection is gone, and the session with it
  // Once, without retries: the end of a session that failed must not wait out all the tries
  // again; a meter that misses it ends the session at its idle timeout.
  const int tries = options_.tries;
  options_.tries = 1;
  auto answers = Exchange({c22::ServiceRequest(c18::Request(c18::LogoffRequest{}))});
  options_.tries = tries;
  if (!answers) return Fail(answers.error());
  const auto* response = std::get_if<c18::Response>(&answers->front());
  if (const auto* error = response ? std::get_if<c18::ErrorResponse>(response) : nullptr) {
    return Fail(CodeError("logoff", *error));
  }
  return {};
}

Result<void> C1222Client::Terminate() {
  logged_on_ = false;
  auto r = Call(c18::TerminateRequest{});
  if (!r) return Fail(r.error());
  return {};
}

Result<std::vector<uint8_t>> C1222Client::Read(uint16_t table_id) {
  auto r = Call(c18::FullReadRequest{table_id});
  if (!r) return Fail(r.error());
  const auto* read = std::get_if<c18::ReadResponse>(&*r);
  if (!read) return Fail(core::Error::Invalid(fmt::format("{}: read {}: not a read answer", Name(), TableName(table_id))));
  return read->data;
}

Result<std::vector<uint8_t>> C1222Client::ReadOffset(uint16_t table_id, uint32_t offset, uint16_t count) {
  auto r = Call(c18::PartialReadOffsetRequest{table_id, offset, count});
  if (!r) return Fail(r.error());
  const auto* read = std::get_if<c18::ReadResponse>(&*r);
  if (!read) return Fail(core::Error::Invalid(fmt::format("{}: read {}: not a read answer", Name(), TableName(table_id))));
  return read->data;
}

Result<void> C1222Client::Write(uint16_t table_id, std::span<const uint8_t> data) {
  auto r = Call(c18::FullWriteRequest{table_id, std::vector<uint8_t>(data.begin(), data.end())});
  if (!r) return Fail(r.error());
  return {};
}

Result<void> C1222Client::WriteOffset(uint16_t table_id, uint32_t offset, std::span<const uint8_t> data) {
  auto r = Call(c18::PartialWriteOffsetRequest{table_id, offset, std::vector<uint8_t>(data.begin(), data.end())});
  if (!r) return Fail(r.error());
  return {};
}

Result<C1222ProcedureResult> C1222Client::Procedure(const codec::c1219::TableContext& context,
                                                     codec::c1219::ProcedureId procedure,
                                                     std::span<const uint8_t> params) {
  using codec::c1219::ProcedureIdName;
  codec::c1219::St7 st7;
  st7.procedure = procedure;
  st7.selector = static_cast<uint8_t>(codec::c1219::ResponseSelector::kOnCompletion);
  st7.sequence_number = next_procedure_seq_++;
  st7.params.assign(params.begin(), params.end());
  auto st7_bytes = codec::c1219::EncodeSt7(st7, context);
  if (!st7_bytes) return Fail(st7_bytes.error());
  if (auto w = Write(codec::c1219::kSt7, *st7_bytes); !w) return Fail(w.error());
  for (int attempt = 0;; ++attempt) {
    auto st8_bytes = Read(codec::c1219::kSt8);
    if (!st8_bytes) return Fail(st8_bytes.error());
    auto st8 = codec::c1219::DecodeSt8(*st8_bytes, context);
    if (!st8) return Fail(st8.error());
    const bool ours = st8->procedure == procedure && st8->sequence_number == st7.sequence_number;
    const bool pending = !ours || st8->result_code == static_cast<uint8_t>(codec::c1219::ProcedureResult::kNotFullyCompleted);
    if (!pending) return C1222ProcedureResult{std::move(*st8)};
    if (attempt >= options_.procedure_retries) {
      if (!ours) {
        return Fail(core::Error::Conflict(fmt::format("{}: ST8 answers {} sequence {}, not {} sequence {}", Name(),
                                                      ProcedureIdName(st8->procedure), st8->sequence_number,
                                                      ProcedureIdName(procedure), st7.sequence_number)));
      }
      return C1222ProcedureResult{std::move(*st8)};  // still "accepted, not fully completed"
    }
    std::this_thread::sleep_for(options_.procedure_delay);
  }
}

}  // namespace meterd::headend
