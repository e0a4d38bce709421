// SPDX-License-Identifier: Apache-2.0
#include "api/http_server.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
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
namespace ssl = asio::ssl;

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, Handler handler)
      : options_(options), handler_(std::move(handler)), acceptor_(io_) {}

  ~BeastServer() override { Stop(); }

  core::Result<void> LoadTls() {
    if (options_.tls_cert_file.empty() && options_.tls_key_file.empty()) return {};
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty()) {
      return core::Fail(core::Error::Invalid("TLS needs both a certificate and a key file", "tls"));
    }
    struct stat st {};
    if (::stat(options_.tls_key_file.c_str(), &st) != 0) {
      return core::Fail(core::Error::Invalid(fmt::format("cannot read TLS key {}", options_.tls_key_file), "tls_key_file"));
    }
    if ((st.st_mode & 077) != 0) {
      return core::Fail(core::Error::Invalid(
          fmt::format("TLS key {} is readable by others (mode {:o}); chmod 600 it", options_.tls_key_file, st.st_mode & 0777),
          "tls_key_file"));
    }
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    tls_->use_certificate_chain_file(options_.tls_cert_file, ec);
    if (ec) {
      return core::Fail(core::Error::Invalid(
          fmt::format("TLS certificate {}: {}", options_.tls_cert_file, ec.message()), "tls_cert_file"));
    }
    tls_->use_private_key_file(options_.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      // The message names the file, never the key's contents.
      return core::Fail(core::Error::Invalid(fmt::format("TLS key {}: {}", options_.tls_key_file, ec.message()), "tls_key_file"));
    }
    return {};
  }

  bool tls() const override { return tls_ != nullptr; }

  core::Result<void> Listen() {
    if (auto t = LoadTls(); !t) return t;
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
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote = socket.remote_endpoint(ec).address().to_string();
    if (!tls_) {
      ServeStream(socket, remote, false);
      return;
    }
    // A TLS client starts with a handshake record (0x16); anything else is plain HTTP.
    unsigned char first = 0;
    if (::recv(socket.native_handle(), &first, 1, MSG_PEEK) != 1) return;
    if (first != 0x16) {
      ServeStream(socket, remote, true);
      return;
    }
    ssl::stream<tcp::socket&> stream(socket, *tls_);
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;  // a failed handshake: nothing to answer in clear
    ServeStream(stream, remote, false);
    stream.shutdown(ec);
  }

  // Reads requests and writes responses on `stream` until the client or an error closes it.
  // With `redirect_to_https`, every request is answered with a redirect to the same URL over
  // https, so plain HTTP never reaches a handler when TLS is on.
  template <class Stream>
  void ServeStream(Stream& stream, const std::string& remote, bool redirect_to_https) {
    boost::system::error_code ec;
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      http::read(stream, buffer, parser, ec);
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
        Write(stream, r, 11, false);
        return;
      }
      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      req.remote = remote;
      req.tls = !std::is_same_v<Stream, tcp::socket>;
      for (const auto& f : msg) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        req.headers[name] = std::string(f.value());
      }
      req.body = std::move(msg.body());
      bool keep_alive = msg.keep_alive();
      unsigned version = msg.version();
      Response res;
      if (redirect_to_https) {
        std::string host = req.Header("host");
        if (host.empty() || host.find_first_of(" /\\\r\n") != std::string::npos) host = options_.address;
        res = ErrorResponse(400, "invalid_argument", "this port speaks HTTPS only");
        res.status = 308;
        res.headers.emplace_back("Location", "https://" + host + req.target);
        Write(stream, res, version, false);
        return;
      }
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
      if (!Write(stream, res, version, keep_alive) || !keep_alive) return;
    }
  }

  template <class Stream>
  bool Write(Stream& stream, Response& r, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    res.set(http::field::server, "meterd");
    res.set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = std::move(r.body);
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(stream, res, ec);
    return !ec;
  }

  HttpServerOptions options_;
  Handler handler_;
  std::unique_ptr<ssl::context> tls_;  // set when TLS is on
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
