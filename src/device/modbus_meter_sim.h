// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codec/modbus/register_map.h"
#include "codec/modbus/register_value.h"
#include "core/error.h"
#include "core/quantity.h"
#include "core/time.h"

namespace meterd::device {

// One simulated Modbus TCP energy meter: its register map (the same file a poller uses), the
// unit id it answers to behind a gateway, and the seed of its load.
struct ModbusSimMeter {
  std::string name;  // for messages
  std::shared_ptr<const codec::modbus::RegisterMap> map;
  uint8_t unit_id = 1;  // 1..247
  uint64_t seed = 1;
};

// Many simulated Modbus TCP energy meters served from one thread, through libmodbus's server
// side (modbus_tcp_listen, modbus_receive, modbus_reply on a modbus_mapping_t per meter).
//
// What the meters measure: each phase draws power from its own LoadProfile (BDEW H0 household
// shape); voltage is 230 V with +-2 V noise, power factor 0.90..1.00 (varying by quarter hour),
// S = P / PF, I = S / V, Q = sqrt(S^2 - P^2) (inductive), frequency 50 Hz +-0.05. Import active
// energy integrates the power exactly (whole mWh, the fraction carried), reactive import follows
// it at tan(phi); export stays at its starting value. Totals are sums over the phases. Every
// register of the map is filled from these by its unit, phase and channel; energy registers are
// truncated to their resolution (a meter shows what it has counted), the rest rounded.
//
// Serving: one epoll loop thread accepts connections, frames requests itself (non-blocking, any
// number of sockets) and answers each with modbus_reply from the meter's mapping. Reads outside
// the map's address range get exception 02 (illegal data address), other functions 01, a bad
// quantity 03, and an unknown unit id behind a gateway 0x0B. Registers between map entries read as
// 0, as on the Eastron meters. A request without a valid MBAP header closes the connection.
//
// Time: simulated time moves only by AdvanceTo (tests), or, with Options::tick > 0, the loop
// moves it to the wall clock every tick. Registers of all meters change together under one lock,
// so a single request never sees a half-updated meter; a poll of several requests can straddle an
// update, as with a real meter.
//
// Threading: all public functions are thread-safe.
class ModbusMeterSim {
 public:
  enum class Layout : uint8_t {
    kPortPerMeter,  // each meter on its own port, answering any unit id (a meter with Ethernet)
    kGateway,       // all meters on one port, addressed by unit id (an RTU-to-TCP gateway)
  };
  struct Options {
    std::string host = "127.0.0.1";  // IPv4 address to listen on
    uint16_t base_port = 0;          // 0: ephemeral ports; else meter i listens on base_port + i
    Layout layout = Layout::kPortPerMeter;
    core::Instant start = core::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
    std::chrono::milliseconds tick{0};  // > 0: follow the wall clock (metersim); 0: AdvanceTo only
  };
  struct Counters {
    uint64_t requests = 0;     // answered with data
    uint64_t exceptions = 0;   // answered with an exception
    uint64_t connections = 0;  // accepted
  };

  // Binds every listening socket before returning, so clients may connect at once; fails (and
  // binds nothing) for a meter without a map, a unit id outside 1..247, a unit id used twice
  // behind a gateway, or a port that cannot be bound.
  static core::Result<std::unique_ptr<ModbusMeterSim>> Start(Options options, std::vector<ModbusSimMeter> meters);

  ~ModbusMeterSim();  // Stop()
  ModbusMeterSim(const ModbusMeterSim&) = delete;
  ModbusMeterSim& operator=(const ModbusMeterSim&) = delete;

  // Stops the loop thread and closes every socket. Idempotent.
  void Stop();

  size_t size() const;
  uint16_t Port(size_t meter) const;  // where meter `meter` listens
  uint8_t UnitId(size_t meter) const;

  // Moves simulated time forward to `t` (nothing if `t` is not later) and updates every register.
  void AdvanceTo(core::Instant t);
  core::Instant Now() const;

  // What meter `meter`'s registers hold now, decoded with its map: what a poll would return.
  core::Result<std::vector<codec::modbus::NamedValue>> Published(size_t meter) const;
  // The exact energy counted so far for a channel (import/export/total/net, active or reactive)
  // on a phase or in total, in mWh or mvarh (scale -3), before any register rounding.
  core::Quantity Energy(size_t meter, codec::modbus::EnergyChannel channel, codec::modbus::Phase phase) const;

  Counters counters() const;

 private:
  struct Impl;
  explicit ModbusMeterSim(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meterd::device
