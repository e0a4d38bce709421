// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

// The sockets of the simulated C12.22 meters: one TCP listener and one UDP socket on the same
// port, served by one thread with epoll. TCP carries APDUs back to back, each delimited by its
// BER length (c1222::ApduSize); a stream that is not APDUs is closed. UDP carries one APDU per
// datagram; a datagram that is not exactly one APDU is dropped. Writes never block the loop: what
// a slow reader has not taken waits in its connection's buffer (a connection holding more than
// 16 MiB unread is closed).
namespace meterd::device {

class C1222SimServer {
 public:
  // Called on the server thread.
  class Handler {
   public:
    virtual ~Handler() = default;
    // One APDU in, the reply out (empty: none). `peer` names the connection or UDP peer, for
    // sessions of callers without a calling ApTitle.
    virtual std::vector<uint8_t> OnApdu(std::span<const uint8_t> apdu, const std::string& peer) = 0;
    virtual void OnConnection() {}
    virtual void OnDatagram() {}
  };

  // Binds host:port (IPv4; port 0: an ephemeral TCP port, UDP bound to the same number) and
  // starts the thread. `handler` must outlive the server.
  static core::Result<std::unique_ptr<C1222SimServer>> Start(const std::string& host, uint16_t port, bool tcp,
                                                             bool udp, Handler& handler);
  ~C1222SimServer();  // Stop()
  C1222SimServer(const C1222SimServer&) = delete;
  C1222SimServer& operator=(const C1222SimServer&) = delete;

  void Stop();  // idempotent
  uint16_t port() const { return port_; }

 private:
  struct Connection;
  explicit C1222SimServer(Handler& handler) : handler_(handler) {}
  void Serve();

  Handler& handler_;
  int tcp_fd_ = -1, udp_fd_ = -1, wake_fd_ = -1, epoll_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace meterd::device
