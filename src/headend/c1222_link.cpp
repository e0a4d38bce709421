// SPDX-License-Identifier: Apache-2.0
#include "headend/c1222_link.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "codec/c1222/acse.h"

namespace meterd::headend {
namespace {

using core::Fail;

core::Error Unavailable(std::string message) { return {core::ErrorCode::kUnavailable, std::move(message), {}}; }

int MillisUntil(C1222Link::Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - C1222Link::Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left) + 1;  // round up: poll() has millisecond ticks
}

std::string AddressOf(const sockaddr_storage& a) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
    port = ntohs(in.sin_port);
    return fmt::format("{}:{}", host, port);
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
  ::inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
  port = ntohs(in6.sin6_port);
  return fmt::format("[{}]:{}", host, port);
}

std::string LocalOf(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "?";
  return AddressOf(a);
}

}  // namespace

std::string_view C1222TransportName(C1222Transport transport) {
  return transport == C1222Transport::kUdp ? "udp" : "tcp";
}

core::Result<std::unique_ptr<C1222Link>> C1222Link::Open(const std::string& host, uint16_t port,
                                                         C1222Transport transport,
                                                         std::chrono::milliseconds connect_timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == C1222Transport::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Fail(Unavailable(fmt::format("c1222: cannot resolve {}: {}", host, ::gai_strerror(rc))));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  core::Error last = core::Error::Internal("c1222: no address");
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = core::Error::Internal(fmt::format("c1222: socket: {}", std::strerror(errno)));
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(connect_timeout.count()));
      int error = 0;
      socklen_t len = sizeof error;
      if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) {
        rc = 0;
      } else {
        errno = rc == 0 ? ETIMEDOUT : error;
        rc = -1;
      }
    }
    if (rc != 0) {
      last = Unavailable(fmt::format("c1222: connect to {}:{} ({}): {}", host, port, C1222TransportName(transport),
                                     std::strerror(errno)));
      ::close(fd);
      continue;
    }
    if (transport == C1222Transport::kTcp) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    sockaddr_storage peer{};
    std::memcpy(&peer, ai->ai_addr, std::min<size_t>(ai->ai_addrlen, sizeof peer));
    return std::unique_ptr<C1222Link>(new C1222Link(fd, transport, LocalOf(fd), AddressOf(peer)));
  }
  return Fail(std::move(last));
}

C1222Link::~C1222Link() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<void> C1222Link::Send(std::span<const uint8_t> apdu) {
  size_t sent = 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (sent < apdu.size()) {
    const ssize_t n = ::send(fd_, apdu.data() + sent, apdu.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<size_t>(n);
      if (transport_ == C1222Transport::kUdp) break;  // a datagram goes whole or not at all
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, MillisUntil(deadline)) <= 0) return Fail(Unavailable("c1222: send timed out"));
      continue;
    }
    return Fail(Unavailable(fmt::format("c1222: send to {}: {}", peer_, std::strerror(errno))));
  }
  return {};
}

core::Result<std::vector<uint8_t>> C1222Link::Receive(Clock::time_point deadline) {
  uint8_t chunk[65536];
  for (;;) {
    if (transport_ == C1222Transport::kTcp && !buffer_.empty()) {
      auto size = codec::c1222::ApduSize(buffer_);
      if (!size) return Fail(core::Error::Corruption(fmt::format("c1222: stream from {}: {}", peer_, size.error().ToString())));
      if (*size && **size <= buffer_.size()) {
        std::vector<uint8_t> apdu(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(**size));
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(**size));
        return apdu;
      }
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, MillisUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return Fail(Unavailable(fmt::format("c1222: no answer from {} in time", peer_)));
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      // A UDP node that is not listening shows as ECONNREFUSED on the next receive.
      return Fail(Unavailable(fmt::format("c1222: receive from {}: {}", peer_, std::strerror(errno))));
    }
    if (transport_ == C1222Transport::kUdp) {
      // Exactly one APDU per datagram; anything else is dropped (and the request will time out).
      auto size = codec::c1222::ApduSize(std::span<const uint8_t>(chunk, static_cast<size_t>(n)));
      if (size && *size && **size == static_cast<size_t>(n)) return std::vector<uint8_t>(chunk, chunk + n);
      continue;
    }
    if (n == 0) return Fail(Unavailable(fmt::format("c1222: {} closed the connection", peer_)));
    buffer_.insert(buffer_.end(), chunk, chunk + n);
  }
}

}  // namespace meterd::headend
