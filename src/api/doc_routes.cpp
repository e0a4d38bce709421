// SPDX-License-Identifier: Apache-2.0
// The OpenAPI document, generated from the route table so it cannot drift from the router,
// and the Prometheus metrics.
#include <fmt/format.h>

#include <cctype>

#include "api/api.h"
#include "api/json_views.h"

namespace meterd::api {
namespace {

namespace json = boost::json;

json::value Schemas() {
  auto str = [] { return json::object{{"type", "string"}}; };
  auto nstr = [] { return json::object{{"type", "string"}, {"nullable", true}}; };
  auto integer = [] { return json::object{{"type", "integer"}}; };
  auto time = [] { return json::object{{"type", "string"}, {"format", "date-time"}}; };
  auto ref = [](std::string_view name) { return json::object{{"$ref", fmt::format("#/components/schemas/{}", name)}}; };
  json::object s;
  s["Error"] = {{"type", "object"},
                {"properties", {{"error", {{"type", "object"}, {"properties", {{"code", str()}, {"message", str()}, {"field", str()}}}}}}}};
  s["Register"] = {{"type", "object"}, {"nullable", true},
                   {"properties", {{"value", {{"type", "string"}, {"description", "exact decimal"}}}, {"unit", str()}, {"at", time()}}}};
  s["Device"] = {{"type", "object"},
                 {"properties",
                  {{"id", str()}, {"meter", str()}, {"medium", {{"type", "string"}, {"enum", {"electricity", "water", "hot_water", "gas"}}}},
                   {"pulse_weight", str()}, {"interval_s", integer()}, {"counter_bits", integer()}, {"created", time()},
                   {"last_seen", nstr()}, {"status", {{"type", "string"}, {"enum", {"online", "late", "offline", "never"}}}},
                   {"backlog", integer()}, {"output", {{"type", "string"}, {"enum", {"on", "off"}}}}, {"acked_seq", integer()},
                   {"register", ref("Register")}}}};
  s["Meter"] = {{"type", "object"},
                {"properties", {{"id", str()}, {"medium", str()}, {"device", str()}, {"time_zone", str()}, {"interval_s", integer()},
                                {"channel", str()}, {"unit", str()}, {"register", ref("Register")}}}};
  s["Point"] = {{"type", "object"},
                {"properties", {{"start", time()}, {"end", time()}, {"value", str()},
                                {"quality", {{"type", "string"}, {"enum", {"valid", "estimated", "suspect"}}}}}}};
  s["Readings"] = {{"type", "object"},
                   {"properties", {{"meter", str()}, {"channel", str()}, {"unit", str()}, {"resolution", str()}, {"time_zone", str()},
                                   {"from", time()}, {"to", time()}, {"total", str()},
                                   {"points", {{"type", "array"}, {"items", ref("Point")}}}}}};
  s["Command"] = {{"type", "object"},
                  {"properties", {{"id", integer()}, {"device", str()}, {"type", {{"type", "string"}, {"enum", {"set_output", "set_interval"}}}},
                                  {"argument", integer()},
                                  {"state", {{"type", "string"}, {"enum", {"pending", "sent", "acknowledged", "failed", "expired"}}}},
                                  {"created", time()}, {"updated", time()}, {"expires", time()}, {"result", str()}}}};
  s["Event"] = {{"type", "object"},
                {"properties", {{"at", time()}, {"type", str()}, {"device", str()}, {"meter", str()}, {"detail", str()}}}};
  return s;
}

// Query parameters per route, by "METHOD pattern".
json::array QueryParams(const std::string& key) {
  auto p = [](std::string_view name, std::string_view type, bool required, std::string_view description) {
    return json::object{{"name", name}, {"in", "query"}, {"required", required},
                        {"schema", {{"type", type}}}, {"description", description}};
  };
  json::array out;
  bool listing = key == "GET /api/v1/devices" || key == "GET /api/v1/meters" || key == "GET /api/v1/commands" ||
                 key == "GET /api/v1/events" || key == "GET /api/v1/devices/{id}/commands";
  if (listing) {
    out.push_back(p("limit", "integer", false, "1..1000, default 50"));
    out.push_back(p("offset", "integer", false, "default 0"));
  }
  if (key == "GET /api/v1/devices" || key == "GET /api/v1/meters") {
    out.push_back(p("search", "string", false, "substring of the device or meter id"));
    out.push_back(p("medium", "string", false, "electricity, water, hot_water or gas"));
  }
  if (key == "GET /api/v1/commands" || key == "GET /api/v1/devices/{id}/commands") {
    out.push_back(p("state", "string", false, "pending, sent, acknowledged, failed or expired"));
  }
  if (key == "GET /api/v1/commands") out.push_back(p("device", "string", false, "device id"));
  if (key == "GET /api/v1/events") {
    for (auto name : {"device", "meter", "type"}) out.push_back(p(name, "string", false, "filter"));
    out.push_back(p("from", "string", false, "RFC 3339, inclusive"));
    out.push_back(p("to", "string", false, "RFC 3339, exclusive"));
  }
  if (key == "GET /api/v1/meters/{id}/readings") {
    out.push_back(p("from", "string", true, "RFC 3339, inclusive"));
    out.push_back(p("to", "string", true, "RFC 3339, exclusive"));
    out.push_back(p("resolution", "string", false, "interval (default), hour, day or month, in the meter's zone"));
    out.push_back(p("channel", "string", false, "default: the meter's pulse channel"));
  }
  if (key == "GET /api/v1/meters/{id}/registers") {
    out.push_back(p("from", "string", true, "YYYY-MM-DD"));
    out.push_back(p("to", "string", true, "YYYY-MM-DD, inclusive"));
  }
  return out;
}

std::string ResponseSchema(const std::string& key) {
  if (key == "GET /api/v1/devices/{id}") return "Device";
  if (key == "GET /api/v1/meters/{id}") return "Meter";
  if (key == "GET /api/v1/meters/{id}/readings") return "Readings";
  if (key == "GET /api/v1/commands/{id}" || key == "POST /api/v1/devices/{id}/commands") return "Command";
  if (key == "GET /api/v1/devices") return "Device[]";
  if (key == "GET /api/v1/meters") return "Meter[]";
  if (key == "GET /api/v1/commands" || key == "GET /api/v1/devices/{id}/commands") return "Command[]";
  if (key == "GET /api/v1/events") return "Event[]";
  return "";
}

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kUnscoped: return "fleet";
    case Scope::kDeviceParam: return "assigned-device";
    case Scope::kMeterParam: return "assigned-meter";
    case Scope::kCommandParam: return "assigned-command";
    case Scope::kFiltered: return "filtered";
    case Scope::kOwn: return "own";
  }
  return "";
}

Response OpenApi(Api& api, Request&, const RouteParams&, const Caller&) {
  return Json(200, OpenApiDocument(api.routes(), api.config().version));
}

Response Metrics(Api& api, Request&, const RouteParams&, const Caller&) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = api.MetricsText();
  return r;
}

}  // namespace

std::string OpenApiDocument(const std::vector<Route>& routes, const std::string& version) {
  json::object paths;
  for (const auto& route : routes) {
    std::string key = route.method + " " + route.pattern;
    json::object op;
    op["summary"] = route.summary;
    std::string op_id = route.method;
    for (char c : route.pattern) op_id += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    op["operationId"] = op_id;
    json::array params = QueryParams(key);
    size_t pos = 0;
    while ((pos = route.pattern.find('{', pos)) != std::string::npos) {
      size_t end = route.pattern.find('}', pos);
      params.push_back(json::object{{"name", route.pattern.substr(pos + 1, end - pos - 1)}, {"in", "path"},
                                    {"required", true}, {"schema", {{"type", "string"}}}});
      pos = end;
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    switch (route.access) {
      case Access::kPublic: op["security"] = json::array{}; break;
      case Access::kUser: op["security"] = json::array{json::object{{"userToken", json::array{}}}}; break;
      case Access::kDevice: op["security"] = json::array{json::object{{"deviceToken", json::array{}}}}; break;
    }
    op["x-meterd-access"] = route.access == Access::kPublic ? "public" : route.access == Access::kUser ? "user" : "device";
    if (route.access == Access::kUser) {
      op["x-meterd-permission"] = security::PermissionName(route.permission);
      op["x-meterd-scope"] = ScopeName(route.scope);
    }
    json::object responses;
    std::string schema = ResponseSchema(key);
    json::object ok{{"description", "success"}};
    if (!schema.empty()) {
      bool list = schema.ends_with("[]");
      std::string name = list ? schema.substr(0, schema.size() - 2) : schema;
      json::object ref{{"$ref", "#/components/schemas/" + name}};
      json::value body = list ? json::value(json::object{
                                    {"type", "object"},
                                    {"properties", {{"items", {{"type", "array"}, {"items", ref}}},
                                                    {"total", {{"type", "integer"}}}, {"limit", {{"type", "integer"}}},
                                                    {"offset", {{"type", "integer"}}}}}})
                              : json::value(ref);
      ok["content"] = {{"application/json", {{"schema", body}}}};
    }
    responses[std::to_string(route.ok_status)] = ok;
    json::object err{{"description", "error"}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    responses["400"] = err;
    if (route.access != Access::kPublic) responses["401"] = err;
    if (route.access == Access::kUser) responses["403"] = err;
    if (route.pattern.find('{') != std::string::npos) responses["404"] = err;
    op["responses"] = std::move(responses);
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    json::value& item = paths[route.pattern];
    if (!item.is_object()) item.emplace_object();
    item.as_object()[method] = std::move(op);
  }
  json::object doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {{"title", "meterd API"}, {"version", version},
                 {"description", "Smart-metering head-end, store and console API. Quantities are exact decimal strings."}};
  doc["paths"] = std::move(paths);
  doc["components"] = {{"schemas", Schemas()},
                       {"securitySchemes", {{"userToken", {{"type", "http"}, {"scheme", "bearer"}, {"description", "a session token from POST /api/v1/auth/login, or an API token from POST /api/v1/auth/tokens; the console uses the meterd_session cookie plus an X-CSRF-Token header instead"}}},
                                            {"deviceToken", {{"type", "http"}, {"scheme", "bearer"}, {"description", "the device's own token"}}}}}};
  return json::serialize(doc);
}

void AddDocRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"GET", "/api/v1/openapi.json", Access::kUser, P::kSelf, Scope::kOwn, "This API as OpenAPI 3.0", OpenApi});
  routes.push_back({"GET", "/metrics", Access::kUser, P::kMetricsRead, Scope::kUnscoped, "Prometheus metrics", Metrics});
}

}  // namespace meterd::api
