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

boost::json::array StringsJson(const std::vector<std::string>& values);

// Request bodies: a JSON object, and typed fields that fail naming the field.
core::Result<boost::json::object> ParseObject(const std::string& body);
core::Result<int64_t> IntField(const boost::json::object& o, std::string_view name, int64_t lo, int64_t hi);
// A string of 1..max_bytes bytes without control characters.
core::Result<std::string> StringField(const boost::json::object& o, std::string_view name, size_t max_bytes);
core::Result<bool> BoolField(const boost::json::object& o, std::string_view name);
// An array of at most max_items such strings.
core::Result<std::vector<std::string>> StringArrayField(const boost::json::object& o, std::string_view name,
                                                        size_t max_items, size_t max_bytes);

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
