// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "codec/acq/uplink.h"
#include "core/error.h"
#include "core/quantity.h"
#include "core/reading.h"
#include "core/time.h"
#include "headend/ingest_service.h"
#include "store/store.h"

namespace meterd::headend {

// A meter the head-end reads itself over a bus or a network (M-Bus behind a converter, Modbus
// TCP), rather than one that reports. Its main register reaches the store through the same
// ingest path as a pulse device's counter: the register counted in units of `resolution` is the
// counter, so interval consumption, daily registers, gaps, resets and idempotence all follow
// the same rules (docs/headend.md).
struct PolledMeter {
  std::string device;         // unique, e.g. "MB-12345678-ABC" or "MODBUS-127.0.0.1-5020-1"
  std::string meter;          // the meter id shown in the API
  core::Medium medium = core::Medium::kElectricity;
  core::Quantity resolution;  // one count: 1 Wh, 0.001 m3 (1 L), ...; the unit of the medium's channel
  int32_t interval_s = 900;   // day-block slot length of a new meter
};

// The token hash recorded for polled devices: not a SHA-256, so no bearer token can ever match
// it and nobody can post uplinks in a polled meter's name.
inline constexpr std::string_view kPolledTokenHash = "polled-by-headend";

// The register in counts of `resolution`: exact, or an error naming the meter (a finer value
// than the resolution, another unit, a negative index).
core::Result<uint64_t> RegisterCounts(const PolledMeter& meter, const core::Quantity& register_value);

// Feeds register reads of polled meters into the IngestService. Keeps each device's message
// sequence (continuing from the store's acknowledged sequence after a restart). Thread-safe.
class PolledMeterSink {
 public:
  // `ingest` and `store` must outlive the sink.
  PolledMeterSink(IngestService& ingest, store::Store& store) : ingest_(ingest), store_(store) {}

  // One read of the meter's main register taken at `at` (the poll time), with events seen by
  // the reader (e.g. the meter's error flags) and the read's other instantaneous values (kept
  // as the meter's present values once the register is committed). Returns the readings
  // committed.
  core::Result<int64_t> Report(const PolledMeter& meter, core::Instant at, const core::Quantity& register_value,
                               std::vector<codec::acq::DeviceEvent> events = {}, core::Instant now = {},
                               std::vector<store::PresentValue> present = {});

  // The ingest path and store behind the sink, for sources that report more than one register
  // read at a time or acknowledge commands (C12.22 meters, c1222_source.h).
  IngestService& ingest() const { return ingest_; }
  store::Store& store() const { return store_; }

 private:
  IngestService& ingest_;
  store::Store& store_;
  std::mutex mu_;
  std::map<std::string, uint64_t> next_seq_;  // GUARDED_BY(mu_)
};

}  // namespace meterd::headend
