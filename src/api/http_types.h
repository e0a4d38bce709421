// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

// Plain request and response values, so handlers and tests never see Beast.
namespace meterd::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, with the query
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string, std::less<>> query;  // decoded; last one wins
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names
  std::string body;
  std::string remote;  // peer address
  bool tls = false;    // arrived over TLS (cookies are then marked Secure)

  std::string_view HeaderView(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
  std::string Header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// HTTP status for an error code.
int HttpStatus(core::ErrorCode code);
// {"error":{"code","message","field"}} with the matching status.
Response ErrorResponse(const core::Error& error);
Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view field = {});

// Splits "/a/b?x=1&y=%20" into a decoded path and query; false on bad percent-encoding.
bool ParseTarget(std::string_view target, std::string& path, std::map<std::string, std::string, std::less<>>& query);

}  // namespace meterd::api
