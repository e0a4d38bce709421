// SPDX-License-Identifier: Apache-2.0
// The M-Bus master over a TCP converter. POSIX sockets and poll(): the master is strictly
// request/answer on a half-duplex bus, so blocking with deadlines is the whole state machine.
#include "headend/mbus_master.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/control_field.h"
#include "codec/mbus/frame_stream.h"
#include "codec/mbus/user_data.h"

namespace meterd::headend {
namespace {

namespace mb = codec::mbus;
using Clock = std::chrono::steady_clock;
using core::Fail;

core::Error SysError(std::string what) {
  return core::Error::Internal(fmt::format("mbus master: {}: {}", what, std::strerror(errno)));
}

int MillisUntil(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left) + 1;  // round up: poll() has millisecond ticks
}

std::string RequestName(const mb::Frame& f) {
  if (f.type != mb::FrameType::kShort && f.ci == mb::kCiSelectSecondary) return "SND_UD select (CI 52)";
  return std::string(mb::ControlName(f.control));
}

std::string Shown(std::span<const uint8_t> bytes) {
  constexpr size_t kMax = 16;
  std::string s = mb::HexBytes(bytes.first(std::min(bytes.size(), kMax)));
  return bytes.size() > kMax ? s + " ..." : s;
}

mb::SecondaryAddress HeaderAddress(const mb::VariableDataHeader& h) {
  uint32_t id = 0;
  for (char c : h.id) id = (id << 4) | static_cast<uint32_t>(c <= '9' ? c - '0' : (c & ~0x20) - 'A' + 10);
  return {id, h.manufacturer, h.version, h.medium};
}

bool Selects(const mb::SecondaryAddress& mask, const mb::SecondaryAddress& a) {
  for (int i = 0; i < 8; ++i) {
    const uint32_t want = (mask.id_digits >> (4 * i)) & 0xF;
    if (want != 0xF && want != ((a.id_digits >> (4 * i)) & 0xF)) return false;
  }
  return (mask.manufacturer == 0xFFFF || mask.manufacturer == a.manufacturer) &&
         (mask.version == 0xFF || mask.version == a.version) && (mask.medium == 0xFF || mask.medium == a.medium);
}

}  // namespace

std::string MbusAddressName(uint8_t address) {
  switch (address) {
    case mb::address::kNetworkLayer:
      return "the selected slave (FD)";
    case mb::address::kBroadcastReply:
      return "broadcast FE";
    case mb::address::kBroadcastNoReply:
      return "broadcast FF";
    default:
      return fmt::format("primary address {}", address);
  }
}

MbusMaster::MbusMaster(const MbusMasterOptions& options, int fd) : options_(options), fd_(fd) {}

MbusMaster::~MbusMaster() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<std::unique_ptr<MbusMaster>> MbusMaster::Connect(const MbusMasterOptions& options) {
  if (options.tries < 1) return Fail(core::Error::Invalid("tries must be at least 1", "tries"));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(options.port);
  if (const int rc = ::getaddrinfo(options.host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Fail(core::Error{core::ErrorCode::kUnavailable,
                            fmt::format("mbus master: cannot resolve {}: {}", options.host, ::gai_strerror(rc)),
                            {}});
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, ::freeaddrinfo);
  core::Error last = core::Error::Internal("no address");
  const std::string where = fmt::format("{}:{}", options.host, options.port);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = SysError("socket");
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(options.connect_timeout.count()));
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
      last = core::Error{core::ErrorCode::kUnavailable,
                         fmt::format("mbus master: connect to converter {}: {}", where, std::strerror(errno)),
                         {}};
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return std::unique_ptr<MbusMaster>(new MbusMaster(options, fd));
  }
  return Fail(std::move(last));
}

size_t MbusMaster::Drain() {
  uint8_t buffer[512];
  size_t drained = 0;
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      stats_.bytes_received += static_cast<uint64_t>(n);
      drained += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (drained > 0) {
    ++stats_.late_answers;
    if (last_silent_select_) suspects_.push_back(*last_silent_select_);
  }
  last_silent_select_.reset();
  return drained;
}

void MbusMaster::SettleLateAnswers() {
  pollfd p{fd_, POLLIN, 0};
  (void)::poll(&p, 1, static_cast<int>(AnswerTimeout().count()));
  Drain();
}

core::Result<MbusAnswer> MbusMaster::Exchange(const mb::Frame& request) {
  auto bytes = mb::EncodeFrame(request);
  if (!bytes) return Fail(bytes.error());
  Drain();  // a late answer to an earlier request must not pass for this one's
  std::span<const uint8_t> out(*bytes);
  while (!out.empty()) {
    const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(options_.answer_timeout.count())) <= 0) {
        return Fail(SysError("send to converter timed out"));
      }
      continue;
    }
    if (n <= 0) return Fail(SysError("send to converter"));
    out = out.subspan(static_cast<size_t>(n));
  }
  ++stats_.requests;
  stats_.bytes_sent += bytes->size();
  return ReadAnswer();
}

core::Result<MbusAnswer> MbusMaster::ReadAnswer() {
  MbusAnswer answer;
  Clock::time_point deadline = Clock::now() + AnswerTimeout();
  uint8_t buffer[512];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, MillisUntil(deadline));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return Fail(SysError("poll"));
    }
    if (rc == 0) {
      if (answer.bytes.empty()) {
        answer.kind = MbusAnswerKind::kSilence;
      } else {
        answer.kind = MbusAnswerKind::kGarbled;
        answer.problem = fmt::format("the answer stopped after {} bytes", answer.bytes.size());
      }
      return answer;
    }
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return Fail(SysError("receive from converter"));
    if (n == 0)
      return Fail(core::Error{core::ErrorCode::kUnavailable, "mbus master: the converter closed the connection", {}});
    stats_.bytes_received += static_cast<uint64_t>(n);
    answer.bytes.insert(answer.bytes.end(), buffer, buffer + n);
    deadline = Clock::now() + options_.byte_gap;

    const mb::FrameBoundary b = mb::FindFrame(answer.bytes);
    if (b.kind == mb::FrameBoundary::Kind::kNeedMore) continue;
    if (b.kind == mb::FrameBoundary::Kind::kNoFrame) {
      answer.problem = fmt::format("byte {:02X} at offset 0 starts no telegram", answer.bytes[0]);
    } else if (b.length != answer.bytes.size()) {
      answer.problem = fmt::format("{} bytes after a {}-byte telegram", answer.bytes.size() - b.length, b.length);
    } else if (auto frame = mb::DecodeFrame(answer.bytes); !frame) {
      answer.problem = frame.error().ToString();
    } else {
      answer.frame = std::move(*frame);
      answer.kind = answer.frame.type == mb::FrameType::kAck ? MbusAnswerKind::kAck : MbusAnswerKind::kFrame;
      return answer;
    }
    answer.kind = MbusAnswerKind::kGarbled;
    if (auto quiet = WaitQuiet(answer); !quiet) return Fail(quiet.error());
    return answer;
  }
}

// After garbage the master waits until the line has been quiet for byte_gap, so the rest of a
// collision is not read as the answer to the next request. Bounded by the answer timeout.
core::Result<void> MbusMaster::WaitQuiet(MbusAnswer& answer) {
  const Clock::time_point limit = Clock::now() + AnswerTimeout();
  uint8_t buffer[512];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(options_.byte_gap.count()));
    if (rc == 0 || Clock::now() > limit) return {};
    if (rc < 0) {
      if (errno == EINTR) continue;
      return Fail(SysError("poll"));
    }
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return {};  // the next exchange reports the closed connection
    if (n > 0) {
      stats_.bytes_received += static_cast<uint64_t>(n);
      answer.bytes.insert(answer.bytes.end(), buffer, buffer + n);
    }
  }
}

core::Result<MbusAnswer> MbusMaster::Transact(const mb::Frame& request, Expect expect, int tries,
                                              const std::string& context) {
  const std::string what = expect == Expect::kAck ? "E5" : "a RSP_UD long frame";
  int timeouts = 0, garbled = 0, wrong = 0;
  MbusAnswer last_garbled;
  std::string last_wrong;
  last_failure_silent_ = false;
  for (int i = 0; i < tries; ++i) {
    if (i > 0) ++stats_.retries;
    auto answer = Exchange(request);
    if (!answer) return Fail(answer.error());
    switch (answer->kind) {
      case MbusAnswerKind::kSilence:
        ++timeouts;
        ++stats_.timeouts;
        continue;
      case MbusAnswerKind::kGarbled:
        ++garbled;
        ++stats_.garbled;
        last_garbled = std::move(*answer);
        continue;
      case MbusAnswerKind::kAck:
        if (expect == Expect::kAck) return answer;
        break;
      case MbusAnswerKind::kFrame:
        if (expect == Expect::kRspUd && answer->frame.type == mb::FrameType::kLong &&
            mb::control::IsRspUd(answer->frame.control)) {
          return answer;
        }
        break;
    }
    ++wrong;
    last_wrong =
        fmt::format("a {} telegram (C 0x{:02X})", mb::FrameTypeName(answer->frame.type), answer->frame.control);
  }
  const std::string tally =
      fmt::format("{} tries: {} without answer, {} garbled, {} of the wrong kind", tries, timeouts, garbled, wrong);
  if (timeouts == tries) {
    last_failure_silent_ = true;
    return Fail(core::Error{core::ErrorCode::kUnavailable,
                            fmt::format("no answer from {} to {} within {} ms in any of {} tries (expected {})",
                                        context, RequestName(request), AnswerTimeout().count(), tries, what),
                            context});
  }
  if (garbled > 0) {
    return Fail(core::Error{
        core::ErrorCode::kCorruption,
        fmt::format("garbled answer from {} to {} (a collision or line noise; expected {}; {}); "
                    "last: {} [{}]",
                    context, RequestName(request), what, tally, last_garbled.problem, Shown(last_garbled.bytes)),
        context});
  }
  return Fail(core::Error::Invalid(fmt::format("unexpected answer from {} to {}: {} (expected {}; {})", context,
                                               RequestName(request), last_wrong, what, tally),
                                   context));
}

core::Result<void> MbusMaster::SndNke(uint8_t address) {
  auto a = Transact(mb::SndNke(address), Expect::kAck, options_.tries, MbusAddressName(address));
  if (!a) return Fail(a.error());
  fcb_[address].Reset();
  reset_.insert(address);
  return {};
}

core::Result<MbusReadout> MbusMaster::ReadPrimary(uint8_t address) {
  const std::string context = MbusAddressName(address);
  if (options_.reset_links && address <= mb::address::kMaxPrimary && !reset_.contains(address)) {
    if (auto r = SndNke(address); !r) return Fail(r.error());
  }
  return ReadTelegrams(address, fcb_[address], context);
}

core::Result<MbusReadout> MbusMaster::ReadTelegrams(uint8_t address, mb::FcbSequence& fcb, const std::string& context) {
  MbusReadout out;
  for (int n = 0;; ++n) {
    if (n == options_.max_telegrams) {
      return Fail(core::Error::Invalid(
          fmt::format("{} still has more records after {} telegrams", context, options_.max_telegrams), context));
    }
    auto answer = Transact(mb::ReqUd2(address, fcb.Next()), Expect::kRspUd, options_.tries, context);
    if (!answer) return Fail(answer.error());
    auto user_data = mb::DecodeUserData(answer->frame);
    if (!user_data) {
      core::Error e = std::move(user_data.error());
      e.message = fmt::format("{}, telegram {}: {}", context, n + 1, e.message);
      return Fail(std::move(e));
    }
    auto* data = std::get_if<mb::VariableData>(&*user_data);
    if (data == nullptr) {
      return Fail(core::Error::Invalid(
          fmt::format("{} answered with the fixed data structure (CI 0x{:02X}); only variable data is read", context,
                      answer->frame.ci),
          context));
    }
    const bool more = data->more_records_follow;
    if (more && !data->records.empty() && data->records.back().kind == mb::RecordKind::kManufacturerData) {
      const auto* bytes = std::get_if<mb::Bytes>(&data->records.back().value);
      if (bytes == nullptr || bytes->bytes.empty()) data->records.pop_back();  // the bare 1F marker
    }
    if (n == 0) {
      out.primary_address = answer->frame.address;
      out.secondary_address = HeaderAddress(data->header);
      out.data.header_kind = data->header_kind;
      out.data.header = data->header;
    } else if (data->header_kind == mb::HeaderKind::kLong && HeaderAddress(data->header) != out.secondary_address) {
      return Fail(
          core::Error::Conflict(fmt::format("{}: telegram {} came from {}, telegram 1 from {}", context, n + 1,
                                            HeaderAddress(data->header).ToString(), out.secondary_address.ToString())));
    }
    for (auto& r : data->records) out.data.records.push_back(std::move(r));
    out.telegrams.push_back(std::move(answer->bytes));
    if (!more) return out;
  }
}

core::Result<MbusReadout> MbusMaster::ReadSecondary(const mb::SecondaryAddress& address) {
  const std::string context = fmt::format("secondary address {}", address.ToString());
  // The select's FCB is 0; the slave counts it, so the readout starts with FCB 1.
  if (auto a = Transact(mb::SelectSecondary(address, false), Expect::kAck, options_.tries, context); !a) {
    return Fail(a.error());
  }
  mb::FcbSequence fcb;
  auto readout = ReadTelegrams(mb::address::kNetworkLayer, fcb, context);
  if (!readout) return readout;
  if (!Selects(address, readout->secondary_address)) {
    return Fail(core::Error::Conflict(
        fmt::format("{}: the selected meter says it is {}", context, readout->secondary_address.ToString())));
  }
  return readout;
}

core::Result<MbusScanResult> MbusMaster::ScanSecondary(int select_tries) {
  MbusScanResult result;
  const uint64_t before = stats_.requests;
  select_tries = std::max(1, select_tries);
  suspects_.clear();
  last_silent_select_.reset();
  auto r = Probe(0xFFFFFFFF, 0, select_tries, result);
  // Branches with a late answer or too few meters below a collision: ask again, with the answer
  // timeout doubled each round (an answer that is late once tends to be late again).
  for (int round = 0; r && round < kReprobeRounds; ++round) {
    SettleLateAnswers();
    if (suspects_.empty()) break;
    const std::set<Branch> suspects(suspects_.begin(), suspects_.end());
    suspects_.clear();
    timeout_scale_ = 2 << round;
    for (const Branch& b : suspects) {
      const bool covered = std::any_of(suspects.begin(), suspects.end(), [&](const Branch& a) {
        return a.position < b.position && (b.id_digits | (0xFFFFFFFFu >> (4 * a.position))) == a.id_digits;
      });
      if (covered) continue;  // an ancestor is asked again anyway
      ++result.reprobes;
      r = Probe(b.id_digits, b.position, select_tries, result);
      if (!r) break;
    }
  }
  timeout_scale_ = 1;
  result.requests = stats_.requests - before;
  if (!r) return Fail(r.error());
  std::sort(result.meters.begin(), result.meters.end(), [](const MbusReadout& a, const MbusReadout& b) {
    return a.secondary_address.ToString() < b.secondary_address.ToString();
  });
  return result;
}

// EN 13757-3 Annex (secondary address search): select with the digits fixed so far and the
// rest wildcarded. Silence: no meter below. E5: exactly one, read it. Garbage: several answered
// at once; fix the next digit to 0..9 and look again.
core::Result<void> MbusMaster::Probe(uint32_t id_digits, int position, int select_tries, MbusScanResult& result) {
  const mb::SecondaryAddress mask{id_digits, 0xFFFF, 0xFF, 0xFF};
  const std::string context = fmt::format("secondary address {}", mask.ToString());
  const std::optional<Branch> previous_silent = last_silent_select_;
  // A silent select is retried up to select_tries; garbage is not (several slaves answering is
  // no line fault, a retry would collide again).
  ++result.selects;
  std::optional<MbusAnswer> answer;
  for (int i = 0; i < select_tries; ++i) {
    if (i > 0) ++stats_.retries;
    auto a = Exchange(mb::SelectSecondary(mask, false));
    if (!a) return Fail(a.error());  // the converter connection failed
    if (a->kind != MbusAnswerKind::kSilence) {
      answer = std::move(*a);
      break;
    }
    ++stats_.timeouts;
  }
  if (!answer) {
    ++result.silent;
    last_silent_select_ = Branch{id_digits, position};
    return {};
  }
  if (answer->kind != MbusAnswerKind::kAck) {
    ++stats_.garbled;
    ++result.collisions;
  } else {
    mb::FcbSequence fcb;
    auto readout = ReadTelegrams(mb::address::kNetworkLayer, fcb, context);
    if (readout && Selects(mask, readout->secondary_address)) {
      ++scan_seen_;
      const bool known = std::any_of(result.meters.begin(), result.meters.end(), [&](const MbusReadout& m) {
        return m.secondary_address == readout->secondary_address;
      });
      if (!known) result.meters.push_back(std::move(*readout));
      return {};
    }
    if (!readout && readout.error().code == core::ErrorCode::kCorruption) {
      // E5s that overlap exactly look like one E5; the readout then collides. Descend.
    } else if (!readout && !last_failure_silent_) {
      result.errors.push_back(std::move(readout.error()));  // a meter whose answer does not decode
      ++scan_seen_;
      return {};
    } else {
      // Nobody selected, or a meter this mask does not select: the E5 was the late answer to
      // the select before. Ask both again.
      if (previous_silent) suspects_.push_back(*previous_silent);
      suspects_.push_back(Branch{id_digits, position});
      return {};
    }
  }
  if (position == 8) {
    if (std::find(result.conflicts.begin(), result.conflicts.end(), fmt::format("{:08X}", id_digits)) ==
        result.conflicts.end()) {
      result.conflicts.push_back(fmt::format("{:08X}", id_digits));
    }
    scan_seen_ += 2;
    return {};
  }
  const uint64_t seen_before = scan_seen_;
  const int shift = 4 * (7 - position);
  for (uint32_t digit = 0; digit <= 9; ++digit) {
    const uint32_t next = (id_digits & ~(0xFu << shift)) | (digit << shift);
    if (auto p = Probe(next, position + 1, select_tries, result); !p) return p;
  }
  if (scan_seen_ - seen_before < 2) {
    // A collision means two meters or more below; finding fewer, an answer went astray (a late
    // answer taken for this select's). The parent branch holds both selects: ask it again.
    const int parent = std::max(0, position - 1);
    suspects_.push_back(Branch{id_digits | (0xFFFFFFFFu >> (4 * parent)), parent});
  }
  return {};
}

}  // namespace meterd::headend
