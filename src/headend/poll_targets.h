// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace meterd::headend {

// An M-Bus-to-Ethernet converter and how to find the meters on its bus.
struct MbusTargetSpec {
  std::string host;
  uint16_t port = 0;
  bool scan = true;            // secondary-address scan (wildcard search) to find the meters
  std::vector<int> primary;    // else (or also) these primary addresses, 1..250
  int answer_timeout_ms = 500; // how long a slave may take to start answering (10..5000); a
                               // silent select in a scan costs this much
  friend bool operator==(const MbusTargetSpec&, const MbusTargetSpec&) = default;
};

// One Modbus TCP energy meter (or a unit behind a gateway).
struct ModbusTargetSpec {
  std::string host;
  uint16_t port = 502;
  int unit = 1;                // Modbus unit id, 1..247
  std::string model;           // register map: <models dir>/<model>.toml
  std::string meter;           // meter id in the API; default "E-<model>-<host>-<port>-<unit>"
  friend bool operator==(const ModbusTargetSpec&, const ModbusTargetSpec&) = default;
};

// A C12.22 meter: ANSI C12.19 tables over C12.22 on TCP or UDP (docs/headend.md, "C12.22 meters").
struct C1222TargetSpec {
  std::string host;
  uint16_t port = 1153;
  bool udp = false;                 // transport = "udp" (default "tcp")
  std::string ap_title;             // the meter's ApTitle: "2.16.124.113620.1.22.0.7" or relative ".7"
  std::string calling_ap_title = ".1";  // the head-end's ApTitle
  std::string meter;                // meter id in the API; default "E-C1222-<ap_title digits>"
  std::string model;                // TDL fragment <models dir>/c1219/<model>.xml over the standard tables
  int user_id = 0;                  // 0..65535
  std::string user = "meterd";      // logon user, at most 10 bytes
  std::string password;             // security service; empty: none (at most 20 bytes)
  int key_id = 0;                   // EAX' key id 0..255, with `key`
  std::string key;                  // AES-128 key, 32 hex digits; empty: cleartext
  bool authenticate_only = false;   // security = "authenticated" (MAC only) instead of "ciphertext"
  bool registers_daily = false;     // registers = "daily" (once per UTC day) instead of "round"
  int load_profile_hours = 0;       // read ST64 every N hours (1..24); 0: no load profile
  bool events = true;               // read the event log (ST76)
  std::string relay_procedure;      // e.g. "MP1": set_output commands call it; empty: they fail
  int timeout_ms = 5000;            // per answer, 100..60000
  int tries = 3;                    // per request, 1..10
  friend bool operator==(const C1222TargetSpec&, const C1222TargetSpec&) = default;
};
// An ApTitle as it appears in the ids of a C12.22 meter ("R1153.1" for ".1153.1"): its meter is
// "E-C1222-<this>" unless named, its device "C1222-<this>".
std::string C1222TitleId(std::string_view ap_title);

// The meters the head-end reads itself, from a TOML file:
//   [[mbus]]   address = "127.0.0.1:10001"  scan = true  primary = [1, 2]  answer_timeout_ms = 500
//   [[modbus]] address = "127.0.0.1:5020"   unit = 1     model = "eastron-sdm630"  meter = "E-1"
//   [[c1222]]  address = "127.0.0.1:1153"   ap_title = ".7"  model = "meterd-sim"  load_profile_hours = 4
// Errors name the file (`name`), the line and the key.
struct PollTargets {
  std::vector<MbusTargetSpec> mbus;
  std::vector<ModbusTargetSpec> modbus;
  std::vector<C1222TargetSpec> c1222;
  friend bool operator==(const PollTargets&, const PollTargets&) = default;
};

core::Result<PollTargets> ParsePollTargets(std::string_view text, std::string_view name);
core::Result<PollTargets> LoadPollTargets(const std::string& path);
// The same file back, for metersim to write what it serves.
std::string FormatPollTargets(const PollTargets& targets);

}  // namespace meterd::headend
