// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "codec/acq/uplink.h"
#include "core/command.h"
#include "headend/normalise.h"
#include "security/crypto.h"
#include "store/store.h"

namespace meterd::headend {

struct IngestReply {
  uint64_t ack_seq = 0;
  std::vector<core::Command> commands;                // to deliver in the downlink
  std::vector<codec::acq::DownlinkCommand> downlink;  // the same, signed when a key is set
  int64_t readings = 0;
};

struct IngestCounters {
  std::atomic<int64_t> uplinks{0};
  std::atomic<int64_t> readings{0};
  std::atomic<int64_t> duplicates{0};
  std::atomic<int64_t> deferred{0};
  std::atomic<int64_t> rejected{0};
  std::atomic<int64_t> commits{0};
  std::atomic<int64_t> commit_failures{0};
};

// Takes uplinks from many threads and writes them with group commit: one writer thread
// normalises queued uplinks against cached device state and commits them in one transaction;
// each caller is answered only after the transaction holding its data is durable. When a group
// fails, its uplinks are retried one by one so one bad uplink cannot sink the others.
class IngestService {
 public:
  struct Options {
    NormaliseOptions normalise;
    size_t max_group = 1024;  // uplinks per transaction
    // Signs every command sent to a device (Ed25519). Without it commands go unsigned, which
    // devices that trust a key refuse.
    std::optional<security::Ed25519Key> signing_key;
  };

  // `store` must outlive the service.
  IngestService(store::Store& store, Options options);
  ~IngestService();  // drains the queue, then stops
  IngestService(const IngestService&) = delete;
  IngestService& operator=(const IngestService&) = delete;

  // Blocks until committed or refused. `token_hash` is recorded on a device seen for the first
  // time (enrolment). Thread-safe.
  core::Result<IngestReply> Ingest(codec::acq::Uplink uplink, core::Instant now, std::string token_hash = {});

  // A command was queued for `device`: its next uplink picks it up.
  void NoteCommandCreated(const std::string& device);

  const IngestCounters& counters() const { return counters_; }
  size_t QueueDepth() const;

 private:
  struct Item {
    codec::acq::Uplink uplink;
    core::Instant now;
    std::string token_hash;
    std::promise<core::Result<IngestReply>> done;
  };
  struct Prepared {
    Item* item;
    Normalised normalised;
  };

  void Run();
  void ProcessGroup(std::vector<Item*>& group);
  core::Result<Normalised> Prepare(Item& item);
  core::Result<const core::TimeZone*> Zone(const std::string& name);
  void Forget(const Item& item);
  void Answer(Prepared& p);

  store::Store& store_;
  Options options_;
  IngestCounters counters_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item*> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;    // GUARDED_BY(mu_)

  std::mutex commands_mu_;
  std::unordered_set<std::string> devices_with_commands_;  // GUARDED_BY(commands_mu_)

  // Writer-thread only: the committed state of devices and meters, so normalising needs no read.
  std::unordered_map<std::string, store::DeviceRecord> devices_;
  std::unordered_map<std::string, store::MeterRecord> meters_;
  std::unordered_map<std::string, core::TimeZone> zones_;

  std::thread writer_;
};

}  // namespace meterd::headend
