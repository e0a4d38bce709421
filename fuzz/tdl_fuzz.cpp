// SPDX-License-Identifier: Apache-2.0
// The TDL reader, compiler and fragment merge, and the generic codec on what they produce. Input:
// XML text, optionally followed by a NUL byte and table bytes. A <tdl> is compiled; a
// <tdl-fragment> is merged onto the built-in standard TDL first. Properties: no crash; errors name
// a file and line; what parses writes out and parses back to the same text; a compiled TDL
// decodes the table bytes with each of its tables, and what decodes encodes again.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "codec/c1219/standard_tdl.h"
#include "codec/c1219/tdl.h"
#include "codec/c1219/tdl_codec.h"
#include "codec/c1219/tdl_merge.h"

using namespace meterd::codec::c1219;

namespace {
bool NamesALine(const meterd::core::Error& e) { return e.field.find(':') != std::string::npos; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = reinterpret_cast<const char*>(data);
  const char* nul = static_cast<const char*>(std::memchr(text, 0, size));
  std::string_view xml(text, nul ? static_cast<size_t>(nul - text) : size);
  std::span<const uint8_t> table;
  if (nul) table = std::span<const uint8_t>(data + (nul - text) + 1, size - static_cast<size_t>(nul - text) - 1);

  auto doc = ParseTdlDocument(xml, "fuzz.xml");
  if (!doc) {
    if (!NamesALine(doc.error())) __builtin_trap();
    return 0;
  }
  std::string out = WriteTdlDocument(*doc);
  auto again = ParseTdlDocument(out, "out.xml");
  if (!again || WriteTdlDocument(*again) != out) __builtin_trap();

  if (doc->root.tag == "tdl-fragment") {
    static const TdlDocument* standard = new TdlDocument(*ParseTdlDocument(StandardTdlXml(), "standard.xml"));
    auto merged = ApplyFragment(*standard, *doc);
    if (!merged) {
      if (!NamesALine(merged.error())) __builtin_trap();
      return 0;
    }
    doc = std::move(merged);
  }
  auto tdl = CompileTdl(*doc);
  if (!tdl) {
    if (!NamesALine(tdl.error())) __builtin_trap();
    return 0;
  }
  TableContext ctx(*tdl);
  size_t tried = 0;
  for (const TableDef& def : tdl->tables()) {
    if (++tried > 8) break;  // merged onto the standard TDL: a few tables are enough
    auto v = DecodeTable(ctx, def.id, table);
    if (!v) {
      if (v.error().message.empty()) __builtin_trap();
      continue;
    }
    if (!EncodeTable(ctx, def.id, *v)) {
      // Only a number format can refuse what it decoded (none is reserved here: defaults).
      __builtin_trap();
    }
  }
  return 0;
}
