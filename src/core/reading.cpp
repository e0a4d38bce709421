// SPDX-License-Identifier: Apache-2.0
#include "core/reading.h"

#include <fmt/format.h>

namespace meterd::core {

std::string_view MediumName(Medium m) {
  switch (m) {
    case Medium::kElectricity: return "electricity";
    case Medium::kWater: return "water";
    case Medium::kHotWater: return "hot_water";
    case Medium::kGas: return "gas";
    case Medium::kHeat: return "heat";
  }
  return "electricity";
}

Result<Medium> ParseMedium(std::string_view s) {
  for (Medium m : {Medium::kElectricity, Medium::kWater, Medium::kHotWater, Medium::kGas, Medium::kHeat}) {
    if (s == MediumName(m)) return m;
  }
  return Fail(Error::Invalid(fmt::format("unknown medium '{}': expected electricity, water, hot_water, gas or heat", s),
                             "medium"));
}

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kActiveImport: return "active_import";
    case Channel::kActiveExport: return "active_export";
    case Channel::kReactiveQ1: return "reactive_q1";
    case Channel::kReactiveQ2: return "reactive_q2";
    case Channel::kReactiveQ3: return "reactive_q3";
    case Channel::kReactiveQ4: return "reactive_q4";
    case Channel::kVolume: return "volume";
    case Channel::kHeatEnergy: return "heat_energy";
  }
  return "unknown";
}

Result<Channel> ParseChannel(std::string_view s) {
  for (Channel c : {Channel::kActiveImport, Channel::kActiveExport, Channel::kReactiveQ1, Channel::kReactiveQ2,
                    Channel::kReactiveQ3, Channel::kReactiveQ4, Channel::kVolume, Channel::kHeatEnergy}) {
    if (s == ChannelName(c)) return c;
  }
  return Fail(Error::Invalid(fmt::format("unknown channel '{}'", s), "channel"));
}

Unit ChannelUnit(Channel c) {
  switch (c) {
    case Channel::kActiveImport:
    case Channel::kActiveExport:
    case Channel::kHeatEnergy: return Unit::kWh;
    case Channel::kVolume: return Unit::kM3;
    default: return Unit::kVarh;
  }
}

Channel PulseChannel(Medium m) {
  switch (m) {
    case Medium::kElectricity: return Channel::kActiveImport;
    case Medium::kHeat: return Channel::kHeatEnergy;
    default: return Channel::kVolume;
  }
}

std::string_view QualityName(Quality q) {
  switch (q) {
    case Quality::kMissing: return "missing";
    case Quality::kValid: return "valid";
    case Quality::kEstimated: return "estimated";
    case Quality::kSuspect: return "suspect";
  }
  return "missing";
}

}  // namespace meterd::core
