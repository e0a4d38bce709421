// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/acq/uplink.h"
#include "core/command.h"
#include "core/error.h"
#include "headend/c1222_client.h"
#include "headend/c1222_meter.h"
#include "headend/poll_targets.h"

// Commands from the queue carried out on a C12.22 meter (docs/headend.md, "C12.22 meters").
// set_output runs the target's relay procedure (meterd-sim's MP1: PARM RELAY_MASK, ACTION 0 open /
// 1 close; RESP_DATA the relay states) through ST7, reads ST8 back, and checks that every relay
// it reports is in the state asked for. Other command types are refused: a C12.22 meter's
// interval is part of its program (ST61), not a command.
namespace meterd::headend {

// The PARM of a relay procedure: RELAY_MASK = every relay, ACTION = 1 (close) or 0 (open), by
// the procedure's TDL definition.
core::Result<std::vector<uint8_t>> RelayParams(const C1222MeterConfig& config, codec::c1219::ProcedureId procedure,
                                               bool close);

// Whether the relay states in a relay procedure's RESP_DATA (STATE[i].CLOSED) are all `close`;
// an error names the first that is not. Without a STATE array the result code alone counts.
core::Result<void> CheckRelays(const C1222MeterConfig& config, codec::c1219::ProcedureId procedure,
                               std::span<const uint8_t> response, bool close);

// Carries out `command` on the logged-on meter and says how it went, as the device's ack.
codec::acq::CommandAck ExecuteC1222Command(C1222Client& client, const C1222MeterConfig& config,
                                           const C1222TargetSpec& spec, const core::Command& command);

}  // namespace meterd::headend
