// SPDX-License-Identifier: Apache-2.0
#include "core/time_zone.h"

#include <date/tz.h>
#include <fmt/format.h>

namespace meterd::core {

Result<TimeZone> TimeZone::Find(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  try {
    return TimeZone(date::locate_zone(name));
  } catch (const std::exception&) {
    return Fail(Error::Invalid(fmt::format("unknown time zone '{}'", name), "time_zone"));
  }
}

TimeZone TimeZone::Utc() { return TimeZone(nullptr); }

std::string_view TimeZone::Name() const { return zone_ ? zone_->name() : std::string_view("UTC"); }

int64_t TimeZone::OffsetSeconds(Instant t) const {
  if (!zone_) return 0;
  return zone_->get_info(t).offset.count();
}

LocalDay TimeZone::DayOf(Instant t) const {
  int64_t local = ToUnixSeconds(t) + OffsetSeconds(t);
  return static_cast<LocalDay>(local >= 0 ? local / 86400 : (local - 86399) / 86400);
}

Instant TimeZone::StartOf(LocalDay day) const {
  if (!zone_) return FromUnixSeconds(int64_t{day} * 86400);
  date::local_seconds midnight{Seconds{int64_t{day} * 86400}};
  auto info = zone_->get_info(midnight);
  switch (info.result) {
    case date::local_info::unique:
      return Instant{midnight.time_since_epoch() - info.first.offset};
    case date::local_info::ambiguous:  // midnight happens twice: the day starts at the first
      return Instant{midnight.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:  // midnight skipped: the day starts when the gap ends
      return info.second.begin;
  }
  return Instant{midnight.time_since_epoch() - info.first.offset};
}

}  // namespace meterd::core
