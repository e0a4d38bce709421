// SPDX-License-Identifier: Apache-2.0
#pragma once

// Column lists and row <-> record mapping shared by the SQLite store's files. Internal.

#include <chrono>
#include <cstdint>

#include "core/time.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace meterd::store::rows {

inline int64_t Unix(core::Instant t) { return core::ToUnixSeconds(t); }
inline core::Instant At(int64_t s) { return core::FromUnixSeconds(s); }
inline core::Instant Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

inline constexpr const char* kDeviceColumns =
    "id, meter, medium, pulse_value, pulse_scale, pulse_unit, counter_bits, interval_s, token_hash, created, "
    "acked_seq, has_sample, last_count, last_at, offset_pulses, last_seen, backlog, output_on";
inline constexpr const char* kMeterColumns =
    "id, medium, device, time_zone, interval_s, has_register, register_value, register_scale, register_unit, "
    "register_at";
inline constexpr const char* kCommandColumns =
    "id, device, type, argument, state, created, updated, expires, result, created_by";
inline constexpr const char* kEventColumns = "at, type, device, meter, detail";

// Read a record from the current row, its columns in the order above starting at column 0.
DeviceRecord ReadDevice(const Stmt& s);
MeterRecord ReadMeter(const Stmt& s);
core::Command ReadCommand(const Stmt& s);
core::Event ReadEvent(const Stmt& s);

// Bind a record's columns, in the order above, to parameters 1..n.
void BindDevice(Stmt& s, const DeviceRecord& d);
void BindMeter(Stmt& s, const MeterRecord& m);

}  // namespace meterd::store::rows
