// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "codec/c1219/tables.h"
#include "core/error.h"
#include "device/c1222_meter_model.h"
#include "device/c1222_meter_tables.h"

// The tables of a simulated C12.19 meter that follow its state, each encoded with the c1219
// codec in `ctx` (C1222MeterTables::context). Private to c1222_meter_tables and the services.
namespace meterd::device {

core::Result<std::vector<uint8_t>> EncodeIdentification(const C1222MeterState& meter,
                                                        const codec::c1219::TableContext& ctx);  // ST1
core::Result<std::vector<uint8_t>> EncodeStatus(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // ST3
core::Result<std::vector<uint8_t>> EncodeRegisters(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // ST23
core::Result<std::vector<uint8_t>> EncodePreviousReset(const C1222MeterModel& m,
                                                       const codec::c1219::TableContext& ctx);  // ST25
core::Result<std::vector<uint8_t>> EncodeSelfReads(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // ST26
core::Result<std::vector<uint8_t>> EncodePresentRegisters(const C1222MeterModel& m,
                                                          const codec::c1219::TableContext& ctx);  // ST28
// ST52 or ST55.
core::Result<std::vector<uint8_t>> EncodeClock(const C1222MeterModel& m, const codec::c1219::TableContext& ctx,
                                               codec::c1219::TableId id);
core::Result<std::vector<uint8_t>> EncodeLoadProfileStatus(const C1222MeterModel& m,
                                                           const codec::c1219::TableContext& ctx);  // ST63
// One ST64 block, in a context whose ST61 says one block (ST64 is its blocks back to back).
core::Result<std::vector<uint8_t>> EncodeLoadProfileBlock(const C1222LpBlock& block, const codec::c1219::TableContext& ctx);
core::Result<std::vector<uint8_t>> EncodeHistoryLog(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // ST74
core::Result<std::vector<uint8_t>> EncodeEventLog(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // ST76
core::Result<std::vector<uint8_t>> EncodeInstantaneous(const C1222MeterModel& m,
                                                       const codec::c1219::TableContext& ctx);  // MT1
core::Result<std::vector<uint8_t>> EncodeRelays(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);  // MT2
// MP1's RESP_DATA: the relays after the call.
core::Result<std::vector<uint8_t>> EncodeRelayResponse(const C1222MeterModel& m, const codec::c1219::TableContext& ctx);

}  // namespace meterd::device
