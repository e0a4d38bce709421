// SPDX-License-Identifier: Apache-2.0
#include "device/c1222_sim_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "codec/c1222/acse.h"

namespace meterd::device {

namespace {

constexpr size_t kMaxApdu = 1 << 20;        // larger is not a meter's request: the stream is closed
constexpr size_t kMaxUnsent = 16u << 20;
constexpr uint64_t kWakeTag = ~uint64_t{0};
constexpr uint64_t kTcpTag = ~uint64_t{0} - 1;
constexpr uint64_t kUdpTag = ~uint64_t{0} - 2;

core::Error SysError(std::string_view what) {
  return core::Error{core::ErrorCode::kUnavailable, fmt::format("c1222 meter sim: {}: {}", what, std::strerror(errno)), {}};
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

struct C1222SimServer::Connection {
  int fd = -1;
  std::string peer;
  std::vector<uint8_t> in;
  std::vector<uint8_t> out;
  bool want_write = false;
};

core::Result<std::unique_ptr<C1222SimServer>> C1222SimServer::Start(const std::string& host, uint16_t port, bool tcp,
                                                                    bool udp, Handler& handler) {
  std::unique_ptr<C1222SimServer> s(new C1222SimServer(handler));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return core::Fail(core::Error::Invalid(fmt::format("'{}' is not an IPv4 address", host), "host"));
  }
  const int one = 1;
  // With port 0 the UDP socket takes the TCP socket's ephemeral number, which may be taken for
  // UDP: try a few.
  for (int attempt = 0;; ++attempt) {
    addr.sin_port = htons(port);
    if (tcp) {
      s->tcp_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (s->tcp_fd_ < 0) return core::Fail(SysError("socket"));
      ::setsockopt(s->tcp_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      socklen_t len = sizeof addr;
      if (::bind(s->tcp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s->tcp_fd_, 1024) != 0 ||
          ::getsockname(s->tcp_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        auto e = SysError(fmt::format("listen on {}:{} (TCP)", host, port));
        CloseFd(s->tcp_fd_);
        return core::Fail(std::move(e));
      }
    }
    if (udp) {
      s->udp_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (s->udp_fd_ < 0) return core::Fail(SysError("socket"));
      socklen_t len = sizeof addr;
      if (::bind(s->udp_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          ::getsockname(s->udp_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        auto e = SysError(fmt::format("bind {}:{} (UDP)", host, ntohs(addr.sin_port)));
        CloseFd(s->udp_fd_);
        CloseFd(s->tcp_fd_);
        if (port == 0 && tcp && attempt < 20) continue;
        return core::Fail(std::move(e));
      }
    }
    break;
  }
  s->port_ = ntohs(addr.sin_port);
  s->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  s->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (s->wake_fd_ < 0 || s->epoll_fd_ < 0) return core::Fail(SysError("eventfd/epoll"));
  auto add = [&](int fd, uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    return ::epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  if (!add(s->wake_fd_, kWakeTag) || (s->tcp_fd_ >= 0 && !add(s->tcp_fd_, kTcpTag)) ||
      (s->udp_fd_ >= 0 && !add(s->udp_fd_, kUdpTag))) {
    return core::Fail(SysError("epoll_ctl"));
  }
  s->thread_ = std::thread([p = s.get()] { p->Serve(); });
  return s;
}

C1222SimServer::~C1222SimServer() { Stop(); }

void C1222SimServer::Stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  for (int* fd : {&tcp_fd_, &udp_fd_, &wake_fd_, &epoll_fd_}) CloseFd(*fd);
}

void C1222SimServer::Serve() {
  std::unordered_map<uint64_t, Connection> connections;  // by id (the epoll tag)
  uint64_t next_id = 1;
  std::vector<uint8_t> buffer(65536);
  epoll_event events[64];

  auto close_connection = [&](uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    ::close(it->second.fd);
    connections.erase(it);
  };
  // Sends what is buffered; watches for writability while something is left. False: closed.
  auto flush = [&](uint64_t id, Connection& c) {
    size_t sent = 0;
    while (sent < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        return false;
      }
    }
    c.out.erase(c.out.begin(), c.out.begin() + static_cast<std::ptrdiff_t>(sent));
    if (c.out.size() > kMaxUnsent) return false;
    const bool want = !c.out.empty();
    if (want != c.want_write) {
      epoll_event ev{};
      ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
      ev.data.u64 = id;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_write = want;
    }
    return true;
  };
  // Answers every whole APDU received. False: not an APDU stream.
  auto consume = [&](Connection& c) {
    size_t used = 0;
    for (;;) {
      const auto rest = std::span<const uint8_t>(c.in).subspan(used);
      if (rest.empty()) break;
      auto size = codec::c1222::ApduSize(rest);
      if (!size || (*size && **size > kMaxApdu)) return false;
      if (!*size || **size > rest.size()) break;
      auto reply = handler_.OnApdu(rest.first(**size), c.peer);
      c.out.insert(c.out.end(), reply.begin(), reply.end());
      used += **size;
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
    return c.in.size() <= kMaxApdu;
  };

  for (;;) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int e = 0; e < n; ++e) {
      const uint64_t tag = events[e].data.u64;
      if (tag == kWakeTag) {
        for (auto& [id, c] : connections) ::close(c.fd);
        return;
      }
      if (tag == kTcpTag) {
        for (;;) {
          const int fd = ::accept4(tcp_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
          if (fd < 0) break;
          const int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          const uint64_t id = next_id++;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.u64 = id;
          if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            continue;
          }
          connections.emplace(id, Connection{fd, fmt::format("tcp#{}", id), {}, {}, false});
          handler_.OnConnection();
        }
        continue;
      }
      if (tag == kUdpTag) {
        for (;;) {
          sockaddr_in from{};
          socklen_t len = sizeof from;
          const ssize_t got = ::recvfrom(udp_fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
          if (got < 0) break;
          handler_.OnDatagram();
          const std::span<const uint8_t> datagram(buffer.data(), static_cast<size_t>(got));
          auto size = codec::c1222::ApduSize(datagram);
          if (!size || !*size || **size != datagram.size()) continue;
          char ip[INET_ADDRSTRLEN] = {};
          ::inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
          auto reply = handler_.OnApdu(datagram, fmt::format("udp:{}:{}", ip, ntohs(from.sin_port)));
          if (!reply.empty()) {
            ::sendto(udp_fd_, reply.data(), reply.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&from), len);
          }
        }
        continue;
      }
      auto it = connections.find(tag);
      if (it == connections.end()) continue;
      Connection& c = it->second;
      bool ok = true, eof = false;
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          const ssize_t got = ::recv(c.fd, buffer.data(), buffer.size(), 0);
          if (got > 0) {
            c.in.insert(c.in.end(), buffer.begin(), buffer.begin() + got);
            continue;
          }
          if (got < 0 && errno == EINTR) continue;
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          eof = true;  // closed by the peer (answer what came before), or an error
          break;
        }
        if (!consume(c)) ok = false;
      }
      if (ok && !c.out.empty()) ok = flush(tag, c);
      if (!ok || eof) close_connection(tag);
    }
  }
  for (auto& [id, c] : connections) ::close(c.fd);
}

}  // namespace meterd::device
