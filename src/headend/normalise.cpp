// SPDX-License-Identifier: Apache-2.0
#include "headend/normalise.h"

#include <fmt/format.h>

#include <algorithm>

namespace meterd::headend {

using core::Event;
using core::EventType;
using core::Instant;
using core::Quantity;

const DayCache::Day& DayCache::Of(Instant t) {
  if (valid_ && t >= day_.start && t < day_.next) return day_;
  day_.day = zone_.DayOf(t);
  day_.start = zone_.StartOf(day_.day);
  day_.next = zone_.StartOf(day_.day + 1);
  valid_ = true;
  return day_;
}

core::Result<void> SpreadOverSlots(const std::string& meter, core::Channel channel, DayCache& days,
                                   int32_t interval_s, Instant from, Instant to, const Quantity& amount,
                                   int32_t max_spread_days, std::vector<store::SlotWrite>& out) {
  if (to <= from) return core::Fail(core::Error::Invalid("empty span"));
  if (interval_s <= 0) return core::Fail(core::Error::Invalid("bad interval"));
  const core::Seconds len{interval_s};
  auto slot_of = [&](Instant x, store::SlotWrite& w, Instant& slot_start, Instant& slot_end) {
    const DayCache::Day& d = days.Of(x);
    core::LocalDay day = d.day;
    Instant day_start = d.start;
    Instant next_day = d.next;
    int64_t idx = (x - day_start) / len;
    slot_start = day_start + len * idx;
    slot_end = std::min(slot_start + len, next_day);
    w.meter = meter;
    w.channel = channel;
    w.day = day;
    w.interval_s = interval_s;
    int64_t day_s = (next_day - day_start).count();
    w.slots_per_day = static_cast<int32_t>((day_s + interval_s - 1) / interval_s);
    w.slot = static_cast<int32_t>(idx);
    w.mode = store::MergeMode::kAdd;
  };

  const int64_t total_s = (to - from).count();
  if (total_s > int64_t{max_spread_days} * 86400) {
    store::SlotWrite w;
    Instant s, e;
    slot_of(to - core::Seconds{1}, w, s, e);
    w.value = amount;
    w.quality = core::Quality::kSuspect;
    out.push_back(std::move(w));
    return {};
  }
  {
    // The common case: the whole span lies in one slot.
    store::SlotWrite w;
    Instant slot_start, slot_end;
    slot_of(from, w, slot_start, slot_end);
    if (to <= slot_end) {
      w.value = amount;
      w.quality = core::Quality::kValid;
      out.push_back(std::move(w));
      return {};
    }
  }
  size_t first = out.size();
  int64_t given = 0;
  Instant x = from;
  while (x < to) {
    store::SlotWrite w;
    Instant slot_start, slot_end;
    slot_of(x, w, slot_start, slot_end);
    int64_t overlap = (std::min(slot_end, to) - std::max(slot_start, from)).count();
    int64_t share = static_cast<int64_t>(static_cast<__int128>(amount.value) * overlap / total_s);
    given += share;
    w.value = Quantity{share, amount.scale, amount.unit};
    w.quality = core::Quality::kValid;
    out.push_back(std::move(w));
    x = slot_end;
  }
  out.back().value.value += amount.value - given;  // the rounding remainder keeps the sum exact
  if (out.size() - first > 1) {
    for (size_t i = first; i < out.size(); ++i) out[i].quality = core::Quality::kEstimated;
  }
  return {};
}

namespace {

struct Context {
  const codec::acq::Uplink& up;
  store::DeviceRecord& dev;
  store::MeterRecord& meter;
  DayCache& days;
  const NormaliseOptions& options;
  Normalised& out;

  void AddEvent(Instant at, EventType type, std::string detail) {
    out.write.events.push_back(Event{at, type, dev.id, meter.id, std::move(detail)});
  }

  core::Result<void> Register(Instant at, const Quantity& value) {
    meter.has_register = true;
    meter.register_value = value;
    meter.register_at = at;
    core::LocalDay day = days.Of(at - core::Seconds{1}).day;  // a read at midnight closes the day before
    auto& regs = out.write.registers;
    if (!regs.empty() && regs.back().day == day) {
      regs.back().at = at;
      regs.back().value = value;
    } else {
      regs.push_back(store::DailyRegister{meter.id, core::PulseChannel(meter.medium), day, at, value});
    }
    return {};
  }

  // Pulses between the last sample and this one, allowing for the counter's wrap and resets.
  uint64_t DeltaPulses(const codec::acq::Message& m) {
    if (m.count >= dev.last_count) return m.count - dev.last_count;
    int bits = dev.counter_bits;
    if (bits < 64) {
      uint64_t modulus = uint64_t{1} << bits;
      uint64_t wrapped = modulus - dev.last_count + m.count;
      if (wrapped < modulus / 2) {
        AddEvent(m.at, EventType::kCounterRollover,
                 fmt::format("pulse counter wrapped at 2^{}: {} -> {}", bits, dev.last_count, m.count));
        return wrapped;
      }
    }
    // Counting started again from zero (a reset or a replaced counter): the new count is what
    // was counted since.
    AddEvent(m.at, EventType::kCounterReset,
             fmt::format("pulse counter went back from {} to {}; counting from the new value", dev.last_count, m.count));
    return m.count;
  }

  core::Result<void> Take(const codec::acq::Message& m, Instant now) {
    for (const auto& e : m.events) {
      AddEvent(e.at, e.type, e.detail);
    }
    dev.output_on = m.output_on;
    if (m.at > now + options.max_future) {
      AddEvent(now, EventType::kClockSkew,
               fmt::format("message {} stamped {} is ahead of the server clock; sample not used", m.seq,
                           core::FormatInstant(m.at)));
      return {};
    }
    if (dev.has_sample && m.at <= dev.last_at) {
      AddEvent(now, EventType::kClockSkew,
               fmt::format("message {} stamped {} is not after the previous sample at {}; sample not used", m.seq,
                           core::FormatInstant(m.at), core::FormatInstant(dev.last_at)));
      return {};
    }
    const core::Channel channel = core::PulseChannel(meter.medium);
    if (!dev.has_sample) {
      // The first sample of this device on this meter is its baseline.
      dev.has_sample = true;
      dev.last_count = m.count;
      dev.last_at = m.at;
      if (!meter.has_register) {
        auto value = dev.pulse_weight.Times(static_cast<int64_t>(m.count));
        if (!value) return core::Fail(value.error());
        return Register(m.at, *value);
      }
      return {};
    }
    uint64_t pulses = DeltaPulses(m);
    if (pulses > static_cast<uint64_t>(INT64_MAX)) return core::Fail(core::Error::Invalid("pulse delta too large"));
    auto amount = dev.pulse_weight.Times(static_cast<int64_t>(pulses));
    if (!amount) return core::Fail(amount.error());
    auto spread = SpreadOverSlots(meter.id, channel, days, meter.interval_s, dev.last_at, m.at, *amount,
                                  options.max_spread_days, out.write.slots);
    if (!spread) return spread;
    auto reg = meter.has_register ? core::Add(meter.register_value, *amount) : core::Result<Quantity>(*amount);
    if (!reg) return core::Fail(reg.error());
    dev.last_count = m.count;
    dev.last_at = m.at;
    ++out.readings;
    return Register(m.at, *reg);
  }
};

}  // namespace

core::Result<Normalised> Normalise(const std::optional<store::DeviceRecord>& device,
                                   const std::optional<store::MeterRecord>& meter_in,
                                   const core::TimeZone& meter_zone, const codec::acq::Uplink& up, Instant now,
                                   const NormaliseOptions& options, const std::string& token_hash) {
  Normalised out;
  const Quantity weight = up.pulse_weight.Normalised();
  if (weight.value <= 0) return core::Fail(core::Error::Invalid("pulse_weight must be positive", "pulse_weight"));
  if (weight.unit != core::ChannelUnit(core::PulseChannel(up.medium))) {
    return core::Fail(core::Error::Invalid(
        fmt::format("pulse_weight unit {} does not fit medium {}", core::UnitSymbol(weight.unit),
                    core::MediumName(up.medium)),
        "pulse_weight"));
  }

  store::DeviceRecord dev;
  if (device) {
    dev = *device;
  } else {
    dev.id = up.device;
    dev.created = now;
    dev.token_hash = token_hash;
  }
  const bool new_meter = !meter_in.has_value();
  store::MeterRecord meter;
  if (meter_in) {
    meter = *meter_in;
  } else {
    meter.id = up.meter;
    meter.medium = up.medium;
    meter.time_zone = std::string(options.zone.Name());
    meter.interval_s = options.block_interval_s;
  }
  const core::TimeZone& zone = new_meter ? options.zone : meter_zone;
  if (meter.medium != up.medium) {
    return core::Fail(core::Error::Invalid(
        fmt::format("meter {} is a {} meter, the device says {}", meter.id, core::MediumName(meter.medium),
                    core::MediumName(up.medium)),
        "medium"));
  }

  DayCache days(zone);
  Context ctx{up, dev, meter, days, options, out};
  // A device now wired to another meter, or a meter now read by another device, starts from a
  // new baseline: the counts of the old pairing say nothing about the new one.
  if (device && dev.meter != up.meter) {
    ctx.AddEvent(now, EventType::kDeviceReplaced,
                 fmt::format("device {} moved from meter {} to meter {}", dev.id, dev.meter, up.meter));
    dev.has_sample = false;
  }
  if (!meter.device.empty() && meter.device != dev.id) {
    ctx.AddEvent(now, EventType::kDeviceReplaced,
                 fmt::format("meter {} is now read by device {} (was {})", meter.id, dev.id, meter.device));
    dev.has_sample = false;
  }
  if (device && (dev.pulse_weight != weight || dev.counter_bits != up.counter_bits) && dev.has_sample) {
    ctx.AddEvent(now, EventType::kCounterReset,
                 fmt::format("pulse weight or counter width changed to {} / {} bits; new baseline", weight.ToString(),
                             up.counter_bits));
    dev.has_sample = false;
  }
  dev.meter = up.meter;
  dev.medium = up.medium;
  dev.pulse_weight = weight;
  dev.counter_bits = up.counter_bits;
  dev.interval_s = up.interval_s;
  dev.last_seen = now;
  dev.backlog = up.backlog;
  meter.device = dev.id;

  std::vector<const codec::acq::Message*> order;
  order.reserve(up.messages.size());
  for (const auto& m : up.messages) order.push_back(&m);
  auto by_seq = [](const codec::acq::Message* a, const codec::acq::Message* b) { return a->seq < b->seq; };
  if (!std::is_sorted(order.begin(), order.end(), by_seq)) std::stable_sort(order.begin(), order.end(), by_seq);

  for (const auto* m : order) {
    uint64_t expected = dev.acked_seq + 1;
    if (m->seq < expected) {
      ++out.duplicates;
      continue;
    }
    if (m->seq > expected) {
      // The device still holds the missing ones when its oldest is at or before the hole.
      // oldest_seq 0 means the device holds nothing older than this batch.
      uint64_t oldest = up.oldest_seq != 0 ? up.oldest_seq : order.front()->seq;
      bool lost = oldest > expected || (dev.acked_seq == 0 && !device);
      if (!lost) {
        out.deferred = static_cast<int64_t>(order.end() - std::find(order.begin(), order.end(), m));
        break;
      }
      if (dev.acked_seq != 0 || device) {
        ctx.AddEvent(m->at <= now ? m->at : now, EventType::kSequenceGap,
                     fmt::format("messages {}..{} were lost on the device", expected, m->seq - 1));
      }
    }
    auto taken = ctx.Take(*m, now);
    if (!taken) {
      taken.error().field = fmt::format("messages[seq={}]", m->seq);
      return core::Fail(taken.error());
    }
    dev.acked_seq = m->seq;
  }

  for (const auto& ack : up.acks) {
    out.write.commands.push_back(store::CommandUpdate{
        ack.id, ack.ok ? core::CommandState::kAcknowledged : core::CommandState::kFailed, ack.detail, now});
    if (!ack.ok) ctx.AddEvent(now, EventType::kCommandFailed, fmt::format("command {}: {}", ack.id, ack.detail));
  }
  out.ack_seq = dev.acked_seq;
  // The device counts this batch in its backlog; what it still holds once this ack arrives:
  uint64_t taken = dev.acked_seq - (device ? device->acked_seq : 0);
  dev.backlog = up.backlog > taken ? static_cast<uint32_t>(up.backlog - taken) : 0;
  out.write.device = std::move(dev);
  out.write.meter = std::move(meter);
  return out;
}

}  // namespace meterd::headend
