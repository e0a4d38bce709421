// SPDX-License-Identifier: Apache-2.0
#include "device/message_queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <system_error>

#include "device/file_io.h"

namespace meterd::device {
namespace {

namespace acq = codec::acq;

constexpr size_t kHeaderBytes = 8;               // u32 payload length, u32 CRC-32 of the payload
constexpr size_t kMaxPayloadBytes = 64 << 10;    // far above the largest message (16 events)

void PutU(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Little-endian reader over a payload; `ok` turns false on reading past the end.
struct Cursor {
  std::string_view in;
  bool ok = true;
  uint64_t U(int bytes) {
    if (in.size() < static_cast<size_t>(bytes)) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
    in.remove_prefix(static_cast<size_t>(bytes));
    return v;
  }
  std::string_view Bytes(size_t n) {
    if (in.size() < n) {
      ok = false;
      return {};
    }
    std::string_view v = in.substr(0, n);
    in.remove_prefix(n);
    return v;
  }
};

std::string Record(const acq::Message& m) {
  std::string payload = EncodeRecordPayload(m);
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  PutU(out, payload.size(), 4);
  PutU(out, Crc32(payload), 4);
  out += payload;
  return out;
}

}  // namespace

// Payload: u64 seq, i64 at (unix s), u64 count, u8 output, u8 n_events,
// n_events x (u8 event type code, i64 at, u16 detail length, detail bytes). Little-endian.
std::string EncodeRecordPayload(const acq::Message& m) {
  std::string out;
  out.reserve(26 + m.events.size() * 32);
  PutU(out, m.seq, 8);
  PutU(out, static_cast<uint64_t>(core::ToUnixSeconds(m.at)), 8);
  PutU(out, m.count, 8);
  PutU(out, m.output_on ? 1 : 0, 1);
  PutU(out, m.events.size(), 1);
  for (const auto& e : m.events) {
    PutU(out, static_cast<uint8_t>(e.type), 1);
    PutU(out, static_cast<uint64_t>(core::ToUnixSeconds(e.at)), 8);
    std::string_view detail = std::string_view(e.detail).substr(0, 0xFFFF);
    PutU(out, detail.size(), 2);
    out += detail;
  }
  return out;
}

core::Result<acq::Message> DecodeRecordPayload(std::string_view payload) {
  Cursor c{payload};
  acq::Message m;
  m.seq = c.U(8);
  m.at = core::FromUnixSeconds(static_cast<int64_t>(c.U(8)));
  m.count = c.U(8);
  m.output_on = c.U(1) != 0;
  size_t n = c.U(1);
  for (size_t i = 0; i < n && c.ok; ++i) {
    acq::DeviceEvent e;
    e.type = static_cast<core::EventType>(c.U(1));
    e.at = core::FromUnixSeconds(static_cast<int64_t>(c.U(8)));
    e.detail = std::string(c.Bytes(c.U(2)));
    m.events.push_back(std::move(e));
  }
  if (!c.ok || !c.in.empty()) return core::Fail(core::Error::Corruption("bad queue record payload"));
  return m;
}

core::Result<MessageQueue> MessageQueue::Open(Options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return core::Fail(core::Error::Internal(fmt::format("cannot create {}: {}", options.dir.string(), ec.message())));
  MessageQueue q(std::move(options));
  if (auto r = q.Load(); !r) return core::Fail(std::move(r.error()));
  return q;
}

core::Result<void> MessageQueue::Load() {
  auto state_text = ReadWholeFile(StatePath());
  if (!state_text) return core::Fail(std::move(state_text.error()));
  auto state = DecodeDeviceState(*state_text);
  if (!state) return core::Fail(std::move(state.error()));
  state_ = std::move(*state);

  auto log = ReadWholeFile(LogPath());
  if (!log) return core::Fail(std::move(log.error()));
  std::string_view rest = *log;
  size_t good_bytes = 0;
  uint64_t log_last = 0;
  while (!rest.empty()) {
    Cursor header{rest};
    uint64_t length = header.U(4);
    uint32_t crc = static_cast<uint32_t>(header.U(4));
    if (!header.ok || length > kMaxPayloadBytes || header.in.size() < length) break;
    std::string_view payload = header.in.substr(0, length);
    if (Crc32(payload) != crc) break;
    auto m = DecodeRecordPayload(payload);
    if (!m || m->seq <= log_last) break;  // sequence must rise: anything else is not ours
    log_last = m->seq;
    ++log_records_;
    if (m->seq > state_.acked_seq) pending_.push_back(std::move(*m));
    size_t used = kHeaderBytes + length;
    good_bytes += used;
    rest.remove_prefix(used);
  }
  // After a compaction the log may hold nothing: the state still knows how far seq got.
  last_seq_ = std::max({log_last, state_.acked_seq, state_.next_seq > 0 ? state_.next_seq - 1 : 0});
  if (good_bytes < log->size()) {
    // A crash mid-append leaves a torn record: cut it so new records follow good ones.
    dropped_tail_ = true;
    if (auto r = TruncateFile(LogPath(), good_bytes); !r) return r;
  }
  return {};
}

core::Result<void> MessageQueue::Append(const acq::Message& m) {
  if (m.seq <= last_seq_) {
    return core::Fail(core::Error::Invalid(fmt::format("seq {} is not above {}", m.seq, last_seq_), "seq"));
  }
  if (auto r = AppendToFile(LogPath(), Record(m), options_.fsync); !r) return r;
  last_seq_ = m.seq;
  ++log_records_;
  pending_.push_back(m);
  return {};
}

core::Result<void> MessageQueue::Acknowledge(uint64_t ack_seq) { return Acknowledge(ack_seq, state_); }

core::Result<void> MessageQueue::Acknowledge(uint64_t ack_seq, const DeviceState& state) {
  ack_seq = std::min(ack_seq, last_seq_);  // never drop what was not logged
  if (ack_seq <= state_.acked_seq && state == state_) return {};
  while (!pending_.empty() && pending_.front().seq <= ack_seq) pending_.pop_front();
  DeviceState next = state;
  next.acked_seq = std::max(ack_seq, state_.acked_seq);
  if (auto r = WriteFileAtomically(StatePath(), EncodeDeviceState(next), options_.fsync); !r) return r;
  state_ = std::move(next);
  if (log_records_ - pending_.size() >= options_.compact_after) return Compact();
  return {};
}

core::Result<void> MessageQueue::SaveState(const DeviceState& state) {
  DeviceState next = state;
  next.acked_seq = state_.acked_seq;
  if (auto r = WriteFileAtomically(StatePath(), EncodeDeviceState(next), options_.fsync); !r) return r;
  state_ = std::move(next);
  return {};
}

// Rewrites the log with only the pending records. The watermark is already saved, so a crash
// before the rename leaves the old log, whose acknowledged prefix Load skips.
core::Result<void> MessageQueue::Compact() {
  std::string log;
  for (const auto& m : pending_) log += Record(m);
  if (auto r = WriteFileAtomically(LogPath(), log, options_.fsync); !r) return r;
  log_records_ = pending_.size();
  return {};
}

}  // namespace meterd::device
