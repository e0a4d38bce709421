// SPDX-License-Identifier: Apache-2.0
// Devices, meters, commands and events.
#include <fmt/format.h>

#include "api/api.h"
#include "api/json_views.h"

namespace meterd::api {
namespace {

namespace json = boost::json;

// A device's JSON with its meter's register filled in.
json::object DeviceWithRegister(Api& api, const store::DeviceRecord& d) {
  json::object o = DeviceJson(d, api.clock());
  if (auto m = api.store().GetMeter(d.meter); m && *m && (*m)->has_register && (*m)->device == d.id) {
    o["register"] = MeterJson(**m)["register"];
  }
  return o;
}

// Fills the search, medium and paging of a device or meter filter from the query.
template <class Filter>
core::Result<void> FleetFilter(const Request& req, Filter& filter) {
  auto page = QueryPage(req);
  if (!page) return core::Fail(page.error());
  filter.page = *page;
  if (auto it = req.query.find("search"); it != req.query.end()) filter.search = it->second.substr(0, 64);
  if (auto it = req.query.find("medium"); it != req.query.end() && !it->second.empty()) {
    auto m = core::ParseMedium(it->second);
    if (!m) return core::Fail(m.error());
    filter.medium = *m;
  }
  return {};
}

Response ListDevices(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  store::DeviceFilter filter;
  if (auto f = FleetFilter(req, filter); !f) return ErrorResponse(f.error());
  if (caller.scoped) filter.only_devices = caller.devices;
  auto listing = api.store().ListDevices(filter);
  if (!listing) return ErrorResponse(listing.error());
  return Json(200, ListingJson(*listing, filter.page, [&](const auto& d) { return DeviceWithRegister(api, d); }));
}

Response GetDevice(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto d = api.store().GetDevice(params.Get("id"));
  if (!d) return ErrorResponse(d.error());
  if (!*d) return ErrorResponse(core::Error::NotFound(fmt::format("no device '{}'", params.Get("id"))));
  return Json(200, json::serialize(DeviceWithRegister(api, **d)));
}

Response ListMeters(Api& api, Request& req, const RouteParams&, const Caller& caller) {
  store::MeterFilter filter;
  if (auto f = FleetFilter(req, filter); !f) return ErrorResponse(f.error());
  if (caller.scoped) filter.only_devices = caller.devices;
  auto listing = api.store().ListMeters(filter);
  if (!listing) return ErrorResponse(listing.error());
  return Json(200, ListingJson(*listing, filter.page, [](const auto& m) { return MeterJson(m); }));
}

Response GetMeter(Api& api, Request&, const RouteParams& params, const Caller&) {
  auto m = api.store().GetMeter(params.Get("id"));
  if (!m) return ErrorResponse(m.error());
  if (!*m) return ErrorResponse(core::Error::NotFound(fmt::format("no meter '{}'", params.Get("id"))));
  return Json(200, json::serialize(MeterJson(**m)));
}

Response CreateCommand(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  const std::string& id = params.Get("id");
  auto device = api.store().GetDevice(id);
  if (!device) return ErrorResponse(device.error());
  if (!*device) return ErrorResponse(core::Error::NotFound(fmt::format("no device '{}'", id)));
  auto body = ParseObject(req.body);
  if (!body) return ErrorResponse(body.error());
  const json::value* type_v = body->if_contains("type");
  if (!type_v || !type_v->is_string()) return ErrorResponse(core::Error::Invalid("type is required", "type"));
  auto type = core::ParseCommandType(type_v->as_string());
  if (!type) return ErrorResponse(type.error());
  core::Command c;
  c.device = id;
  c.type = *type;
  if (*type == core::CommandType::kSetOutput) {
    const json::value* on = body->if_contains("on");
    if (!on || !on->is_bool()) return ErrorResponse(core::Error::Invalid("on must be true or false", "on"));
    c.argument = on->as_bool() ? 1 : 0;
  } else {
    auto s = IntField(*body, "interval_s", 60, 86400);
    if (!s) return ErrorResponse(s.error());
    auto ok = core::CheckCommandArgument(*type, *s);
    if (!ok) {
      auto e = ok.error();
      e.field = "interval_s";
      return ErrorResponse(e);
    }
    c.argument = *s;
  }
  int64_t ttl = 86400;
  if (body->contains("ttl_s")) {
    auto t = IntField(*body, "ttl_s", 60, 30 * 86400);
    if (!t) return ErrorResponse(t.error());
    ttl = *t;
  }
  c.state = core::CommandState::kPending;
  c.created = c.updated = api.clock();
  c.expires = c.created + core::Seconds{ttl};
  c.created_by = caller.user;
  auto created = api.store().CreateCommand(c);
  if (!created) return ErrorResponse(created.error());
  api.ingest().NoteCommandCreated(id);
  {
    json::object detail;
    detail["command"] = created->id;
    detail["type"] = core::CommandTypeName(created->type);
    detail["argument"] = created->argument;
    detail["expires"] = core::FormatInstant(created->expires);
    RecordAudit(api, req, caller.user, "command.create", "device:" + id, json::serialize(detail));
  }
  Response r = Json(201, json::serialize(CommandJson(*created)));
  r.headers.emplace_back("Location", fmt::format("/api/v1/commands/{}", created->id));
  return r;
}

Response ListCommandsOf(Api& api, Request& req, const std::string& device) {
  store::CommandFilter filter;
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  filter.page = *page;
  filter.device = device;
  if (auto it = req.query.find("state"); it != req.query.end() && !it->second.empty()) {
    auto s = core::ParseCommandState(it->second);
    if (!s) return ErrorResponse(s.error());
    filter.state = *s;
  }
  auto listing = api.store().ListCommands(filter);
  if (!listing) return ErrorResponse(listing.error());
  return Json(200, ListingJson(*listing, filter.page, [](const auto& c) { return CommandJson(c); }));
}

Response DeviceCommands(Api& api, Request& req, const RouteParams& params, const Caller&) {
  auto device = api.store().GetDevice(params.Get("id"));
  if (!device) return ErrorResponse(device.error());
  if (!*device) return ErrorResponse(core::Error::NotFound(fmt::format("no device '{}'", params.Get("id"))));
  return ListCommandsOf(api, req, params.Get("id"));
}

Response ListCommands(Api& api, Request& req, const RouteParams&, const Caller&) {
  auto it = req.query.find("device");
  return ListCommandsOf(api, req, it == req.query.end() ? std::string() : it->second);
}

Response GetCommand(Api& api, Request& req, const RouteParams& params, const Caller&) {
  (void)req;
  const std::string& text = params.Get("id");
  int64_t id = 0;
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return ErrorResponse(core::Error::Invalid("command id must be a positive integer", "id"));
  }
  id = std::stoll(text);
  auto c = api.store().GetCommand(id);
  if (!c) return ErrorResponse(c.error());
  if (!*c) return ErrorResponse(core::Error::NotFound(fmt::format("no command {}", id)));
  return Json(200, json::serialize(CommandJson(**c)));
}

Response ListEvents(Api& api, Request& req, const RouteParams&, const Caller&) {
  store::EventFilter filter;
  auto page = QueryPage(req);
  if (!page) return ErrorResponse(page.error());
  filter.page = *page;
  if (auto it = req.query.find("device"); it != req.query.end()) filter.device = it->second;
  if (auto it = req.query.find("meter"); it != req.query.end()) filter.meter = it->second;
  if (auto it = req.query.find("type"); it != req.query.end() && !it->second.empty()) {
    auto t = core::ParseEventType(it->second);
    if (!t) return ErrorResponse(t.error());
    filter.type = *t;
  }
  if (auto range = QueryTimeRange(req, filter); !range) return ErrorResponse(range.error());
  auto listing = api.store().ListEvents(filter);
  if (!listing) return ErrorResponse(listing.error());
  return Json(200, ListingJson(*listing, filter.page, [](const auto& e) { return EventJson(e); }));
}

}  // namespace

void AddFleetRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/devices", Access::kUser, P::kFleetRead, Scope::kFiltered, "List devices (search, medium, paging)", ListDevices});
  routes.push_back({"GET", "/api/v1/devices/{id}", Access::kUser, P::kFleetRead, Scope::kDeviceParam, "One device with status", GetDevice});
  routes.push_back({"GET", "/api/v1/devices/{id}/commands", Access::kUser, P::kFleetRead, Scope::kDeviceParam, "Commands of a device", DeviceCommands});
  routes.push_back({"POST", "/api/v1/devices/{id}/commands", Access::kUser, P::kCommandsSend, Scope::kDeviceParam, "Queue a command for a device", CreateCommand, 201});
  routes.push_back({"GET", "/api/v1/meters", Access::kUser, P::kFleetRead, Scope::kFiltered, "List meters (search, medium, paging)", ListMeters});
  routes.push_back({"GET", "/api/v1/meters/{id}", Access::kUser, P::kFleetRead, Scope::kMeterParam, "One meter with its latest register", GetMeter});
  routes.push_back({"GET", "/api/v1/commands", Access::kUser, P::kFleetRead, Scope::kUnscoped, "List commands (device, state, paging)", ListCommands});
  routes.push_back({"GET", "/api/v1/commands/{id}", Access::kUser, P::kFleetRead, Scope::kCommandParam, "One command and its state", GetCommand});
  routes.push_back({"GET", "/api/v1/events", Access::kUser, P::kFleetRead, Scope::kUnscoped, "List events, newest first", ListEvents});
}

}  // namespace meterd::api
