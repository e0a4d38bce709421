// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "headend/ingest_service.h"
#include "headend/poll_scheduler.h"
#include "headend/poll_targets.h"
#include "store/store.h"

// C12.22 meters as a poll source (docs/headend.md, "C12.22 meters"). Each round, each meter
// whose schedule says so gets one session (connect, logon, reads, commands, logoff):
//   registers     ST23 (and ST28) every round, or once per UTC day (`registers = "daily"`);
//   load profile  ST64 every `load_profile_hours`, from the last interval the store holds (so a
//                 meter that was unreachable, or a head-end that was down, catches up with what
//                 the meter still has), one partial read per block;
//   events        the event log ST76, entries newer than the last one reported, with any read;
//   commands      set_output commands of the meter's device, as the relay procedure (ST7 write,
//                 ST8 read back), checked against the relay states the procedure returns.
// Everything goes through the foundation's ingest path as the meter's device "C1222-<ApTitle>":
// register samples are the messages of an uplink (at interval ends from the load profile, else
// at the read), events ride on them, and command results are the uplink's acks, so readings,
// day blocks, registers, events and command states are exactly those of any other device.
//
// Threading: PollOnce is called from one thread at a time; it reads up to `parallel` meters at
// once on threads of its own.
namespace meterd::headend {

// What the source writes to. Both must outlive the source.
struct C1222Backend {
  IngestService& ingest;
  store::Store& store;
};

struct C1222SourceOptions {
  std::string models_dir = "meters";  // TDL fragments: <models_dir>/c1219/<model>.xml
  int parallel = 16;                  // sessions held at once
  std::chrono::seconds config_refresh{86400};  // configuration tables are read again this often
  // The client's waits (C1222ClientOptions); tests shorten them.
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds busy_delay{2000};
  std::chrono::milliseconds procedure_delay{500};
};

struct C1222SourceStats {
  std::atomic<int64_t> sessions{0};
  std::atomic<int64_t> concurrent{0};      // sessions open now
  std::atomic<int64_t> max_concurrent{0};  // the most at once
  std::atomic<int64_t> register_reads{0};
  std::atomic<int64_t> load_profile_reads{0};
  std::atomic<int64_t> samples{0};         // register samples sent to the ingest path
  std::atomic<int64_t> events{0};
  std::atomic<int64_t> commands_ok{0};
  std::atomic<int64_t> commands_failed{0};
  std::atomic<int64_t> requests{0};        // C12.22 APDUs sent
  std::atomic<int64_t> bytes{0};           // sent and received
};

class C1222Source final : public PollSource {
 public:
  // Writes to the ingest path and store behind the sink PollOnce is given (as TargetsFile's
  // sources do), or to `backend`.
  C1222Source(std::vector<C1222TargetSpec> specs, C1222SourceOptions options);
  C1222Source(std::vector<C1222TargetSpec> specs, C1222Backend backend, C1222SourceOptions options = {});
  ~C1222Source() override;

  std::string Name() const override;
  // C12.22 meters need the whole ingest path (several samples per read, command acks): the
  // sink's, unless the source was made with a backend.
  PollOutcome PollOnce(PolledMeterSink& sink, core::Instant now) override;
  // Needs a source made with a backend.
  PollOutcome Poll(core::Instant now);

  const C1222SourceStats& stats() const { return stats_; }

 private:
  struct Meter;
  PollOutcome PollMeters(C1222Backend backend, core::Instant now);

  std::optional<C1222Backend> backend_;
  C1222SourceOptions options_;
  std::vector<std::unique_ptr<Meter>> meters_;
  bool first_round_ = true;
  C1222SourceStats stats_;
};

std::shared_ptr<PollSource> MakeC1222Source(std::vector<C1222TargetSpec> specs, C1222SourceOptions options);

}  // namespace meterd::headend
