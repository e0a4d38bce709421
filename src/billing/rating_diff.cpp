// SPDX-License-Identifier: Apache-2.0
#include "billing/rating_diff.h"

#include <cassert>

namespace meterd::billing {
namespace {

core::Money Minus(const core::Money& a, const core::Money& b, const std::array<char, 3>& currency) {
  core::Money m;
  m.micros = a.micros - b.micros;
  m.currency = currency;
  return m;
}

bool SameKey(const BillLine& a, const BillLine& b) {
  return a.description == b.description && a.from_day == b.from_day && a.to_day == b.to_day;
}

}  // namespace

BillDiff Compare(const Bill& earlier, const Bill& now) {
  assert(earlier.total.currency == now.total.currency);
  const std::array<char, 3> currency = now.total.currency;
  const core::Money zero = Minus({}, {}, currency);
  BillDiff diff;
  std::vector<bool> matched(now.lines.size());
  for (const BillLine& e : earlier.lines) {
    LineDiff& d = diff.lines.emplace_back();
    d.description = e.description;
    d.from_day = e.from_day;
    d.to_day = e.to_day;
    d.in_earlier = true;
    d.earlier_quantity = e.quantity;
    d.earlier = e.amount;
    d.now = zero;
    // The first unmatched line of the same key: the n-th with the n-th.
    for (size_t i = 0; i < now.lines.size(); ++i) {
      if (matched[i] || !SameKey(e, now.lines[i])) continue;
      matched[i] = true;
      d.in_now = true;
      d.now_quantity = now.lines[i].quantity;
      d.now = now.lines[i].amount;
      break;
    }
    d.difference = Minus(d.now, d.earlier, currency);
  }
  for (size_t i = 0; i < now.lines.size(); ++i) {
    if (matched[i]) continue;
    const BillLine& n = now.lines[i];
    LineDiff& d = diff.lines.emplace_back();
    d.description = n.description;
    d.from_day = n.from_day;
    d.to_day = n.to_day;
    d.in_now = true;
    d.now_quantity = n.quantity;
    d.earlier = zero;
    d.now = n.amount;
    d.difference = n.amount;
  }
  diff.earlier_total = earlier.total;
  diff.now_total = now.total;
  diff.total_difference = Minus(now.total, earlier.total, currency);
  diff.subtotal_difference = Minus(now.subtotal, earlier.subtotal, currency);
  return diff;
}

}  // namespace meterd::billing
