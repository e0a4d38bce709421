// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_rows.h"

namespace meterd::store::rows {

namespace {
core::Quantity ReadQuantity(const Stmt& s, int col) {
  return core::Quantity{s.Int(col), static_cast<int8_t>(s.Int(col + 1)), static_cast<core::Unit>(s.Int(col + 2))};
}
}  // namespace

DeviceRecord ReadDevice(const Stmt& s) {
  DeviceRecord d;
  d.id = s.Text(0);
  d.meter = s.Text(1);
  d.medium = static_cast<core::Medium>(s.Int(2));
  d.pulse_weight = ReadQuantity(s, 3);
  d.counter_bits = static_cast<int32_t>(s.Int(6));
  d.interval_s = static_cast<int32_t>(s.Int(7));
  d.token_hash = s.Text(8);
  d.created = At(s.Int(9));
  d.acked_seq = static_cast<uint64_t>(s.Int(10));
  d.has_sample = s.Int(11) != 0;
  d.last_count = static_cast<uint64_t>(s.Int(12));
  d.last_at = At(s.Int(13));
  d.offset_pulses = s.Int(14);
  d.last_seen = At(s.Int(15));
  d.backlog = static_cast<uint32_t>(s.Int(16));
  d.output_on = s.Int(17) != 0;
  return d;
}

void BindDevice(Stmt& s, const DeviceRecord& d) {
  s.Bind(1, d.id).Bind(2, d.meter).Bind(3, static_cast<int64_t>(d.medium));
  s.Bind(4, d.pulse_weight.value).Bind(5, int64_t{d.pulse_weight.scale}).Bind(6, static_cast<int64_t>(d.pulse_weight.unit));
  s.Bind(7, int64_t{d.counter_bits}).Bind(8, int64_t{d.interval_s}).Bind(9, d.token_hash).Bind(10, Unix(d.created));
  // uint64 counters are bit-cast: SQLite integers are signed 64-bit.
  s.Bind(11, static_cast<int64_t>(d.acked_seq)).Bind(12, int64_t{d.has_sample});
  s.Bind(13, static_cast<int64_t>(d.last_count)).Bind(14, Unix(d.last_at)).Bind(15, d.offset_pulses);
  s.Bind(16, Unix(d.last_seen)).Bind(17, int64_t{d.backlog}).Bind(18, int64_t{d.output_on});
}

MeterRecord ReadMeter(const Stmt& s) {
  MeterRecord m;
  m.id = s.Text(0);
  m.medium = static_cast<core::Medium>(s.Int(1));
  m.device = s.Text(2);
  m.time_zone = s.Text(3);
  m.interval_s = static_cast<int32_t>(s.Int(4));
  m.has_register = s.Int(5) != 0;
  m.register_value = ReadQuantity(s, 6);
  m.register_at = At(s.Int(9));
  return m;
}

void BindMeter(Stmt& s, const MeterRecord& m) {
  s.Bind(1, m.id).Bind(2, static_cast<int64_t>(m.medium)).Bind(3, m.device).Bind(4, m.time_zone);
  s.Bind(5, int64_t{m.interval_s}).Bind(6, int64_t{m.has_register});
  s.Bind(7, m.register_value.value).Bind(8, int64_t{m.register_value.scale});
  s.Bind(9, static_cast<int64_t>(m.register_value.unit)).Bind(10, Unix(m.register_at));
}

core::Command ReadCommand(const Stmt& s) {
  core::Command c;
  c.id = s.Int(0);
  c.device = s.Text(1);
  c.type = static_cast<core::CommandType>(s.Int(2));
  c.argument = s.Int(3);
  c.state = static_cast<core::CommandState>(s.Int(4));
  c.created = At(s.Int(5));
  c.updated = At(s.Int(6));
  c.expires = At(s.Int(7));
  c.result = s.Text(8);
  c.created_by = s.Text(9);
  return c;
}

core::Event ReadEvent(const Stmt& s) {
  core::Event e;
  e.at = At(s.Int(0));
  e.type = static_cast<core::EventType>(s.Int(1));
  e.device = s.Text(2);
  e.meter = s.Text(3);
  e.detail = s.Text(4);
  return e;
}

}  // namespace meterd::store::rows
