// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/ids.h"
#include "core/quantity.h"
#include "core/time.h"

namespace meterd::core {

// What is metered. A pulse device reports the medium of the meter it is wired to.
enum class Medium : uint8_t { kElectricity = 0, kWater = 1, kHotWater = 2, kGas = 3, kHeat = 4 };
// "electricity", "water", "hot_water", "gas", "heat"
std::string_view MediumName(Medium medium);
Result<Medium> ParseMedium(std::string_view name);

// A measured quantity of a meter. Codes are stable: they are stored and appear in the API.
enum class Channel : uint8_t {
  kActiveImport = 1,   // A+ Wh
  kActiveExport = 2,   // A- Wh
  kReactiveQ1 = 3,     // varh, quadrants I..IV
  kReactiveQ2 = 4,
  kReactiveQ3 = 5,
  kReactiveQ4 = 6,
  kVolume = 10,        // m3: water, hot water, gas
  kHeatEnergy = 11,    // Wh delivered by a heat meter
};
std::string_view ChannelName(Channel channel);  // "active_import", "volume", ...
Result<Channel> ParseChannel(std::string_view name);
Unit ChannelUnit(Channel channel);
// The channel a pulse input on a meter of `medium` counts into.
Channel PulseChannel(Medium medium);

// How far a value can be trusted. Stored in two bits.
enum class Quality : uint8_t { kMissing = 0, kValid = 1, kEstimated = 2, kSuspect = 3 };
std::string_view QualityName(Quality quality);

// Consumption over [end - length, end).
struct IntervalReading {
  Channel channel;
  Instant end;
  int32_t length_s;
  Quantity value;
  Quality quality = Quality::kValid;
};

// A cumulative register (the meter's index) at an instant.
struct RegisterReading {
  Channel channel;
  Instant at;
  Quantity value;
  Quality quality = Quality::kValid;
};

}  // namespace meterd::core
