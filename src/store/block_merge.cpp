// SPDX-License-Identifier: Apache-2.0
#include "store/block_merge.h"

#include <fmt/format.h>

#include <algorithm>

namespace meterd::store {
namespace {

using core::Error;
using core::ErrorCode;
using core::Fail;
using core::Quality;

// value * 10^digits, failing on overflow.
core::Result<int64_t> Refine(int64_t value, int digits) {
  for (int i = 0; i < digits; ++i) {
    if (__builtin_mul_overflow(value, int64_t{10}, &value)) {
      return Fail(Error{ErrorCode::kOutOfRange, "day block value overflows when rescaled", "value"});
    }
  }
  return value;
}

}  // namespace

core::Result<MergeOutcome> MergeSlot(DayBlock& block, const SlotWrite& w) {
  if (w.interval_s != block.interval_s || w.slots_per_day != block.slots) {
    return Fail(Error::Conflict(fmt::format(
        "meter {} channel {} day {}: write has {} slots of {} s but the stored block has {} slots of {} s", w.meter,
        core::ChannelName(w.channel), core::FormatDay(w.day), w.slots_per_day, w.interval_s, block.slots,
        block.interval_s)));
  }
  if (w.slot < 0 || w.slot >= block.slots) {
    return Fail(Error::Invalid(fmt::format("slot {} is outside 0..{}", w.slot, block.slots - 1), "slot"));
  }
  if (w.value.unit != core::ChannelUnit(w.channel)) {
    return Fail(Error::Invalid(fmt::format("channel {} takes {}, not {}", core::ChannelName(w.channel),
                                           core::UnitSymbol(core::ChannelUnit(w.channel)), core::UnitSymbol(w.value.unit)),
                               "unit"));
  }
  if (w.quality == Quality::kMissing || static_cast<uint8_t>(w.quality) > 3) {
    return Fail(Error::Invalid("a slot write needs a quality other than missing", "quality"));
  }
  if (w.value.scale < -kMaxBlockScale || w.value.scale > kMaxBlockScale) {
    return Fail(Error::Invalid(fmt::format("scale {} is outside -{}..{}", w.value.scale, kMaxBlockScale, kMaxBlockScale),
                               "scale"));
  }

  const size_t i = static_cast<size_t>(w.slot);
  const bool block_empty = std::none_of(block.quality.begin(), block.quality.end(),
                                       [](Quality q) { return q != Quality::kMissing; });
  const int8_t target = block_empty ? w.value.scale : std::min(block.scale, w.value.scale);

  auto value = Refine(w.value.value, w.value.scale - target);
  if (!value) return Fail(value.error());
  auto old_value = Refine(block.values[i], block.scale - target);
  if (!old_value) return Fail(old_value.error());
  const Quality old_quality = block.quality[i];

  int64_t new_value = *value;
  Quality new_quality = w.quality;
  bool revised = false;
  if (old_quality != Quality::kMissing) {
    if (w.mode == MergeMode::kAdd) {
      if (__builtin_add_overflow(*old_value, *value, &new_value)) {
        return Fail(Error{ErrorCode::kOutOfRange, fmt::format("slot {} overflows", w.slot), "value"});
      }
      new_quality = std::max(old_quality, w.quality);  // enum order is valid < estimated < suspect
    } else {
      revised = new_value != *old_value || new_quality != old_quality;
    }
  }
  if (new_value == *old_value && new_quality == old_quality) return MergeOutcome{};

  if (target != block.scale) {
    // Refine every present value first, so a failure leaves the block as it was.
    std::vector<int64_t> refined = block.values;
    if (!block_empty) {
      for (size_t k = 0; k < refined.size(); ++k) {
        if (block.quality[k] == Quality::kMissing) continue;
        auto r = Refine(refined[k], block.scale - target);
        if (!r) return Fail(r.error());
        refined[k] = *r;
      }
    }
    block.values = std::move(refined);
    block.scale = target;
  }
  block.values[i] = new_value;
  block.quality[i] = new_quality;
  return MergeOutcome{true, revised};
}

}  // namespace meterd::store
