// SPDX-License-Identifier: Apache-2.0
// Register map files (docs/formats/modbus-maps.md). toml++ throws on syntax errors; the throw is
// caught here and becomes an Error, so nothing escapes this file.
#include "codec/modbus/register_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace meterd::codec::modbus {

using core::Error;
using core::Fail;
using core::Result;

std::string_view FunctionName(FunctionCode function) {
  return function == FunctionCode::kReadHoldingRegisters ? "holding" : "input";
}

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kUint16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kUint32: return "uint32";
    case DataType::kInt32: return "int32";
    case DataType::kUint64: return "uint64";
    case DataType::kInt64: return "int64";
    case DataType::kFloat32: return "float32";
  }
  return "?";
}

uint16_t WordCount(DataType type) {
  switch (type) {
    case DataType::kUint16:
    case DataType::kInt16: return 1;
    case DataType::kUint64:
    case DataType::kInt64: return 4;
    default: return 2;
  }
}

bool IsSigned(DataType type) {
  return type == DataType::kInt16 || type == DataType::kInt32 || type == DataType::kInt64 ||
         type == DataType::kFloat32;
}

std::string_view WordOrderName(WordOrder order) { return order == WordOrder::kBig ? "big" : "little"; }

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kTotal: return "total";
    case Phase::kL1: return "l1";
    case Phase::kL2: return "l2";
    case Phase::kL3: return "l3";
  }
  return "?";
}

std::string_view EnergyChannelName(EnergyChannel channel) {
  switch (channel) {
    case EnergyChannel::kNone: return "none";
    case EnergyChannel::kImportActive: return "import_active";
    case EnergyChannel::kExportActive: return "export_active";
    case EnergyChannel::kTotalActive: return "total_active";
    case EnergyChannel::kNetActive: return "net_active";
    case EnergyChannel::kImportReactive: return "import_reactive";
    case EnergyChannel::kExportReactive: return "export_reactive";
    case EnergyChannel::kTotalReactive: return "total_reactive";
    case EnergyChannel::kNetReactive: return "net_reactive";
  }
  return "?";
}

const RegisterDef* RegisterMap::Find(std::string_view name) const {
  for (const auto& r : registers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

namespace {

constexpr size_t kMaxRegisters = 4096;  // entries per map; real maps have tens

struct UnitInfo {
  std::string_view symbol;
  core::Unit unit;
  int prefix;  // decimal exponent of the prefix: 3 for k
  bool energy;
  bool reactive;
};
constexpr UnitInfo kUnits[] = {
    {"V", core::Unit::kV, 0, false, false},       {"A", core::Unit::kA, 0, false, false},
    {"W", core::Unit::kW, 0, false, false},       {"kW", core::Unit::kW, 3, false, false},
    {"var", core::Unit::kVar, 0, false, true},    {"kvar", core::Unit::kVar, 3, false, true},
    {"VA", core::Unit::kVA, 0, false, false},     {"kVA", core::Unit::kVA, 3, false, false},
    {"Hz", core::Unit::kHz, 0, false, false},     {"PF", core::Unit::kPF, 0, false, false},
    {"Wh", core::Unit::kWh, 0, true, false},      {"kWh", core::Unit::kWh, 3, true, false},
    {"varh", core::Unit::kVarh, 0, true, true},   {"kvarh", core::Unit::kVarh, 3, true, true},
};

constexpr std::pair<std::string_view, EnergyChannel> kChannels[] = {
    {"import_active", EnergyChannel::kImportActive},     {"export_active", EnergyChannel::kExportActive},
    {"total_active", EnergyChannel::kTotalActive},       {"net_active", EnergyChannel::kNetActive},
    {"import_reactive", EnergyChannel::kImportReactive}, {"export_reactive", EnergyChannel::kExportReactive},
    {"total_reactive", EnergyChannel::kTotalReactive},   {"net_reactive", EnergyChannel::kNetReactive},
};

// A key as it can be written back: bare if it may be, else quoted ("" for the empty key).
std::string KeyText(std::string_view key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return bare ? std::string(key) : fmt::format("{:?}", key);
}

bool IsReactive(EnergyChannel c) {
  return c == EnergyChannel::kImportReactive || c == EnergyChannel::kExportReactive ||
         c == EnergyChannel::kTotalReactive || c == EnergyChannel::kNetReactive;
}

// Builds errors that name the file, line, column and key.
class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  Error At(const toml::node& node, const std::string& key, std::string_view problem) const {
    const auto& pos = node.source().begin;
    return Error::Invalid(fmt::format("{}:{}:{}: {}: {}", source_, pos.line, pos.column, key, problem), key);
  }

  Result<RegisterMap> Parse(const toml::table& root) {
    RegisterMap map;
    map.source = std::string(source_);
    for (auto&& [k, v] : root) {
      std::string_view key = k.str();
      if (key != "meter" && key != "batching" && key != "defaults" && key != "register") {
        return Fail(At(v, KeyText(key), "unknown key (expected meter, batching, defaults, register)"));
      }
    }
    if (auto r = ParseMeter(root, map); !r) return Fail(r.error());
    if (auto r = ParseBatching(root, map); !r) return Fail(r.error());
    const toml::table* defaults = nullptr;
    if (const toml::node* d = root.get("defaults")) {
      defaults = d->as_table();
      if (!defaults) return Fail(At(*d, "defaults", "expected a table"));
      for (auto&& [k, v] : *defaults) {
        std::string_view key = k.str();
        if (key != "function" && key != "type" && key != "word_order" && key != "scale" && key != "resolution") {
          return Fail(At(v, fmt::format("defaults.{}", KeyText(key)),
                         "unknown key (expected function, type, word_order, scale, resolution)"));
        }
      }
    }
    const toml::node* regs = root.get("register");
    if (!regs) return Fail(At(root, "register", "missing: a map needs at least one [[register]]"));
    const toml::array* array = regs->as_array();
    if (!array || array->empty()) return Fail(At(*regs, "register", "expected one or more [[register]] tables"));
    if (array->size() > kMaxRegisters) {
      return Fail(At(*regs, "register", fmt::format("{} entries; at most {}", array->size(), kMaxRegisters)));
    }
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& node = *array->get(i);
      const toml::table* entry = node.as_table();
      std::string path = fmt::format("register[{}]", i);
      if (!entry) return Fail(At(node, path, "expected a table"));
      auto def = ParseEntry(*entry, defaults, path);
      if (!def) return Fail(def.error());
      map.registers.push_back(std::move(*def));
    }
    if (auto r = CheckNamesAndOverlaps(map, *array); !r) return Fail(r.error());
    return map;
  }

 private:
  Result<void> ParseMeter(const toml::table& root, RegisterMap& map) {
    const toml::node* node = root.get("meter");
    if (!node) return {};
    const toml::table* meter = node->as_table();
    if (!meter) return Fail(At(*node, "meter", "expected a table"));
    for (auto&& [k, v] : *meter) {
      std::string key = fmt::format("meter.{}", KeyText(k.str()));
      if (k.str() == "model") {
        if (!v.is_string()) return Fail(At(v, key, "expected a string"));
        map.model = v.as_string()->get();
      } else if (k.str() != "vendor" && k.str() != "description") {
        return Fail(At(v, key, "unknown key (expected model, vendor, description)"));
      } else if (!v.is_string()) {
        return Fail(At(v, key, "expected a string"));
      }
    }
    return {};
  }

  Result<void> ParseBatching(const toml::table& root, RegisterMap& map) {
    const toml::node* node = root.get("batching");
    if (!node) return {};
    const toml::table* batching = node->as_table();
    if (!batching) return Fail(At(*node, "batching", "expected a table"));
    for (auto&& [k, v] : *batching) {
      std::string key = fmt::format("batching.{}", KeyText(k.str()));
      auto n = v.value<int64_t>();
      if (!v.is_integer() || !n) return Fail(At(v, key, "expected an integer"));
      if (k.str() == "max_gap") {
        if (*n < 0 || *n > 124) return Fail(At(v, key, fmt::format("{} is outside 0..124", *n)));
        map.batching.max_gap = static_cast<uint16_t>(*n);
      } else if (k.str() == "max_registers") {
        if (*n < 4 || *n > 125) return Fail(At(v, key, fmt::format("{} is outside 4..125", *n)));
        map.batching.max_registers = static_cast<uint16_t>(*n);
      } else {
        return Fail(At(v, key, "unknown key (expected max_gap, max_registers)"));
      }
    }
    return {};
  }

  // The entry's value for `key`, else the default's, else null.
  static const toml::node* Lookup(const toml::table& entry, const toml::table* defaults, std::string_view key) {
    if (const toml::node* n = entry.get(key)) return n;
    return defaults ? defaults->get(key) : nullptr;
  }

  Result<std::string_view> String(const toml::node& node, const std::string& key) const {
    if (!node.is_string()) return Fail(At(node, key, "expected a string"));
    return std::string_view(node.as_string()->get());
  }

  Result<RegisterDef> ParseEntry(const toml::table& entry, const toml::table* defaults, const std::string& path) {
    static constexpr std::string_view kKeys[] = {"name",  "address",    "function", "type",  "word_order", "scale",
                                                 "resolution", "unit", "signed",   "phase", "channel"};
    for (auto&& [k, v] : entry) {
      if (std::find(std::begin(kKeys), std::end(kKeys), k.str()) == std::end(kKeys)) {
        return Fail(At(v, fmt::format("{}.{}", path, KeyText(k.str())), "unknown key"));
      }
    }
    auto key = [&](std::string_view k) { return fmt::format("{}.{}", path, k); };
    auto missing = [&](std::string_view k) { return At(entry, key(k), "missing"); };
    RegisterDef def;
    def.line = static_cast<int>(entry.source().begin.line);

    const toml::node* n = entry.get("name");
    if (!n) return Fail(missing("name"));
    auto name = String(*n, key("name"));
    if (!name) return Fail(name.error());
    bool name_ok = !name->empty() && name->size() <= 64 && (*name)[0] >= 'a' && (*name)[0] <= 'z' &&
                   std::all_of(name->begin(), name->end(),
                               [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
    if (!name_ok) return Fail(At(*n, key("name"), "expected 1..64 of [a-z0-9_], starting with a letter"));
    def.name = std::string(*name);

    n = entry.get("address");
    if (!n) return Fail(missing("address"));
    auto address = n->value<int64_t>();
    if (!n->is_integer() || !address || *address < 0 || *address > 0xFFFF) {
      return Fail(At(*n, key("address"), "expected an integer 0..65535 (the protocol address, 0-based)"));
    }
    def.address = static_cast<uint16_t>(*address);

    n = Lookup(entry, defaults, "function");
    if (!n) return Fail(missing("function"));
    if (n->is_integer() && n->value<int64_t>() == 3) {
      def.function = FunctionCode::kReadHoldingRegisters;
    } else if (n->is_integer() && n->value<int64_t>() == 4) {
      def.function = FunctionCode::kReadInputRegisters;
    } else if (n->is_string() && n->as_string()->get() == "holding") {
      def.function = FunctionCode::kReadHoldingRegisters;
    } else if (n->is_string() && n->as_string()->get() == "input") {
      def.function = FunctionCode::kReadInputRegisters;
    } else {
      return Fail(At(*n, key("function"), "expected 3, 4, \"holding\" or \"input\""));
    }

    n = Lookup(entry, defaults, "type");
    if (!n) return Fail(missing("type"));
    auto type = String(*n, key("type"));
    if (!type) return Fail(type.error());
    bool type_ok = false;
    for (DataType t : {DataType::kUint16, DataType::kInt16, DataType::kUint32, DataType::kInt32, DataType::kUint64,
                       DataType::kInt64, DataType::kFloat32}) {
      if (*type == DataTypeName(t)) {
        def.type = t;
        type_ok = true;
      }
    }
    if (!type_ok) {
      return Fail(At(*n, key("type"),
                     fmt::format("unknown type '{}' (expected uint16, int16, uint32, int32, uint64, int64, float32)",
                                 *type)));
    }
    if (def.end() > 0x10000) {
      return Fail(At(entry, key("address"), fmt::format("a {} at {} runs past register 65535", *type, def.address)));
    }

    n = Lookup(entry, defaults, "word_order");
    if (n) {
      auto order = String(*n, key("word_order"));
      if (!order) return Fail(order.error());
      if (*order == "big") {
        def.word_order = WordOrder::kBig;
      } else if (*order == "little") {
        def.word_order = WordOrder::kLittle;
      } else {
        return Fail(At(*n, key("word_order"), fmt::format("bad word order '{}' (expected big or little)", *order)));
      }
    } else if (def.words() > 1) {
      return Fail(At(entry, key("word_order"), fmt::format("missing: a {} needs big or little", *type)));
    }

    if (auto r = ParseExponent(entry, defaults, path, def); !r) return Fail(r.error());
    if (auto r = ParseUnitAndChannel(entry, path, def); !r) return Fail(r.error());

    if ((n = entry.get("signed"))) {
      if (!n->is_boolean()) return Fail(At(*n, key("signed"), "expected true or false"));
      if (n->as_boolean()->get() != IsSigned(def.type)) {
        return Fail(At(*n, key("signed"), fmt::format("{} contradicts type {}", n->as_boolean()->get(), *type)));
      }
    }
    if ((n = entry.get("phase"))) {
      auto phase = String(*n, key("phase"));
      if (!phase) return Fail(phase.error());
      bool ok = false;
      for (Phase p : {Phase::kTotal, Phase::kL1, Phase::kL2, Phase::kL3}) {
        if (*phase == PhaseName(p)) {
          def.phase = p;
          ok = true;
        }
      }
      if (!ok) return Fail(At(*n, key("phase"), fmt::format("unknown phase '{}' (expected l1, l2, l3, total)", *phase)));
    }
    return def;
  }

  // `scale` for integer types, `resolution` for float32; then the unit prefix is folded in later.
  Result<void> ParseExponent(const toml::table& entry, const toml::table* defaults, const std::string& path,
                             RegisterDef& def) {
    const bool is_float = def.type == DataType::kFloat32;
    const toml::node* scale = is_float ? entry.get("scale") : Lookup(entry, defaults, "scale");
    const toml::node* resolution = is_float ? Lookup(entry, defaults, "resolution") : entry.get("resolution");
    if (is_float) {
      if (scale) return Fail(At(*scale, path + ".scale", "not for float32: give its resolution instead"));
      if (!resolution) {
        return Fail(At(entry, path + ".resolution", "missing: a float32 needs the resolution it is rounded to"));
      }
      auto r = resolution->value<double>();
      int exponent = 0;
      bool ok = r && (resolution->is_floating_point() || resolution->is_integer()) && *r > 0 && std::isfinite(*r);
      if (ok) {
        exponent = static_cast<int>(std::lround(std::log10(*r)));
        ok = exponent >= -9 && exponent <= 9 && std::fabs(*r / std::pow(10.0, exponent) - 1) < 1e-9;
      }
      if (!ok) return Fail(At(*resolution, path + ".resolution", "expected a power of ten from 1e-9 to 1e9 (0.001)"));
      def.exponent = static_cast<int8_t>(exponent);
      return {};
    }
    if (resolution) return Fail(At(*resolution, path + ".resolution", "only for float32: give a scale instead"));
    if (!scale) return {};
    auto s = scale->value<int64_t>();
    if (!scale->is_integer() || !s || *s < -12 || *s > 12) {
      return Fail(At(*scale, path + ".scale", "expected an integer decimal exponent -12..12 (-2: value x 0.01)"));
    }
    def.exponent = static_cast<int8_t>(*s);
    return {};
  }

  Result<void> ParseUnitAndChannel(const toml::table& entry, const std::string& path, RegisterDef& def) {
    const toml::node* n = entry.get("unit");
    if (!n) return Fail(At(entry, path + ".unit", "missing"));
    auto symbol = String(*n, path + ".unit");
    if (!symbol) return Fail(symbol.error());
    const UnitInfo* info = nullptr;
    for (const auto& u : kUnits) {
      if (u.symbol == *symbol) info = &u;
    }
    if (!info) {
      return Fail(At(*n, path + ".unit",
                     fmt::format("unknown unit '{}' (expected V, A, W, kW, var, kvar, VA, kVA, Hz, PF, Wh, kWh, "
                                 "varh, kvarh)",
                                 *symbol)));
    }
    def.unit = info->unit;
    def.unit_symbol = std::string(*symbol);
    def.exponent = static_cast<int8_t>(def.exponent + info->prefix);
  def.unit_prefix = static_cast<int8_t>(info->prefix);

    const toml::node* c = entry.get("channel");
    if (!info->energy) {
      if (c) return Fail(At(*c, path + ".channel", fmt::format("only for energy units, not {}", *symbol)));
      return {};
    }
    if (!c) return Fail(At(entry, path + ".channel", fmt::format("missing: a {} register needs its channel", *symbol)));
    auto channel = String(*c, path + ".channel");
    if (!channel) return Fail(channel.error());
    for (const auto& [text, value] : kChannels) {
      if (*channel == text) def.channel = value;
    }
    if (def.channel == EnergyChannel::kNone) {
      return Fail(At(*c, path + ".channel",
                     fmt::format("unknown channel '{}' (expected import_, export_, total_ or net_ with active or "
                                 "reactive)",
                                 *channel)));
    }
    if (IsReactive(def.channel) != info->reactive) {
      return Fail(At(*c, path + ".channel", fmt::format("channel {} does not fit unit {}", *channel, *symbol)));
    }
    return {};
  }

  Result<void> CheckNamesAndOverlaps(const RegisterMap& map, const toml::array& array) {
    std::set<std::string_view> names;
    for (size_t i = 0; i < map.registers.size(); ++i) {
      if (!names.insert(map.registers[i].name).second) {
        const auto& first = *map.Find(map.registers[i].name);
        return Fail(At(*array.get(i)->as_table()->get("name"), fmt::format("register[{}].name", i),
                       fmt::format("duplicate name '{}' (first at line {})", first.name, first.line)));
      }
    }
    std::vector<size_t> order(map.registers.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      const auto &x = map.registers[a], &y = map.registers[b];
      return std::pair(x.function, x.address) < std::pair(y.function, y.address);
    });
    for (size_t k = 1; k < order.size(); ++k) {
      const auto& prev = map.registers[order[k - 1]];
      const auto& cur = map.registers[order[k]];
      if (prev.function == cur.function && cur.address < prev.end()) {
        size_t later = std::max(order[k - 1], order[k]);
        const auto& other = later == order[k] ? prev : cur;
        return Fail(At(*array.get(later)->as_table()->get("address"), fmt::format("register[{}].address", later),
                       fmt::format("{} register {} overlaps '{}' (line {}, registers {}..{})",
                                   FunctionName(cur.function), map.registers[later].address, other.name, other.line,
                                   other.address, other.end() - 1)));
      }
    }
    return {};
  }

  std::string_view source_;
};

}  // namespace

Result<RegisterMap> ParseRegisterMap(std::string_view text, std::string_view source) {
  // TOML 1.0 allows no control character but tab and line ends anywhere, in strings and comments
  // included. Refusing them here is also a guard: toml++ 3.3 trips an internal assert (an abort
  // in builds with assertions) on some inputs holding NUL (fuzz/corpus/modbus_map_fuzz/crash-*).
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool line_end = c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
    if ((c < 0x20 && c != '\t' && !line_end) || c == 0x7F) {
      return Fail(Error::Invalid(
          fmt::format("{}:{}:{}: control character 0x{:02X} is not allowed in TOML", source, line, column, c),
          fmt::format("line {}", line)));
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;  // count characters, not UTF-8 continuation bytes
    }
  }
  try {
    toml::table root = toml::parse(text, source);
    return Parser(source).Parse(root);
  } catch (const toml::parse_error& e) {
    const auto& pos = e.source().begin;
    return Fail(Error::Invalid(fmt::format("{}:{}:{}: {}", source, pos.line, pos.column, e.description()),
                               fmt::format("line {}", pos.line)));
  } catch (const std::bad_alloc&) {
    return Fail(Error::Internal(fmt::format("{}: out of memory", source)));
  }
}

Result<RegisterMap> LoadRegisterMap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::NotFound(fmt::format("{}: cannot open register map", path)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Fail(Error::Internal(fmt::format("{}: read failed", path)));
  return ParseRegisterMap(text.str(), path);
}

}  // namespace meterd::codec::modbus
