// SPDX-License-Identifier: Apache-2.0
#include "headend/poll_targets.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

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
  return out;
}

}  // namespace meterd::headend
