// SPDX-License-Identifier: Apache-2.0
// Bill webhooks against an HTTP receiver thread on loopback that checks the signature.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>

#include "billing/notify.h"
#include "loopback.h"
#include "security/crypto.h"

namespace meterd::billing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using testing::BoundSocket;

struct Received {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool signature_ok = false;
};

// An HTTP/1.1 receiver on a loopback port, one request per connection, in its own thread. It
// checks X-Meterd-Signature with WebhookSignature (401 when wrong) and otherwise answers
// `status`. `respond` false: it reads the request and never answers.
class Receiver {
 public:
  Receiver(std::string secret, int status, bool respond = true, bool interim_100 = false)
      : secret_(std::move(secret)), status_(status), respond_(respond), interim_100_(interim_100) {
    EXPECT_EQ(::pipe(stop_), 0);
    thread_ = std::thread([this] { Run(); });
  }
  ~Receiver() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  std::string url(std::string_view path) const { return fmt::format("http://127.0.0.1:{}{}", listener_.port, path); }
  uint16_t port() const { return listener_.port; }
  std::vector<Received> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    for (;;) {
      pollfd p[2] = {{listener_.fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(p, 2, -1) < 0 || (p[1].revents & POLLIN)) return;
      int fd = ::accept(listener_.fd, nullptr, nullptr);
      if (fd < 0) continue;
      Serve(fd);
      ::close(fd);
    }
  }

  // Reads into `buffer` until `done` says so or the peer closes; false on close.
  template <class Done>
  static bool ReadUntil(int fd, std::string& buffer, Done done) {
    char chunk[4096];
    while (!done()) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    return true;
  }

  void Serve(int fd) {
    std::string buffer;
    if (!ReadUntil(fd, buffer, [&] { return buffer.find("\r\n\r\n") != std::string::npos; })) return;
    size_t head_end = buffer.find("\r\n\r\n");
    Received r;
    std::istringstream head(buffer.substr(0, head_end));
    std::string line, version;
    std::getline(head, line);
    std::istringstream(line) >> r.method >> r.target >> version;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    size_t length = std::stoul(r.headers["content-length"]);
    ReadUntil(fd, buffer, [&] { return buffer.size() >= head_end + 4 + length; });
    r.body = buffer.substr(head_end + 4, length);
    // "t=<unix>,v1=<hex>"
    std::smatch sig;
    const std::string& header = r.headers["x-meterd-signature"];
    if (std::regex_match(header, sig, std::regex("t=(-?[0-9]+),v1=([0-9a-f]{64})")))
      r.signature_ok = sig[2] == WebhookSignature(secret_, std::stoll(sig[1]), r.body);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
    }
    if (!respond_) {  // hold the connection until the client gives up
      ReadUntil(fd, buffer, [] { return false; });
      return;
    }
    int status = r.signature_ok ? status_ : 401;
    std::string reply = interim_100_ ? "HTTP/1.1 100 Continue\r\n\r\n" : "";
    reply += fmt::format("HTTP/1.1 {} Whatever\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
    (void)!::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  std::string secret_;
  int status_;
  bool respond_, interim_100_;
  BoundSocket listener_{true};
  int stop_[2] = {-1, -1};
  std::mutex mu_;
  std::vector<Received> requests_;  // guarded by mu_
  std::thread thread_;
};

constexpr int64_t kT = 1'800'000'000;
constexpr std::string_view kBody = R"({"bill":"B-1","amount":"12.34"})";

TEST(WebhookSignature, MatchesAGoldenVector) {
  // printf '%s' '1800000000.{"bill":"B-1","amount":"12.34"}' | openssl dgst -sha256 -hmac whsec_test
  EXPECT_EQ(WebhookSignature("whsec_test", kT, kBody), "3cf6f91e97c14432cc745f16fe4b1b804878ad57756897841bb20a541e022852");
}

TEST(PostWebhook, DeliversASignedRequest) {
  Receiver receiver("whsec_test", 200);
  WebhookConfig c{.url = receiver.url("/hooks/sms?tenant=city#frag"), .secret = "whsec_test"};
  auto status = PostWebhook(c, kBody, kT, "bill-B-1:sms:1");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(ClassifyWebhook(status), DeliveryOutcome::kDelivered);
  auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].signature_ok);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/hooks/sms?tenant=city");
  EXPECT_EQ(got[0].body, kBody);
  EXPECT_EQ(got[0].headers["host"], fmt::format("127.0.0.1:{}", receiver.port()));
  EXPECT_EQ(got[0].headers["content-type"], "application/json");
  EXPECT_EQ(got[0].headers["content-length"], std::to_string(kBody.size()));
  EXPECT_EQ(got[0].headers["x-meterd-signature"],
            "t=1800000000,v1=3cf6f91e97c14432cc745f16fe4b1b804878ad57756897841bb20a541e022852");
  EXPECT_EQ(got[0].headers["x-meterd-delivery"], "bill-B-1:sms:1");
}

TEST(PostWebhook, StatusesAreClassified) {
  for (auto [answer, outcome] : {std::pair{500, DeliveryOutcome::kTransient}, {503, DeliveryOutcome::kTransient},
                                 {429, DeliveryOutcome::kTransient}, {400, DeliveryOutcome::kPermanent},
                                 {404, DeliveryOutcome::kPermanent}, {204, DeliveryOutcome::kDelivered}}) {
    Receiver receiver("s3cret", answer);
    auto status = PostWebhook({.url = receiver.url("/"), .secret = "s3cret"}, kBody, kT);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(*status, answer);
    EXPECT_EQ(ClassifyWebhook(status), outcome) << answer;
    auto got = receiver.requests();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_THAT(got[0].headers["x-meterd-delivery"], MatchesRegex("[0-9a-f]{32}"));  // random when not given
  }
}

TEST(PostWebhook, AWrongSecretIsRefusedByTheReceiver) {
  Receiver receiver("the-real-secret", 200);
  auto status = PostWebhook({.url = receiver.url("/"), .secret = "a-guess"}, kBody, kT);
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 401);
  EXPECT_EQ(ClassifyWebhook(status), DeliveryOutcome::kPermanent);
  EXPECT_FALSE(receiver.requests().at(0).signature_ok);
}

TEST(PostWebhook, SkipsAnInterimContinue) {
  Receiver receiver("s", 202, true, true);
  auto status = PostWebhook({.url = receiver.url("/x"), .secret = "s"}, kBody, kT);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 202);
}

TEST(PostWebhook, NoResponseTimesOutAsTransient) {
  Receiver receiver("s", 200, false);
  WebhookConfig c{.url = receiver.url("/slow"), .secret = "s", .timeout = std::chrono::milliseconds(200)};
  auto status = PostWebhook(c, kBody, kT);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, fmt::format("webhook: POST {}: no reply within 200 ms", c.url));
  EXPECT_EQ(ClassifyWebhook(status), DeliveryOutcome::kTransient);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST(PostWebhook, ConnectionRefusedIsTransient) {
  BoundSocket closed(false);
  auto status = PostWebhook({.url = fmt::format("http://127.0.0.1:{}/", closed.port), .secret = "s"}, kBody, kT);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, fmt::format("webhook: connect 127.0.0.1:{}: Connection refused", closed.port));
  EXPECT_EQ(ClassifyWebhook(status), DeliveryOutcome::kTransient);
}

TEST(PostWebhook, BadUrlsAndInputsNameWhatIsWrong) {
  auto error = [](std::string url, std::string secret = "s", std::string_view id = "id-1") {
    auto r = PostWebhook({.url = std::move(url), .secret = std::move(secret)}, kBody, kT, id);
    EXPECT_FALSE(r);
    if (r) return std::string("no error");
    EXPECT_EQ(r.error().code, core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(ClassifyWebhook(r), DeliveryOutcome::kPermanent);
    return r.error().message;
  };
  EXPECT_THAT(error("https://gw.example/sms"), HasSubstr("https is not supported here"));
  EXPECT_EQ(error("ftp://gw.example/"), "webhook url: scheme 'ftp' is not supported, only http");
  EXPECT_EQ(error("gw.example:80/sms"), "webhook url: 'gw.example:80/sms' has no scheme; expected http://host[:port]/path");
  EXPECT_EQ(error("http:///sms"), "webhook url: no host");
  EXPECT_EQ(error("http://gw:99999/"), "webhook url: port '99999' is not a number from 1 to 65535");
  EXPECT_EQ(error("http://gw:/"), "webhook url: port '' is not a number from 1 to 65535");
  EXPECT_EQ(error("http://gw:8o/"), "webhook url: port '8o' is not a number from 1 to 65535");
  EXPECT_EQ(error("http://[::1/"), "webhook url: an IPv6 address without its closing ']'");
  EXPECT_EQ(error("http://user:pw@gw/"), "webhook url: user info (user@host) is not supported");
  EXPECT_EQ(error("http://gw/a b"), "webhook url: a space, control or non-ASCII character at offset 11");
  EXPECT_EQ(error("http://gw/\r\nX-Evil: 1"), "webhook url: a space, control or non-ASCII character at offset 10");
  EXPECT_EQ(error("http://gw/", ""), "webhook: the secret is empty; every request must be signed");
  EXPECT_EQ(error("http://gw/", "s", "a\r\nX-Evil: 1"),
            "webhook: the delivery id must be 1 to 128 of [A-Za-z0-9._:-]");
}

TEST(NextAttempt, BacksOffExponentiallyUpToTheCapThenGivesUp) {
  RetryPolicy p{.first = core::Seconds(60), .cap = core::Seconds(3600), .max_attempts = 10};
  core::Instant t = core::FromUnixSeconds(kT);
  EXPECT_EQ(NextAttempt(p, t, 1), t + core::Seconds(60));
  EXPECT_EQ(NextAttempt(p, t, 2), t + core::Seconds(120));
  EXPECT_EQ(NextAttempt(p, t, 3), t + core::Seconds(240));
  EXPECT_EQ(NextAttempt(p, t, 6), t + core::Seconds(1920));
  EXPECT_EQ(NextAttempt(p, t, 7), t + core::Seconds(3600));  // 3840 capped
  EXPECT_EQ(NextAttempt(p, t, 9), t + core::Seconds(3600));
  EXPECT_EQ(NextAttempt(p, t, 10), std::nullopt);
  p.max_attempts = 1'000'000;
  EXPECT_EQ(NextAttempt(p, t, 999'999), t + core::Seconds(3600));  // no overflow on the way
}

}  // namespace
}  // namespace meterd::billing
