// SPDX-License-Identifier: Apache-2.0
#include "core/event.h"

#include <fmt/format.h>

namespace meterd::core {

namespace {
constexpr EventType kAll[] = {EventType::kTamper,        EventType::kPowerLoss,       EventType::kPowerRestored,
                              EventType::kOutputChanged, EventType::kSequenceGap,     EventType::kCounterRollover,
                              EventType::kCounterReset,  EventType::kDeviceReplaced,  EventType::kClockSkew,
                              EventType::kDuplicateConflict, EventType::kCommandFailed, EventType::kMeterError,
                              EventType::kBillHeld, EventType::kBillFlagged};
}

std::string_view EventTypeName(EventType t) {
  switch (t) {
    case EventType::kTamper: return "tamper";
    case EventType::kPowerLoss: return "power_loss";
    case EventType::kPowerRestored: return "power_restored";
    case EventType::kOutputChanged: return "output_changed";
    case EventType::kSequenceGap: return "sequence_gap";
    case EventType::kCounterRollover: return "counter_rollover";
    case EventType::kCounterReset: return "counter_reset";
    case EventType::kDeviceReplaced: return "device_replaced";
    case EventType::kClockSkew: return "clock_skew";
    case EventType::kDuplicateConflict: return "duplicate_conflict";
    case EventType::kCommandFailed: return "command_failed";
    case EventType::kBillHeld: return "bill_held";
    case EventType::kBillFlagged: return "bill_flagged";
    case EventType::kMeterError: return "meter_error";
  }
  return "unknown";
}

Result<EventType> ParseEventType(std::string_view s) {
  for (EventType t : kAll) {
    if (s == EventTypeName(t)) return t;
  }
  return Fail(Error::Invalid(fmt::format("unknown event type '{}'", s), "type"));
}

}  // namespace meterd::core
