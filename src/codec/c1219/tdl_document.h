// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

// A TDL file as a tree of elements, each remembering the file and line it came from: what the
// reader produces, what a fragment is merged into (tdl_merge.h), what is written back out, and
// what CompileTdl (tdl.h) turns into a decoder. The XML we accept: docs/formats/tdl.md.
namespace meterd::codec::c1219 {

struct TdlNode {
  std::string tag;
  std::vector<std::pair<std::string, std::string>> attributes;  // in document order
  std::vector<TdlNode> children;
  int line = 0;                                 // 1-based line of the start tag; 0 if made in code
  std::shared_ptr<const std::string> source;    // file name for messages (may be null)

  const std::string* Attr(std::string_view name) const;
  void SetAttr(std::string_view name, std::string value);  // replaces or appends
  bool RemoveAttr(std::string_view name);
  // "meterd-sim.xml:12" (or "line 12" without a source); the `field` of errors about this node.
  std::string Where() const;
  core::Error ErrorHere(std::string message) const;  // kInvalidArgument, "<where>: <message>"
};

struct TdlDocument {
  TdlNode root;  // <tdl> or <tdl-fragment>
};

// Parses XML text. `source` names the file in messages. Refuses malformed XML (with its line),
// text content, processing instructions and a root other than <tdl> or <tdl-fragment>; comments
// are dropped. Element and attribute names are not checked here (CompileTdl does that).
core::Result<TdlDocument> ParseTdlDocument(std::string_view xml, std::string_view source);

// Reads and parses a file. The only function of the TDL code that touches the file system.
core::Result<TdlDocument> LoadTdlDocument(const std::string& path);

// XML text, two-space indent, attributes in order; parsing it gives the same tree (lines aside).
std::string WriteTdlDocument(const TdlDocument& document);

// 1-based line of byte `offset` in `text`.
int LineOfOffset(std::string_view text, size_t offset);

}  // namespace meterd::codec::c1219
