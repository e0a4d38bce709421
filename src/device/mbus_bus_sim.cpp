// SPDX-License-Identifier: Apache-2.0
#include "device/mbus_bus_sim.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "codec/mbus/control_field.h"
#include "codec/mbus/frame.h"
#include "codec/mbus/frame_stream.h"
#include "codec/mbus/requests.h"

namespace meterd::device {
namespace {

namespace mb = codec::mbus;

core::Error SysError(std::string_view what) {
  return core::Error{
      core::ErrorCode::kUnavailable, fmt::format("mbus bus sim: {}: {}", what, std::strerror(errno)), {}};
}

uint8_t RotateLeft(uint8_t b, unsigned n) {
  n %= 8;
  return n == 0 ? b : static_cast<uint8_t>((b << n) | (b >> (8 - n)));
}

// True when `bytes` begin with a telegram that decodes: a collision must never look like one.
bool StartsWithValidTelegram(std::span<const uint8_t> bytes) {
  const mb::FrameBoundary b = mb::FindFrame(bytes);
  return b.kind == mb::FrameBoundary::Kind::kFrame && mb::DecodeFrame(bytes.first(b.length)).has_value();
}

void SendAll(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the master went away; its connection closes on the next read
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
}

}  // namespace

struct MbusBusSim::Connection {
  int fd = -1;
  std::vector<uint8_t> in;  // bytes not yet forming a whole telegram
};

MbusBusSim::MbusBusSim(core::Instant start) : now_(start) {}

MbusBusSim::~MbusBusSim() { Stop(); }

core::Result<void> MbusBusSim::AddMeter(const MbusMeterConfig& config) {
  if (config.primary_address > mb::address::kMaxPrimary) {
    return core::Fail(core::Error::Invalid(
        fmt::format("primary address {} is above {}", config.primary_address, mb::address::kMaxPrimary),
        "primary_address"));
  }
  if (config.id > 99999999) {
    return core::Fail(core::Error::Invalid(fmt::format("id {} has more than 8 digits", config.id), "id"));
  }
  std::lock_guard lock(mu_);
  auto slave = std::make_unique<Slave>(Slave{MbusMeterSim(config, now_)});
  slaves_.push_back(std::move(slave));
  return {};
}

size_t MbusBusSim::size() const {
  std::lock_guard lock(mu_);
  return slaves_.size();
}

void MbusBusSim::AdvanceTo(core::Instant t) {
  std::lock_guard lock(mu_);
  if (t <= now_) return;
  now_ = t;
  for (auto& s : slaves_) s->meter.AdvanceTo(t);
}

std::optional<MbusMeterRegisters> MbusBusSim::Registers(uint8_t primary_address) const {
  std::lock_guard lock(mu_);
  for (const auto& s : slaves_) {
    if (s->meter.primary_address() == primary_address) return s->meter.registers();
  }
  return std::nullopt;
}

std::optional<MbusMeterRegisters> MbusBusSim::RegistersById(uint32_t id) const {
  std::lock_guard lock(mu_);
  for (const auto& s : slaves_) {
    if (s->meter.config().id == id) return s->meter.registers();
  }
  return std::nullopt;
}

std::vector<codec::mbus::SecondaryAddress> MbusBusSim::SecondaryAddresses() const {
  std::lock_guard lock(mu_);
  std::vector<mb::SecondaryAddress> out;
  out.reserve(slaves_.size());
  for (const auto& s : slaves_) out.push_back(s->meter.secondary_address());
  return out;
}

void MbusBusSim::SetErrorFlags(uint8_t primary_address, uint16_t flags) {
  std::lock_guard lock(mu_);
  for (auto& s : slaves_) {
    if (s->meter.primary_address() == primary_address) s->meter.set_error_flags(flags);
  }
}

void MbusBusSim::InjectFaults(uint8_t primary_address, int count, MbusFault fault, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  for (auto& s : slaves_) {
    if (s->meter.primary_address() == primary_address) {
      s->faults_left = count;
      s->fault = fault;
      s->delay = delay;
    }
  }
}

MbusBusStats MbusBusSim::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::vector<uint8_t> MbusBusSim::Handle(std::span<const uint8_t> telegram) { return HandleTelegram(telegram).bytes; }

MbusBusSim::Answer MbusBusSim::HandleTelegram(std::span<const uint8_t> telegram) {
  std::lock_guard lock(mu_);
  auto frame = mb::DecodeFrame(telegram);
  if (!frame || !mb::control::FromMaster(frame->control)) return {};  // slaves ignore what they cannot read
  ++stats_.telegrams;
  const uint8_t a = frame->address;
  const uint8_t c = frame->control;
  auto addressed = [&](const Slave& s) {
    if (a == mb::address::kNetworkLayer) return s.meter.selected();
    if (a == mb::address::kBroadcastReply || a == mb::address::kBroadcastNoReply) return true;
    return s.meter.primary_address() == a;
  };
  std::vector<std::pair<Slave*, std::vector<uint8_t>>> answers;
  const uint8_t function = mb::control::Function(c);
  const bool select = function == mb::control::kFunctionSndUd && frame->ci == mb::kCiSelectSecondary &&
                      a == mb::address::kNetworkLayer && frame->data.size() == 8;
  if (select) {
    const auto& d = frame->data;
    const mb::SecondaryAddress mask{static_cast<uint32_t>(d[0] | (d[1] << 8) | (d[2] << 16) | (uint32_t{d[3]} << 24)),
                                    static_cast<uint16_t>(d[4] | (d[5] << 8)), d[6], d[7]};
    for (auto& s : slaves_) answers.emplace_back(s.get(), s->meter.OnSelect(mask, c));
  } else {
    for (auto& s : slaves_) {
      if (!addressed(*s)) continue;
      std::vector<uint8_t> answer;
      switch (function) {
        case mb::control::kFunctionSndNke:
          answer = s->meter.OnSndNke(a == mb::address::kNetworkLayer);
          break;
        case mb::control::kFunctionReqUd2:
          answer = s->meter.OnReqUd2(c);
          break;
        case mb::control::kFunctionReqUd1:
          answer = {mb::kAckByte};
          break;  // no alarm data
        case mb::control::kFunctionSndUd:
          answer =
              frame->ci == mb::kCiApplicationReset ? s->meter.OnApplicationReset() : std::vector<uint8_t>{mb::kAckByte};
          break;
        default:
          break;
      }
      answers.emplace_back(s.get(), std::move(answer));
    }
  }
  if (a == mb::address::kBroadcastNoReply) answers.clear();
  return Combine(answers);
}

MbusBusSim::Answer MbusBusSim::Combine(std::vector<std::pair<Slave*, std::vector<uint8_t>>>& answers) {
  std::erase_if(answers, [](const auto& p) { return p.second.empty(); });
  std::chrono::milliseconds delay{0};
  for (auto& [slave, bytes] : answers) {
    if (slave->faults_left <= 0) continue;
    --slave->faults_left;
    ++stats_.faults;
    if (slave->fault == MbusFault::kLate) {
      delay = std::max(delay, slave->delay);
    } else if (slave->fault == MbusFault::kTruncated && bytes.size() > 1) {
      bytes.resize(bytes.size() / 2);
    } else {
      bytes[bytes.size() >= 2 ? bytes.size() - 2 : 0] ^= 0xFF;  // the checksum (E5 becomes 1A)
    }
  }
  if (answers.empty()) {
    ++stats_.silent;
    return {};
  }
  if (answers.size() == 1) {
    ++stats_.answers;
    return {std::move(answers.front().second), delay};
  }
  // Collision: the bus is a wired-AND (a slave sends a 0 by drawing current, which wins); the
  // slaves never start in the same bit time, so each answer is skewed by one more bit.
  ++stats_.collisions;
  size_t length = 0;
  for (const auto& p : answers) length = std::max(length, p.second.size());
  std::vector<uint8_t> out(length, 0xFF);
  for (size_t i = 0; i < answers.size(); ++i) {
    const auto& bytes = answers[i].second;
    for (size_t j = 0; j < bytes.size(); ++j) out[j] &= RotateLeft(bytes[j], static_cast<unsigned>(i));
  }
  if (StartsWithValidTelegram(out)) out.back() ^= 0xFF;
  return {std::move(out), delay};
}

core::Result<uint16_t> MbusBusSim::Start(uint16_t port) {
  if (thread_.joinable()) return port_;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return core::Fail(SysError("socket"));
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    auto error = SysError(fmt::format("listen on 127.0.0.1:{}", port));
    ::close(listen_fd_);
    listen_fd_ = -1;
    return core::Fail(std::move(error));
  }
  port_ = ntohs(addr.sin_port);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    auto error = SysError("eventfd");
    ::close(listen_fd_);
    listen_fd_ = -1;
    return core::Fail(std::move(error));
  }
  thread_ = std::thread([this] { Serve(); });
  return port_;
}

void MbusBusSim::Stop() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  for (int* fd : {&listen_fd_, &wake_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

void MbusBusSim::Serve() {
  using Clock = std::chrono::steady_clock;
  struct Delayed {  // an answer held back by a kLate fault
    Clock::time_point due;
    int fd = -1;
    std::vector<uint8_t> bytes;
  };
  std::vector<Connection> connections;
  std::vector<Delayed> delayed;
  std::vector<pollfd> fds;
  uint8_t buffer[4096];
  for (;;) {
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : connections) fds.push_back({c.fd, POLLIN, 0});
    int timeout_ms = -1;
    for (const auto& d : delayed) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(d.due - Clock::now()).count();
      timeout_ms = std::max<int>(0, timeout_ms < 0 ? static_cast<int>(left) : std::min<int>(timeout_ms, left));
    }
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) break;
    std::erase_if(delayed, [](const Delayed& d) {
      if (Clock::now() < d.due) return false;
      SendAll(d.fd, d.bytes);
      return true;
    });
    const size_t polled = connections.size();
    for (size_t i = 0; i < polled; ++i) {
      if (fds[2 + i].revents == 0) continue;
      Connection& c = connections[i];
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        std::erase_if(delayed, [&](const Delayed& d) { return d.fd == c.fd; });
        ::close(c.fd);
        c.fd = -1;
        continue;
      }
      c.in.insert(c.in.end(), buffer, buffer + n);
      size_t used = 0;
      for (;;) {
        const auto rest = std::span<const uint8_t>(c.in).subspan(used);
        const mb::FrameBoundary b = mb::FindFrame(rest);
        if (b.kind == mb::FrameBoundary::Kind::kNeedMore) break;
        if (b.kind == mb::FrameBoundary::Kind::kFrame) {
          Answer answer = HandleTelegram(rest.first(b.length));
          if (answer.delay.count() > 0) {
            delayed.push_back({Clock::now() + answer.delay, c.fd, std::move(answer.bytes)});
          } else {
            SendAll(c.fd, answer.bytes);
          }
        }
        used += b.length;
      }
      c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
    }
    std::erase_if(connections, [](const Connection& c) { return c.fd < 0; });
    if (fds[1].revents & POLLIN) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connections.push_back({fd, {}});
      }
    }
  }
  for (const auto& c : connections) ::close(c.fd);
}

}  // namespace meterd::device
