// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/table_id.h"

#include <fmt/format.h>

namespace meterd::codec::c1219 {

namespace {
// "ST"/"MT" (or "SP"/"MP") followed by 0..2047; returns the number and whether it was the M form.
core::Result<std::pair<uint16_t, bool>> ParsePrefixed(std::string_view text, char second, std::string_view what) {
  auto bad = [&] {
    return core::Fail(core::Error::Invalid(
        fmt::format("'{}' is not a {} (expected S{}<n> or M{}<n>, n 0..2047)", text, what, second, second)));
  };
  if (text.size() < 3 || (text[0] != 'S' && text[0] != 'M') || text[1] != second) return bad();
  std::string_view digits = text.substr(2);
  if (digits.size() > 4 || (digits.size() > 1 && digits[0] == '0')) return bad();
  uint32_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + static_cast<uint32_t>(c - '0');
  }
  if (n > 2047) return bad();
  return std::pair<uint16_t, bool>{static_cast<uint16_t>(n), text[0] == 'M'};
}
}  // namespace

std::string TableIdName(TableId id) {
  return IsMfgTable(id) ? fmt::format("MT{}", id - kMfgTableBase) : fmt::format("ST{}", id);
}

core::Result<TableId> ParseTableId(std::string_view text) {
  auto parsed = ParsePrefixed(text, 'T', "table id");
  if (!parsed) return core::Fail(parsed.error());
  return parsed->second ? MfgTable(parsed->first) : StdTable(parsed->first);
}

std::string ProcedureIdName(ProcedureId id) {
  return fmt::format("{}P{}", id.manufacturer ? 'M' : 'S', id.number);
}

core::Result<ProcedureId> ParseProcedureId(std::string_view text) {
  auto parsed = ParsePrefixed(text, 'P', "procedure id");
  if (!parsed) return core::Fail(parsed.error());
  return ProcedureId{parsed->first, parsed->second};
}

}  // namespace meterd::codec::c1219
