// SPDX-License-Identifier: Apache-2.0
#include "core/ids.h"

#include <fmt/format.h>

namespace meterd::core {

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> CheckId(std::string_view id, std::string_view field) {
  if (!IsValidId(id)) {
    return Fail(Error::Invalid(fmt::format("'{}' is not a valid id: 1-64 of A-Z a-z 0-9 . _ -",
                                           id.substr(0, 80)),
                               std::string(field)));
  }
  return std::string(id);
}

}  // namespace meterd::core
