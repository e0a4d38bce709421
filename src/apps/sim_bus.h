// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "device/mbus_bus_sim.h"
#include "device/modbus_meter_sim.h"
#include "headend/poll_targets.h"

namespace meterd::apps {

// metersim's bus meters: one simulated M-Bus converter with `mbus_meters` meters of every kind
// (water, warm water, heat, gas, electricity, in turn) and `modbus_meters` Modbus TCP energy
// meters (Eastron SDM630, SDM120 and ABB B23, in turn), each on its own loopback port. The
// targets file meterd polls is written once they listen.
struct BusSimOptions {
  int mbus_meters = 0;
  int modbus_meters = 0;
  std::string models_dir = "meters";
  std::string targets_file;  // written when set
  uint64_t seed = 1;
};

class BusSims {
 public:
  static core::Result<std::unique_ptr<BusSims>> Start(const BusSimOptions& options, core::Instant now);
  // Moves the M-Bus meters' registers to `now` (the Modbus meters follow the wall clock).
  void Tick(core::Instant now);
  const headend::PollTargets& targets() const { return targets_; }

 private:
  std::unique_ptr<device::MbusBusSim> mbus_;
  std::unique_ptr<device::ModbusMeterSim> modbus_;
  headend::PollTargets targets_;
};

}  // namespace meterd::apps
