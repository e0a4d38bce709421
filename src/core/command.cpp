// SPDX-License-Identifier: Apache-2.0
#include "core/command.h"

#include <fmt/format.h>

namespace meterd::core {

std::string_view CommandTypeName(CommandType t) {
  return t == CommandType::kSetOutput ? "set_output" : "set_interval";
}

Result<CommandType> ParseCommandType(std::string_view s) {
  if (s == "set_output") return CommandType::kSetOutput;
  if (s == "set_interval") return CommandType::kSetInterval;
  return Fail(Error::Invalid(fmt::format("unknown command type '{}': expected set_output or set_interval", s), "type"));
}

std::string_view CommandStateName(CommandState s) {
  switch (s) {
    case CommandState::kPending: return "pending";
    case CommandState::kSent: return "sent";
    case CommandState::kAcknowledged: return "acknowledged";
    case CommandState::kFailed: return "failed";
    case CommandState::kExpired: return "expired";
  }
  return "pending";
}

Result<CommandState> ParseCommandState(std::string_view s) {
  for (CommandState c : {CommandState::kPending, CommandState::kSent, CommandState::kAcknowledged,
                         CommandState::kFailed, CommandState::kExpired}) {
    if (s == CommandStateName(c)) return c;
  }
  return Fail(Error::Invalid(fmt::format("unknown command state '{}'", s), "state"));
}

Result<int64_t> CheckCommandArgument(CommandType type, int64_t argument) {
  if (type == CommandType::kSetOutput) {
    if (argument != 0 && argument != 1) return Fail(Error::Invalid("set_output takes on (1) or off (0)", "argument"));
    return argument;
  }
  if (argument < 60 || argument > 86400 || 86400 % argument != 0) {
    return Fail(Error::Invalid("set_interval takes 60..86400 seconds that divide a day", "argument"));
  }
  return argument;
}

}  // namespace meterd::core
