// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/acq/uplink.h"
#include "codec/c1219/load_profile_tables.h"
#include "codec/c1219/log_tables.h"
#include "codec/c1219/register_tables.h"
#include "codec/c1219/tdl.h"
#include "core/error.h"
#include "core/quantity.h"
#include "core/time.h"
#include "headend/c1222_clock.h"
#include "store/store.h"

// From decoded C12.19 tables to what the foundation's ingest path takes: register samples,
// present values and device events. Pure: no I/O, no clock. docs/headend.md ("C12.22 meters").
namespace meterd::headend {

// Meter times (BLK_END_TIME, log entry times) become UTC through the meter's clock
// (c1222_clock.h). A meter on local time stamps each in the DST state of its moment, which the
// functions below tell as well as the tables allow (docs/headend.md, "Meter time").

// "WH_DELIVERED" -> "wh_delivered"; "source_<i>" when the TDL does not name the source.
std::string SourceName(const codec::c1219::Tdl& tdl, std::optional<uint8_t> source, std::string_view fallback);

// The register read of ST23 (and ST28, with ST27, when given).
struct C1222Registers {
  std::optional<size_t> main;                 // the summation the meter's channel counts: the first in Wh
  std::optional<uint8_t> main_source;         // its source index (ST22 SUMMATION_SELECT)
  std::optional<core::Quantity> main_value;
  std::vector<store::PresentValue> present;   // every other value, named after its source
};
C1222Registers MapRegisters(const codec::c1219::Tdl& tdl, const codec::c1219::St22* st22,
                            const codec::c1219::St23& st23, const codec::c1219::St27* st27,
                            const codec::c1219::St28* st28, core::Instant at);

// BLK_END_TIME of a block with `valid` intervals recorded, in UTC. On a local-time clock it was
// stamped in the DST state of the block's newest interval: its extended status says which
// (DST_FLAG, ST61 EXTENDED_INT_STATUS_FLAG); without extended status, the DST state of the clock's
// read is taken, which is an hour off for a block that ended before the meter's last DST change.
core::Result<core::Instant> BlockEndInstant(const codec::c1219::LpBlock& block, uint16_t valid, bool descending,
                                            const C1219Clock& clock);

// One interval of one load-profile channel.
struct LpPoint {
  core::Instant end;
  core::Quantity value;
  std::optional<core::Quantity> end_reading;  // the register at `end`, when the block says (BLK_END_READ)
};

// The intervals of channel `channel` of set 1, oldest first, from blocks given oldest first. A
// block's intervals end at BLK_END_TIME - (n - 1 - k) x interval, k = 0 oldest, where n is
// NBR_BLK_INTS but `valid_in_last` (NBR_VALID_INT) for the newest block: BLK_END_TIME is the end
// of the last interval recorded in the block. `descending` (ST63 INTERVAL_ORDER) says the block
// stores its intervals newest first. BLK_END_TIME is placed in UTC by BlockEndInstant; the
// intervals before it are counted back in UTC, so a DST change within a block moves none of them.
core::Result<std::vector<LpPoint>> LpPoints(std::span<const codec::c1219::LpBlock> blocks, uint16_t valid_in_last,
                                            uint8_t interval_minutes, size_t channel, bool descending = false,
                                            const C1219Clock& clock = {});

struct RegisterSample {
  core::Instant at;
  core::Quantity value;
  friend bool operator==(const RegisterSample&, const RegisterSample&) = default;
};

// The register at the end of each point after `after`, where it can be told exactly:
//  - from the block end readings, back through the contiguous intervals before them and forward
//    through those after;
//  - else forward from `anchor` (the last stored sample) when it lies within the first interval
//    after it (whose value then counts from the anchor);
//  - else back from `fallback`, a register read taken as the value at the newest point.
// Points that none of these reach are left out. `interval_minutes` tells contiguous points apart.
core::Result<std::vector<RegisterSample>> RegisterSamples(std::span<const LpPoint> points, uint8_t interval_minutes,
                                                          core::Instant after, std::optional<RegisterSample> anchor,
                                                          std::optional<core::Quantity> fallback);

// The standard event log (ST76) as device events, oldest first: entries newer than `after_seq`
// (all valid ones when nullopt), mapped to the foundation's types (power down/up, tamper,
// reverse rotation, self-check errors, control point changes); other codes are not reported.
// On a local-time clock an entry's DST state is the clock's at the read (ST52 DST_FLAG), undone
// back through the log by the meter's own "Daylight Saving Time On/Off" entries (codes 22, 23,
// each stamped in the state it turns on): exact for a meter that logs its DST changes, an hour
// off before an unlogged change for one that does not.
struct LogEvents {
  std::vector<codec::acq::DeviceEvent> events;
  std::optional<uint16_t> last_seq;  // the newest entry's sequence number (also of unreported codes)
};
LogEvents EventsFromLog(const codec::c1219::St76& log, std::optional<uint16_t> after_seq,
                        const C1219Clock& clock = {});

// The sequence number in an event detail EventsFromLog wrote ("event log #123: ..."), to resume
// after a restart from what the store holds.
std::optional<uint16_t> EventLogSeqOf(std::string_view detail);

}  // namespace meterd::headend
