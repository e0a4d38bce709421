// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/tdl_syntax.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace meterd::codec::c1219::syntax {

constexpr size_t kMaxNameLength = 64;

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  int base = 10;
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return negative ? -v : v;
}

std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

constexpr Builtin kBuiltins[] = {
    {"UINT8", BaseType::kUint, 1, false},   {"UINT16", BaseType::kUint, 2, false},
    {"UINT24", BaseType::kUint, 3, false},  {"UINT32", BaseType::kUint, 4, false},
    {"UINT40", BaseType::kUint, 5, false},  {"UINT48", BaseType::kUint, 6, false},
    {"UINT64", BaseType::kUint, 8, false},  {"INT8", BaseType::kInt, 1, false},
    {"INT16", BaseType::kInt, 2, false},    {"INT24", BaseType::kInt, 3, false},
    {"INT32", BaseType::kInt, 4, false},    {"INT40", BaseType::kInt, 5, false},
    {"INT48", BaseType::kInt, 6, false},    {"INT64", BaseType::kInt, 8, false},
    {"BOOL", BaseType::kBool, 1, false},    {"FILL", BaseType::kFill, 0, true},
    {"CHAR", BaseType::kChar, 0, true},     {"STRING", BaseType::kChar, 0, true},
    {"BINARY", BaseType::kBinary, 0, true}, {"BCD", BaseType::kBcd, 0, true},
    {"SET", BaseType::kSet, 0, true},       {"NI_FMAT1", BaseType::kNiFmat1, 0, false},
    {"NI_FMAT2", BaseType::kNiFmat2, 0, false}, {"FLOAT32", BaseType::kFloat32, 4, false},
    {"FLOAT64", BaseType::kFloat64, 8, false},  {"STIME_DATE", BaseType::kStimeDate, 0, false},
    {"LTIME_DATE", BaseType::kLtimeDate, 0, false}, {"HTIME_DATE", BaseType::kHtimeDate, 0, false},
    {"DATE", BaseType::kDate, 0, false},    {"TIME", BaseType::kTime, 0, false},
};
const Builtin* FindBuiltin(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

bool IsNumeric(BaseType t) {
  return t == BaseType::kUint || t == BaseType::kInt || t == BaseType::kNiFmat1 || t == BaseType::kNiFmat2 ||
         t == BaseType::kFloat32 || t == BaseType::kFloat64;
}

}  // namespace meterd::codec::c1219::syntax
