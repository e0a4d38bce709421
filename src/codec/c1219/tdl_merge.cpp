// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/tdl_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "codec/c1219/table_id.h"

namespace meterd::codec::c1219 {

using core::Fail;
using core::Result;

namespace {

// Elements that only group others and are looked through when finding a field by name.
bool IsTransparent(const TdlNode& n) {
  return n.tag == "if" || n.tag == "switch" || n.tag == "case" || n.tag == "default" || n.tag == "params" ||
         n.tag == "response";
}

// Where a named element sits: its parent and index there.
struct Slot {
  TdlNode* parent = nullptr;
  size_t index = 0;
  TdlNode& node() const { return parent->children[index]; }
};

// The first element named `name` under `container`, looking through transparent groups only.
std::optional<Slot> FindNamed(TdlNode& container, std::string_view name) {
  for (size_t i = 0; i < container.children.size(); ++i) {
    TdlNode& c = container.children[i];
    const std::string* n = c.Attr("name");
    if (n && *n == name && !IsTransparent(c)) return Slot{&container, i};
  }
  for (TdlNode& c : container.children) {
    if (IsTransparent(c)) {
      if (auto s = FindNamed(c, name)) return s;
    }
  }
  return std::nullopt;
}

// A path "A.B.C" under `container`.
std::optional<Slot> FindPath(TdlNode& container, std::string_view path) {
  TdlNode* at = &container;
  std::optional<Slot> slot;
  while (true) {
    size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    slot = FindNamed(*at, step);
    if (!slot) return std::nullopt;
    if (dot == std::string_view::npos) return slot;
    at = &slot->node();
    path.remove_prefix(dot + 1);
  }
}

bool TableMatches(const TdlNode& table, std::string_view key) {
  const std::string* id = table.Attr("id");
  const std::string* name = table.Attr("name");
  return (id && *id == key) || (name && *name == key);
}

// The kinds of top-level definition an operation can address.
struct Target {
  std::string_view kind;  // "table", "type", "procedure", "source"
  std::string key;
};

std::optional<Target> TargetOf(const TdlNode& op) {
  for (std::string_view kind : {"table", "type", "procedure", "source"}) {
    if (const std::string* v = op.Attr(kind)) return Target{kind, *v};
  }
  return std::nullopt;
}

// Index in base.children of the definition `t` refers to.
std::optional<size_t> FindDefinition(TdlNode& root, const Target& t) {
  for (size_t i = 0; i < root.children.size(); ++i) {
    TdlNode& c = root.children[i];
    if (c.tag != t.kind) continue;
    if (t.kind == "table" ? TableMatches(c, t.key) : t.kind == "source" ? (c.Attr("index") && *c.Attr("index") == t.key)
                                                                          : (c.Attr("name") && *c.Attr("name") == t.key)) {
      return i;
    }
    if (t.kind == "procedure" && c.Attr("id") && *c.Attr("id") == t.key) return i;
  }
  return std::nullopt;
}

// The key a new top-level definition would be found by, to refuse duplicates.
std::vector<Target> KeysOf(const TdlNode& def) {
  std::vector<Target> keys;
  if (def.tag == "source") {
    if (const std::string* i = def.Attr("index")) keys.push_back({"source", *i});
    return keys;
  }
  for (std::string_view a : {"id", "name"}) {
    if (const std::string* v = def.Attr(a)) keys.push_back({def.tag, *v});
  }
  return keys;
}

constexpr std::string_view kTargetAttrs[] = {"table", "type", "procedure", "source", "field", "before", "after",
                                             "attribute"};
bool IsOpAttr(std::string_view name) {
  return std::find(std::begin(kTargetAttrs), std::end(kTargetAttrs), name) != std::end(kTargetAttrs);
}

class Merger {
 public:
  explicit Merger(TdlNode& root) : root_(root) {}

  Result<void> Apply(const TdlNode& op) {
    for (const auto& [k, v] : op.attributes) {
      if (!IsOpAttr(k) && op.tag != "modify") {
        return Fail(op.ErrorHere(fmt::format("<{}>: unknown attribute '{}'", op.tag, k)));
      }
    }
    if (op.tag == "add") return Add(op);
    if (op.tag == "remove") return Remove(op);
    if (op.tag == "modify") return Modify(op);
    return Fail(op.ErrorHere(fmt::format("expected <add>, <remove> or <modify>, got <{}>", op.tag)));
  }

 private:
  // The definition an operation names, or an error naming the operation's line.
  Result<size_t> Definition(const TdlNode& op, const Target& t) {
    auto i = FindDefinition(root_, t);
    if (!i) return Fail(op.ErrorHere(fmt::format("<{}>: {} '{}' is not in the base TDL", op.tag, t.kind, t.key)));
    return *i;
  }

  // The node an operation addresses: a definition, or a field in it when `field` is given.
  Result<Slot> Resolve(const TdlNode& op, const Target& t) {
    auto def = Definition(op, t);
    if (!def) return Fail(def.error());
    const std::string* field = op.Attr("field");
    if (!field) return Slot{&root_, *def};
    auto slot = FindPath(root_.children[*def], *field);
    if (!slot) {
      return Fail(op.ErrorHere(fmt::format("<{}>: {} '{}' has no field '{}'", op.tag, t.kind, t.key, *field)));
    }
    return *slot;
  }

  Result<void> Add(const TdlNode& op) {
    auto target = TargetOf(op);
    if (op.children.empty()) return Fail(op.ErrorHere("<add>: nothing to add"));
    if (!target) {
      for (const TdlNode& def : op.children) {
        if (def.tag != "table" && def.tag != "type" && def.tag != "procedure" && def.tag != "source") {
          return Fail(def.ErrorHere(fmt::format("<add>: expected <table>, <type>, <procedure> or <source>, got <{}>", def.tag)));
        }
        for (const Target& key : KeysOf(def)) {
          if (auto existing = FindDefinition(root_, key)) {
            return Fail(def.ErrorHere(fmt::format("<add>: {} '{}' is already defined at {}", key.kind, key.key,
                                                  root_.children[*existing].Where())));
          }
        }
        root_.children.push_back(def);
      }
      return {};
    }
    auto slot = Resolve(op, *target);
    if (!slot) return Fail(slot.error());
    TdlNode* container = &slot->node();
    size_t at = container->children.size();
    const std::string* before = op.Attr("before");
    const std::string* after = op.Attr("after");
    if (before || after) {
      auto anchor = FindNamed(*container, before ? *before : *after);
      if (!anchor) {
        return Fail(op.ErrorHere(fmt::format("<add>: {} '{}' has no field '{}'", target->kind, target->key,
                                             before ? *before : *after)));
      }
      container = anchor->parent;
      at = anchor->index + (before ? 0 : 1);
    }
    for (const TdlNode& child : op.children) {
      if (const std::string* name = child.Attr("name")) {
        if (FindNamed(slot->node(), *name)) {
          return Fail(child.ErrorHere(fmt::format("<add>: {} '{}' already has a field '{}'", target->kind, target->key, *name)));
        }
      }
    }
    container->children.insert(container->children.begin() + static_cast<ptrdiff_t>(at), op.children.begin(),
                               op.children.end());
    return {};
  }

  Result<void> Remove(const TdlNode& op) {
    auto target = TargetOf(op);
    if (!target) return Fail(op.ErrorHere("<remove>: expected a table, type, procedure or source attribute"));
    if (!op.children.empty()) return Fail(op.ErrorHere("<remove>: expected no children"));
    auto slot = Resolve(op, *target);
    if (!slot) return Fail(slot.error());
    if (const std::string* attribute = op.Attr("attribute")) {
      if (!slot->node().RemoveAttr(*attribute)) {
        return Fail(op.ErrorHere(fmt::format("<remove>: the element has no attribute '{}'", *attribute)));
      }
      return {};
    }
    slot->parent->children.erase(slot->parent->children.begin() + static_cast<ptrdiff_t>(slot->index));
    return {};
  }

  Result<void> Modify(const TdlNode& op) {
    auto target = TargetOf(op);
    if (!target) return Fail(op.ErrorHere("<modify>: expected a table, type, procedure or source attribute"));
    auto slot = Resolve(op, *target);
    if (!slot) return Fail(slot.error());
    TdlNode& node = slot->node();
    bool changed = false;
    // The target's own key attribute is the one named in the op; others (`field`) address.
    for (const auto& [k, v] : op.attributes) {
      if (k == target->kind || k == "field") continue;
      if (k == "before" || k == "after" || k == "attribute") {
        return Fail(op.ErrorHere(fmt::format("<modify>: '{}' is not allowed here", k)));
      }
      // `set-` prefix writes an attribute that would otherwise address (e.g. set-table).
      std::string name = k.rfind("set-", 0) == 0 ? k.substr(4) : k;
      node.SetAttr(name, v);
      changed = true;
    }
    if (!op.children.empty()) {
      node.children = op.children;
      changed = true;
    }
    if (!changed) return Fail(op.ErrorHere("<modify>: nothing to change"));
    return {};
  }

  TdlNode& root_;
};

}  // namespace

Result<TdlDocument> ApplyFragment(const TdlDocument& base, const TdlDocument& fragment) {
  if (base.root.tag != "tdl") return Fail(base.root.ErrorHere("the base must be a <tdl>"));
  if (fragment.root.tag != "tdl-fragment") return Fail(fragment.root.ErrorHere("expected a <tdl-fragment>"));
  const std::string* base_name = base.root.Attr("name");
  if (const std::string* wanted = fragment.root.Attr("base")) {
    if (!base_name || *base_name != *wanted) {
      return Fail(fragment.root.ErrorHere(
          fmt::format("the fragment applies to base '{}', not '{}'", *wanted, base_name ? *base_name : "")));
    }
  }
  TdlDocument out = base;
  Merger merger(out.root);
  for (const TdlNode& op : fragment.root.children) {
    if (auto r = merger.Apply(op); !r) return Fail(r.error());
  }
  // The result is named after the fragment, and remembers its base.
  if (const std::string* name = fragment.root.Attr("name")) {
    out.root.SetAttr("name", *name);
    if (base_name) out.root.SetAttr("base", *base_name);
  }
  return out;
}

}  // namespace meterd::codec::c1219
