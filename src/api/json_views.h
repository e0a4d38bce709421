// SPDX-License-Identifier: Apache-2.0
#pragma once
// JSON shapes of the API objects (docs/api.md). Included only by api/*.cpp.

#include <boost/json.hpp>

#include "core/command.h"
#include "core/event.h"
#include "store/store.h"

namespace meterd::api {

boost::json::object DeviceJson(const store::DeviceRecord& d, core::Instant now);
boost::json::object MeterJson(const store::MeterRecord& m);
boost::json::object CommandJson(const core::Command& c);
boost::json::object EventJson(const core::Event& e);
boost::json::value InstantJson(core::Instant t);  // null for the zero instant
std::string DeviceStatus(const store::DeviceRecord& d, core::Instant now);

template <class T, class F>
std::string ListingJson(const store::Listing<T>& listing, const store::Page& page, F&& to_json) {
  boost::json::array items;
  items.reserve(listing.items.size());
  for (const auto& item : listing.items) items.push_back(to_json(item));
  boost::json::object root;
  root["items"] = std::move(items);
  root["total"] = listing.total;
  root["limit"] = page.limit;
  root["offset"] = page.offset;
  return boost::json::serialize(root);
}

}  // namespace meterd::api
