// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "codec/acq/uplink.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "store/store.h"

// Turns one decoded uplink into the store writes it implies. Pure: no I/O, no clock.
namespace meterd::headend {

struct NormaliseOptions {
  core::Seconds max_future{300};  // timestamps later than now + this are refused
  int32_t block_interval_s = 900;  // slot length of a new meter's day blocks
  core::TimeZone zone = core::TimeZone::Utc();  // zone of a new meter
  int32_t max_spread_days = 366;   // a delta over a longer silence goes into one suspect slot
};

struct Normalised {
  store::IngestWrite write;  // device and meter always set
  uint64_t ack_seq = 0;      // highest contiguous sequence once `write` is committed
  int64_t readings = 0;      // messages turned into readings
  int64_t duplicates = 0;    // messages already stored before
  int64_t deferred = 0;      // messages past a gap the device can still fill: not taken yet
};

// `device` and `meter` are the stored records (nullopt when new). `meter_zone` is the zone of
// the stored meter (ignored when the meter is new: options.zone is used). `token_hash` is set
// on a newly enrolled device.
//
// Sequence rules (docs/formats/acq.md): messages are taken in sequence order from acked_seq+1.
// A message at or below acked_seq is a duplicate and changes nothing. A hole before a message is
// skipped only when the device says it no longer holds the missing ones (oldest_seq past the
// hole); otherwise the messages past the hole wait for the device's in-order replay.
core::Result<Normalised> Normalise(const std::optional<store::DeviceRecord>& device,
                                   const std::optional<store::MeterRecord>& meter,
                                   const core::TimeZone& meter_zone, const codec::acq::Uplink& uplink,
                                   core::Instant now, const NormaliseOptions& options,
                                   const std::string& token_hash = {});

// The local days of one zone, remembering the last one: consecutive samples of a device nearly
// always fall in the same day, and a tz-database lookup costs more than the rest of a sample.
class DayCache {
 public:
  struct Day {
    core::LocalDay day = 0;
    core::Instant start;
    core::Instant next;  // start of the next day
  };
  explicit DayCache(const core::TimeZone& zone) : zone_(zone) {}
  // The local day holding instant t.
  const Day& Of(core::Instant t);

 private:
  const core::TimeZone& zone_;
  Day day_;
  bool valid_ = false;
};

// Splits `pulses` counted over (from, to] into the day-block slots it covers, in proportion to
// the seconds of each slot inside the span; the remainder goes to the last slot so the sum is
// exact. Appends SlotWrites (kAdd) to `out`. Quality is valid when one slot is covered and
// estimated when the amount was spread.
core::Result<void> SpreadOverSlots(const std::string& meter, core::Channel channel, DayCache& days,
                                   int32_t interval_s, core::Instant from, core::Instant to,
                                   const core::Quantity& amount, int32_t max_spread_days,
                                   std::vector<store::SlotWrite>& out);

}  // namespace meterd::headend
