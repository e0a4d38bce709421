// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "codec/c1219/tables.h"
#include "core/error.h"
#include "core/time.h"
#include "headend/c1222_client.h"
#include "headend/c1222_clock.h"

// Reading a C12.19 meter's tables over a logged-on C12.22 session: the configuration tables
// that size and explain the others (read first, kept between sessions), the registers, the load
// profile blocks after a point in time, and the event log. docs/headend.md ("C12.22 meters").
namespace meterd::headend {

// A meter's configuration tables and the TableContext that decodes its other tables. The Tdl is
// shared by the meters of one model and outlives the context through `tdl`.
struct C1222MeterConfig {
  std::shared_ptr<const codec::c1219::Tdl> tdl;
  codec::c1219::TableContext context;
  codec::c1219::St0 st0;
  std::optional<codec::c1219::St21> st21;
  std::optional<codec::c1219::St22> st22;
  std::optional<codec::c1219::St27> st27;
  std::optional<codec::c1219::St61> st61;
  std::optional<codec::c1219::St62> st62;
  std::optional<codec::c1219::St71> st71;
  size_t lp_block_size = 0;  // bytes of one ST64 block of set 1 (0: no load profile)
  // The clock as the configuration found it: ST52; with GMT_FLAG clear also ST51 (which ST53
  // needs to decode) and ST53.
  std::optional<codec::c1219::St52> st52;
  std::optional<codec::c1219::St51> st51;
  std::optional<codec::c1219::St53> st53;

  bool Has(codec::c1219::TableId id) const { return st0.TableUsed(id); }
};

// Reads ST0, then whichever of ST21, ST22, ST27, ST61, ST62, ST71 and ST52 it says are used, and
// ST51 and ST53 when ST52 says the meter keeps local time.
core::Result<C1222MeterConfig> ReadMeterConfig(C1222Client& client, std::shared_ptr<const codec::c1219::Tdl> tdl);

// The meter's clock now (c1222_clock.h). A meter the configuration found on UTC is not asked
// again until the configuration is read again; one on local time is read afresh (ST52 and ST53),
// as its DST state and offsets change. Fails, naming the meter, as ClockOf does.
core::Result<C1219Clock> ReadClock(C1222Client& client, const C1222MeterConfig& config);
// The clock as the configuration tables read with it say, without reading.
core::Result<C1219Clock> ConfiguredClock(const C1222Client& client, const C1222MeterConfig& config);

struct C1222RegisterRead {
  codec::c1219::St23 st23;
  std::optional<codec::c1219::St28> st28;  // when the meter has ST27 and ST28
};
// ST23, and ST28 when used. Needs ST21 (and ST22 for units) in the configuration.
core::Result<C1222RegisterRead> ReadRegisters(C1222Client& client, const C1222MeterConfig& config);

struct C1222LoadProfile {
  codec::c1219::LpSetStatus status;        // ST63 set 1
  std::vector<codec::c1219::LpBlock> blocks;  // oldest first; the last is the newest block
  uint8_t interval_minutes = 0;
  size_t reads = 0;                        // ST64 partial reads it took
};
// ST63, then the newest ST64 block of set 1 and as many older valid blocks as reach back to
// `since` (all valid blocks without it), one partial read (offset form) per block. `clock` places
// the newest block's end in UTC.
core::Result<C1222LoadProfile> ReadLoadProfile(C1222Client& client, const C1222MeterConfig& config,
                                               std::optional<core::Instant> since, const C1219Clock& clock = {});

// The whole event log, ST76. Needs ST71.
core::Result<codec::c1219::St76> ReadEventLog(C1222Client& client, const C1222MeterConfig& config);

}  // namespace meterd::headend
