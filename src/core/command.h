// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/ids.h"
#include "core/time.h"

namespace meterd::core {

enum class CommandType : uint8_t {
  kSetOutput = 1,    // argument: 1 = on (closed), 0 = off (open)
  kSetInterval = 2,  // argument: reporting interval in seconds
};
std::string_view CommandTypeName(CommandType type);  // "set_output", "set_interval"
Result<CommandType> ParseCommandType(std::string_view name);

// pending -> sent (in a downlink) -> acknowledged | failed; pending/sent -> expired.
enum class CommandState : uint8_t { kPending = 0, kSent = 1, kAcknowledged = 2, kFailed = 3, kExpired = 4 };
std::string_view CommandStateName(CommandState state);
Result<CommandState> ParseCommandState(std::string_view name);

struct Command {
  CommandId id = 0;
  DeviceId device;
  CommandType type = CommandType::kSetOutput;
  int64_t argument = 0;
  CommandState state = CommandState::kPending;
  Instant created;
  Instant updated;
  Instant expires;
  std::string result;  // the device's answer or why it failed
  std::string created_by;
};

// Checks the argument for the type ("set_interval" takes 60..86400 s that divide a day).
Result<int64_t> CheckCommandArgument(CommandType type, int64_t argument);

}  // namespace meterd::core
