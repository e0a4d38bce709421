// SPDX-License-Identifier: Apache-2.0
#include "headend/poll_targets.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "codec/c1219/table_id.h"
#include "codec/c1222/ap_title.h"

namespace meterd::headend {
namespace {

core::Error At(std::string_view name, const toml::node& node, std::string what) {
  return core::Error::Invalid(fmt::format("{}:{}: {}", name, node.source().begin.line, what));
}

// "host:port" with a port of 1..65535.
core::Result<void> Address(std::string_view name, const toml::table& t, std::string_view section, std::string& host,
                           uint16_t& port) {
  const toml::node* node = t.get("address");
  if (!node) return core::Fail(At(name, t, fmt::format("[[{}]] needs address = \"host:port\"", section)));
  auto text = node->value<std::string>();
  size_t colon = text ? text->rfind(':') : std::string::npos;
  int64_t p = 0;
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < text->size() && text->size() - colon <= 6;
  for (size_t i = colon + 1; ok && i < text->size(); ++i) {
    ok = (*text)[i] >= '0' && (*text)[i] <= '9';
    p = p * 10 + ((*text)[i] - '0');
  }
  if (!ok || p < 1 || p > 65535) return core::Fail(At(name, *node, fmt::format("{}.address must be \"host:port\"", section)));
  host = text->substr(0, colon);
  port = static_cast<uint16_t>(p);
  return {};
}

core::Result<void> OnlyKeys(std::string_view name, const toml::table& t, std::string_view section,
                            std::initializer_list<std::string_view> keys) {
  for (const auto& [key, value] : t) {
    if (std::find(keys.begin(), keys.end(), key.str()) == keys.end()) {
      return core::Fail(At(name, value, fmt::format("unknown key {}.{}", section, key.str())));
    }
  }
  return {};
}

// A TOML basic string with `s` in it.
std::string TomlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// [[c1222]]: a C12.22 meter (docs/headend.md, "C12.22 meters").
core::Result<C1222TargetSpec> ParseC1222Target(std::string_view name, const toml::table& t) {
  if (auto r = OnlyKeys(name, t, "c1222",
                        {"address", "transport", "ap_title", "calling_ap_title", "meter", "model", "user_id", "user",
                         "password", "key_id", "key", "security", "registers", "load_profile_hours", "events",
                         "relay_procedure", "timeout_ms", "tries"});
      !r) {
    return core::Fail(r.error());
  }
  C1222TargetSpec m;
  if (auto r = Address(name, t, "c1222", m.host, m.port); !r) return core::Fail(r.error());
  auto text = [&](std::string_view key, std::string& out, size_t max, std::string_view allowed) -> core::Result<void> {
    const toml::node* node = t.get(key);
    if (!node) return {};
    auto v = node->value<std::string>();
    if (!v || v->size() > max || (!allowed.empty() && v->find_first_not_of(allowed) != std::string::npos)) {
      return core::Fail(At(name, *node, fmt::format("c1222.{} must be a string of at most {} characters{}", key, max,
                                                    allowed.empty() ? "" : " of the allowed ones")));
    }
    out = *v;
    return {};
  };
  auto number = [&](std::string_view key, int& out, int lo, int hi) -> core::Result<void> {
    const toml::node* node = t.get(key);
    if (!node) return {};
    auto v = node->value<int64_t>();
    if (!v || *v < lo || *v > hi) return core::Fail(At(name, *node, fmt::format("c1222.{} must be {}..{}", key, lo, hi)));
    out = static_cast<int>(*v);
    return {};
  };
  auto choice = [&](std::string_view key, std::initializer_list<std::string_view> values, std::string& out) -> core::Result<void> {
    const toml::node* node = t.get(key);
    if (!node) return {};
    auto v = node->value<std::string>();
    if (!v || std::find(values.begin(), values.end(), *v) == values.end()) {
      return core::Fail(At(name, *node, fmt::format("c1222.{} must be one of {}", key, fmt::join(values, ", "))));
    }
    out = *v;
    return {};
  };
  constexpr std::string_view kIdChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  std::string transport = "tcp", security = "ciphertext", registers = "round";
  for (auto r : {text("ap_title", m.ap_title, 128, "0123456789."), text("calling_ap_title", m.calling_ap_title, 128, "0123456789."),
                 text("meter", m.meter, 64, kIdChars), text("model", m.model, 64, "abcdefghijklmnopqrstuvwxyz0123456789-_"),
                 text("user", m.user, 10, ""), text("password", m.password, 20, ""), text("key", m.key, 32, "0123456789abcdefABCDEF"),
                 text("relay_procedure", m.relay_procedure, 8, "SMP0123456789"), number("user_id", m.user_id, 0, 65535),
                 number("key_id", m.key_id, 0, 255), number("load_profile_hours", m.load_profile_hours, 0, 24),
                 number("timeout_ms", m.timeout_ms, 100, 60000), number("tries", m.tries, 1, 10),
                 choice("transport", {"tcp", "udp"}, transport), choice("security", {"ciphertext", "authenticated"}, security),
                 choice("registers", {"round", "daily"}, registers)}) {
    if (!r) return core::Fail(r.error());
  }
  m.udp = transport == "udp";
  m.authenticate_only = security == "authenticated";
  m.registers_daily = registers == "daily";
  if (const toml::node* events = t.get("events")) {
    auto v = events->value<bool>();
    if (!v) return core::Fail(At(name, *events, "c1222.events must be true or false"));
    m.events = *v;
  }
  for (auto [key, value] : {std::pair{"ap_title", &m.ap_title}, std::pair{"calling_ap_title", &m.calling_ap_title}}) {
    const toml::node* node = t.get(key);
    if (!codec::c1222::ParseApTitle(*value)) {
      return core::Fail(At(name, node ? *node : static_cast<const toml::node&>(t),
                           fmt::format("c1222.{} must be an ApTitle such as \"2.16.124.113620.1.22.0.7\" or \".7\"", key)));
    }
  }
  if (!m.key.empty() && m.key.size() != 32) return core::Fail(At(name, *t.get("key"), "c1222.key must be 32 hex digits (AES-128)"));
  if (t.get("security") && m.key.empty()) return core::Fail(At(name, *t.get("security"), "c1222.security needs a key"));
  if (!m.relay_procedure.empty() && !codec::c1219::ParseProcedureId(m.relay_procedure)) {
    return core::Fail(At(name, *t.get("relay_procedure"), "c1222.relay_procedure must name a procedure, e.g. \"MP1\""));
  }
  if (m.meter.empty()) {
    m.meter = "E-C1222-" + C1222TitleId(m.ap_title);
    if (m.meter.size() > 64) return core::Fail(At(name, t, "c1222: an ApTitle this long needs meter = \"...\""));
  }
  return m;
}

}  // namespace

core::Result<PollTargets> ParsePollTargets(std::string_view text, std::string_view name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return core::Fail(core::Error::Invalid(fmt::format("{}:{}:{}: {}", name, e.source().begin.line, e.source().begin.column,
                                                       e.description())));
  }
  PollTargets out;
  for (const auto& [key, node] : root) {
    if (key.str() == "c1222") {
      const toml::array* list = node.as_array();
      if (!list || !list->is_array_of_tables()) return core::Fail(At(name, node, "'c1222' must be a list of tables: [[c1222]]"));
      for (const auto& item : *list) {
        auto m = ParseC1222Target(name, *item.as_table());
        if (!m) return core::Fail(m.error());
        out.c1222.push_back(std::move(*m));
      }
      continue;
    }
    if (key.str() != "mbus" && key.str() != "modbus") {
      return core::Fail(At(name, node, fmt::format("unknown section '{}' (expected [[mbus]] or [[modbus]])", key.str())));
    }
    const toml::array* list = node.as_array();
    if (!list || !list->is_array_of_tables()) {
      return core::Fail(At(name, node, fmt::format("'{}' must be a list of tables: [[{}]]", key.str(), key.str())));
    }
    for (const auto& item : *list) {
      const toml::table& t = *item.as_table();
      if (key.str() == "mbus") {
        if (auto r = OnlyKeys(name, t, "mbus", {"address", "scan", "primary", "answer_timeout_ms"}); !r) {
          return core::Fail(r.error());
        }
        MbusTargetSpec m;
        if (auto r = Address(name, t, "mbus", m.host, m.port); !r) return core::Fail(r.error());
        if (const toml::node* scan = t.get("scan")) {
          auto v = scan->value<bool>();
          if (!v) return core::Fail(At(name, *scan, "mbus.scan must be true or false"));
          m.scan = *v;
        }
        if (const toml::node* primary = t.get("primary")) {
          const toml::array* a = primary->as_array();
          if (!a) return core::Fail(At(name, *primary, "mbus.primary must be a list of addresses 1..250"));
          for (const auto& x : *a) {
            auto v = x.value<int64_t>();
            if (!v || *v < 1 || *v > 250) return core::Fail(At(name, x, "mbus.primary addresses must be 1..250"));
            m.primary.push_back(static_cast<int>(*v));
          }
        }
        if (const toml::node* timeout = t.get("answer_timeout_ms")) {
          auto v = timeout->value<int64_t>();
          if (!v || *v < 10 || *v > 5000) return core::Fail(At(name, *timeout, "mbus.answer_timeout_ms must be 10..5000"));
          m.answer_timeout_ms = static_cast<int>(*v);
        }
        if (!m.scan && m.primary.empty()) return core::Fail(At(name, t, "mbus: scan = false needs primary addresses"));
        out.mbus.push_back(std::move(m));
      } else {
        if (auto r = OnlyKeys(name, t, "modbus", {"address", "unit", "model", "meter"}); !r) return core::Fail(r.error());
        ModbusTargetSpec m;
        if (auto r = Address(name, t, "modbus", m.host, m.port); !r) return core::Fail(r.error());
        if (const toml::node* unit = t.get("unit")) {
          auto v = unit->value<int64_t>();
          if (!v || *v < 1 || *v > 247) return core::Fail(At(name, *unit, "modbus.unit must be 1..247"));
          m.unit = static_cast<int>(*v);
        }
        const toml::node* model = t.get("model");
        auto model_name = model ? model->value<std::string>() : std::nullopt;
        bool model_ok = model_name && !model_name->empty() && model_name->size() <= 64 &&
                        model_name->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
        if (!model_ok) return core::Fail(At(name, model ? *model : static_cast<const toml::node&>(t), "modbus.model must name a register map, e.g. \"eastron-sdm630\""));
        m.model = *model_name;
        if (const toml::node* meter = t.get("meter")) {
          auto v = meter->value<std::string>();
          bool ok = v && !v->empty() && v->size() <= 64 &&
                    v->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
          if (!ok) return core::Fail(At(name, *meter, "modbus.meter must be 1..64 of A-Z a-z 0-9 . _ -"));
          m.meter = *v;
        } else {
          m.meter = fmt::format("E-{}-{}-{}-{}", m.model, m.host, m.port, m.unit);
        }
        out.modbus.push_back(std::move(m));
      }
    }
  }
  return out;
}

std::string C1222TitleId(std::string_view ap_title) {
  return ap_title.starts_with('.') ? "R" + std::string(ap_title.substr(1)) : std::string(ap_title);
}

core::Result<PollTargets> LoadPollTargets(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Fail(core::Error::NotFound(fmt::format("cannot read poll targets file {}", path)));
  std::stringstream text;
  text << in.rdbuf();
  return ParsePollTargets(text.str(), path);
}

std::string FormatPollTargets(const PollTargets& targets) {
  std::string out = "# Meters the head-end reads itself (docs/headend.md, \"Polled meters\").\n";
  for (const auto& m : targets.mbus) {
    out += fmt::format("\n[[mbus]]\naddress = \"{}:{}\"\nscan = {}\nanswer_timeout_ms = {}\n", m.host, m.port, m.scan,
                       m.answer_timeout_ms);
    if (!m.primary.empty()) out += fmt::format("primary = [{}]\n", fmt::join(m.primary, ", "));
  }
  for (const auto& m : targets.modbus) {
    out += fmt::format("\n[[modbus]]\naddress = \"{}:{}\"\nunit = {}\nmodel = \"{}\"\nmeter = \"{}\"\n", m.host, m.port,
                       m.unit, m.model, m.meter);
  }
  for (const auto& m : targets.c1222) {
    out += fmt::format("\n[[c1222]]\naddress = \"{}:{}\"\ntransport = \"{}\"\nap_title = \"{}\"\ncalling_ap_title = \"{}\"\n"
                       "meter = \"{}\"\nuser_id = {}\nuser = {}\nregisters = \"{}\"\nload_profile_hours = {}\n"
                       "events = {}\ntimeout_ms = {}\ntries = {}\n",
                       m.host, m.port, m.udp ? "udp" : "tcp", m.ap_title, m.calling_ap_title, m.meter, m.user_id, TomlQuote(m.user),
                       m.registers_daily ? "daily" : "round", m.load_profile_hours, m.events, m.timeout_ms, m.tries);
    if (!m.model.empty()) out += fmt::format("model = \"{}\"\n", m.model);
    if (!m.password.empty()) out += fmt::format("password = {}\n", TomlQuote(m.password));
    if (!m.key.empty()) {
      out += fmt::format("key_id = {}\nkey = \"{}\"\nsecurity = \"{}\"\n", m.key_id, m.key,
                         m.authenticate_only ? "authenticated" : "ciphertext");
    }
    if (!m.relay_procedure.empty()) out += fmt::format("relay_procedure = \"{}\"\n", m.relay_procedure);
  }
  return out;
}

}  // namespace meterd::headend
