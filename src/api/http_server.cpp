// SPDX-License-Identifier: Apache-2.0
#include "api/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <fmt/format.h>
#include <list>
#include <mutex>
#include <spdlog/spdlog.h>
#include <thread>

namespace meterd::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, Handler handler)
      : options_(options), handler_(std::move(handler)), acceptor_(io_) {}

  ~BeastServer() override { Stop(); }

  core::Result<void> Listen() {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.address, ec);
    if (ec) return core::Fail(core::Error::Invalid(fmt::format("bad listen address '{}'", options_.address), "address"));
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return core::Fail(core::Error{core::ErrorCode::kUnavailable,
                                    fmt::format("cannot listen on {}:{}: {}", options_.address, options_.port, ec.message()),
                                    "port"});
    }
    port_ = acceptor_.local_endpoint().port();
    acceptor_thread_ = std::thread([this] { AcceptLoop(); });
    return {};
  }

  uint16_t port() const override { return port_; }

  size_t ActiveConnections() const override {
    std::lock_guard lock(mu_);
    return fds_.size();
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    // Closing the listening socket wakes the blocking accept.
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    boost::system::error_code ec;
    if (acceptor_thread_.joinable()) acceptor_thread_.join();
    acceptor_.close(ec);
    std::list<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  void AcceptLoop() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopped_) return;
      if (ec) {
        if (ec == asio::error::no_descriptors) std::this_thread::yield();
        continue;
      }
      Reap();
      std::lock_guard lock(mu_);
      if (fds_.size() >= options_.max_connections) {
        Refuse(socket);
        continue;
      }
      int fd = socket.native_handle();
      fds_.push_back(fd);
      auto done = std::make_shared<std::atomic<bool>>(false);
      threads_.emplace_back([this, s = std::move(socket), fd, done]() mutable {
        Serve(s);
        {
          std::lock_guard lock(mu_);
          fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
        }
        boost::system::error_code ignored;
        s.close(ignored);
        done->store(true);
      });
      done_flags_.push_back(done);
    }
  }

  // Joins the threads of connections that have ended. Called with mu_ not held.
  void Reap() {
    std::list<std::thread> finished;
    {
      std::lock_guard lock(mu_);
      auto t = threads_.begin();
      auto d = done_flags_.begin();
      while (t != threads_.end()) {
        if ((*d)->load()) {
          finished.splice(finished.end(), threads_, t++);
          d = done_flags_.erase(d);
        } else {
          ++t;
          ++d;
        }
      }
    }
    for (auto& t : finished) t.join();
  }

  void Refuse(tcp::socket& socket) {
    http::response<http::string_body> res{http::status::service_unavailable, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::connection, "close");
    res.body() = R"({"error":{"code":"unavailable","message":"too many connections","field":""}})";
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(socket, res, ec);
    socket.close(ec);
  }

  void Serve(tcp::socket& socket) {
    timeval tv{options_.idle_timeout_s, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    socket.set_option(tcp::no_delay(true));
    boost::system::error_code ec;
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      http::read(socket, buffer, parser, ec);
      if (ec == http::error::end_of_stream || ec == asio::error::eof || stopped_) return;
      if (ec) {
        Response r;
        if (ec == http::error::body_limit) {
          r = ErrorResponse(413, "payload_too_large",
                            fmt::format("request body over {} bytes", options_.max_body_bytes));
        } else if (ec == http::error::header_limit) {
          r = ErrorResponse(431, "invalid_argument", "request headers too large");
        } else if (ec == asio::error::connection_reset || ec == asio::error::timed_out ||
                   ec == asio::error::would_block || ec == asio::error::try_again) {
          return;
        } else {
          r = ErrorResponse(400, "invalid_argument", fmt::format("malformed HTTP request: {}", ec.message()));
        }
        Write(socket, r, 11, false);
        return;
      }
      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      req.remote = remote;
      for (const auto& f : msg) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        req.headers[name] = std::string(f.value());
      }
      req.body = std::move(msg.body());
      bool keep_alive = msg.keep_alive();
      unsigned version = msg.version();
      Response res;
      if (!ParseTarget(req.target, req.path, req.query)) {
        res = ErrorResponse(400, "invalid_argument", "bad percent-encoding in the request target");
      } else {
        try {
          res = handler_(req);
        } catch (const std::exception& e) {
          spdlog::error("handler for {} {} threw: {}", req.method, req.path, e.what());
          res = ErrorResponse(500, "internal", "internal error; see the server log");
        }
      }
      if (!Write(socket, res, version, keep_alive) || !keep_alive) return;
    }
  }

  bool Write(tcp::socket& socket, Response& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "meterd");
    res.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = std::move(r.body);
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(socket, res, ec);
    return !ec;
  }

  HttpServerOptions options_;
  Handler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::thread acceptor_thread_;
  mutable std::mutex mu_;
  std::vector<int> fds_;                                     // GUARDED_BY(mu_)
  std::list<std::thread> threads_;                           // GUARDED_BY(mu_)
  std::list<std::shared_ptr<std::atomic<bool>>> done_flags_;  // GUARDED_BY(mu_), parallel to threads_
};

}  // namespace

core::Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, Handler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  auto listening = server->Listen();
  if (!listening) return core::Fail(listening.error());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace meterd::api
