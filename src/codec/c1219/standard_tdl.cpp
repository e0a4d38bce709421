// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/standard_tdl.h"

#include <cstdio>
#include <cstdlib>

namespace meterd::codec::c1219 {

extern const std::string_view kStandardTdlXml;  // standard_tdl_xml.cpp (generated)

std::string_view StandardTdlXml() { return kStandardTdlXml; }

const Tdl& StandardTdl() {
  static const Tdl* tdl = [] {
    auto compiled = ParseTdl(kStandardTdlXml, "standard.xml");
    if (!compiled) {
      // A broken built-in file is a build defect, not input: stop loudly.
      std::fprintf(stderr, "meterd: built-in standard.xml: %s\n", compiled.error().ToString().c_str());
      std::abort();
    }
    return new Tdl(std::move(*compiled));
  }();
  return *tdl;
}

}  // namespace meterd::codec::c1219
