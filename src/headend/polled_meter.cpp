// SPDX-License-Identifier: Apache-2.0
#include "headend/polled_meter.h"

#include <fmt/format.h>

namespace meterd::headend {

core::Result<uint64_t> RegisterCounts(const PolledMeter& meter, const core::Quantity& register_value) {
  const core::Unit want = core::ChannelUnit(core::PulseChannel(meter.medium));
  if (meter.resolution.unit != want || meter.resolution.value <= 0) {
    return core::Fail(core::Error::Invalid(fmt::format("meter {}: resolution {} is not a positive amount of {}",
                                                       meter.meter, meter.resolution.ToString(), core::UnitSymbol(want))));
  }
  if (register_value.unit != want) {
    return core::Fail(core::Error::Invalid(fmt::format("meter {}: register {} is not in {} as a {} meter's must be",
                                                       meter.meter, register_value.ToString(), core::UnitSymbol(want),
                                                       core::MediumName(meter.medium))));
  }
  if (register_value.value < 0) {
    return core::Fail(core::Error::Invalid(fmt::format("meter {}: negative register {}", meter.meter, register_value.ToString())));
  }
  int8_t scale = std::min(register_value.scale, meter.resolution.scale);
  auto value = register_value.Rescaled(scale);
  auto step = meter.resolution.Rescaled(scale);
  if (!value || !step) return core::Fail(core::Error::Invalid(fmt::format("meter {}: register {} out of range", meter.meter,
                                                                          register_value.ToString())));
  if (value->value % step->value != 0) {
    return core::Fail(core::Error::Invalid(fmt::format("meter {}: register {} is finer than the resolution {}",
                                                       meter.meter, register_value.ToString(), meter.resolution.ToString())));
  }
  return static_cast<uint64_t>(value->value / step->value);
}

core::Result<int64_t> PolledMeterSink::Report(const PolledMeter& meter, core::Instant at,
                                              const core::Quantity& register_value,
                                              std::vector<codec::acq::DeviceEvent> events, core::Instant now,
                                              std::vector<store::PresentValue> present) {
  auto counts = RegisterCounts(meter, register_value);
  if (!counts) return core::Fail(counts.error());
  uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    auto it = next_seq_.find(meter.device);
    if (it == next_seq_.end()) {
      auto device = store_.GetDevice(meter.device);
      if (!device) return core::Fail(device.error());
      it = next_seq_.emplace(meter.device, *device ? (*device)->acked_seq + 1 : 1).first;
    }
    seq = it->second++;
  }
  codec::acq::Uplink up;
  up.device = meter.device;
  up.meter = meter.meter;
  up.medium = meter.medium;
  up.pulse_weight = meter.resolution;
  up.counter_bits = 64;
  up.interval_s = meter.interval_s;
  up.oldest_seq = seq;
  up.messages.push_back(codec::acq::Message{seq, at, *counts, false, std::move(events)});
  if (now == core::Instant{}) now = at;
  auto reply = ingest_.Ingest(std::move(up), now, std::string(kPolledTokenHash));
  if (!reply) return core::Fail(reply.error());
  if (!present.empty()) {
    if (auto r = store_.PutPresentValues(meter.meter, present); !r) return core::Fail(r.error());
  }
  return reply->readings;
}

}  // namespace meterd::headend
