// SPDX-License-Identifier: Apache-2.0
#pragma once

// A minimal C12.22 client for the meter simulator's tests, made only of the codecs: APDUs built
// with c1222::EncodeApdu / SealApdu, sent over a real loopback TCP connection or UDP socket,
// answers opened with c1222::OpenMessage and decoded with DecodeServiceResponse. Every receive
// waits at most 5 s, so a missing answer fails the test instead of hanging it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "codec/c1218/request.h"
#include "codec/c1218/response.h"
#include "codec/c1222/acse.h"
#include "codec/c1222/security.h"
#include "codec/c1222/service.h"

namespace meterd::device::testing {

namespace c1218 = codec::c1218;
namespace c1222 = codec::c1222;
using Bytes = std::vector<uint8_t>;

class C1222Client {
 public:
  C1222Client(uint16_t port, c1222::ApTitle called, bool udp = false) : called_(std::move(called)), udp_(udp) {
    fd_ = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~C1222Client() { ::close(fd_); }
  C1222Client(const C1222Client&) = delete;
  C1222Client& operator=(const C1222Client&) = delete;

  bool connected() const { return connected_; }
  void SetCalled(c1222::ApTitle called) { called_ = std::move(called); }
  void SetCalling(c1222::ApTitle calling) { calling_ = std::move(calling); }
  // Secures the next requests (mode 1 or 2) with `key` as key id `key_id`; the same table opens answers.
  void SetSecurity(c1222::SecurityMode mode, uint8_t key_id, const c1222::AesKey& key) {
    mode_ = mode;
    key_id_ = key_id;
    keys_.Set(key_id, key);
  }

  // The APDU of `requests` (our next invocation id).
  Bytes Build(const std::vector<c1222::ServiceRequest>& requests,
              c1222::ResponseControl control = c1222::ResponseControl::kAlways) {
    c1222::Apdu a;
    a.called_ap_title = called_;
    a.calling_ap_title = calling_;
    a.calling_ap_invocation_id = ++invocation_;
    c1222::Epsem e;
    e.security_mode = mode_;
    e.response_control = control;
    for (const auto& r : requests) e.services.push_back(c1222::EncodeServiceRequest(r).value());
    if (mode_ != c1222::SecurityMode::kCleartext) {
      a.calling_authentication_value = c1222::AuthenticationValue{key_id_, {0x10, 0x20, 0x30, static_cast<uint8_t>(invocation_)}, {}};
    }
    return c1222::SealApdu(std::move(a), c1222::EncodeEpsem(e).value(), keys_).value();
  }

  // Sends one APDU without waiting for anything.
  bool Post(const Bytes& apdu) {
    return ::send(fd_, apdu.data(), apdu.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(apdu.size());
  }
  // Sends one APDU and returns the one that comes back; empty on timeout or a closed connection.
  Bytes Exchange(const Bytes& apdu) { return Post(apdu) ? Receive() : Bytes{}; }
  Bytes Receive(int timeout_ms = 5000) {
    Bytes in;
    uint8_t buf[65536];
    for (;;) {
      if (!udp_ && !in.empty()) {
        auto size = c1222::ApduSize(in);
        if (!size) return {};
        if (*size && **size <= in.size()) return in;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return {};
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return {};
      in.insert(in.end(), buf, buf + n);
      if (udp_) return in;
    }
  }

  // The answer as a message (opened with our keys); the last response APDU is kept in last().
  std::optional<c1222::Message> Send(const std::vector<c1222::ServiceRequest>& requests) {
    last_ = Exchange(Build(requests));
    if (last_.empty()) return std::nullopt;
    auto m = c1222::OpenMessage(last_, keys_);
    if (!m) return std::nullopt;
    return std::move(*m);
  }

  // One response per request, decoded against the request's code; empty when anything fails.
  std::vector<c1218::Response> Call(const std::vector<c1222::ServiceRequest>& requests) {
    auto m = Send(requests);
    if (!m || m->epsem.services.size() != requests.size()) return {};
    std::vector<c1218::Response> out;
    for (size_t i = 0; i < requests.size(); ++i) {
      auto r = c1222::DecodeServiceResponse(c1222::CodeOf(requests[i]), m->epsem.services[i]);
      if (!r) return {};
      const auto* plain = std::get_if<c1218::Response>(&*r);
      if (!plain) return {};
      out.push_back(*plain);
    }
    return out;
  }

  // Reads a whole table; nullopt unless the answer is ok.
  std::optional<Bytes> Read(uint16_t table_id) {
    auto r = Call({c1218::Request{c1218::FullReadRequest{table_id}}});
    if (r.size() != 1) return std::nullopt;
    const auto* read = std::get_if<c1218::ReadResponse>(&r[0]);
    if (!read) return std::nullopt;
    return read->data;
  }

  const Bytes& last() const { return last_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  c1222::ApTitle called_;
  c1222::ApTitle calling_ = c1222::ParseApTitle(".99.7").value();
  bool udp_ = false;
  uint32_t invocation_ = 0;
  c1222::SecurityMode mode_ = c1222::SecurityMode::kCleartext;
  uint8_t key_id_ = 0;
  c1222::KeyTable keys_;
  Bytes last_;
};

}  // namespace meterd::device::testing
