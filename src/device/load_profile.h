// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"

namespace meterd::device {

// Realistic household consumption for a simulated meter, as pulses of a given weight.
//
// The rate is piecewise constant over 15-minute slots: daily mean for the medium x seasonal
// factor x weekday/weekend level x hourly shape x per-slot noise x per-device scale. The noise
// of a slot is a hash of (seed, slot), so a slot's consumption does not depend on how calls
// split time: the same seed gives the same pulses. Shapes are taken in UTC (read it as
// the local time of a UK household). Electricity follows the BDEW H0 standard load profile;
// water, hot water and gas follow typical residential patterns (docs/device.md).
//
// double is used only for the shape; pulses are whole and the fraction left over is carried to
// the next call, so the sum over calls equals the consumption to within one pulse.
class LoadProfile {
 public:
  LoadProfile(core::Medium medium, uint64_t seed);

  // Whole pulses of `pulse_weight` (L, m3 or Wh; anything else gives 0) consumed in [from, to).
  uint64_t Pulses(core::Instant from, core::Instant to, const core::Quantity& pulse_weight);

  // Expected consumption in [from, to), in litres (water, hot water, gas) or Wh (electricity).
  double Consumption(core::Instant from, core::Instant to) const;

  // This device's factor on the average household, 0.6..1.6, from the seed.
  double Scale() const { return scale_; }
  core::Medium Medium() const { return medium_; }

 private:
  double SlotRate(int64_t slot) const;  // consumption in the 15-minute slot

  core::Medium medium_;
  uint64_t seed_;
  double scale_;
  double carry_ = 0;  // fractional pulse left over from the last call, 0..1
};

}  // namespace meterd::device
