// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/medium.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {

std::string MediumName(uint8_t medium) {
  switch (medium) {
    case 0x00: return "Other";
    case 0x01: return "Oil";
    case 0x02: return "Electricity";
    case 0x03: return "Gas";
    case 0x04: return "Heat: Outlet";  // volume measured at return temperature
    case 0x05: return "Steam";
    case 0x06: return "Warm water (30-90°C)";
    case 0x07: return "Water";
    case 0x08: return "Heat Cost Allocator";
    case 0x09: return "Compressed Air";
    case 0x0A: return "Cooling load meter: Outlet";
    case 0x0B: return "Cooling load meter: Inlet";
    case 0x0C: return "Heat: Inlet";  // volume measured at flow temperature
    case 0x0D: return "Heat / Cooling load meter";
    case 0x0E: return "Bus/System";
    case 0x0F: return "Unknown Medium";
    case 0x10: return "Irrigation Water";
    case 0x11: return "Water Logger";
    case 0x12: return "Gas Logger";
    case 0x13: return "Gas Converter";
    case 0x14: return "Calorific value";
    case 0x15: return "Hot water (>90°C)";
    case 0x16: return "Cold water";
    case 0x17: return "Dual water";
    case 0x18: return "Pressure";
    case 0x19: return "A/D Converter";
    case 0x1A: return "Smoke Detector";
    case 0x1B: return "Ambient Sensor";
    case 0x1C: return "Gas Detector";
    case 0x20: return "Breaker: Electricity";
    case 0x21: return "Valve: Gas or Water";
    case 0x25: return "Customer Unit: Display Device";
    case 0x28: return "Waste Water";
    case 0x29: return "Garbage";
    case 0x30: return "Service Unit";
    case 0x36: return "Radio Converter: System";
    case 0x37: return "Radio Converter: Meter";
    default: break;
  }
  if ((medium >= 0x1D && medium <= 0x1F) || (medium >= 0x22 && medium <= 0x3F)) return "Reserved";
  return fmt::format("Unknown medium (0x{:02x})", medium);
}

}  // namespace meterd::codec::mbus
