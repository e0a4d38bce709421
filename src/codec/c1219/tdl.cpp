// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/tdl.h"

#include "codec/c1219/tdl_merge.h"

namespace meterd::codec::c1219 {

using core::Fail;
using core::Result;

const std::vector<Element>& Element::record_body() const { return user ? user->body : children; }
const std::vector<BitsDef>& Element::bitfield_bits() const { return user ? user->bits : bits; }
uint8_t Element::bitfield_width() const { return user ? user->width : width; }

const TableDef* Tdl::Table(TableId id) const {
  for (const TableDef& t : tables_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}
const TableDef* Tdl::TableNamed(std::string_view key) const {
  for (const TableDef& t : tables_) {
    if (t.name == key) return &t;
  }
  auto id = ParseTableId(key);
  return id ? Table(*id) : nullptr;
}
const ProcedureDef* Tdl::Procedure(ProcedureId id) const {
  for (const ProcedureDef& p : procedures_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}
const SourceDef* Tdl::Source(uint16_t index) const {
  for (const SourceDef& s : sources_) {
    if (s.index == index) return &s;
  }
  return nullptr;
}
const TypeDef* Tdl::Type(std::string_view name) const {
  for (const auto& t : types_) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

Result<Tdl> ParseTdl(std::string_view xml, std::string_view source) {
  auto doc = ParseTdlDocument(xml, source);
  if (!doc) return Fail(doc.error());
  return CompileTdl(*doc);
}

Result<Tdl> ParseTdlWithFragments(std::string_view base_xml, std::string_view base_source,
                                  const std::vector<std::pair<std::string, std::string>>& fragments) {
  auto doc = ParseTdlDocument(base_xml, base_source);
  if (!doc) return Fail(doc.error());
  for (const auto& [xml, source] : fragments) {
    auto frag = ParseTdlDocument(xml, source);
    if (!frag) return Fail(frag.error());
    auto merged = ApplyFragment(*doc, *frag);
    if (!merged) return Fail(merged.error());
    doc = std::move(merged);
  }
  return CompileTdl(*doc);
}

}  // namespace meterd::codec::c1219
