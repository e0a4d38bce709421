// SPDX-License-Identifier: Apache-2.0
#include "api/http_types.h"

#include <boost/json.hpp>

namespace meterd::api {

int HttpStatus(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument: return 400;
    case core::ErrorCode::kOutOfRange: return 400;
    case core::ErrorCode::kUnauthenticated: return 401;
    case core::ErrorCode::kPermissionDenied: return 403;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    case core::ErrorCode::kUnavailable: return 503;
    case core::ErrorCode::kCorruption:
    case core::ErrorCode::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field) {
  boost::json::object err;
  err["code"] = code;
  err["message"] = message;
  err["field"] = field;
  boost::json::object root;
  root["error"] = std::move(err);
  Response r;
  r.status = status;
  r.body = boost::json::serialize(root);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"meterd\"");
  return r;
}

Response ErrorResponse(const core::Error& error) {
  // Internal details stay in the log; the client learns that it was our fault.
  if (error.code == core::ErrorCode::kInternal || error.code == core::ErrorCode::kCorruption) {
    return ErrorResponse(500, "internal", "internal error; see the server log", "");
  }
  std::string_view code = core::ErrorCodeName(error.code);
  if (error.code == core::ErrorCode::kOutOfRange) code = "invalid_argument";
  return ErrorResponse(HttpStatus(error.code), code, error.message, error.field);
}

namespace {
bool Decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int v = 0;
      for (int k = 1; k <= 2; ++k) {
        char h = in[i + k];
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0) return false;
        v = v * 16 + d;
      }
      out += static_cast<char>(v);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}
}  // namespace

bool ParseTarget(std::string_view target, std::string& path, std::map<std::string, std::string, std::less<>>& query) {
  size_t q = target.find('?');
  if (!Decode(target.substr(0, q), path, false)) return false;
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    if (!Decode(pair.substr(0, eq), key, true)) return false;
    if (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), value, true)) return false;
    query[key] = value;
  }
  return true;
}

}  // namespace meterd::api
