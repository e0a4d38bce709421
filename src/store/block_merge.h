// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "core/error.h"
#include "store/day_block.h"
#include "store/store.h"

namespace meterd::store {

// What merging one SlotWrite did to a block.
struct MergeOutcome {
  bool changed = false;  // the block's content differs from before
  bool revised = false;  // a kSet replaced a present slot with another value or quality
};

// Merges `write` into `block` (pure; no I/O). On error the block is unchanged.
//  - The write must match the block's geometry (interval_s, slots: else kConflict), name a slot
//    inside it, carry the channel's unit and a quality other than missing (else kInvalidArgument).
//  - Scales: the block and the value meet at the finer of their two scales, exactly; a block
//    with no present slot simply takes the value's scale. Overflow is kOutOfRange.
//  - kAdd: a missing slot takes the value and quality; a present one adds the value and keeps
//    the worse quality (valid < estimated < suspect).
//  - kSet: a missing slot takes the value (filling a gap is not a revision); a present slot with
//    the same amount and quality is left alone; otherwise it is replaced and `revised` is set.
core::Result<MergeOutcome> MergeSlot(DayBlock& block, const SlotWrite& write);

}  // namespace meterd::store
