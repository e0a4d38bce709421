// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace meterd::core {

// Things that happen to a device or meter, reported by it or found by the head-end.
enum class EventType : uint8_t {
  kTamper = 1,            // reported: the enclosure or pulse cable was tampered with
  kPowerLoss = 2,         // reported
  kPowerRestored = 3,     // reported
  kOutputChanged = 4,     // reported: the output relay switched
  kMeterError = 5,        // reported: a polled meter flags an error in its status (M-Bus status byte)
  kSequenceGap = 10,      // found: messages the device no longer holds are lost
  kCounterRollover = 11,  // found: the pulse counter wrapped
  kCounterReset = 12,     // found: the pulse counter went back (device reset or replaced)
  kDeviceReplaced = 13,   // found: a new device reports for a meter
  kClockSkew = 14,        // found: a timestamp far in the future was refused
  kDuplicateConflict = 15,  // found: a sequence number arrived again with other content
  kCommandFailed = 16,    // reported: the device could not carry out a command
  kBillHeld = 20,         // found: a bill run held an account out (an audit rule failed)
  kBillFlagged = 21,      // found: a bill run flagged a bill for review (fluctuation)
};
std::string_view EventTypeName(EventType type);
Result<EventType> ParseEventType(std::string_view name);

struct Event {
  Instant at;
  EventType type;
  std::string device;  // may be empty for meter-only events
  std::string meter;
  std::string detail;  // human-readable specifics
};

}  // namespace meterd::core
