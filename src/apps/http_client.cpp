// SPDX-License-Identifier: Apache-2.0
#include "apps/http_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <optional>

namespace meterd::apps {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

class BeastClient final : public HttpClient {
 public:
  BeastClient(std::string host, std::string port, std::chrono::seconds timeout, std::unique_ptr<ssl::context> tls)
      : host_(std::move(host)), port_(std::move(port)), timeout_(timeout), tls_(std::move(tls)), socket_(io_) {}

  core::Result<HttpResult> Send(const std::string& method, const std::string& target, const std::string& body,
                                const std::string& token) override {
    // A kept-alive connection may have been closed by the server: retry once on a fresh one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = socket_.is_open();
      if (!reused) {
        auto c = Connect();
        if (!c) return core::Fail(c.error());
      }
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, host_);
      req.set(http::field::user_agent, "meterd-client");
      if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
      if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
      }
      req.keep_alive(true);
      req.prepare_payload();
      boost::system::error_code ec;
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      if (stream_) {
        http::write(*stream_, req, ec);
        if (!ec) http::read(*stream_, buffer, parser, ec);
      } else {
        http::write(socket_, req, ec);
        if (!ec) http::read(socket_, buffer, parser, ec);
      }
      if (ec) {
        Close();
        if (reused) continue;
        return core::Fail(core::Error{core::ErrorCode::kUnavailable,
                                      fmt::format("HTTP {} {} to {}:{} failed: {}", method, target, host_, port_, ec.message()), {}});
      }
      auto& res = parser.get();
      HttpResult out{static_cast<int>(res.result_int()), std::move(res.body())};
      if (!res.keep_alive()) Close();
      return out;
    }
    return core::Fail(core::Error{core::ErrorCode::kUnavailable, "connection lost", {}});
  }

 private:
  core::Result<void> Connect() {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (!ec) asio::connect(socket_, endpoints, ec);
    if (ec) {
      socket_.close(ec);
      return core::Fail(core::Error{core::ErrorCode::kUnavailable, fmt::format("cannot connect to {}:{}: {}", host_, port_, ec.message()), {}});
    }
    timeval tv{static_cast<time_t>(timeout_.count()), 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    socket_.set_option(tcp::no_delay(true), ec);
    if (tls_) {
      stream_.emplace(socket_, *tls_);
      // SNI, and the certificate must name the host we asked for.
      SSL_set_tlsext_host_name(stream_->native_handle(), host_.c_str());
      stream_->set_verify_mode(ssl::verify_peer);
      stream_->set_verify_callback(ssl::host_name_verification(host_));
      stream_->handshake(ssl::stream_base::client, ec);
      if (ec) {
        Close();
        return core::Fail(core::Error{core::ErrorCode::kUnavailable,
                                      fmt::format("TLS handshake with {}:{} failed: {}", host_, port_, ec.message()), {}});
      }
    }
    return {};
  }

  void Close() {
    boost::system::error_code ec;
    stream_.reset();
    socket_.close(ec);
  }

  std::string host_, port_;
  std::chrono::seconds timeout_;
  std::unique_ptr<ssl::context> tls_;  // set for https
  asio::io_context io_;
  tcp::socket socket_;
  std::optional<ssl::stream<tcp::socket&>> stream_;  // over socket_ when tls_
};

}  // namespace

core::Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url, std::chrono::seconds timeout,
                                                            const std::string& ca_file) {
  std::string_view rest = url;
  bool https = rest.rfind("https://", 0) == 0;
  if (!https && rest.rfind("http://", 0) != 0) {
    return core::Fail(core::Error::Invalid(fmt::format("URL '{}' must start with http:// or https://", url), "url"));
  }
  rest.remove_prefix(https ? 8 : 7);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  std::string host(rest.substr(0, colon));
  std::string port = colon == std::string_view::npos ? (https ? "443" : "80") : std::string(rest.substr(colon + 1));
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return core::Fail(core::Error::Invalid(fmt::format("URL '{}' needs host[:port]", url), "url"));
  }
  std::unique_ptr<ssl::context> tls;
  if (https) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    tls->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (!ca_file.empty()) {
      tls->load_verify_file(ca_file, ec);
    } else {
      tls->set_default_verify_paths(ec);
    }
    if (ec) return core::Fail(core::Error::Invalid(fmt::format("CA file {}: {}", ca_file, ec.message()), "ca_file"));
  }
  return std::unique_ptr<HttpClient>(std::make_unique<BeastClient>(host, port, timeout, std::move(tls)));
}

}  // namespace meterd::apps
