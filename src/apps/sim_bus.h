// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "device/c1222_meter_sim.h"
#include "device/mbus_bus_sim.h"
#include "device/modbus_meter_sim.h"
#include "headend/poll_targets.h"

namespace meterd::apps {

// metersim's bus meters: one simulated M-Bus converter with `mbus_meters` meters of every kind
// (water, warm water, heat, gas, electricity, in turn) and `modbus_meters` Modbus TCP energy
// meters (Eastron SDM630, SDM120 and ABB B23, in turn), each on its own loopback port, and
// `c12_meters` C12.19 electricity meters over C12.22 (two three-phase to one single-phase), all
// behind one TCP and UDP port and addressed by ApTitle .1153.<seed * 100000 + n>. The targets file
// meterd polls is written once they listen (docs/device.md, "C12.22 meter").
struct BusSimOptions {
  int mbus_meters = 0;
  int modbus_meters = 0;
  int c12_meters = 0;
  uint16_t c12_port = 1153;         // 0: an ephemeral port
  bool c12_security = false;        // EAX' (ciphertext) with a key per meter; cleartext refused
  std::string c12_password = "operator";  // of user 2, the operator the head-end logs on as
  std::string models_dir = "meters";
  std::string targets_file;  // written when set
  uint64_t seed = 1;
};

class BusSims {
 public:
  static core::Result<std::unique_ptr<BusSims>> Start(const BusSimOptions& options, core::Instant now);
  // Moves the M-Bus meters' registers to `now` (the Modbus meters follow the wall clock, the
  // C12.22 meters catch up with it whenever they are addressed).
  void Tick(core::Instant now);
  const headend::PollTargets& targets() const { return targets_; }
  uint16_t c12_port() const { return c1222_ ? c1222_->port() : 0; }

 private:
  core::Result<void> StartC1222(const BusSimOptions& options);

  std::unique_ptr<device::MbusBusSim> mbus_;
  std::unique_ptr<device::ModbusMeterSim> modbus_;
  std::unique_ptr<device::C1222MeterSim> c1222_;
  headend::PollTargets targets_;
};

}  // namespace meterd::apps
