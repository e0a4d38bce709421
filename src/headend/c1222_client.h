// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/c1219/general_tables.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1222/ap_title.h"
#include "codec/c1222/eax_prime.h"
#include "codec/c1222/epsem.h"
#include "codec/c1222/service.h"
#include "core/error.h"
#include "headend/c1222_link.h"

// A C12.22 client session with one end device (IEEE 1703 / ANSI C12.22): every request is an
// ACSE APDU from our calling ApTitle to the meter's called ApTitle, with a fresh
// calling-AP-invocation-id that the answer must echo as its called-AP-invocation-id; the EPSEM
// inside carries the C12.18 services (logon, security, read, write, logoff, ...). With a key
// the EPSEM is sealed with EAX' (security mode 1 or 2) and answers must be sealed the same way.
// docs/headend.md ("C12.22 meters") describes the behaviour; docs/formats/c1222.md the bytes.
//
// What the standards intend for each answer (c1218::ActionFor):
//   ok                     -> the result;
//   bsy, dnr               -> the same request again after `busy_delay`, up to `busy_retries` times,
//                             then kUnavailable;
//   isc                    -> kPermissionDenied at once (a wrong password or user);
//   onp, iar, dlk, isss    -> kConflict at once; sns -> kInvalidArgument; anything else kUnavailable
//                             or kInvalidArgument as below, never retried;
//   no answer in time      -> sent again up to `tries` times in all (UDP: the same datagram; TCP:
//                             over a new connection, logging on again first), then kUnavailable.
// Errors name the meter, the request and the response code ("meter .7: read ST23: isc
// (insufficient security clearance)").
//
// Threading: a client is used by one thread at a time.
namespace meterd::headend {

// 32 hex digits -> an AES-128 key.
core::Result<codec::c1222::AesKey> ParseAesKey(std::string_view hex);

struct C1222Key {
  uint8_t key_id = 0;
  codec::c1222::AesKey key{};
  // kCleartextAuthenticated (MAC only) or kCiphertextAuthenticated (encrypted and MAC).
  codec::c1222::SecurityMode mode = codec::c1222::SecurityMode::kCiphertextAuthenticated;
};

struct C1222ClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 1153;
  C1222Transport transport = C1222Transport::kTcp;
  codec::c1222::ApTitle called;   // the meter
  codec::c1222::ApTitle calling;  // the head-end
  // Relative ApTitles are made absolute with this base (for matching answers and for EAX').
  codec::c1222::ApTitle ap_title_base = codec::c1222::DefaultApTitleBase();

  uint16_t user_id = 0;
  std::string user = "meterd";  // logon user, at most 10 bytes
  std::string password;         // security service password (20 bytes, space padded); empty: none
  uint16_t session_idle_timeout_s = 60;

  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds response_timeout{5000};
  int tries = 3;  // transmissions of a request that gets no answer, the first included
  // bsy / dnr: MeteringSDK's defaults (20 x 2 s); the standards leave the figures to the utility.
  int busy_retries = 20;
  std::chrono::milliseconds busy_delay{2000};
  // ST8 read back while the procedure is "accepted, not fully completed".
  int procedure_retries = 20;
  std::chrono::milliseconds procedure_delay{500};

  std::optional<C1222Key> key;  // EAX' with this key; none: cleartext

  // Sees every APDU as sent and as received (after reassembly), e.g. for `meterctl c12 --trace`
  // or to write a capture. Called on the client's thread.
  std::function<void(bool outgoing, std::span<const uint8_t> apdu)> trace;
};

struct C1222ClientStats {
  uint64_t requests = 0;     // APDUs sent, retransmissions included
  uint64_t timeouts = 0;     // transmissions without an answer in time
  uint64_t busy = 0;         // bsy / dnr answers
  uint64_t reconnects = 0;   // TCP connections opened again after a timeout
  uint64_t stale = 0;        // answers dropped: another invocation id, or not for us
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

// The result of a procedure (ST8 read back after the ST7 write).
struct C1222ProcedureResult {
  codec::c1219::St8 st8;
  bool completed() const { return st8.result_code == 0; }
};

class C1222Client {
 public:
  // Opens the link; does not log on.
  static core::Result<std::unique_ptr<C1222Client>> Connect(C1222ClientOptions options);
  ~C1222Client();
  C1222Client(const C1222Client&) = delete;
  C1222Client& operator=(const C1222Client&) = delete;

  // One APDU with `requests` in one EPSEM; the answers in order, one per request. Applies the
  // timeout/retry rules, not the response-code rules: an answer's code is the caller's business.
  core::Result<std::vector<codec::c1222::ServiceResponse>> Exchange(
      const std::vector<codec::c1222::ServiceRequest>& requests);

  // One request with the response-code rules above: the ok response.
  core::Result<codec::c1218::Response> Call(const codec::c1218::Request& request);

  // Logon (user id, user, idle timeout), then security with the password if there is one, in one
  // APDU. Logoff ends the session (sent once, without retries: the meter's idle timeout ends a
  // session whose logoff is lost); Terminate ends the association.
  core::Result<void> Logon();
  core::Result<void> Logoff();
  core::Result<void> Terminate();

  // Table ids as on the wire: ST n is n, MT n is 2048 + n (codec/c1219/table_id.h).
  core::Result<std::vector<uint8_t>> Read(uint16_t table_id);
  core::Result<std::vector<uint8_t>> ReadOffset(uint16_t table_id, uint32_t offset, uint16_t count);
  core::Result<void> Write(uint16_t table_id, std::span<const uint8_t> data);
  core::Result<void> WriteOffset(uint16_t table_id, uint32_t offset, std::span<const uint8_t> data);

  // Writes ST7 (the procedure, selector "respond on completion", the next sequence number and
  // `params`), then reads ST8 until it answers for that sequence number with a result other than
  // "accepted, not fully completed" (re-reading up to `procedure_retries` times). `context` must
  // hold ST0 (byte order, MAX_PROC_PARM_LENGTH). The ST8 of another procedure or sequence number
  // is kConflict; a result other than completed is returned, not failed.
  core::Result<C1222ProcedureResult> Procedure(const codec::c1219::TableContext& context,
                                               codec::c1219::ProcedureId procedure, std::span<const uint8_t> params);

  const C1222ClientStats& stats() const { return stats_; }
  const C1222ClientOptions& options() const { return options_; }
  bool logged_on() const { return logged_on_; }
  const C1222Link& link() const { return *link_; }
  // "meter .7 (127.0.0.1:1153 tcp)", for messages.
  std::string Name() const;

 private:
  C1222Client(C1222ClientOptions options, std::unique_ptr<C1222Link> link);

  core::Result<std::vector<uint8_t>> SealRequest(const std::vector<codec::c1222::ServiceRequest>& requests,
                                                 uint32_t invocation_id);
  // The answer to `invocation_id`, or kUnavailable at the deadline; answers for others are dropped.
  core::Result<std::vector<codec::c1222::ServiceResponse>> AwaitAnswer(
      const std::vector<codec::c1222::ServiceRequest>& requests, uint32_t invocation_id,
      C1222Link::Clock::time_point deadline);
  core::Result<void> Reconnect();
  core::Error CodeError(std::string_view what, const codec::c1218::ErrorResponse& response) const;

  C1222ClientOptions options_;
  std::unique_ptr<C1222Link> link_;
  codec::c1222::KeyTable keys_;
  codec::c1222::ApTitle called_absolute_;
  codec::c1222::ApTitle calling_absolute_;
  uint32_t next_invocation_id_ = 1;
  uint8_t next_procedure_seq_ = 0;
  bool logged_on_ = false;
  C1222ClientStats stats_;
};

}  // namespace meterd::headend
