// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"

namespace meterd::apps {

struct HttpResult {
  int status = 0;
  std::string body;
};

// A blocking HTTP/1.1 client with one keep-alive connection, reconnecting when the server
// closed it. Not thread-safe: one per thread.
class HttpClient {
 public:
  // `base_url` like "http://127.0.0.1:8080" or "https://meterd.example:8443". For https the
  // server's certificate is verified against `ca_file` (PEM) if given, else the system's trust
  // store, and must name the host.
  static core::Result<std::unique_ptr<HttpClient>> Create(const std::string& base_url,
                                                          std::chrono::seconds timeout = std::chrono::seconds(30),
                                                          const std::string& ca_file = {});
  virtual ~HttpClient() = default;
  // Fails only on transport errors; any HTTP status is a result.
  virtual core::Result<HttpResult> Send(const std::string& method, const std::string& target, const std::string& body,
                                        const std::string& bearer_token) = 0;
};

}  // namespace meterd::apps
