// SPDX-License-Identifier: Apache-2.0
#include "headend/ingest_service.h"

#include <fmt/format.h>

namespace meterd::headend {

IngestService::IngestService(store::Store& store, Options options) : store_(store), options_(std::move(options)) {
  // Commands queued before a restart must still reach their devices.
  for (auto state : {core::CommandState::kPending, core::CommandState::kSent}) {
    store::CommandFilter filter;
    filter.state = state;
    filter.page.limit = 1000;
    for (;;) {
      auto page = store_.ListCommands(filter);
      if (!page || page->items.empty()) break;
      for (const auto& c : page->items) devices_with_commands_.insert(c.device);
      filter.page.offset += static_cast<int64_t>(page->items.size());
      if (filter.page.offset >= page->total) break;
    }
  }
  writer_ = std::thread([this] { Run(); });
}

IngestService::~IngestService() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

size_t IngestService::QueueDepth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void IngestService::NoteCommandCreated(const std::string& device) {
  std::lock_guard lock(commands_mu_);
  devices_with_commands_.insert(device);
}

core::Result<IngestReply> IngestService::Ingest(codec::acq::Uplink uplink, core::Instant now, std::string token_hash) {
  Item item{std::move(uplink), now, std::move(token_hash), {}};
  auto future = item.done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return core::Fail(core::Error{core::ErrorCode::kUnavailable, "shutting down", {}});
    queue_.push_back(&item);
  }
  cv_.notify_one();
  return future.get();
}

void IngestService::Run() {
  std::vector<Item*> group;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && group.size() < options_.max_group) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    ProcessGroup(group);
    group.clear();
  }
}

core::Result<const core::TimeZone*> IngestService::Zone(const std::string& name) {
  auto it = zones_.find(name);
  if (it != zones_.end()) return &it->second;
  auto zone = core::TimeZone::Find(name);
  if (!zone) return core::Fail(zone.error());
  return &zones_.emplace(name, *zone).first->second;
}

core::Result<Normalised> IngestService::Prepare(Item& item) {
  const auto& up = item.uplink;
  std::optional<store::DeviceRecord> device;
  if (auto it = devices_.find(up.device); it != devices_.end()) {
    device = it->second;
  } else {
    auto stored = store_.GetDevice(up.device);
    if (!stored) return core::Fail(stored.error());
    device = std::move(*stored);
  }
  std::optional<store::MeterRecord> meter;
  if (auto it = meters_.find(up.meter); it != meters_.end()) {
    meter = it->second;
  } else {
    auto stored = store_.GetMeter(up.meter);
    if (!stored) return core::Fail(stored.error());
    meter = std::move(*stored);
  }
  const core::TimeZone* zone = &options_.normalise.zone;
  if (meter) {
    auto z = Zone(meter->time_zone);
    if (!z) return core::Fail(z.error());
    zone = *z;
  }
  auto normalised = Normalise(device, meter, *zone, up, item.now, options_.normalise, item.token_hash);
  if (!normalised) return normalised;
  // A device may only acknowledge its own commands.
  auto& updates = normalised->write.commands;
  std::erase_if(updates, [&](const store::CommandUpdate& u) {
    auto c = store_.GetCommand(u.id);
    if (!c || !*c || (*c)->device != up.device || (*c)->state == core::CommandState::kAcknowledged ||
        (*c)->state == core::CommandState::kFailed || (*c)->state == core::CommandState::kExpired) {
      return true;
    }
    // A switched output shows at once; the device's own output_changed event follows with its
    // next sample.
    if (u.state == core::CommandState::kAcknowledged && (*c)->type == core::CommandType::kSetOutput) {
      normalised->write.device->output_on = (*c)->argument != 0;
    }
    return false;
  });
  // Keep the cache in step so a second uplink of the same device in this group chains on.
  devices_[up.device] = *normalised->write.device;
  meters_[up.meter] = *normalised->write.meter;
  return normalised;
}

void IngestService::Forget(const Item& item) {
  devices_.erase(item.uplink.device);
  meters_.erase(item.uplink.meter);
}

void IngestService::Answer(Prepared& p) {
  IngestReply reply;
  reply.ack_seq = p.normalised.ack_seq;
  reply.readings = p.normalised.readings;
  counters_.uplinks.fetch_add(1, std::memory_order_relaxed);
  counters_.readings.fetch_add(p.normalised.readings, std::memory_order_relaxed);
  counters_.duplicates.fetch_add(p.normalised.duplicates, std::memory_order_relaxed);
  counters_.deferred.fetch_add(p.normalised.deferred, std::memory_order_relaxed);
  const std::string& device = p.item->uplink.device;
  bool has_commands;
  {
    std::lock_guard lock(commands_mu_);
    has_commands = devices_with_commands_.contains(device);
  }
  if (has_commands) {
    auto commands = store_.TakeCommandsForDownlink(device, p.item->now);
    if (commands) {
      reply.commands = std::move(*commands);
      for (const auto& c : reply.commands) {
        codec::acq::DownlinkCommand d{c.id, c.type, c.argument, c.expires, {}, {}, {}};
        if (options_.signing_key) {
          auto sig = security::Ed25519Sign(*options_.signing_key, codec::acq::CommandSigningBytes(device, d));
          if (sig) {
            d.key_id = options_.signing_key->key_id;
            d.signature = std::move(*sig);
          }
        }
        reply.downlink.push_back(std::move(d));
      }
      if (reply.commands.empty()) {
        std::lock_guard lock(commands_mu_);
        devices_with_commands_.erase(device);
      }
    }
  }
  p.item->done.set_value(std::move(reply));
}

void IngestService::ProcessGroup(std::vector<Item*>& group) {
  std::vector<Prepared> prepared;
  prepared.reserve(group.size());
  for (Item* item : group) {
    auto n = Prepare(*item);
    if (!n) {
      counters_.rejected.fetch_add(1, std::memory_order_relaxed);
      Forget(*item);
      item->done.set_value(core::Fail(n.error()));
      continue;
    }
    prepared.push_back(Prepared{item, std::move(*n)});
  }
  if (prepared.empty()) return;
  std::vector<store::IngestWrite> writes;
  writes.reserve(prepared.size());
  for (auto& p : prepared) writes.push_back(std::move(p.normalised.write));
  auto committed = store_.Commit(writes);
  if (committed) {
    counters_.commits.fetch_add(1, std::memory_order_relaxed);
    for (auto& p : prepared) Answer(p);
    return;
  }
  counters_.commit_failures.fetch_add(1, std::memory_order_relaxed);
  // The cache holds state that never reached the disk: drop it and retry each uplink alone.
  for (auto& p : prepared) Forget(*p.item);
  if (prepared.size() == 1) {
    counters_.rejected.fetch_add(1, std::memory_order_relaxed);
    prepared[0].item->done.set_value(core::Fail(committed.error()));
    return;
  }
  for (auto& p : prepared) {
    std::vector<Item*> one{p.item};
    ProcessGroup(one);
  }
}

}  // namespace meterd::headend
