// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/modbus/batch_planner.h"
#include "codec/modbus/register_map.h"
#include "codec/modbus/register_value.h"
#include "core/error.h"
#include "core/quantity.h"
#include "core/time.h"

namespace meterd::headend {

// A Modbus TCP meter to read: where it is and which map describes it.
struct ModbusTarget {
  std::string host;  // name or address, IPv4 or IPv6
  uint16_t port = 502;
  uint8_t unit_id = 1;  // 1..247; 255 (or 0) for a device that ignores it, as TCP devices may
  std::shared_ptr<const codec::modbus::RegisterMap> map;
};

// One complete reading: every entry of the map, exact.
struct ModbusReading {
  core::Instant at;  // when the first request of the poll was sent (UTC)
  std::vector<codec::modbus::NamedValue> values;  // in map order

  const core::Quantity* Find(std::string_view name) const;
};

// Reads meters over Modbus TCP with libmodbus, one poll at a time.
//
// A poll runs the map's planned reads (codec::modbus::PlanBatches) on one connection and decodes
// them; it either returns every value or an Error: a Modbus exception, a timeout, a refused or
// broken connection or an undecodable value fails the whole poll, so a reading is never partial
// or built from a mix of polls.
//
// Connections are kept per host:port and shared by the unit ids behind it (a gateway). After a
// timeout or any transport error the connection is closed and the next poll reconnects, so a late
// answer can never be taken for the next request's. An exception leaves the connection open: the
// meter answered properly.
//
// Threading: not thread-safe. Use one poller per thread; pollers share nothing.
class ModbusPoller {
 public:
  struct Options {
    // How long to wait for each response, and for the TCP connect.
    std::chrono::milliseconds response_timeout{1000};
    // Overrides the map's own batching (e.g. max_gap 0 for a meter that rejects gaps).
    std::optional<codec::modbus::BatchOptions> batching;
  };

  struct Counters {
    uint64_t polls = 0;      // successful
    uint64_t failures = 0;   // polls that returned an Error
    uint64_t requests = 0;   // read requests answered with data
    uint64_t registers = 0;  // registers received
    uint64_t connects = 0;   // successful connects, the first one included
  };

  ModbusPoller();
  explicit ModbusPoller(Options options);
  ~ModbusPoller();  // closes every connection
  ModbusPoller(const ModbusPoller&) = delete;
  ModbusPoller& operator=(const ModbusPoller&) = delete;

  // Errors: kUnavailable for connect failures, timeouts, broken connections, and the exceptions
  // "server device busy", "acknowledge" and the two gateway ones (try again later);
  // kInvalidArgument (field = the first register of the failing read) for the other exceptions
  // (illegal function, data address or value: the map does not fit the meter) and for a bad
  // target; kOutOfRange (field = register name) for a value that does not decode.
  core::Result<ModbusReading> Poll(const ModbusTarget& target);

  const Counters& counters() const { return counters_; }

 private:
  struct Connection;  // a libmodbus context; defined in the .cpp
  core::Result<Connection*> ConnectionFor(const ModbusTarget& target);

  Options options_;
  Counters counters_;
  std::unordered_map<std::string, std::unique_ptr<Connection>> connections_;  // by "host port"
};

}  // namespace meterd::headend
