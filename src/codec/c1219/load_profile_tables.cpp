// SPDX-License-Identifier: Apache-2.0
// Decade 6 on the standard TDL (meters/c1219/standard.xml). Interval values get their unit from
// the channel's source and their scale from ST62's scalar and divisor.
#include "codec/c1219/load_profile_tables.h"

#include <fmt/format.h>

#include "codec/c1219/typed_value.h"

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Quantity;
using core::Result;
using typed::B;
using typed::FieldReader;
using typed::U;

std::string_view ChannelStatusName(uint8_t status) {
  static constexpr std::string_view kNames[] = {"none", "overflow", "partial", "long", "skipped",
                                                "test mode", "configuration changed", "stopped"};
  return status < 8 ? kNames[status] : "reserved";
}

namespace {

template <class T>
Result<T> Checked(const FieldReader& r, T t) {
  if (!r.ok()) return Fail(r.error());
  return t;
}

std::string Set(std::string_view name, int set) { return fmt::format("{}{}", name, set + 1); }

// ---- ST61 ----

constexpr std::string_view kLpFmatNames[] = {"INV_UINT8_FLAG", "INV_UINT16_FLAG",   "INV_UINT32_FLAG",
                                             "INV_INT8_FLAG",  "INV_INT16_FLAG",    "INV_INT32_FLAG",
                                             "INV_NI_FMAT1_FLAG", "INV_NI_FMAT2_FLAG"};

Result<St61> St61From(const Value& value, const TableContext&) {
  FieldReader r(value, "ST61");
  St61 t;
  t.lp_memory_len = r.U<uint32_t>("LP_MEMORY_LEN");
  FieldReader f = r.Sub("LP_FLAGS");
  for (int i = 0; i < 4; ++i) {
    t.inhibit_overflow[i] = f.Bool(fmt::format("LP_SET{}_INHIBIT_OVF_FLAG", i + 1));
    t.scalar_divisor[i] = f.Bool(Set("SCALAR_DIVISOR_FLAG_SET", i));
  }
  t.blk_end_read = f.Bool("BLK_END_READ_FLAG");
  t.blk_end_pulse = f.Bool("BLK_END_PULSE_FLAG");
  t.extended_int_status = f.Bool("EXTENDED_INT_STATUS_FLAG");
  t.simple_int_status = f.Bool("SIMPLE_INT_STATUS_FLAG");
  t.blk_end_rd_indicator = f.Bool("BLK_END_RD_INDICATOR_FLAG");
  FieldReader fm = r.Sub("LP_FMATS");
  for (int i = 0; i < 8; ++i) {
    if (fm.Bool(kLpFmatNames[i])) t.lp_fmats |= static_cast<uint8_t>(1u << i);
  }
  for (int i = 0; i < 4; ++i) {
    if (!r.Has(Set("NBR_BLKS_SET", i))) continue;
    t.sets[i] = LpSetDims{r.U<uint16_t>(Set("NBR_BLKS_SET", i)), r.U<uint16_t>(Set("NBR_BLK_INTS_SET", i)),
                          r.U<uint8_t>(Set("NBR_CHNS_SET", i)), r.U<uint8_t>(Set("MAX_INT_TIME_SET", i))};
  }
  return Checked(r, t);
}

// ---- ST62 ----

Result<St62> St62From(const Value& value, const TableContext&) {
  FieldReader r(value, "ST62");
  St62 t;
  for (int i = 0; i < 4; ++i) {
    if (!r.Has(Set("LP_SEL_SET", i))) continue;
    LpSetControl c;
    for (const Value* ch : r.Items(Set("LP_SEL_SET", i))) {
      FieldReader cr = r.Of(*ch, Set("LP_SEL_SET", i));
      c.channels.push_back({cr.Sub("CHNL_FLAG").Bool("END_RDG_FLAG"), cr.U<uint8_t>("LP_SOURCE_SELECT"),
                            cr.U<uint8_t>("END_BLK_RDG_SOURCE_SELECT")});
    }
    c.int_fmt_cde = r.U<uint8_t>(Set("INT_FMT_CDE", i));
    if (r.Has(Set("SCALARS_SET", i))) {
      for (uint64_t s : r.Uints(Set("SCALARS_SET", i))) c.scalars.push_back(static_cast<uint16_t>(s));
      for (uint64_t d : r.Uints(Set("DIVISOR_SET", i))) c.divisors.push_back(static_cast<uint16_t>(d));
    }
    t.sets[i] = std::move(c);
  }
  return Checked(r, std::move(t));
}

// ---- ST64 channel scaling ----

struct ChannelScale {
  int64_t scalar = 1;
  int divisor_exp = 0;  // divisor = 10^divisor_exp
  std::optional<uint8_t> source;
  std::optional<uint8_t> end_source;
};

// The channels of set 1 as ST62 (in the context) describes them.
Result<std::vector<ChannelScale>> Channels(const TableContext& ctx) {
  std::vector<ChannelScale> out;
  const Value* st62 = ctx.Get(kSt62);
  if (!st62) return out;
  auto control = St62From(*st62, ctx);
  if (!control) return Fail(control.error());
  if (!control->sets[0]) return out;
  const LpSetControl& c = *control->sets[0];
  for (size_t i = 0; i < c.channels.size(); ++i) {
    ChannelScale s;
    s.source = c.channels[i].lp_source_select;
    s.end_source = c.channels[i].end_blk_rdg_source_select;
    if (i < c.scalars.size()) s.scalar = c.scalars[i];
    if (i < c.divisors.size()) {
      uint32_t d = c.divisors[i];
      while (d > 1 && d % 10 == 0) {
        d /= 10;
        ++s.divisor_exp;
      }
      if (d != 1) return Fail(Error::Invalid(fmt::format("ST62 DIVISOR_SET1[{}] = {} is not a power of ten", i, c.divisors[i])));
    }
    out.push_back(s);
  }
  return out;
}

const ChannelScale& ScaleOf(const std::vector<ChannelScale>& channels, size_t i) {
  static const ChannelScale kPlain;
  return i < channels.size() ? channels[i] : kPlain;
}

Result<Quantity> IntervalQuantity(const TableContext& ctx, const ChannelScale& c, Decimal raw) {
  const SourceDef* s = c.source ? ctx.tdl().Source(*c.source) : nullptr;
  int64_t v;
  if (__builtin_mul_overflow(raw.value, c.scalar, &v)) return Fail(Error::Invalid("interval value overflows"));
  int scale = raw.scale - c.divisor_exp + (s ? s->scale : 0);
  if (scale < -128 || scale > 127) return Fail(Error::Invalid("interval scale out of range"));
  return Quantity{v, static_cast<int8_t>(scale), s && s->unit ? *s->unit : core::Unit::kNone};
}

// The raw number for a quantity, at scale 0 when that is exact (what the integer formats need).
Result<Value> IntervalRaw(const TableContext& ctx, const ChannelScale& c, const Quantity& q) {
  const SourceDef* s = c.source ? ctx.tdl().Source(*c.source) : nullptr;
  core::Unit expected = s && s->unit ? *s->unit : core::Unit::kNone;
  if (q.unit != expected) return Fail(Error::Invalid(fmt::format("interval value {} is not in the channel's unit", q.ToString())));
  if (c.scalar == 0 || q.value % c.scalar != 0) {
    return Fail(Error::Invalid(fmt::format("interval value {} is not a multiple of the scalar {}", q.ToString(), c.scalar)));
  }
  int scale = q.scale + c.divisor_exp - (s ? s->scale : 0);
  if (scale < -128 || scale > 127) return Fail(Error::Invalid("interval scale out of range"));
  Decimal d{q.value / c.scalar, static_cast<int8_t>(scale)};
  // At scale 0 when that is exact, as the integer formats need; NI formats take any scale.
  Decimal whole = d;
  while (whole.scale < 0 && whole.value % 10 == 0) {
    whole.value /= 10;
    ++whole.scale;
  }
  for (int64_t next; whole.scale > 0 && !__builtin_mul_overflow(whole.value, int64_t{10}, &next); --whole.scale) {
    whole.value = next;
  }
  if (whole.value == 0 || whole.scale == 0) return Value::Number({whole.value, 0});
  return Value::Number(d);
}

Decimal NumberOf(FieldReader& r, const Value& v) {
  if (const Decimal* d = v.AsDecimal()) return *d;
  if (auto i = v.AsInt()) return Decimal{*i, 0};
  r.Fail("expected a number");
  return {};
}

IntervalStatus Unpack(const std::vector<uint64_t>& bytes, size_t channels) {
  IntervalStatus s;
  auto nibble = [&](size_t i) -> uint8_t {
    size_t b = i / 2;
    if (b >= bytes.size()) return 0;
    return static_cast<uint8_t>(i % 2 == 0 ? (bytes[b] >> 4) & 0x0F : bytes[b] & 0x0F);
  };
  uint8_t common = nibble(0);
  s.dst = common & 1;
  s.power_fail = common & 2;
  s.clock_set_forward = common & 4;
  s.clock_set_backward = common & 8;
  for (size_t c = 1; c <= channels; ++c) s.channel.push_back(nibble(c));
  if (channels % 2 == 0) s.filler = nibble(channels + 1);
  return s;
}

std::vector<uint8_t> Pack(const IntervalStatus& s, size_t channels) {
  std::vector<uint8_t> bytes(channels / 2 + 1, 0);
  auto put = [&](size_t i, uint8_t v) {
    if (i / 2 < bytes.size()) bytes[i / 2] |= static_cast<uint8_t>(i % 2 == 0 ? (v & 0x0F) << 4 : v & 0x0F);
  };
  put(0, static_cast<uint8_t>(s.dst | s.power_fail << 1 | s.clock_set_forward << 2 | s.clock_set_backward << 3));
  for (size_t c = 1; c <= channels; ++c) put(c, c - 1 < s.channel.size() ? s.channel[c - 1] : 0);
  if (channels % 2 == 0) put(channels + 1, s.filler);
  return bytes;
}

size_t ChannelCount(const TableContext& ctx) {
  const Value* st61 = ctx.Get(kSt61);
  const Value* n = st61 ? st61->FindDeep("NBR_CHNS_SET1") : nullptr;
  return n ? static_cast<size_t>(n->AsUint()) : 0;
}

}  // namespace

Value ToValue(const St61& t) {
  Value v = Value::Record({});
  v.Add("LP_MEMORY_LEN", U(t.lp_memory_len));
  Value& f = v.Add("LP_FLAGS", Value::Record({}));
  for (int i = 0; i < 4; ++i) f.Add(fmt::format("LP_SET{}_INHIBIT_OVF_FLAG", i + 1), B(t.inhibit_overflow[i]));
  f.Add("BLK_END_READ_FLAG", B(t.blk_end_read));
  f.Add("BLK_END_PULSE_FLAG", B(t.blk_end_pulse));
  for (int i = 0; i < 4; ++i) f.Add(Set("SCALAR_DIVISOR_FLAG_SET", i), B(t.scalar_divisor[i]));
  f.Add("EXTENDED_INT_STATUS_FLAG", B(t.extended_int_status));
  f.Add("SIMPLE_INT_STATUS_FLAG", B(t.simple_int_status));
  f.Add("BLK_END_RD_INDICATOR_FLAG", B(t.blk_end_rd_indicator));
  Value& fm = v.Add("LP_FMATS", Value::Record({}));
  for (int i = 0; i < 8; ++i) fm.Add(std::string(kLpFmatNames[i]), B((t.lp_fmats >> i) & 1));
  for (int i = 0; i < 4; ++i) {
    if (!t.sets[i]) continue;
    v.Add(Set("NBR_BLKS_SET", i), U(t.sets[i]->nbr_blks));
    v.Add(Set("NBR_BLK_INTS_SET", i), U(t.sets[i]->nbr_blk_ints));
    v.Add(Set("NBR_CHNS_SET", i), U(t.sets[i]->nbr_chns));
    v.Add(Set("MAX_INT_TIME_SET", i), U(t.sets[i]->max_int_time_minutes));
  }
  return v;
}

Result<St61> DecodeSt61(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St61>(ctx, kSt61, bytes, St61From);
}
Result<std::vector<uint8_t>> EncodeSt61(const St61& t, const TableContext& ctx) { return EncodeTable(ctx, kSt61, ToValue(t)); }

Value ToValue(const St62& t) {
  Value v = Value::Record({});
  for (int i = 0; i < 4; ++i) {
    if (!t.sets[i]) continue;
    const LpSetControl& c = *t.sets[i];
    std::vector<Value> channels;
    for (const LpChannel& ch : c.channels) {
      Value e = Value::Record({});
      e.Add("CHNL_FLAG", Value::Record({})).Add("END_RDG_FLAG", B(ch.end_rdg));
      e.Add("LP_SOURCE_SELECT", U(ch.lp_source_select));
      e.Add("END_BLK_RDG_SOURCE_SELECT", U(ch.end_blk_rdg_source_select));
      channels.push_back(std::move(e));
    }
    v.Add(Set("LP_SEL_SET", i), Value::Array(std::move(channels)));
    v.Add(Set("INT_FMT_CDE", i), U(c.int_fmt_cde));
    v.Add(Set("SCALARS_SET", i), typed::Uints16(c.scalars));
    v.Add(Set("DIVISOR_SET", i), typed::Uints16(c.divisors));
  }
  return v;
}

Result<St62> DecodeSt62(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St62>(ctx, kSt62, bytes, St62From);
}
Result<std::vector<uint8_t>> EncodeSt62(const St62& t, const TableContext& ctx) { return EncodeTable(ctx, kSt62, ToValue(t)); }

Result<St63> DecodeSt63(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St63>(ctx, kSt63, bytes, [](const Value& value, const TableContext&) -> Result<St63> {
    FieldReader r(value, "ST63");
    St63 t;
    for (int i = 0; i < 4; ++i) {
      if (!r.Has(Set("LP_STATUS_SET", i))) continue;
      FieldReader s = r.Sub(Set("LP_STATUS_SET", i));
      FieldReader f = s.Sub("LP_SET_STATUS_FLAGS");
      t.sets[i] = LpSetStatus{f.Bool("ORDER"), f.Bool("OVERFLOW_FLAG"), f.Bool("LIST_TYPE"),
                              f.Bool("BLOCK_INHIBIT_OVERFLOW_FLAG"), f.Bool("INTERVAL_ORDER"),
                              f.Bool("ACTIVE_MODE_FLAG"), f.Bool("TEST_MODE"), s.U<uint16_t>("NBR_VALID_BLOCKS"),
                              s.U<uint16_t>("LAST_BLOCK_ELEMENT"), s.U<uint32_t>("LAST_BLOCK_SEQ_NBR"),
                              s.U<uint16_t>("NBR_UNREAD_BLOCKS"), s.U<uint16_t>("NBR_VALID_INT")};
    }
    return Checked(r, t);
  });
}

Result<std::vector<uint8_t>> EncodeSt63(const St63& t, const TableContext& ctx) {
  Value v = Value::Record({});
  for (int i = 0; i < 4; ++i) {
    if (!t.sets[i]) continue;
    const LpSetStatus& s = *t.sets[i];
    Value& e = v.Add(Set("LP_STATUS_SET", i), Value::Record({}));
    Value& f = e.Add("LP_SET_STATUS_FLAGS", Value::Record({}));
    f.Add("ORDER", B(s.descending));
    f.Add("OVERFLOW_FLAG", B(s.overflow));
    f.Add("LIST_TYPE", B(s.circular));
    f.Add("BLOCK_INHIBIT_OVERFLOW_FLAG", B(s.block_inhibit_overflow));
    f.Add("INTERVAL_ORDER", B(s.interval_descending));
    f.Add("ACTIVE_MODE_FLAG", B(s.active));
    f.Add("TEST_MODE", B(s.test_mode));
    e.Add("NBR_VALID_BLOCKS", U(s.nbr_valid_blocks));
    e.Add("LAST_BLOCK_ELEMENT", U(s.last_block_element));
    e.Add("LAST_BLOCK_SEQ_NBR", U(s.last_block_seq_nbr));
    e.Add("NBR_UNREAD_BLOCKS", U(s.nbr_unread_blocks));
    e.Add("NBR_VALID_INT", U(s.nbr_valid_int));
  }
  return EncodeTable(ctx, kSt63, v);
}

Result<St64> DecodeSt64(std::span<const uint8_t> bytes, const TableContext& ctx) {
  auto channels = Channels(ctx);
  if (!channels) return Fail(channels.error());
  size_t nbr_chns = ChannelCount(ctx);
  auto value = DecodeTable(ctx, kSt64, bytes);
  if (!value) return Fail(value.error());
  FieldReader r(*value, "ST64");
  St64 t;
  for (const Value* bv : r.Items("LP_DATA_SET1")) {
    FieldReader br = r.Of(*bv, "LP_DATA_SET1");
    LpBlock b;
    b.end_time = br.Time("BLK_END_TIME");
    size_t c = 0;
    for (const Value* ev : br.Items("END_READINGS")) {
      FieldReader er = br.Of(*ev, "END_READINGS");
      LpEndReading e;
      if (const Value* read = er.Optional("BLOCK_END_READ")) {
        const ChannelScale& cs = ScaleOf(*channels, c);
        auto q = IntervalQuantity(ctx, ChannelScale{1, 0, cs.end_source, {}}, NumberOf(er, *read));
        if (!q) er.Fail(q.error().message);
        e.block_end_read = q.value_or(Quantity{});
      }
      if (er.Has("BLOCK_END_PULSE")) e.block_end_pulse = er.U<uint32_t>("BLOCK_END_PULSE");
      b.end_readings.push_back(e);
      ++c;
    }
    if (br.Has("SIMPLE_INT_STATUS")) b.simple_int_status = br.Set("SIMPLE_INT_STATUS");
    const Value* ints = br.Optional("LP_INT");
    b.intervals.reserve(ints ? ints->items().size() : 0);
    for (const Value* iv : br.Items("LP_INT")) {
      FieldReader ir = br.Of(*iv, "LP_INT");
      LpInterval in;
      if (ir.Has("EXTENDED_INT_STATUS")) in.status = Unpack(ir.Uints("EXTENDED_INT_STATUS"), nbr_chns);
      size_t ch = 0;
      for (const Value* dv : ir.Items("INT_DATA")) {
        auto q = IntervalQuantity(ctx, ScaleOf(*channels, ch++), NumberOf(ir, *dv));
        if (!q) ir.Fail(q.error().message);
        in.values.push_back(q.value_or(Quantity{}));
      }
      b.intervals.push_back(std::move(in));
    }
    t.blocks.push_back(std::move(b));
  }
  return Checked(r, std::move(t));
}

Result<std::vector<uint8_t>> EncodeSt64(const St64& t, const TableContext& ctx) {
  auto channels = Channels(ctx);
  if (!channels) return Fail(channels.error());
  size_t nbr_chns = ChannelCount(ctx);
  Value v = Value::Record({});
  std::vector<Value> blocks;
  blocks.reserve(t.blocks.size());
  for (size_t bi = 0; bi < t.blocks.size(); ++bi) {
    const LpBlock& b = t.blocks[bi];
    Value bv = Value::Record({});
    bv.Add("BLK_END_TIME", Value::Time(b.end_time));
    std::vector<Value> ends;
    for (size_t c = 0; c < b.end_readings.size(); ++c) {
      const LpEndReading& e = b.end_readings[c];
      Value ev = Value::Record({});
      if (e.block_end_read) {
        auto raw = IntervalRaw(ctx, ChannelScale{1, 0, ScaleOf(*channels, c).end_source, {}}, *e.block_end_read);
        if (!raw) return Fail(Error::Invalid(fmt::format("ST64 block {}: {}", bi, raw.error().message)));
        ev.Add("BLOCK_END_READ", std::move(*raw));
      }
      if (e.block_end_pulse) ev.Add("BLOCK_END_PULSE", U(*e.block_end_pulse));
      ends.push_back(std::move(ev));
    }
    bv.Add("END_READINGS", Value::Array(std::move(ends)));
    if (b.simple_int_status) bv.Add("SIMPLE_INT_STATUS", Value::Set(*b.simple_int_status));
    std::vector<Value> ints;
    ints.reserve(b.intervals.size());
    for (size_t ii = 0; ii < b.intervals.size(); ++ii) {
      const LpInterval& in = b.intervals[ii];
      Value iv = Value::Record({});
      if (in.status) iv.Add("EXTENDED_INT_STATUS", typed::Uints(Pack(*in.status, nbr_chns)));
      std::vector<Value> data;
      data.reserve(in.values.size());
      for (size_t c = 0; c < in.values.size(); ++c) {
        auto raw = IntervalRaw(ctx, ScaleOf(*channels, c), in.values[c]);
        if (!raw) return Fail(Error::Invalid(fmt::format("ST64 block {} interval {}: {}", bi, ii, raw.error().message)));
        data.push_back(std::move(*raw));
      }
      iv.Add("INT_DATA", Value::Array(std::move(data)));
      ints.push_back(std::move(iv));
    }
    bv.Add("LP_INT", Value::Array(std::move(ints)));
    blocks.push_back(std::move(bv));
  }
  v.Add("LP_DATA_SET1", Value::Array(std::move(blocks)));
  return EncodeTable(ctx, kSt64, v);
}

}  // namespace meterd::codec::c1219
