// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "core/error.h"

namespace meterd::api {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;            // 0: any free port
  size_t max_connections = 512;    // more are answered 503 and closed
  size_t max_body_bytes = 4 << 20;
  size_t max_header_bytes = 16 << 10;
  int idle_timeout_s = 60;         // a keep-alive connection idle this long is closed
  // TLS: with both set, every connection must speak TLS (1.2 or 1.3); a plain HTTP request on
  // the port gets a redirect to https and is closed.
  std::string tls_cert_file;       // PEM certificate chain
  std::string tls_key_file;        // PEM private key; must not be readable by group or others
};

// HTTP/1.1 with keep-alive over Boost.Beast, one thread per connection doing blocking I/O.
// Handlers run on the connection's thread and may block (the ingest path waits for its group
// commit). Simple and predictable for thousands of connections; an async front would be the
// next step for hundreds of thousands.
class HttpServer {
 public:
  using Handler = std::function<Response(Request&)>;

  static core::Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, Handler handler);
  virtual ~HttpServer() = default;
  virtual uint16_t port() const = 0;
  // Stops accepting, closes every connection and joins their threads. Idempotent.
  virtual void Stop() = 0;
  virtual size_t ActiveConnections() const = 0;
  virtual bool tls() const = 0;
};

}  // namespace meterd::api
