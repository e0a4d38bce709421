// SPDX-License-Identifier: Apache-2.0
#pragma once

// A minimal C12.22 end device for the head-end tests, built from the codecs alone: it answers
// logon, security, logoff, terminate, full and partial reads and writes of byte tables, and a
// write of ST7 with the ST8 its `procedure` handler returns. It can be told to answer bsy, stay
// silent, or send a stale answer first, to exercise the client's rules. One thread serves a TCP
// listener (one connection at a time, replaced when the client reconnects) or a UDP socket.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "codec/c1222/acse.h"
#include "codec/c1222/security.h"
#include "codec/c1222/service.h"
#include "headend/c1222_link.h"

namespace meterd::headend::testing {

namespace c18 = codec::c1218;
namespace c22 = codec::c1222;

class TestMeter {
 public:
  struct Options {
    C1222Transport transport = C1222Transport::kTcp;
    c22::ApTitle title = *c22::ParseApTitle(".7");
    std::string password;  // empty: no security needed
    c22::KeyTable keys;    // answers secured requests with the request's key id
  };

  explicit TestMeter(Options options) : options_(std::move(options)) {
    const bool udp = options_.transport == C1222Transport::kUdp;
    fd_ = ::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (!udp) ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::pipe2(stop_pipe_, O_CLOEXEC);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestMeter() {
    ::write(stop_pipe_[1], "x", 1);
    thread_.join();
    if (conn_ >= 0) ::close(conn_);
    ::close(fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
  }

  uint16_t port() const { return port_; }

  // State shared with the serving thread.
  void SetTable(uint16_t id, std::vector<uint8_t> data) {
    std::lock_guard lock(mu_);
    tables_[id] = std::move(data);
  }
  std::vector<uint8_t> Table(uint16_t id) {
    std::lock_guard lock(mu_);
    return tables_[id];
  }
  // ST7 bytes in, ST8 bytes out.
  void SetProcedure(std::function<std::vector<uint8_t>(std::span<const uint8_t>)> f) {
    std::lock_guard lock(mu_);
    procedure_ = std::move(f);
  }
  // Called before a full read is answered, with the table's bytes (which it may change).
  void SetReadHook(std::function<void(uint16_t, std::vector<uint8_t>&)> f) {
    std::lock_guard lock(mu_);
    read_hook_ = std::move(f);
  }
  void AnswerBusy(int reads, c18::ResponseCode code = c18::ResponseCode::kBsy) {
    std::lock_guard lock(mu_);
    busy_reads_ = reads;
    busy_code_ = code;
  }
  void StaySilent(int apdus) {
    std::lock_guard lock(mu_);
    silent_ = apdus;
  }
  void SendStaleFirst(int apdus) {
    std::lock_guard lock(mu_);
    stale_ = apdus;
  }
  int apdus() const { return apdus_.load(); }
  int connections() const { return connections_.load(); }
  uint16_t last_user_id() {
    std::lock_guard lock(mu_);
    return last_user_id_;
  }

 private:
  void Serve() {
    std::vector<uint8_t> stream;
    for (;;) {
      pollfd p[3] = {{stop_pipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}, {conn_, POLLIN, 0}};
      if (::poll(p, conn_ >= 0 ? 3 : 2, -1) <= 0) continue;
      if (p[0].revents) return;
      uint8_t buf[65536];
      if (options_.transport == C1222Transport::kUdp) {
        if (!(p[1].revents & POLLIN)) continue;
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) continue;
        for (auto& out : Handle(std::span<const uint8_t>(buf, static_cast<size_t>(n)))) {
          ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
        continue;
      }
      if (p[1].revents & POLLIN) {  // a new connection replaces the old one
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          if (conn_ >= 0) ::close(conn_);
          conn_ = c;
          stream.clear();
          ++connections_;
        }
        continue;
      }
      if (conn_ < 0 || !(p[2].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::recv(conn_, buf, sizeof buf, 0);
      if (n <= 0) {
        ::close(conn_);
        conn_ = -1;
        continue;
      }
      stream.insert(stream.end(), buf, buf + n);
      for (;;) {
        auto size = c22::ApduSize(stream);
        if (!size || !*size || **size > stream.size()) break;
        std::vector<uint8_t> apdu(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(**size));
        stream.erase(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(**size));
        for (auto& out : Handle(apdu)) ::send(conn_, out.data(), out.size(), MSG_NOSIGNAL);
      }
    }
  }

  c18::Response Serve(const c18::Request& request) {
    using RC = c18::ResponseCode;
    auto error = [](RC code) { return c18::Response(c18::ErrorResponse{code, {}}); };
    if (const auto* logon = std::get_if<c18::LogonRequest>(&request)) {
      logged_on_ = true;
      secured_ = options_.password.empty();
      last_user_id_ = logon->user_id;
      return c18::LogonResponse{logon->session_idle_timeout_s};
    }
    if (const auto* security = std::get_if<c18::SecurityRequest>(&request)) {
      if (!logged_on_) return error(RC::kIsss);
      if (security->password != c18::PadPassword(options_.password)) return error(RC::kIsc);
      secured_ = true;
      return c18::OkResponse{};
    }
    if (std::holds_alternative<c18::LogoffRequest>(request) || std::holds_alternative<c18::TerminateRequest>(request)) {
      logged_on_ = false;
      return c18::OkResponse{};
    }
    if (!logged_on_) return error(RC::kIsss);
    if (!secured_) return error(RC::kIsc);
    if (const auto* read = std::get_if<c18::FullReadRequest>(&request)) {
      if (busy_reads_ > 0) {
        --busy_reads_;
        return error(busy_code_);
      }
      auto it = tables_.find(read->table_id);
      if (it == tables_.end()) return error(RC::kOnp);
      if (read_hook_) read_hook_(read->table_id, it->second);
      return c18::ReadResponse{it->second};
    }
    if (const auto* read = std::get_if<c18::PartialReadOffsetRequest>(&request)) {
      auto it = tables_.find(read->table_id);
      if (it == tables_.end() || size_t{read->offset} + read->count > it->second.size()) return error(RC::kOnp);
      auto begin = it->second.begin() + read->offset;
      return c18::ReadResponse{std::vector<uint8_t>(begin, begin + read->count)};
    }
    if (const auto* write = std::get_if<c18::FullWriteRequest>(&request)) {
      tables_[write->table_id] = write->data;
      if (write->table_id == 7) {
        if (!procedure_) return error(RC::kSns);
        tables_[8] = procedure_(write->data);
      }
      return c18::OkResponse{};
    }
    if (const auto* write = std::get_if<c18::PartialWriteOffsetRequest>(&request)) {
      auto& t = tables_[write->table_id];
      if (t.size() < write->offset + write->data.size()) t.resize(write->offset + write->data.size());
      std::copy(write->data.begin(), write->data.end(), t.begin() + write->offset);
      return c18::OkResponse{};
    }
    return error(RC::kSns);
  }

  std::vector<std::vector<uint8_t>> Handle(std::span<const uint8_t> bytes) {
    ++apdus_;
    std::lock_guard lock(mu_);
    auto message = c22::OpenMessage(bytes, options_.keys);
    if (!message) return {};
    if (silent_ > 0) {
      --silent_;
      return {};
    }
    c22::Epsem answer;
    answer.security_mode = message->epsem.security_mode;
    for (const auto& s : message->epsem.services) {
      auto request = c22::DecodeServiceRequest(s);
      if (!request) return {};
      const auto* r = std::get_if<c18::Request>(&*request);
      c18::Response response = r ? Serve(*r) : c18::Response(c18::ErrorResponse{c18::ResponseCode::kSns, {}});
      answer.services.push_back(*c18::EncodeResponse(response));
      if (c18::CodeOf(response) != c18::ResponseCode::kOk) break;  // later services are not processed
    }
    std::vector<std::vector<uint8_t>> out;
    auto seal = [&](uint32_t echo) {
      c22::Apdu apdu;
      apdu.called_ap_title = message->apdu.calling_ap_title;
      apdu.called_ap_invocation_id = echo;
      apdu.calling_ap_title = options_.title;
      apdu.calling_ap_invocation_id = ++invocation_;
      if (message->epsem.security_mode != c22::SecurityMode::kCleartext) {
        apdu.calling_authentication_value =
            c22::AuthenticationValue{message->apdu.calling_authentication_value->key_id,
                                     {uint8_t(invocation_), 1, 2, 3}, {}};
      }
      out.push_back(*c22::SealApdu(std::move(apdu), *c22::EncodeEpsem(answer), options_.keys));
    };
    const uint32_t echo = message->apdu.calling_ap_invocation_id.value_or(0);
    if (stale_ > 0) {
      --stale_;
      seal(echo + 1000);
    }
    seal(echo);
    return out;
  }

  Options options_;
  int fd_ = -1;
  int conn_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<int> apdus_{0};
  std::atomic<int> connections_{0};

  std::mutex mu_;
  std::map<uint16_t, std::vector<uint8_t>> tables_;
  std::function<std::vector<uint8_t>(std::span<const uint8_t>)> procedure_;
  std::function<void(uint16_t, std::vector<uint8_t>&)> read_hook_;
  int busy_reads_ = 0;
  c18::ResponseCode busy_code_ = c18::ResponseCode::kBsy;
  int silent_ = 0;
  int stale_ = 0;
  bool logged_on_ = false;
  bool secured_ = false;
  uint16_t last_user_id_ = 0;
  uint32_t invocation_ = 0;
};

}  // namespace meterd::headend::testing
