// SPDX-License-Identifier: Apache-2.0
#include "apps/bus_commands.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <iostream>

#include "codec/mbus/dif.h"
#include "codec/mbus/manufacturer.h"
#include "codec/mbus/medium.h"
#include "codec/modbus/register_map.h"
#include "headend/mbus_master.h"
#include "headend/mbus_values.h"
#include "headend/modbus_poller.h"

namespace meterd::apps {
namespace {

namespace json = boost::json;

bool SplitAddress(const std::string& address, std::string& host, uint16_t& port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    int p = std::stoi(address.substr(colon + 1));
    if (p < 1 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  host = address.substr(0, colon);
  return true;
}

int Fail(const std::string& message, int code = 1) {
  std::cerr << "meterctl: " << message << "\n";
  return code;
}

json::object MeterJson(const headend::MbusReadout& r) {
  const auto& h = r.data.header;
  json::object o;
  o["secondary_address"] = r.secondary_address.ToString();
  o["primary_address"] = r.primary_address;
  o["id"] = h.id;
  o["manufacturer"] = codec::mbus::ManufacturerCode(h.manufacturer);
  o["medium"] = codec::mbus::MediumName(h.medium);
  o["status"] = fmt::format("{:02X}", h.status);
  headend::MbusValues values = headend::MapMbusValues(r.data);
  json::array list;
  for (size_t i = 0; i < values.values.size(); ++i) {
    const auto& v = values.values[i];
    json::object x;
    x["name"] = v.name;
    x["function"] = codec::mbus::FunctionName(v.function);
    x["storage"] = v.storage_number;
    x["tariff"] = v.tariff;
    x["subunit"] = v.subunit;
    if (v.quantity) {
      x["value"] = v.quantity->ToString();
    } else if (v.time) {
      x["value"] = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", v.time->year, v.time->month, v.time->day, v.time->hour,
                               v.time->minute);
    }
    x["main"] = v.main;
    list.push_back(std::move(x));
  }
  o["values"] = std::move(list);
  if (values.main && values.values[*values.main].quantity) o["register"] = values.values[*values.main].quantity->ToString();
  return o;
}

void PrintValues(const json::object& meter) {
  for (const auto& v : meter.at("values").as_array()) {
    const auto& x = v.as_object();
    std::cout << fmt::format("  {:<24} {:<20} st {:<2} tariff {:<2} sub {:<2} {:>22}{}\n", std::string(x.at("name").as_string()),
                             std::string(x.at("function").as_string()), json::serialize(x.at("storage")),
                             json::serialize(x.at("tariff")), json::serialize(x.at("subunit")),
                             x.contains("value") ? std::string(x.at("value").as_string()) : "",
                             x.at("main").as_bool() ? "  (main register)" : "");
  }
}

core::Result<std::unique_ptr<headend::MbusMaster>> Connect(const std::string& address, int answer_timeout_ms) {
  headend::MbusMasterOptions options;
  if (!SplitAddress(address, options.host, options.port)) {
    return core::Fail(core::Error::Invalid(fmt::format("address '{}' must be host:port", address)));
  }
  options.answer_timeout = std::chrono::milliseconds(answer_timeout_ms);
  return headend::MbusMaster::Connect(options);
}

}  // namespace

int MbusScan(const std::string& address, int answer_timeout_ms, bool as_json) {
  auto master = Connect(address, answer_timeout_ms);
  if (!master) return Fail(master.error().ToString(), master.error().code == core::ErrorCode::kInvalidArgument ? 2 : 1);
  auto start = std::chrono::steady_clock::now();
  auto scan = (*master)->ScanSecondary();
  if (!scan) return Fail(scan.error().ToString());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json::object out;
  json::array meters;
  for (const auto& m : scan->meters) meters.push_back(MeterJson(m));
  out["meters"] = std::move(meters);
  out["requests"] = scan->requests;
  out["selects"] = scan->selects;
  out["collisions"] = scan->collisions;
  out["seconds"] = secs;
  json::array errors;
  for (const auto& e : scan->errors) errors.emplace_back(e.ToString());
  for (const auto& c : scan->conflicts) errors.emplace_back("two meters answer to id " + c);
  out["errors"] = errors;
  if (as_json) {
    std::cout << json::serialize(out) << "\n";
  } else {
    std::cout << fmt::format("{:<18} {:>3}  {:<8} {:<4} {:<22} {:>16}\n", "secondary", "pri", "id", "man", "medium", "register");
    for (const auto& m : out["meters"].as_array()) {
      const auto& o = m.as_object();
      std::cout << fmt::format("{:<18} {:>3}  {:<8} {:<4} {:<22} {:>16}\n", std::string(o.at("secondary_address").as_string()),
                               json::serialize(o.at("primary_address")), std::string(o.at("id").as_string()),
                               std::string(o.at("manufacturer").as_string()), std::string(o.at("medium").as_string()),
                               o.contains("register") ? std::string(o.at("register").as_string()) : "-");
    }
    std::cout << fmt::format("{} meters in {:.2f} s: {} requests ({} selects, {} collisions)\n", scan->meters.size(), secs,
                             scan->requests, scan->selects, scan->collisions);
    for (const auto& e : errors) std::cout << "error: " << e.as_string().c_str() << "\n";
  }
  return errors.empty() ? 0 : 1;
}

int MbusRead(const std::string& address, int primary, const std::string& secondary, int answer_timeout_ms, bool as_json) {
  if ((primary > 0) == !secondary.empty()) return Fail("give --primary or --secondary", 2);
  auto master = Connect(address, answer_timeout_ms);
  if (!master) return Fail(master.error().ToString(), master.error().code == core::ErrorCode::kInvalidArgument ? 2 : 1);
  core::Result<headend::MbusReadout> r = core::Fail(core::Error::Invalid(""));
  if (primary > 0) {
    if (primary > 250) return Fail("--primary must be 1..250", 2);
    r = (*master)->ReadPrimary(static_cast<uint8_t>(primary));
  } else {
    auto a = codec::mbus::SecondaryAddress::Parse(secondary);
    if (!a) return Fail(a.error().ToString(), 2);
    r = (*master)->ReadSecondary(*a);
  }
  if (!r) return Fail(r.error().ToString());
  json::object meter = MeterJson(*r);
  if (as_json) {
    std::cout << json::serialize(meter) << "\n";
    return 0;
  }
  std::cout << fmt::format("{} {} {} ({}), primary {}, status {}\n", std::string(meter["secondary_address"].as_string()),
                           std::string(meter["manufacturer"].as_string()), std::string(meter["id"].as_string()),
                           std::string(meter["medium"].as_string()), json::serialize(meter["primary_address"]),
                           std::string(meter["status"].as_string()));
  PrintValues(meter);
  return 0;
}

int ModbusRead(const std::string& address, int unit, const std::string& model, const std::string& models_dir, bool as_json) {
  headend::ModbusTarget target;
  if (!SplitAddress(address, target.host, target.port)) return Fail(fmt::format("address '{}' must be host:port", address), 2);
  if (unit < 0 || unit > 255) return Fail("--unit must be 0..255", 2);
  target.unit_id = static_cast<uint8_t>(unit);
  auto map = codec::modbus::LoadRegisterMap(fmt::format("{}/modbus/{}.toml", models_dir, model));
  if (!map) return Fail(map.error().ToString(), 2);
  target.map = std::make_shared<const codec::modbus::RegisterMap>(std::move(*map));
  headend::ModbusPoller poller;
  auto reading = poller.Poll(target);
  if (!reading) return Fail(reading.error().ToString());
  json::object out;
  out["model"] = target.map->model;
  out["at"] = core::FormatInstant(reading->at);
  out["requests"] = poller.counters().requests;
  json::array values;
  for (const auto& v : reading->values) values.push_back(json::object{{"name", v.name}, {"value", v.value.ToString()}});
  out["values"] = std::move(values);
  if (as_json) {
    std::cout << json::serialize(out) << "\n";
    return 0;
  }
  std::cout << fmt::format("{} at {} unit {} ({} requests)\n", target.map->model, address, unit, poller.counters().requests);
  for (const auto& v : reading->values) std::cout << fmt::format("  {:<28} {:>18}\n", v.name, v.value.ToString());
  return 0;
}

}  // namespace meterd::apps
