// SPDX-License-Identifier: Apache-2.0
#include "apps/http_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

namespace meterd::apps {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class BeastClient final : public HttpClient {
 public:
  BeastClient(std::string host, std::string port, std::chrono::seconds timeout)
      : host_(std::move(host)), port_(std::move(port)), timeout_(timeout), socket_(io_) {}

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
      http::write(socket_, req, ec);
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      if (!ec) http::read(socket_, buffer, parser, ec);
      if (ec) {
        socket_.close(ec);
        if (reused) continue;
        return core::Fail(core::Error{core::ErrorCode::kUnavailable,
                                      fmt::format("HTTP {} {} to {}:{} failed: {}", method, target, host_, port_, ec.message()), {}});
      }
      auto& res = parser.get();
      HttpResult out{static_cast<int>(res.result_int()), std::move(res.body())};
      if (!res.keep_alive()) socket_.close(ec);
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
    return {};
  }

  std::string host_, port_;
  std::chrono::seconds timeout_;
  asio::io_context io_;
  tcp::socket socket_;
};

}  // namespace

core::Result<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& url, std::chrono::seconds timeout) {
  std::string_view rest = url;
  if (rest.rfind("http://", 0) != 0) {
    return core::Fail(core::Error::Invalid(fmt::format("URL '{}' must start with http://", url), "url"));
  }
  rest.remove_prefix(7);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t colon = rest.rfind(':');
  std::string host(rest.substr(0, colon));
  std::string port = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return core::Fail(core::Error::Invalid(fmt::format("URL '{}' needs host[:port]", url), "url"));
  }
  return std::unique_ptr<HttpClient>(std::make_unique<BeastClient>(host, port, timeout));
}

}  // namespace meterd::apps
