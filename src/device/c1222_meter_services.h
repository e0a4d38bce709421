// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/c1218/response_code.h"
#include "core/time.h"
#include "device/c1222_meter_tables.h"

// The C12.18 services of one EPSEM, as the simulated meter answers them (the C12.22 session and
// sessionless forms): identify, logon / security / logoff / terminate / disconnect / wait, full
// and partial (offset) reads and writes, and procedures through ST7/ST8. Pure: the sockets,
// ApTitles and EAX' are c1222_meter_sim's. docs/device.md ("C12.22 meter").
//
// Response codes chosen where the standard leaves room:
//   security with a wrong password           err
//   a table or write above the caller's level isc
//   a table ST0 does not list                 iar
//   a write of a read-only table, an offset or count past the end, a pending table   onp
//   a write whose data the meter refuses      err
//   partial read/write by index, default read/write, negotiate, timing setup,
//   authenticate, and the network services (register, resolve, trace, deregister)   sns
namespace meterd::device {

struct C1222User {
  uint16_t id = 0;
  std::string name;      // logon user name, up to 10 bytes
  std::string password;  // up to 20 bytes; compared without trailing spaces and NULs
  C1222Access access = C1222Access::kReader;
};

// reader / "reader" (1), operator / "operator" (2), master / "master" (3): user ids 1, 2, 3.
std::vector<C1222User> DefaultC1222Users();

// One caller's session with one meter (keyed by the caller's ApTitle, c1222_meter_sim).
struct C1222Session {
  bool logged_on = false;
  uint16_t user_id = 0;
  C1222Access access = C1222Access::kPublic;  // raised by a security service in the session
  core::Instant last_activity;
  int idle_timeout_s = 60;
};

struct C1222ServiceContext {
  C1222MeterState& meter;
  const C1222MeterTables& tables;
  const std::vector<C1222User>& users;
  C1222Session& session;
  bool eax_key = false;  // the meter has an EAX' key: identify lists the security mechanism
};

// Answers the services of one EPSEM in order, each service's bytes as DecodeServiceRequest
// takes them; one encoded response per service. A security service raises the access of the
// services after it in the same EPSEM (sessionless), and of the session when logged on.
// `any_error` (optional) is set when some response is not ok (for response control "on exception").
std::vector<std::vector<uint8_t>> HandleServices(C1222ServiceContext& ctx,
                                                 const std::vector<std::vector<uint8_t>>& services,
                                                 bool* any_error = nullptr);

// Every service answered with `code` (busy injection, unknown ApTitle, security errors).
std::vector<std::vector<uint8_t>> ErrorServices(size_t count, codec::c1218::ResponseCode code);

}  // namespace meterd::device
