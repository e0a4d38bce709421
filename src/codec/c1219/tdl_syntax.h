// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "codec/c1219/tdl.h"

// Private to the TDL compiler: names, numbers and lists as the XML writes them, and the table of
// built-in types (docs/formats/tdl.md "Types").
namespace meterd::codec::c1219::syntax {

// 1..64 of letters, digits and '_', not starting with a digit.
bool ValidName(std::string_view s);
// Decimal or 0x hex, optionally negative.
std::optional<int64_t> ParseInt(std::string_view s);
// "1 2, 3" -> {"1", "2", "3"}.
std::vector<std::string_view> SplitList(std::string_view s);

struct Builtin {
  std::string_view name;
  BaseType type;
  uint8_t width;  // bytes, for the fixed-size integers and floats
  bool sized;     // takes a size attribute
};
const Builtin* FindBuiltin(std::string_view name);
bool IsNumeric(BaseType t);

}  // namespace meterd::codec::c1219::syntax
