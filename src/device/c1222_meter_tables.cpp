// SPDX-License-Identifier: Apache-2.0
// The meter type: the merged TDL and the fixed configuration tables (ST0, ST21, ST22, ST27,
// ST51, ST61, ST62, ST71, ST72, MT0) of the single- and three-phase variants, and writes.
// The tables that change with the meter's state are built in c1222_table_values.cpp.
#include "device/c1222_meter_tables.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "codec/c1219/standard_tdl.h"
#include "device/c1222_table_values.h"

namespace meterd::device {

namespace c1219 = codec::c1219;
using c1219::TableId;
using core::Error;
using core::Fail;
using core::Result;

namespace {

constexpr TableId kWritable[] = {c1219::kSt5, c1219::kSt7, c1219::kSt53, c1219::kSt54, c1219::kSt73, c1219::kSt75};
constexpr TableId kStdTables[] = {0, 1, 3, 5, 7, 8, 21, 22, 23, 25, 26, 27, 28, 51, 52, 53, 54, 55, 61, 62, 63, 64,
                                  71, 72, 73, 74, 75, 76};

// What the tables select (source indices of meterd-sim.xml).
constexpr uint8_t kSourceWDemand = 5;
const std::vector<uint8_t> kPresentValues3 = {6, 7, 8, 9, 10, 11, 12, 13};  // V L1-3, A L1-3, W, Hz
const std::vector<uint8_t> kPresentValues1 = {6, 9, 12, 13};

c1219::St0 MakeSt0() {
  c1219::St0 st0;
  st0.format = c1219::FormatControl{c1219::DataOrder::kLsbFirst, 1, 0, 2, 0, 0, 0,
                                    static_cast<uint8_t>(c1219::NiFormat::kInt64),
                                    static_cast<uint8_t>(c1219::NiFormat::kInt32)};
  st0.device_class = {'M', 'T', 'R', 'D'};
  st0.nameplate_type = 2;
  st0.max_proc_parm_length = 16;
  st0.max_resp_data_len = 16;
  st0.std_version_no = 2;
  for (TableId id : kStdTables) {
    st0.UseTable(id, std::find(std::begin(kWritable), std::end(kWritable), id) != std::end(kWritable));
  }
  for (uint16_t n = 0; n <= 2; ++n) st0.UseTable(c1219::MfgTable(n));
  st0.UseProcedure({9, false});
  st0.UseProcedure({10, false});
  st0.UseProcedure({1, true});
  return st0;
}

c1219::St21 MakeSt21(int phases, const C1222TableLimits& limits) {
  c1219::St21 t;
  t.date_time_field = true;
  t.demand_reset_ctr = true;
  t.cum_demand = true;
  t.time_remaining = true;
  t.self_read_seq_nbr = true;
  t.daily_self_read = true;
  t.nbr_self_reads = static_cast<uint8_t>(limits.self_reads);
  t.nbr_summations = kC1222Summations;
  t.nbr_demands = 1;
  t.nbr_occur = 1;
  t.nbr_tiers = kC1222Tiers;
  t.nbr_present_demands = 1;
  t.nbr_present_values = static_cast<uint8_t>(phases == 1 ? kPresentValues1.size() : kPresentValues3.size());
  return t;
}

c1219::St51 MakeSt51(uint16_t calendar_size) {
  c1219::St51 t;
  t.cap_tm_zn_offset = true;
  t.nbr_seasons = 1;
  t.nbr_tier_switches = static_cast<uint16_t>(C1222MeterModel::DefaultCalendar().tier_switches.size());
  t.calendar_tbl_size = calendar_size;
  return t;
}

c1219::St61 MakeSt61(uint32_t memory_len, const C1222TableLimits& limits) {
  c1219::St61 t;
  t.lp_memory_len = memory_len;
  t.blk_end_read = true;
  t.extended_int_status = true;
  t.simple_int_status = true;
  t.lp_fmats = 0x02;  // UINT16 intervals
  t.sets[0] = c1219::LpSetDims{static_cast<uint16_t>(limits.lp_days), kC1222IntervalsPerDay, kC1222Summations,
                               kC1222IntervalS / 60};
  return t;
}

c1219::St62 MakeSt62() {
  c1219::LpSetControl set;
  for (uint8_t c = 0; c < kC1222Summations; ++c) set.channels.push_back({true, c, c});
  set.int_fmt_cde = static_cast<uint8_t>(c1219::IntervalFormat::kUint16);
  c1219::St62 t;
  t.sets[0] = std::move(set);
  return t;
}

c1219::St71 MakeSt71(const C1222TableLimits& limits) {
  c1219::St71 t;
  t.event_number = true;
  t.hist_date_time = true;
  t.hist_seq_nbr = true;
  t.nbr_std_events = 7;  // codes 0..55
  t.hist_data_length = 2;
  t.event_data_length = 2;
  t.nbr_history_entries = static_cast<uint16_t>(limits.history_entries);
  t.nbr_event_entries = static_cast<uint16_t>(limits.event_entries);
  t.ext_log_flags = 0;
  t.nbr_program_tables = 0;
  return t;
}

c1219::Value MakeMt0(const c1219::TableContext& ctx, int phases) {
  auto v = c1219::DefaultTable(ctx, c1219::MfgTable(0));
  c1219::Value mt0 = v ? std::move(*v) : c1219::Value::Record({});
  if (c1219::Value* p = mt0.Find("PHASES")) *p = c1219::Value::Uint(static_cast<uint64_t>(phases));
  if (c1219::Value* f = mt0.Find("FEATURES")) {
    if (c1219::Value* b = f->Find("RELAY_PER_PHASE")) *b = c1219::Value::Bool(phases == 3);
  }
  return mt0;
}

}  // namespace

Result<std::unique_ptr<C1222MeterTables>> C1222MeterTables::Load(const std::string& path,
                                                                 const C1222TableLimits& limits) {
  std::ifstream in(path);
  if (!in) return Fail(Error::NotFound(fmt::format("cannot read the meter type {}", path)));
  std::stringstream text;
  text << in.rdbuf();
  const auto slash = path.find_last_of('/');
  return Create(text.str(), slash == std::string::npos ? path : path.substr(slash + 1), limits);
}

Result<std::unique_ptr<C1222MeterTables>> C1222MeterTables::Create(std::string_view fragment_xml,
                                                                   std::string_view source,
                                                                   const C1222TableLimits& limits) {
  if (limits.lp_days < 1 || limits.lp_days > 400 || limits.self_reads < 1 || limits.self_reads > 255 ||
      limits.event_entries < 1 || limits.event_entries > 4096 || limits.history_entries < 1 ||
      limits.history_entries > 4096) {
    return Fail(Error::Invalid("C12.19 table limits out of range", "limits"));
  }
  auto tdl = c1219::ParseTdlWithFragments(c1219::StandardTdlXml(), "standard.xml",
                                          {{std::string(fragment_xml), std::string(source)}});
  if (!tdl) return Fail(tdl.error());
  std::unique_ptr<C1222MeterTables> t(new C1222MeterTables());
  t->tdl_ = std::make_unique<c1219::Tdl>(std::move(*tdl));
  for (uint16_t s = 0; s <= 13; ++s) {
    if (!t->tdl_->Source(s)) return Fail(Error::Invalid(fmt::format("{}: the meter type has no source {}", source, s)));
  }
  for (uint16_t n = 0; n <= 2; ++n) {
    if (!t->tdl_->Table(c1219::MfgTable(n))) {
      return Fail(Error::Invalid(fmt::format("{}: the meter type has no MT{}", source, n)));
    }
  }
  if (!t->tdl_->Procedure({1, true})) return Fail(Error::Invalid(fmt::format("{}: the meter type has no MP1", source)));
  t->limits_ = limits;
  t->st0_ = MakeSt0();
  if (auto r = t->Build(1, t->single_); !r) return Fail(r.error());
  if (auto r = t->Build(3, t->three_); !r) return Fail(r.error());
  return t;
}

Result<void> C1222MeterTables::Build(int phases, Variant& v) {
  v.ctx = std::make_unique<c1219::TableContext>(*tdl_);
  c1219::TableContext& ctx = *v.ctx;
  auto fixed = [&](TableId id, Result<std::vector<uint8_t>> bytes) -> Result<void> {
    if (!bytes) return Fail(Error::Internal(fmt::format("{}: {}", c1219::TableIdName(id), bytes.error().ToString())));
    auto value = c1219::DecodeTable(ctx, id, *bytes);
    if (!value) return Fail(Error::Internal(fmt::format("{}: {}", c1219::TableIdName(id), value.error().ToString())));
    ctx.Put(id, std::move(*value));
    std::erase_if(v.fixed, [&](const auto& p) { return p.first == id; });
    v.fixed.emplace_back(id, std::move(*bytes));
    return {};
  };
  if (auto r = fixed(c1219::kSt0, c1219::EncodeSt0(st0_, ctx)); !r) return r;
  if (auto r = fixed(c1219::kSt21, c1219::EncodeSt21(MakeSt21(phases, limits_), ctx)); !r) return r;
  c1219::St22 st22{{0, 1, 2, 3}, {kSourceWDemand}, {}, {}, {}};
  st22.min_or_max_flags.Assign(0, true);
  if (auto r = fixed(c1219::kSt22, c1219::EncodeSt22(st22, ctx)); !r) return r;
  c1219::St27 st27{{kSourceWDemand}, phases == 1 ? kPresentValues1 : kPresentValues3};
  if (auto r = fixed(c1219::kSt27, c1219::EncodeSt27(st27, ctx)); !r) return r;
  // ST51 names the size of ST54, which needs ST51 to be encoded: twice.
  if (auto r = fixed(c1219::kSt51, c1219::EncodeSt51(MakeSt51(0), ctx)); !r) return r;
  auto calendar = c1219::EncodeSt54(C1222MeterModel::DefaultCalendar(), ctx);
  if (!calendar) return Fail(calendar.error());
  if (auto r = fixed(c1219::kSt51, c1219::EncodeSt51(MakeSt51(static_cast<uint16_t>(calendar->size())), ctx)); !r) {
    return r;
  }
  // Likewise ST61 names the size of ST64.
  if (auto r = fixed(c1219::kSt61, c1219::EncodeSt61(MakeSt61(0, limits_), ctx)); !r) return r;
  if (auto r = fixed(c1219::kSt62, c1219::EncodeSt62(MakeSt62(), ctx)); !r) return r;
  // The one-block context: ST61 with one block (LP_MEMORY_LEN is not used to size anything).
  v.one_block = std::make_unique<c1219::TableContext>(ctx);
  C1222TableLimits one = limits_;
  one.lp_days = 1;
  auto st61_one = c1219::EncodeSt61(MakeSt61(0, one), ctx);
  if (!st61_one) return Fail(st61_one.error());
  auto st61_value = c1219::DecodeTable(ctx, c1219::kSt61, *st61_one);
  if (!st61_value) return Fail(st61_value.error());
  v.one_block->Put(c1219::kSt61, std::move(*st61_value));
  auto block = EncodeLoadProfileBlock(C1222LpBlock{}, *v.one_block);
  if (!block) return Fail(block.error());
  v.lp_block_size = block->size();
  const auto lp_len = static_cast<uint32_t>(block->size() * static_cast<size_t>(limits_.lp_days));
  if (auto r = fixed(c1219::kSt61, c1219::EncodeSt61(MakeSt61(lp_len, limits_), ctx)); !r) return r;
  v.one_block->Put(c1219::kSt62, *ctx.Get(c1219::kSt62));
  if (auto r = fixed(c1219::kSt71, c1219::EncodeSt71(MakeSt71(limits_), ctx)); !r) return r;
  c1219::St72 st72;
  for (uint16_t code : {kEventPowerDown, kEventPowerUp, kEventTimeChangedOld, kEventTimeChangedNew,
                        kEventProcedureInvoked, kEventTableWritten, kEventDemandReset, kEventDstOn, kEventDstOff,
                        kEventTamper, kEventControlByCommand}) {
    st72.std_events_supported.Assign(code, true);
  }
  if (auto r = fixed(c1219::kSt72, c1219::EncodeSt72(st72, ctx)); !r) return r;
  const c1219::Value mt0 = MakeMt0(ctx, phases);
  if (auto r = fixed(c1219::MfgTable(0), c1219::EncodeTable(ctx, c1219::MfgTable(0), mt0)); !r) return r;
  return {};
}

const c1219::TableContext& C1222MeterTables::context(int phases) const { return *VariantOf(phases).ctx; }

C1222Access C1222MeterTables::ReadAccess(TableId id) {
  switch (id) {
    case c1219::kSt0:
    case c1219::kSt1:
    case c1219::kSt3:
    case c1219::kSt5:
    case c1219::MfgTable(0):
      return C1222Access::kPublic;
    default:
      return C1222Access::kReader;
  }
}

C1222Access C1222MeterTables::WriteAccess(TableId id) {
  return id == c1219::kSt7 ? C1222Access::kReader : C1222Access::kMaster;
}

Result<std::vector<uint8_t>> C1222MeterTables::Read(C1222MeterState& meter, TableId id) const {
  if (!Used(id)) return Fail(Error::NotFound(fmt::format("{} is not in ST0", c1219::TableIdName(id))));
  const Variant& v = VariantOf(meter.model.phases());
  for (const auto& [fixed_id, bytes] : v.fixed) {
    if (fixed_id == id) return bytes;
  }
  return Dynamic(meter, v, id);
}

Result<std::vector<uint8_t>> C1222MeterTables::ReadRange(C1222MeterState& meter, TableId id, uint32_t offset,
                                                          uint16_t count) const {
  const size_t end = size_t{offset} + count;
  if (id == c1219::kSt64 && Used(id)) {
    const Variant& v = VariantOf(meter.model.phases());
    const size_t blocks = meter.model.lp_blocks().size();
    if (end > blocks * v.lp_block_size) return Fail(Error{core::ErrorCode::kOutOfRange, "ST64: past the end", {}});
    const size_t first = offset / v.lp_block_size;
    const size_t last = count == 0 ? first : (end + v.lp_block_size - 1) / v.lp_block_size;
    auto bytes = LoadProfile(meter, v, first, last);
    if (!bytes) return Fail(bytes.error());
    const auto from = bytes->begin() + static_cast<std::ptrdiff_t>(offset - first * v.lp_block_size);
    return std::vector<uint8_t>(from, from + count);
  }
  auto bytes = Read(meter, id);
  if (!bytes) return Fail(bytes.error());
  if (end > bytes->size()) {
    return Fail(Error{core::ErrorCode::kOutOfRange, fmt::format("{}: past the end", c1219::TableIdName(id)), {}});
  }
  return std::vector<uint8_t>(bytes->begin() + offset, bytes->begin() + static_cast<std::ptrdiff_t>(end));
}

Result<std::vector<uint8_t>> C1222MeterTables::LoadProfile(C1222MeterState& meter, const Variant& v, size_t first,
                                                           size_t last) const {
  const auto& blocks = meter.model.lp_blocks();
  meter.lp_block_cache.resize(blocks.size());
  std::vector<uint8_t> out;
  for (size_t i = first; i < last && i < blocks.size(); ++i) {
    auto& [key, bytes] = meter.lp_block_cache[i];
    const uint64_t now = (uint64_t{blocks[i].seq_nbr} << 8) + blocks[i].valid + 1;
    if (key != now || bytes.empty()) {
      auto encoded = EncodeLoadProfileBlock(blocks[i], *v.one_block);
      if (!encoded) return Fail(encoded.error());
      bytes = std::move(*encoded);
      key = now;
    }
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

Result<std::vector<uint8_t>> C1222MeterTables::Dynamic(C1222MeterState& meter, const Variant& v, TableId id) const {
  const c1219::TableContext& ctx = *v.ctx;
  C1222MeterModel& m = meter.model;
  switch (id) {
    case c1219::kSt1: return EncodeIdentification(meter, ctx);
    case c1219::kSt3: return EncodeStatus(m, ctx);
    case c1219::kSt5: {
      c1219::St5 st5{meter.identification};
      st5.identification.resize(20, ' ');
      return c1219::EncodeSt5(st5, ctx);
    }
    case c1219::kSt7: return c1219::EncodeSt7(meter.last_call, ctx);
    case c1219::kSt8: return c1219::EncodeSt8(meter.last_response, ctx);
    case c1219::kSt23: return EncodeRegisters(m, ctx);
    case c1219::kSt25: return EncodePreviousReset(m, ctx);
    case c1219::kSt26: return EncodeSelfReads(m, ctx);
    case c1219::kSt28: return EncodePresentRegisters(m, ctx);
    case c1219::kSt52:
    case c1219::kSt55: return EncodeClock(m, ctx, id);
    case c1219::kSt53: {
      c1219::St53 st53 = meter.time_offset;
      st53.time_zone_offset_minutes = m.tz_offset_minutes();
      st53.dst_time_amt_minutes = m.dst_minutes();
      return c1219::EncodeSt53(st53, ctx);
    }
    case c1219::kSt54: return c1219::EncodeSt54(m.calendar(), ctx);
    case c1219::kSt63: return EncodeLoadProfileStatus(m, ctx);
    case c1219::kSt64: return LoadProfile(meter, v, 0, m.lp_blocks().size());
    case c1219::kSt73: return c1219::EncodeSt73(m.history_control(), ctx);
    case c1219::kSt74: return EncodeHistoryLog(m, ctx);
    case c1219::kSt75: return c1219::EncodeSt75(m.event_control(), ctx);
    case c1219::kSt76: return EncodeEventLog(m, ctx);
    case c1219::MfgTable(1): return EncodeInstantaneous(m, ctx);
    case c1219::MfgTable(2): return EncodeRelays(m, ctx);
    default: break;
  }
  return Fail(Error::NotFound(fmt::format("{} is not served", c1219::TableIdName(id))));
}

Result<c1219::St7> C1222MeterTables::DecodeCall(int phases, std::span<const uint8_t> bytes) const {
  const size_t full = 3 + st0_.max_proc_parm_length;
  if (bytes.size() < 3 || bytes.size() > full) {
    return Fail(Error::Invalid(fmt::format("ST7: {} bytes; expected 3..{}", bytes.size(), full)));
  }
  std::vector<uint8_t> padded(bytes.begin(), bytes.end());
  padded.resize(full, 0);
  return c1219::DecodeSt7(padded, context(phases));
}

Result<void> C1222MeterTables::Write(C1222MeterState& meter, TableId id, std::span<const uint8_t> bytes) const {
  if (!Writable(id) || id == c1219::kSt7) {
    return Fail(Error{core::ErrorCode::kPermissionDenied, fmt::format("{} is not writable", c1219::TableIdName(id)), {}});
  }
  const c1219::TableContext& ctx = context(meter.model.phases());
  switch (id) {
    case c1219::kSt5: {
      auto t = c1219::DecodeSt5(bytes, ctx);
      if (!t) return Fail(t.error());
      meter.identification = t->identification;
      return {};
    }
    case c1219::kSt53: {
      auto t = c1219::DecodeSt53(bytes, ctx);
      if (!t) return Fail(t.error());
      const int16_t tz = t->time_zone_offset_minutes.value_or(0);
      if (tz % 15 != 0 || tz < -720 || tz > 840) {
        return Fail(Error::Invalid(fmt::format("ST53: time zone offset {} min is not a quarter hour in -720..840", tz)));
      }
      meter.time_offset = *t;
      meter.model.SetTzOffset(tz);
      meter.model.SetDstMinutes(t->dst_time_amt_minutes);
      return {};
    }
    case c1219::kSt54: {
      auto t = c1219::DecodeSt54(bytes, ctx);
      if (!t) return Fail(t.error());
      for (const auto& s : t->tier_switches) {
        if (s.minute % 15 != 0 || s.hour > 23 || s.new_tier >= kC1222Tiers) {
          return Fail(Error::Invalid(fmt::format("ST54: tier switch to tier {} at {:02}:{:02}: this meter has tiers "
                                                 "0..1 and switches on the quarter hour",
                                                 s.new_tier, s.hour, s.minute)));
        }
      }
      meter.model.SetCalendar(std::move(*t));
      return {};
    }
    case c1219::kSt73:
    case c1219::kSt75: {
      auto t = id == c1219::kSt73 ? c1219::DecodeSt73(bytes, ctx) : c1219::DecodeSt75(bytes, ctx);
      if (!t) return Fail(t.error());
      if (id == c1219::kSt73) {
        meter.model.SetHistoryControl(std::move(*t));
      } else {
        meter.model.SetEventControl(std::move(*t));
      }
      return {};
    }
    default: break;
  }
  return Fail(Error{core::ErrorCode::kPermissionDenied, fmt::format("{} is not writable", c1219::TableIdName(id)), {}});
}

}  // namespace meterd::device
