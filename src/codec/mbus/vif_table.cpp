// SPDX-License-Identifier: Apache-2.0
// The VIF tables of EN 13757-3. Each function maps a 7-bit code to its meaning by ranges: the
// low bits of a range are the power of ten (nnn, nn) or the time unit (pp).
#include "codec/mbus/vif_table.h"

#include <fmt/format.h>

namespace meterd::codec::mbus {
namespace {

VifMeaning Scaled(std::string_view quantity, std::string_view unit, int exponent) {
  return VifMeaning{quantity, unit, static_cast<int8_t>(exponent), false, false};
}
VifMeaning Plain(std::string_view quantity, std::string_view unit = {}) { return Scaled(quantity, unit, 0); }
VifMeaning TimePoint(std::string_view quantity) { return VifMeaning{quantity, {}, 0, true, false}; }
VifMeaning Reserved() { return VifMeaning{"Reserved", {}, 0, false, true}; }

// nn = 00 seconds, 01 minutes, 10 hours, 11 days.
std::string_view SecondsToDays(uint8_t nn) {
  static constexpr std::string_view kUnits[4] = {"s", "min", "h", "d"};
  return kUnits[nn & 0x03];
}
// pp = 00 hours, 01 days, 10 months, 11 years.
std::string_view HoursToYears(uint8_t pp) {
  static constexpr std::string_view kUnits[4] = {"h", "d", "month", "year"};
  return kUnits[pp & 0x03];
}

}  // namespace

VifMeaning PrimaryVifMeaning(uint8_t code) {
  code &= 0x7F;
  const int n3 = code & 0x07;  // nnn
  const int n2 = code & 0x03;  // nn
  switch (code >> 3) {
    case 0x0: return Scaled("Energy", "Wh", n3 - 3);          // E000 0nnn
    case 0x1: return Scaled("Energy", "J", n3);               // E000 1nnn
    case 0x2: return Scaled("Volume", "m3", n3 - 6);          // E001 0nnn
    case 0x3: return Scaled("Mass", "kg", n3 - 3);            // E001 1nnn
    case 0x4:                                                 // E010 0pnn
      return Plain((code & 0x04) ? "Operating time" : "On time", SecondsToDays(code));
    case 0x5: return Scaled("Power", "W", n3 - 3);            // E010 1nnn
    case 0x6: return Scaled("Power", "J/h", n3);              // E011 0nnn
    case 0x7: return Scaled("Volume flow", "m3/h", n3 - 6);   // E011 1nnn
    case 0x8: return Scaled("Volume flow", "m3/min", n3 - 7); // E100 0nnn
    case 0x9: return Scaled("Volume flow", "m3/s", n3 - 9);   // E100 1nnn
    case 0xA: return Scaled("Mass flow", "kg/h", n3 - 3);     // E101 0nnn
    case 0xB:                                                 // E101 1pnn
      return Scaled((code & 0x04) ? "Return temperature" : "Flow temperature", "°C", n2 - 3);
    case 0xC:                                                 // E110 0pnn
      return (code & 0x04) ? Scaled("External temperature", "°C", n2 - 3)
                           : Scaled("Temperature difference", "K", n2 - 3);
    case 0xD:
      if ((code & 0x04) == 0) return Scaled("Pressure", "bar", n2 - 3);  // E110 10nn
      switch (code) {
        case 0x6C: return TimePoint("Time point (date)");
        case 0x6D: return TimePoint("Time point (date & time)");
        case 0x6E: return Plain("H.C.A.");  // units for heat cost allocator, dimensionless
        default: return Reserved();         // 6F
      }
    case 0xE:  // E111 0pnn
      return Plain((code & 0x04) ? "Actuality Duration" : "Averaging Duration", SecondsToDays(code));
    default:  // E111 1xxx
      switch (code) {
        case 0x78: return Plain("Fabrication No");
        case 0x79: return Plain("(Enhanced) Identification");
        case 0x7A: return Plain("Bus Address");
        case 0x7E: return Plain("Any VIF");
        case 0x7F: return Plain("Manufacturer specific");
        default: return Reserved();  // 7B, 7C, 7D reach here only without their VIFE
      }
  }
}

VifMeaning ExtensionFbVifMeaning(uint8_t code) {
  code &= 0x7F;
  const int n1 = code & 0x01;
  const int n2 = code & 0x03;
  if (code <= 0x01) return Scaled("Energy", "Wh", 5 + n1);           // 10^(n-1) MWh
  if (code >= 0x08 && code <= 0x09) return Scaled("Energy", "J", 8 + n1);   // 10^(n-1) GJ
  if (code >= 0x10 && code <= 0x11) return Scaled("Volume", "m3", 2 + n1);  // 10^(n+2) m3
  if (code >= 0x18 && code <= 0x19) return Scaled("Mass", "kg", 5 + n1);    // 10^(n+2) t
  switch (code) {
    case 0x21: return Scaled("Volume", "ft3", -1);
    case 0x22: return Scaled("Volume", "US gal", -1);
    case 0x23: return Scaled("Volume", "US gal", 0);
    case 0x24: return Scaled("Volume flow", "US gal/min", -3);
    case 0x25: return Scaled("Volume flow", "US gal/min", 0);
    case 0x26: return Scaled("Volume flow", "US gal/h", 0);
    default: break;
  }
  if (code >= 0x28 && code <= 0x29) return Scaled("Power", "W", 5 + n1);    // 10^(n-1) MW
  if (code >= 0x30 && code <= 0x31) return Scaled("Power", "J/h", 8 + n1);  // 10^(n-1) GJ/h
  if (code >= 0x58 && code <= 0x5B) return Scaled("Flow temperature", "°F", n2 - 3);
  if (code >= 0x5C && code <= 0x5F) return Scaled("Return temperature", "°F", n2 - 3);
  if (code >= 0x60 && code <= 0x63) return Scaled("Temperature difference", "°F", n2 - 3);
  if (code >= 0x64 && code <= 0x67) return Scaled("External temperature", "°F", n2 - 3);
  if (code >= 0x70 && code <= 0x73) return Scaled("Cold / Warm Temperature Limit", "°F", n2 - 3);
  if (code >= 0x74 && code <= 0x77) return Scaled("Cold / Warm Temperature Limit", "°C", n2 - 3);
  if (code >= 0x78) return Scaled("Cumul count max power", "W", (code & 0x07) - 3);
  return Reserved();
}

VifMeaning ExtensionFdVifMeaning(uint8_t code) {
  code &= 0x7F;
  if (code <= 0x03) return Scaled("Credit", "currency units", (code & 0x03) - 3);
  if (code <= 0x07) return Scaled("Debit", "currency units", (code & 0x03) - 3);
  if (code >= 0x24 && code <= 0x27) return Plain("Storage interval", SecondsToDays(code));
  if (code >= 0x2C && code <= 0x2F) return Plain("Duration since last readout", SecondsToDays(code));
  if (code >= 0x31 && code <= 0x33) return Plain("Duration of tariff", SecondsToDays(code));
  if (code >= 0x34 && code <= 0x37) return Plain("Period of tariff", SecondsToDays(code));
  if (code >= 0x40 && code <= 0x4F) return Scaled("Voltage", "V", (code & 0x0F) - 9);
  if (code >= 0x50 && code <= 0x5F) return Scaled("Current", "A", (code & 0x0F) - 12);
  if (code >= 0x68 && code <= 0x6B) return Plain("Duration since last cumulation", HoursToYears(code));
  if (code >= 0x6C && code <= 0x6F) return Plain("Operating time battery", HoursToYears(code));
  switch (code) {
    case 0x08: return Plain("Access Number (transmission count)");
    case 0x09: return Plain("Device type");  // medium, as in the fixed header
    case 0x0A: return Plain("Manufacturer");
    case 0x0B: return Plain("Parameter set identification");
    case 0x0C: return Plain("Model / Version");
    case 0x0D: return Plain("Hardware version");
    case 0x0E: return Plain("Firmware version");
    case 0x0F: return Plain("Software version");
    case 0x10: return Plain("Customer location");
    case 0x11: return Plain("Customer");
    case 0x12: return Plain("Access Code User");
    case 0x13: return Plain("Access Code Operator");
    case 0x14: return Plain("Access Code System Operator");
    case 0x15: return Plain("Access Code Developer");
    case 0x16: return Plain("Password");
    case 0x17: return Plain("Error flags");
    case 0x18: return Plain("Error mask");
    case 0x1A: return Plain("Digital Output");
    case 0x1B: return Plain("Digital Input");
    case 0x1C: return Plain("Baudrate", "Bd");
    case 0x1D: return Plain("Response delay time", "bit times");
    case 0x1E: return Plain("Retry");
    case 0x20: return Plain("First storage # for cyclic storage");
    case 0x21: return Plain("Last storage # for cyclic storage");
    case 0x22: return Plain("Size of storage block");
    case 0x28: return Plain("Storage interval", "month");
    case 0x29: return Plain("Storage interval", "year");
    case 0x30: return TimePoint("Start (date/time) of tariff");
    case 0x38: return Plain("Period of tariff", "month");
    case 0x39: return Plain("Period of tariff", "year");
    case 0x3A: return Plain("Dimensionless");
    case 0x60: return Plain("Reset counter");
    case 0x61: return Plain("Cumulation counter");
    case 0x62: return Plain("Control signal");
    case 0x63: return Plain("Day of week");
    case 0x64: return Plain("Week number");
    case 0x65: return Plain("Time point of day change");
    case 0x66: return Plain("State of parameter activation");
    case 0x67: return Plain("Special supplier information");
    case 0x70: return TimePoint("Date and time of battery change");
    default: return Reserved();  // 19, 1F, 23, 2A, 2B, 3B-3F, 71-7F
  }
}

std::string CombinableVifeName(uint8_t vife) {
  const uint8_t code = vife & 0x7F;
  static constexpr std::string_view kPer[] = {
      "per second", "per minute", "per hour", "per day", "per week", "per month", "per year",
      "per revolution/measurement", "increment per input pulse on channel 0",
      "increment per input pulse on channel 1", "increment per output pulse on channel 0",
      "increment per output pulse on channel 1", "per litre", "per m3", "per kg", "per K", "per kWh",
      "per GJ", "per kW", "per (K*l)", "per V", "per A", "multiplied by s", "multiplied by s/V",
      "multiplied by s/A", "start date(/time) of", "VIF contains uncorrected unit",
      "accumulation only if positive contributions", "accumulation of abs value only if negative contributions"};
  if (code < 0x20) return fmt::format("error or action code 0x{:02X}", code);
  if (code <= 0x3C) return std::string(kPer[code - 0x20]);
  if (code < 0x40) return fmt::format("reserved VIFE 0x{:02X}", code);
  if (code == 0x40) return "lower limit value";
  if (code == 0x48) return "upper limit value";
  if (code == 0x41) return "number of exceeds of lower limit";
  if (code == 0x49) return "number of exceeds of upper limit";
  if (code >= 0x40 && code < 0x50) return "date (time) of begin/end of a limit exceed";
  if (code >= 0x50 && code < 0x60) return "duration of limit exceed";
  if (code >= 0x60 && code < 0x68) return "duration of a limit exceed (first/last)";
  if (code >= 0x68 && code < 0x70) return "date (time) of a limit exceed";
  if (code <= 0x77) return fmt::format("multiplicative correction factor 10^{}", (code & 0x07) - 6);
  if (code <= 0x7B) return fmt::format("additive correction constant 10^{} x unit of VIF", (code & 0x03) - 3);
  switch (code) {
    case 0x7C: return "extension of combinable VIFE";
    case 0x7D: return "multiplicative correction factor 10^3";
    case 0x7E: return "future value";
    case 0x7F: return "manufacturer specific VIFEs and data follow";
    default: return fmt::format("reserved VIFE 0x{:02X}", code);
  }
}

}  // namespace meterd::codec::mbus
