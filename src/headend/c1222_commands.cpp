// SPDX-License-Identifier: Apache-2.0
#include "headend/c1222_commands.h"

#include <fmt/format.h>

namespace meterd::headend {

namespace c19 = codec::c1219;
using core::Fail;
using core::Result;

Result<std::vector<uint8_t>> RelayParams(const C1222MeterConfig& config, c19::ProcedureId procedure, bool close) {
  c19::Value params = c19::Value::Record({});
  params.Add("RELAY_MASK", c19::Value::Uint(0xFF));
  params.Add("ACTION", c19::Value::Uint(close ? 1 : 0));
  return c19::EncodeProcedureData(config.context, procedure, /*response=*/false, params);
}

Result<void> CheckRelays(const C1222MeterConfig& config, c19::ProcedureId procedure, std::span<const uint8_t> response,
                         bool close) {
  auto data = c19::DecodeProcedureData(config.context, procedure, /*response=*/true, response);
  if (!data) return Fail(data.error());
  const c19::Value* states = data->Find("STATE");
  if (!states || states->kind() != c19::Value::Kind::kArray) return {};
  for (size_t i = 0; i < states->items().size(); ++i) {
    const c19::Value* closed = states->items()[i].Find("CLOSED");
    if (closed && closed->AsBool() != close) {
      return Fail(core::Error::Conflict(fmt::format("relay {} is still {}", i + 1, close ? "open" : "closed")));
    }
  }
  return {};
}

codec::acq::CommandAck ExecuteC1222Command(C1222Client& client, const C1222MeterConfig& config,
                                           const C1222TargetSpec& spec, const core::Command& command) {
  auto failed = [&](std::string detail) { return codec::acq::CommandAck{command.id, false, detail.substr(0, 256)}; };
  if (command.type != core::CommandType::kSetOutput) {
    return failed(fmt::format("{} is not supported by C12.22 meters (the interval is part of the meter's program)",
                              core::CommandTypeName(command.type)));
  }
  if (spec.relay_procedure.empty()) return failed("no relay_procedure configured for this meter");
  auto procedure = c19::ParseProcedureId(spec.relay_procedure);
  if (!procedure) return failed(procedure.error().message);
  const bool close = command.argument != 0;
  auto params = RelayParams(config, *procedure, close);
  if (!params) return failed(fmt::format("{}: {}", spec.relay_procedure, params.error().message));
  auto result = client.Procedure(config.context, *procedure, *params);
  if (!result) return failed(result.error().message);
  if (!result->completed()) {
    return failed(fmt::format("{} sequence {}: {}", spec.relay_procedure, result->st8.sequence_number,
                              c19::ProcedureResultName(result->st8.result_code)));
  }
  if (auto checked = CheckRelays(config, *procedure, result->st8.response, close); !checked) {
    return failed(fmt::format("{} completed but {}", spec.relay_procedure, checked.error().message));
  }
  return codec::acq::CommandAck{command.id, true,
                                fmt::format("{} completed (sequence {}): relays {}", spec.relay_procedure,
                                            result->st8.sequence_number, close ? "closed" : "open")};
}

}  // namespace meterd::headend
