// SPDX-License-Identifier: Apache-2.0
// pugixml stays in this file: it reports byte offsets, which become line numbers here.
#include "codec/c1219/tdl_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Result;

const std::string* TdlNode::Attr(std::string_view name) const {
  for (const auto& [k, v] : attributes) {
    if (k == name) return &v;
  }
  return nullptr;
}

void TdlNode::SetAttr(std::string_view name, std::string value) {
  for (auto& [k, v] : attributes) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  attributes.emplace_back(std::string(name), std::move(value));
}

bool TdlNode::RemoveAttr(std::string_view name) {
  auto it = std::find_if(attributes.begin(), attributes.end(), [&](const auto& a) { return a.first == name; });
  if (it == attributes.end()) return false;
  attributes.erase(it);
  return true;
}

std::string TdlNode::Where() const {
  if (source && !source->empty()) return fmt::format("{}:{}", *source, line);
  return fmt::format("line {}", line);
}

core::Error TdlNode::ErrorHere(std::string message) const {
  std::string where = Where();
  return Error::Invalid(fmt::format("{}: {}", where, message), where);
}

int LineOfOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(offset), '\n'));
}

namespace {

constexpr int kMaxDepth = 64;  // nesting of elements; real TDL files use 6 or so

class Converter {
 public:
  Converter(std::string_view text, std::shared_ptr<const std::string> source) : text_(text), source_(std::move(source)) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') newlines_.push_back(i);
    }
  }

  int Line(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    return 1 + static_cast<int>(std::lower_bound(newlines_.begin(), newlines_.end(), static_cast<size_t>(offset)) -
                                newlines_.begin());
  }

  Result<TdlNode> Convert(const pugi::xml_node& node, int depth) {
    TdlNode out;
    out.tag = node.name();
    out.line = Line(node.offset_debug());
    out.source = source_;
    if (depth > kMaxDepth) return Fail(out.ErrorHere(fmt::format("elements nest deeper than {}", kMaxDepth)));
    for (const pugi::xml_attribute& a : node.attributes()) {
      if (out.Attr(a.name())) return Fail(out.ErrorHere(fmt::format("attribute '{}' given twice", a.name())));
      out.attributes.emplace_back(a.name(), a.value());
    }
    for (const pugi::xml_node& child : node.children()) {
      switch (child.type()) {
        case pugi::node_element: {
          auto c = Convert(child, depth + 1);
          if (!c) return c;
          out.children.push_back(std::move(*c));
          break;
        }
        case pugi::node_comment: break;
        case pugi::node_pcdata:
        case pugi::node_cdata: {
          std::string_view t = child.value();
          if (t.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            TdlNode here = out;
            here.line = Line(child.offset_debug());
            return Fail(here.ErrorHere(fmt::format("<{}>: unexpected text", out.tag)));
          }
          break;
        }
        default: {
          TdlNode here = out;
          here.line = Line(child.offset_debug());
          return Fail(here.ErrorHere(fmt::format("<{}>: unexpected XML node", out.tag)));
        }
      }
    }
    return out;
  }

 private:
  std::string_view text_;
  std::shared_ptr<const std::string> source_;
  std::vector<size_t> newlines_;
};

void Build(pugi::xml_node parent, const TdlNode& node) {
  pugi::xml_node e = parent.append_child(node.tag.c_str());
  for (const auto& [k, v] : node.attributes) e.append_attribute(k.c_str()).set_value(v.c_str());
  for (const TdlNode& c : node.children) Build(e, c);
}

}  // namespace

Result<TdlDocument> ParseTdlDocument(std::string_view xml, std::string_view source) {
  auto src = std::make_shared<const std::string>(source);
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_comments, pugi::encoding_utf8);
  if (!parsed) {
    int line = LineOfOffset(xml, static_cast<size_t>(std::max<ptrdiff_t>(parsed.offset, 0)));
    std::string where = fmt::format("{}:{}", source, line);
    return Fail(Error::Invalid(fmt::format("{}: malformed XML: {}", where, parsed.description()), where));
  }
  Converter converter(xml, src);
  pugi::xml_node root;
  for (const pugi::xml_node& child : doc.children()) {
    if (child.type() == pugi::node_element) {
      if (root) {
        std::string where = fmt::format("{}:{}", source, converter.Line(child.offset_debug()));
        return Fail(Error::Invalid(fmt::format("{}: more than one root element", where), where));
      }
      root = child;
    } else if (child.type() == pugi::node_pi) {
      std::string where = fmt::format("{}:{}", source, converter.Line(child.offset_debug()));
      return Fail(Error::Invalid(fmt::format("{}: unexpected processing instruction", where), where));
    }
  }
  if (!root) return Fail(Error::Invalid(fmt::format("{}:1: no root element", source), fmt::format("{}:1", source)));
  std::string_view tag = root.name();
  if (tag != "tdl" && tag != "tdl-fragment") {
    std::string where = fmt::format("{}:{}", source, converter.Line(root.offset_debug()));
    return Fail(Error::Invalid(fmt::format("{}: expected <tdl> or <tdl-fragment>, got <{}>", where, tag), where));
  }
  auto node = converter.Convert(root, 0);
  if (!node) return Fail(node.error());
  return TdlDocument{std::move(*node)};
}

Result<TdlDocument> LoadTdlDocument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::NotFound(fmt::format("cannot open TDL file {}", path)));
  std::ostringstream text;
  text << in.rdbuf();
  std::string name = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  return ParseTdlDocument(text.str(), name);
}

std::string WriteTdlDocument(const TdlDocument& document) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("UTF-8");
  Build(doc, document.root);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  return out.str();
}

}  // namespace meterd::codec::c1219
