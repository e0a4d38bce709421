// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/c1218/response_code.h"
#include "codec/c1222/ap_title.h"
#include "codec/c1222/eax_prime.h"
#include "core/error.h"
#include "core/time.h"
#include "device/c1222_meter_model.h"
#include "device/c1222_meter_services.h"
#include "device/c1222_meter_tables.h"

// Simulated ANSI C12.19 electricity meters served over C12.22 (IEEE 1703) on TCP and UDP.
//
// Addressing: ONE listening TCP socket and ONE UDP socket on the same port (1153, the IANA
// c1222-acse port, by default) serve every meter; each APDU is routed by its called ApTitle
// (A2, absolute or relative to the ApTitle base), as a C12.22 relay in front of many meters
// would. An unknown or missing called ApTitle is answered `uat`. So thousands of meters cost no
// ports, and a client talks to meter N by addressing its ApTitle.
//
// Messages: over TCP each APDU is self-delimiting by its BER length (several may share a
// connection, in either order of meters); over UDP one datagram is one APDU. The response goes
// to the caller: called ApTitle = the request's calling ApTitle, called-AP-invocation-id = the
// request's calling-AP-invocation-id, calling ApTitle = the title that was called (as sent), and
// a calling-AP-invocation-id of the meter's own. Response control "never" and "on exception"
// are obeyed. Sessions (logon ... logoff) are kept per meter and calling ApTitle (per
// connection or UDP peer when the request has none), and expire after their idle timeout on the
// injected clock.
//
// Security: a meter with an EAX' key answers security mode 1 and 2 requests in the same mode
// (key id and a fresh 4-byte IV in its calling-authentication-value); a request whose MAC does
// not verify, a secured request to a meter without a key, and (with require_security) a
// cleartext request are answered `sme` in cleartext.
//
// Time: metrology is lazy. Each meter integrates up to Options::clock() when it is addressed
// (or asked through the methods below), so a meter nobody reads costs nothing, and tests move
// time by moving their clock. Meters are installed lp_days - 1 days before the start day, so
// their load profile is full from the first read.
//
// Threading: one thread serves every socket with epoll; meter state is guarded by one mutex,
// held while one APDU is answered. Every public method is thread-safe.
namespace meterd::device {

struct C1222SimMeter {
  std::string serial;               // ST1 MFG_SERIAL_NUMBER and ST5 IDENTIFICATION, up to 16 characters
  codec::c1222::ApTitle ap_title;   // the called ApTitle it answers to
  C1222MeterConfig config;          // phases, seed, PV, random events
  std::vector<C1222User> users = DefaultC1222Users();
  std::optional<codec::c1222::AesKey> key;  // EAX' key, or none
  uint8_t key_id = 0;
  bool require_security = false;    // with a key: answer cleartext requests with sme
};

struct C1222SimCounters {
  uint64_t apdus = 0;          // APDUs received (TCP and UDP)
  uint64_t responses = 0;      // APDUs sent
  uint64_t malformed = 0;      // not an APDU, or an EPSEM that does not decode
  uint64_t unknown_title = 0;  // answered uat
  uint64_t security_errors = 0;  // answered sme
  uint64_t injected = 0;       // answered with an injected code (busy, ...)
  uint64_t connections = 0;    // TCP connections accepted
  uint64_t datagrams = 0;      // UDP datagrams received
};

class C1222MeterSim {
 public:
  struct Options {
    std::string host = "127.0.0.1";  // IPv4 address to listen on
    uint16_t port = 1153;            // 0: an ephemeral port (TCP's number, UDP bound to the same)
    bool tcp = true;
    bool udp = true;
    std::string tdl_path = "meters/c1219/meterd-sim.xml";  // the meter type (a TDL fragment)
    C1222TableLimits limits;
    std::function<core::Instant()> clock;  // empty: the system clock
    codec::c1222::ApTitle ap_title_base = codec::c1222::DefaultApTitleBase();
  };

  // Loads the meter type, builds the meters and binds the sockets before returning, so clients
  // may connect at once. Fails for a bad TDL, a meter without serial or with an ApTitle that is
  // invalid or used twice, or a port that cannot be bound.
  static core::Result<std::unique_ptr<C1222MeterSim>> Start(Options options, std::vector<C1222SimMeter> meters);

  ~C1222MeterSim();  // Stop()
  C1222MeterSim(const C1222MeterSim&) = delete;
  C1222MeterSim& operator=(const C1222MeterSim&) = delete;

  // Closes every socket and joins the thread. Idempotent.
  void Stop();

  uint16_t port() const;
  size_t size() const;
  const C1222MeterTables& tables() const;
  const C1222SimMeter& meter(size_t index) const;

  // One APDU in, the response out (empty when none is due): what the sockets do, without them.
  std::vector<uint8_t> Handle(std::span<const uint8_t> apdu);

  // A meter's state at the clock's now (each call first advances the meter).
  C1222Registers Registers(size_t meter);
  C1222Present Present(size_t meter);
  std::vector<C1222Relay> Relays(size_t meter);
  core::Result<std::vector<uint8_t>> ReadTable(size_t meter, codec::c1219::TableId id);
  void PressButton(size_t meter);  // the customer closes armed relays

  // The next `count` APDUs to `meter` are answered with `code` for every service and change
  // nothing (bsy, dnr, ...: to exercise a head-end's retries).
  void InjectResponses(size_t meter, codec::c1218::ResponseCode code, int count);

  C1222SimCounters counters() const;

 private:
  struct Impl;
  explicit C1222MeterSim(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meterd::device
