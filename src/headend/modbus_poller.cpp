// SPDX-License-Identifier: Apache-2.0
// libmodbus reports errors as -1 plus errno (exceptions as MODBUS_ENOBASE + code); they are turned
// into core::Error here, at the layer edge, and libmodbus stays out of the header.
//
// The TCP connection is made here, not by modbus_connect: libmodbus 3.1.6 waits for connect and
// for every response with select(), whose fd_set cannot hold a socket numbered FD_SETSIZE (1024)
// or above (glibc aborts; without fortification the stack is overwritten). So the socket is
// connected with poll(), refused if its number is too high, and only then given to libmodbus.
#include "headend/modbus_poller.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <modbus.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "codec/modbus/adu.h"

namespace meterd::headend {

namespace modbus = codec::modbus;
using core::Error;
using core::ErrorCode;
using core::Fail;
using core::Result;

const core::Quantity* ModbusReading::Find(std::string_view name) const {
  for (const auto& v : values) {
    if (v.name == name) return &v.value;
  }
  return nullptr;
}

namespace {

Error Unavailable(std::string message) { return Error{ErrorCode::kUnavailable, std::move(message), {}}; }

// A connected, blocking TCP socket to host:port within `timeout`, or an error.
Result<int> Connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return Fail(Unavailable(fmt::format("{}:{}: {}", host, port, gai_strerror(rc))));
  }
  std::string last = "no address";
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd == -1) {
      last = std::strerror(errno);
      continue;
    }
    if (fd >= FD_SETSIZE) {
      close(fd);
      freeaddrinfo(found);
      return Fail(Unavailable(fmt::format(
          "{}:{}: socket {} is beyond libmodbus's select() limit of {} descriptors; poll fewer meters per "
          "process or put them behind a gateway",
          host, port, fd, FD_SETSIZE)));
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc == -1 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(timeout.count()));
      int err = 0;
      socklen_t len = sizeof err;
      if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        rc = 0;
      } else {
        errno = rc == 0 ? ETIMEDOUT : (err ? err : errno);
        rc = -1;
      }
    }
    if (rc == 0) {
      freeaddrinfo(found);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);  // libmodbus expects to block in recv
      return fd;
    }
    last = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return Fail(Unavailable(fmt::format("{}:{}: connect: {}", host, port, last)));
}

}  // namespace

struct ModbusPoller::Connection {
  std::string host;
  uint16_t port = 0;
  std::string endpoint;  // "host:port", for messages
  modbus_t* ctx = nullptr;
  bool connected = false;

  ~Connection() {
    if (ctx) {
      modbus_close(ctx);
      modbus_free(ctx);
    }
  }
  void Close() {
    if (connected) modbus_close(ctx);  // closes the socket given by modbus_set_socket
    connected = false;
  }
};

ModbusPoller::ModbusPoller() : ModbusPoller(Options{}) {}
ModbusPoller::ModbusPoller(Options options) : options_(options) {}
ModbusPoller::~ModbusPoller() = default;

Result<ModbusPoller::Connection*> ModbusPoller::ConnectionFor(const ModbusTarget& target) {
  std::string key = fmt::format("{} {}", target.host, target.port);
  auto it = connections_.find(key);
  if (it != connections_.end()) return it->second.get();
  auto conn = std::make_unique<Connection>();
  conn->host = target.host;
  conn->port = target.port;
  conn->endpoint = fmt::format("{}:{}", target.host, target.port);
  // The context only frames requests and parses responses; Connect() makes its socket.
  conn->ctx = modbus_new_tcp_pi(target.host.c_str(), std::to_string(target.port).c_str());
  if (!conn->ctx) {
    return Fail(Error::Invalid(fmt::format("{}: {}", conn->endpoint, modbus_strerror(errno)), "host"));
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(options_.response_timeout).count();
  if (us < 1000) us = 1000;
  uint32_t sec = static_cast<uint32_t>(us / 1000000), usec = static_cast<uint32_t>(us % 1000000);
  modbus_set_response_timeout(conn->ctx, sec, usec);
  modbus_set_byte_timeout(conn->ctx, sec, usec);
  return connections_.emplace(key, std::move(conn)).first->second.get();
}

Result<ModbusReading> ModbusPoller::Poll(const ModbusTarget& target) {
  auto result = [&]() -> Result<ModbusReading> {
    if (!target.map || target.map->registers.empty()) return Fail(Error::Invalid("target has no register map", "map"));
    if (target.unit_id > 247 && target.unit_id != 255) {
      return Fail(Error::Invalid(fmt::format("unit id {} is outside 0..247 and 255", target.unit_id), "unit_id"));
    }
    auto conn = ConnectionFor(target);
    if (!conn) return Fail(conn.error());
    Connection& c = **conn;
    if (!c.connected) {
      auto fd = Connect(c.host, c.port, options_.response_timeout);
      if (!fd) return Fail(fd.error());
      modbus_set_socket(c.ctx, *fd);
      c.connected = true;
      ++counters_.connects;
    }
    modbus_set_slave(c.ctx, target.unit_id);

    const auto& map = *target.map;
    auto batches = modbus::PlanBatches(map, options_.batching.value_or(map.batching));
    ModbusReading reading;
    reading.at = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    std::vector<std::vector<uint16_t>> words(batches.size());
    for (size_t b = 0; b < batches.size(); ++b) {
      const auto& batch = batches[b];
      words[b].resize(batch.count);
      int n = batch.function == modbus::FunctionCode::kReadInputRegisters
                  ? modbus_read_input_registers(c.ctx, batch.address, batch.count, words[b].data())
                  : modbus_read_registers(c.ctx, batch.address, batch.count, words[b].data());
      if (n == batch.count) {
        ++counters_.requests;
        counters_.registers += batch.count;
        continue;
      }
      int err = n == -1 ? errno : EMBBADDATA;
      const auto& first = map.registers[batch.registers.front()];
      std::string what = fmt::format("{} unit {}: read {} registers {}+{} ('{}')", c.endpoint, target.unit_id,
                                     modbus::FunctionName(batch.function), batch.address, batch.count, first.name);
      int code = err - MODBUS_ENOBASE;
      if (code >= 1 && code < MODBUS_EXCEPTION_MAX) {
        // The meter answered with an exception: the connection is in step, keep it.
        bool retry = code == MODBUS_EXCEPTION_ACKNOWLEDGE || code == MODBUS_EXCEPTION_SLAVE_OR_SERVER_BUSY ||
                     code == MODBUS_EXCEPTION_GATEWAY_PATH || code == MODBUS_EXCEPTION_GATEWAY_TARGET;
        return Fail(Error{retry ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
                          fmt::format("{}: exception {} ({})", what, code,
                                      modbus::ExceptionName(static_cast<uint8_t>(code))),
                          first.name});
      }
      // Timeout, reset, garbage: whatever arrives next may belong to this request. Start afresh.
      c.Close();
      return Fail(Error{ErrorCode::kUnavailable, fmt::format("{}: {}", what, modbus_strerror(err)), {}});
    }
    auto values = modbus::DecodeValues(map, batches, words);
    if (!values) return Fail(values.error());
    reading.values = std::move(*values);
    return reading;
  }();
  ++(result ? counters_.polls : counters_.failures);
  return result;
}

}  // namespace meterd::headend
