// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

// The transport under a C12.22 client: one TCP connection or one connected UDP socket to a
// C12.22 node on port 1153 (IEEE 1703 annex: "C12.22 over IP"). Over TCP the APDUs follow each
// other on the stream, each delimited by its own BER length (no extra framing); over UDP each
// datagram holds exactly one APDU. POSIX sockets and poll(): a C12.22 client waits for one
// answer at a time, so blocking with deadlines is the whole state machine.
//
// Threading: a link is used by one thread at a time.
namespace meterd::headend {

enum class C1222Transport : uint8_t { kTcp, kUdp };
std::string_view C1222TransportName(C1222Transport transport);  // "tcp", "udp"

class C1222Link {
 public:
  using Clock = std::chrono::steady_clock;

  // Connects (TCP) or binds a connected socket (UDP). kUnavailable when the node cannot be reached
  // within `connect_timeout`.
  static core::Result<std::unique_ptr<C1222Link>> Open(const std::string& host, uint16_t port,
                                                       C1222Transport transport,
                                                       std::chrono::milliseconds connect_timeout);
  ~C1222Link();
  C1222Link(const C1222Link&) = delete;
  C1222Link& operator=(const C1222Link&) = delete;

  // Sends one whole APDU.
  core::Result<void> Send(std::span<const uint8_t> apdu);

  // The next whole APDU the node sent: kUnavailable when none is complete at `deadline`,
  // kCorruption when the bytes on a TCP stream are not an APDU (the stream cannot be resynchronised:
  // reopen the link), kUnavailable with "closed" when the node closed the connection.
  core::Result<std::vector<uint8_t>> Receive(Clock::time_point deadline);

  C1222Transport transport() const { return transport_; }
  // Our and the node's address as "ip:port", for traces.
  const std::string& local() const { return local_; }
  const std::string& peer() const { return peer_; }

 private:
  C1222Link(int fd, C1222Transport transport, std::string local, std::string peer)
      : fd_(fd), transport_(transport), local_(std::move(local)), peer_(std::move(peer)) {}

  int fd_;
  C1222Transport transport_;
  std::string local_;
  std::string peer_;
  std::vector<uint8_t> buffer_;  // TCP: bytes received past the last whole APDU
};

}  // namespace meterd::headend
