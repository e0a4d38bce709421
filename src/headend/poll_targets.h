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

// The meters the head-end reads itself, from a TOML file:
//   [[mbus]]   address = "127.0.0.1:10001"  scan = true  primary = [1, 2]  answer_timeout_ms = 500
//   [[modbus]] address = "127.0.0.1:5020"   unit = 1     model = "eastron-sdm630"  meter = "E-1"
// Errors name the file (`name`), the line and the key.
struct PollTargets {
  std::vector<MbusTargetSpec> mbus;
  std::vector<ModbusTargetSpec> modbus;
  friend bool operator==(const PollTargets&, const PollTargets&) = default;
};

core::Result<PollTargets> ParsePollTargets(std::string_view text, std::string_view name);
core::Result<PollTargets> LoadPollTargets(const std::string& path);
// The same file back, for metersim to write what it serves.
std::string FormatPollTargets(const PollTargets& targets);

}  // namespace meterd::headend
