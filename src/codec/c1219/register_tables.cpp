// SPDX-License-Identifier: Apache-2.0
// Decade 2 on the standard TDL (meters/c1219/standard.xml); units from the TDL's <source>s.
#include "codec/c1219/register_tables.h"

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

Result<Quantity> SourceQuantity(const TableContext& ctx, std::optional<uint8_t> source, Decimal raw) {
  const SourceDef* s = source ? ctx.tdl().Source(*source) : nullptr;
  int scale = raw.scale + (s ? s->scale : 0);
  if (scale < -128 || scale > 127) return Fail(Error::Invalid(fmt::format("scale {} is out of range", scale)));
  return Quantity{raw.value, static_cast<int8_t>(scale), s && s->unit ? *s->unit : core::Unit::kNone};
}

Result<Decimal> SourceRaw(const TableContext& ctx, std::optional<uint8_t> source, const Quantity& q) {
  const SourceDef* s = source ? ctx.tdl().Source(*source) : nullptr;
  core::Unit expected = s && s->unit ? *s->unit : core::Unit::kNone;
  if (q.unit != expected) {
    return Fail(Error::Invalid(fmt::format("source {}: expected a value in '{}', got {}", source ? *source : -1,
                                           s ? s->symbol : "", q.ToString())));
  }
  int scale = q.scale - (s ? s->scale : 0);
  if (scale < -128 || scale > 127) return Fail(Error::Invalid(fmt::format("scale {} is out of range", scale)));
  return Decimal{q.value, static_cast<int8_t>(scale)};
}

namespace {

std::vector<uint8_t> Selects(const TableContext& ctx, TableId id, std::string_view name) {
  std::vector<uint8_t> out;
  const Value* t = ctx.Get(id);
  const Value* a = t ? t->Find(name) : nullptr;
  if (a) {
    for (const Value& v : a->items()) out.push_back(static_cast<uint8_t>(v.AsUint()));
  }
  return out;
}
std::optional<uint8_t> At(const std::vector<uint8_t>& v, size_t i) {
  return i < v.size() ? std::optional<uint8_t>(v[i]) : std::nullopt;
}

// The selections that give register values their units.
struct Selections {
  std::vector<uint8_t> summation, demand, coincident;
  explicit Selections(const TableContext& ctx)
      : summation(Selects(ctx, kSt22, "SUMMATION_SELECT")),
        demand(Selects(ctx, kSt22, "DEMAND_SELECT")),
        coincident(Selects(ctx, kSt22, "COINCIDENT_SELECT")) {}
};

// Value tree -> RegisterData.
class RegisterReader {
 public:
  RegisterReader(const TableContext& ctx) : ctx_(ctx), sel_(ctx) {}

  Quantity Q(FieldReader& r, const Value& v, std::optional<uint8_t> src) {
    Decimal d;
    if (const Decimal* x = v.AsDecimal()) {
      d = *x;
    } else if (auto i = v.AsInt()) {
      d = Decimal{*i, 0};
    } else {
      r.Fail("expected a number");
      return {};
    }
    auto q = SourceQuantity(ctx_, src, d);
    if (!q) r.Fail(q.error().message);
    return q.value_or(Quantity{});
  }
  std::vector<Quantity> Qs(FieldReader& r, std::string_view name, std::optional<uint8_t> src) {
    std::vector<Quantity> out;
    for (const Value* v : r.Items(name)) out.push_back(Q(r, *v, src));
    return out;
  }

  DataBlock Block(FieldReader r) {
    DataBlock b;
    size_t i = 0;
    for (const Value* v : r.Items("SUMMATIONS")) b.summations.push_back(Q(r, *v, At(sel_.summation, i++)));
    i = 0;
    for (const Value* v : r.Items("DEMANDS")) {
      FieldReader d = r.Of(*v, "DEMANDS");
      auto src = At(sel_.demand, i++);
      DemandRecord rec;
      if (d.Has("EVENT_TIME")) {
        for (const Value* t : d.Items("EVENT_TIME")) rec.event_time.push_back(t->AsTime() ? *t->AsTime() : TimeDate{});
      }
      if (const Value* c = d.Optional("CUM_DEMAND")) rec.cum_demand = Q(d, *c, src);
      if (const Value* c = d.Optional("CONT_CUM_DEMAND")) rec.cont_cum_demand = Q(d, *c, src);
      rec.demand = Qs(d, "DEMAND", src);
      b.demands.push_back(std::move(rec));
    }
    i = 0;
    for (const Value* v : r.Items("COINCIDENTS")) {
      FieldReader c = r.Of(*v, "COINCIDENTS");
      b.coincidents.push_back(Qs(c, "COINCIDENT_VALUES", At(sel_.coincident, i++)));
    }
    return b;
  }

  RegisterData Data(FieldReader r) {
    RegisterData d;
    if (r.Has("NBR_DEMAND_RESETS")) d.nbr_demand_resets = r.U<uint8_t>("NBR_DEMAND_RESETS");
    d.total = Block(r.Sub("TOT_DATA_BLOCK"));
    for (const Value* v : r.Items("TIER_DATA_BLOCK")) d.tiers.push_back(Block(r.Of(*v, "TIER_DATA_BLOCK")));
    return d;
  }

  static RegisterInfo Info(FieldReader r) {
    RegisterInfo info;
    if (r.Has("END_DATE_TIME")) info.end_date_time = r.Time("END_DATE_TIME");
    if (r.Has("SEASON")) info.season = r.U<uint8_t>("SEASON");
    return info;
  }

 private:
  const TableContext& ctx_;
  Selections sel_;
};

// RegisterData -> value tree; remembers the first unit mismatch.
class RegisterWriter {
 public:
  explicit RegisterWriter(const TableContext& ctx) : ctx_(ctx), sel_(ctx) {}
  const std::optional<Error>& error() const { return error_; }

  Value N(const Quantity& q, std::optional<uint8_t> src) {
    auto d = SourceRaw(ctx_, src, q);
    if (!d) {
      if (!error_) error_ = d.error();
      return Value::Number({});
    }
    return Value::Number(*d);
  }
  Value Ns(const std::vector<Quantity>& qs, std::optional<uint8_t> src) {
    std::vector<Value> items;
    for (const Quantity& q : qs) items.push_back(N(q, src));
    return Value::Array(std::move(items));
  }

  Value Block(const DataBlock& b) {
    Value v = Value::Record({});
    std::vector<Value> sums;
    for (size_t i = 0; i < b.summations.size(); ++i) sums.push_back(N(b.summations[i], At(sel_.summation, i)));
    v.Add("SUMMATIONS", Value::Array(std::move(sums)));
    std::vector<Value> demands;
    for (size_t i = 0; i < b.demands.size(); ++i) {
      const DemandRecord& d = b.demands[i];
      auto src = At(sel_.demand, i);
      Value rec = Value::Record({});
      std::vector<Value> times;
      for (const TimeDate& t : d.event_time) times.push_back(Value::Time(t));
      rec.Add("EVENT_TIME", Value::Array(std::move(times)));
      if (d.cum_demand) rec.Add("CUM_DEMAND", N(*d.cum_demand, src));
      if (d.cont_cum_demand) rec.Add("CONT_CUM_DEMAND", N(*d.cont_cum_demand, src));
      rec.Add("DEMAND", Ns(d.demand, src));
      demands.push_back(std::move(rec));
    }
    v.Add("DEMANDS", Value::Array(std::move(demands)));
    std::vector<Value> coins;
    for (size_t i = 0; i < b.coincidents.size(); ++i) {
      Value rec = Value::Record({});
      rec.Add("COINCIDENT_VALUES", Ns(b.coincidents[i], At(sel_.coincident, i)));
      coins.push_back(std::move(rec));
    }
    v.Add("COINCIDENTS", Value::Array(std::move(coins)));
    return v;
  }

  // Adds the REGISTER_DATA_RCD fields to `v`.
  void Data(const RegisterData& d, Value& v) {
    if (d.nbr_demand_resets) v.Add("NBR_DEMAND_RESETS", U(*d.nbr_demand_resets));
    v.Add("TOT_DATA_BLOCK", Block(d.total));
    std::vector<Value> tiers;
    for (const DataBlock& b : d.tiers) tiers.push_back(Block(b));
    v.Add("TIER_DATA_BLOCK", Value::Array(std::move(tiers)));
  }
  Value Data(const RegisterData& d) {
    Value v = Value::Record({});
    Data(d, v);
    return v;
  }

  static Value Info(const RegisterInfo& info) {
    Value v = Value::Record({});
    if (info.end_date_time) v.Add("END_DATE_TIME", Value::Time(*info.end_date_time));
    if (info.season) v.Add("SEASON", U(*info.season));
    return v;
  }

 private:
  const TableContext& ctx_;
  Selections sel_;
  std::optional<Error> error_;
};

Result<std::vector<uint8_t>> Finish(const TableContext& ctx, TableId id, const RegisterWriter& w, const Value& v) {
  if (w.error()) return Fail(Error::Invalid(fmt::format("{}: {}", TableIdName(id), w.error()->message)));
  return EncodeTable(ctx, id, v);
}

template <class T>
Result<T> Checked(const FieldReader& r, T t) {
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<RegisterSnapshot> SnapshotFrom(const Value& value, const TableContext& ctx, TableId id, std::string_view data) {
  FieldReader r(value, TableIdName(id));
  RegisterReader rr(ctx);
  RegisterSnapshot s;
  s.info = RegisterReader::Info(r.Sub("REGISTER_INFO"));
  s.data = rr.Data(r.Sub(data));
  return Checked(r, std::move(s));
}

Result<std::vector<uint8_t>> EncodeSnapshot(const RegisterSnapshot& s, const TableContext& ctx, TableId id,
                                            std::string_view data) {
  RegisterWriter w(ctx);
  Value v = Value::Record({});
  v.Add("REGISTER_INFO", RegisterWriter::Info(s.info));
  v.Add(std::string(data), w.Data(s.data));
  return Finish(ctx, id, w, v);
}

}  // namespace

// ---- ST21 / ST22 ----

Value ToValue(const St21& t) {
  Value v = Value::Record({});
  Value& f1 = v.Add("REG_FUNC1_FLAGS", Value::Record({}));
  f1.Add("SEASON_INFO_FIELD_FLAG", B(t.season_info_field));
  f1.Add("DATE_TIME_FIELD_FLAG", B(t.date_time_field));
  f1.Add("DEMAND_RESET_CTR_FLAG", B(t.demand_reset_ctr));
  f1.Add("DEMAND_RESET_LOCK_FLAG", B(t.demand_reset_lock));
  f1.Add("CUM_DEMAND_FLAG", B(t.cum_demand));
  f1.Add("CONT_CUM_DEMAND_FLAG", B(t.cont_cum_demand));
  f1.Add("TIME_REMAINING_FLAG", B(t.time_remaining));
  Value& f2 = v.Add("REG_FUNC2_FLAGS", Value::Record({}));
  f2.Add("SELF_READ_INHIBIT_OVERFLOW_FLAG", B(t.self_read_inhibit_overflow));
  f2.Add("SELF_READ_SEQ_NBR_FLAG", B(t.self_read_seq_nbr));
  f2.Add("DAILY_SELF_READ_FLAG", B(t.daily_self_read));
  f2.Add("WEEKLY_SELF_READ_FLAG", B(t.weekly_self_read));
  f2.Add("SELF_READ_DEMAND_RESET", U(t.self_read_demand_reset));
  v.Add("NBR_SELF_READS", U(t.nbr_self_reads));
  v.Add("NBR_SUMMATIONS", U(t.nbr_summations));
  v.Add("NBR_DEMANDS", U(t.nbr_demands));
  v.Add("NBR_COIN_VALUES", U(t.nbr_coin_values));
  v.Add("NBR_OCCUR", U(t.nbr_occur));
  v.Add("NBR_TIERS", U(t.nbr_tiers));
  v.Add("NBR_PRESENT_DEMANDS", U(t.nbr_present_demands));
  v.Add("NBR_PRESENT_VALUES", U(t.nbr_present_values));
  return v;
}

Result<St21> DecodeSt21(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St21>(ctx, kSt21, bytes, [](const Value& value, const TableContext&) -> Result<St21> {
    FieldReader r(value, "ST21");
    St21 t;
    FieldReader f1 = r.Sub("REG_FUNC1_FLAGS");
    t.season_info_field = f1.Bool("SEASON_INFO_FIELD_FLAG");
    t.date_time_field = f1.Bool("DATE_TIME_FIELD_FLAG");
    t.demand_reset_ctr = f1.Bool("DEMAND_RESET_CTR_FLAG");
    t.demand_reset_lock = f1.Bool("DEMAND_RESET_LOCK_FLAG");
    t.cum_demand = f1.Bool("CUM_DEMAND_FLAG");
    t.cont_cum_demand = f1.Bool("CONT_CUM_DEMAND_FLAG");
    t.time_remaining = f1.Bool("TIME_REMAINING_FLAG");
    FieldReader f2 = r.Sub("REG_FUNC2_FLAGS");
    t.self_read_inhibit_overflow = f2.Bool("SELF_READ_INHIBIT_OVERFLOW_FLAG");
    t.self_read_seq_nbr = f2.Bool("SELF_READ_SEQ_NBR_FLAG");
    t.daily_self_read = f2.Bool("DAILY_SELF_READ_FLAG");
    t.weekly_self_read = f2.Bool("WEEKLY_SELF_READ_FLAG");
    t.self_read_demand_reset = f2.U<uint8_t>("SELF_READ_DEMAND_RESET");
    t.nbr_self_reads = r.U<uint8_t>("NBR_SELF_READS");
    t.nbr_summations = r.U<uint8_t>("NBR_SUMMATIONS");
    t.nbr_demands = r.U<uint8_t>("NBR_DEMANDS");
    t.nbr_coin_values = r.U<uint8_t>("NBR_COIN_VALUES");
    t.nbr_occur = r.U<uint8_t>("NBR_OCCUR");
    t.nbr_tiers = r.U<uint8_t>("NBR_TIERS");
    t.nbr_present_demands = r.U<uint8_t>("NBR_PRESENT_DEMANDS");
    t.nbr_present_values = r.U<uint8_t>("NBR_PRESENT_VALUES");
    return Checked(r, t);
  });
}
Result<std::vector<uint8_t>> EncodeSt21(const St21& t, const TableContext& ctx) { return EncodeTable(ctx, kSt21, ToValue(t)); }

Value ToValue(const St22& t) {
  Value v = Value::Record({});
  v.Add("SUMMATION_SELECT", typed::Uints(t.summation_select));
  v.Add("DEMAND_SELECT", typed::Uints(t.demand_select));
  v.Add("MIN_OR_MAX_FLAGS", Value::Set(t.min_or_max_flags));
  v.Add("COINCIDENT_SELECT", typed::Uints(t.coincident_select));
  v.Add("COIN_DEMAND_ASSOC", typed::Uints(t.coin_demand_assoc));
  return v;
}

namespace {
std::vector<uint8_t> Bytes8(const std::vector<uint64_t>& v) { return {v.begin(), v.end()}; }
}  // namespace

Result<St22> DecodeSt22(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St22>(ctx, kSt22, bytes, [](const Value& value, const TableContext&) -> Result<St22> {
    FieldReader r(value, "ST22");
    St22 t;
    t.summation_select = Bytes8(r.Uints("SUMMATION_SELECT"));
    t.demand_select = Bytes8(r.Uints("DEMAND_SELECT"));
    t.min_or_max_flags = r.Set("MIN_OR_MAX_FLAGS");
    t.coincident_select = Bytes8(r.Uints("COINCIDENT_SELECT"));
    t.coin_demand_assoc = Bytes8(r.Uints("COIN_DEMAND_ASSOC"));
    return Checked(r, std::move(t));
  });
}
Result<std::vector<uint8_t>> EncodeSt22(const St22& t, const TableContext& ctx) { return EncodeTable(ctx, kSt22, ToValue(t)); }

// ---- ST23-ST26 ----

Result<St23> DecodeSt23(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St23>(ctx, kSt23, bytes, [](const Value& value, const TableContext& c) -> Result<St23> {
    FieldReader r(value, "ST23");
    RegisterReader rr(c);
    return Checked(r, rr.Data(r));
  });
}
Result<std::vector<uint8_t>> EncodeSt23(const St23& t, const TableContext& ctx) {
  RegisterWriter w(ctx);
  return Finish(ctx, kSt23, w, w.Data(t));
}

Result<RegisterSnapshot> DecodeSt24(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<RegisterSnapshot>(ctx, kSt24, bytes, [](const Value& v, const TableContext& c) {
    return SnapshotFrom(v, c, kSt24, "PREV_SEASON_REG_DATA");
  });
}
Result<std::vector<uint8_t>> EncodeSt24(const RegisterSnapshot& t, const TableContext& ctx) {
  return EncodeSnapshot(t, ctx, kSt24, "PREV_SEASON_REG_DATA");
}
Result<RegisterSnapshot> DecodeSt25(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<RegisterSnapshot>(ctx, kSt25, bytes, [](const Value& v, const TableContext& c) {
    return SnapshotFrom(v, c, kSt25, "PREV_DEMAND_RESET_DATA");
  });
}
Result<std::vector<uint8_t>> EncodeSt25(const RegisterSnapshot& t, const TableContext& ctx) {
  return EncodeSnapshot(t, ctx, kSt25, "PREV_DEMAND_RESET_DATA");
}

Result<St26> DecodeSt26(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St26>(ctx, kSt26, bytes, [](const Value& value, const TableContext& c) -> Result<St26> {
    FieldReader r(value, "ST26");
    RegisterReader rr(c);
    St26 t;
    FieldReader ls = r.Sub("LIST_STATUS");
    t.list_status = {ls.Bool("ORDER"), ls.Bool("OVERFLOW_FLAG"), ls.Bool("LIST_TYPE"), ls.Bool("INHIBIT_OVERFLOW_FLAG")};
    t.nbr_valid_entries = r.U<uint8_t>("NBR_VALID_ENTRIES");
    t.last_entry_element = r.U<uint8_t>("LAST_ENTRY_ELEMENT");
    t.last_entry_seq_nbr = r.U<uint16_t>("LAST_ENTRY_SEQ_NBR");
    t.nbr_unread_entries = r.U<uint8_t>("NBR_UNREAD_ENTRIES");
    for (const Value* e : r.Items("SELF_READ_ENTRIES")) {
      FieldReader er = r.Of(*e, "SELF_READ_ENTRIES");
      SelfRead s;
      if (er.Has("SELF_READ_SEQ_NBR")) s.seq_nbr = er.U<uint16_t>("SELF_READ_SEQ_NBR");
      s.info = RegisterReader::Info(er.Sub("REGISTER_INFO"));
      s.data = rr.Data(er.Sub("SELF_READ_REG_DATA"));
      t.entries.push_back(std::move(s));
    }
    return Checked(r, std::move(t));
  });
}

Result<std::vector<uint8_t>> EncodeSt26(const St26& t, const TableContext& ctx) {
  RegisterWriter w(ctx);
  Value v = Value::Record({});
  Value& ls = v.Add("LIST_STATUS", Value::Record({}));
  ls.Add("ORDER", B(t.list_status.descending));
  ls.Add("OVERFLOW_FLAG", B(t.list_status.overflow));
  ls.Add("LIST_TYPE", B(t.list_status.circular));
  ls.Add("INHIBIT_OVERFLOW_FLAG", B(t.list_status.inhibit_overflow));
  v.Add("NBR_VALID_ENTRIES", U(t.nbr_valid_entries));
  v.Add("LAST_ENTRY_ELEMENT", U(t.last_entry_element));
  v.Add("LAST_ENTRY_SEQ_NBR", U(t.last_entry_seq_nbr));
  v.Add("NBR_UNREAD_ENTRIES", U(t.nbr_unread_entries));
  std::vector<Value> entries;
  for (const SelfRead& s : t.entries) {
    Value e = Value::Record({});
    if (s.seq_nbr) e.Add("SELF_READ_SEQ_NBR", U(*s.seq_nbr));
    e.Add("REGISTER_INFO", RegisterWriter::Info(s.info));
    e.Add("SELF_READ_REG_DATA", w.Data(s.data));
    entries.push_back(std::move(e));
  }
  v.Add("SELF_READ_ENTRIES", Value::Array(std::move(entries)));
  return Finish(ctx, kSt26, w, v);
}

// ---- ST27 / ST28 ----

Value ToValue(const St27& t) {
  Value v = Value::Record({});
  v.Add("PRESENT_DEMAND_SELECT", typed::Uints(t.present_demand_select));
  v.Add("PRESENT_VALUE_SELECT", typed::Uints(t.present_value_select));
  return v;
}

Result<St27> DecodeSt27(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St27>(ctx, kSt27, bytes, [](const Value& value, const TableContext&) -> Result<St27> {
    FieldReader r(value, "ST27");
    St27 t;
    t.present_demand_select = Bytes8(r.Uints("PRESENT_DEMAND_SELECT"));
    t.present_value_select = Bytes8(r.Uints("PRESENT_VALUE_SELECT"));
    return Checked(r, std::move(t));
  });
}
Result<std::vector<uint8_t>> EncodeSt27(const St27& t, const TableContext& ctx) { return EncodeTable(ctx, kSt27, ToValue(t)); }

Result<St28> DecodeSt28(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St28>(ctx, kSt28, bytes, [](const Value& value, const TableContext& c) -> Result<St28> {
    FieldReader r(value, "ST28");
    RegisterReader rr(c);
    auto demand_sel = Selects(c, kSt27, "PRESENT_DEMAND_SELECT");
    auto value_sel = Selects(c, kSt27, "PRESENT_VALUE_SELECT");
    St28 t;
    size_t i = 0;
    for (const Value* d : r.Items("PRESENT_DEMAND")) {
      FieldReader dr = r.Of(*d, "PRESENT_DEMAND");
      PresentDemand p;
      if (dr.Has("TIME_REMAINING")) p.time_remaining = dr.Time("TIME_REMAINING");
      if (const Value* dv = dr.Optional("DEMAND_VALUE")) p.value = rr.Q(dr, *dv, At(demand_sel, i));
      else dr.Fail("missing DEMAND_VALUE");
      ++i;
      t.present_demand.push_back(p);
    }
    i = 0;
    for (const Value* pv : r.Items("PRESENT_VALUE")) t.present_value.push_back(rr.Q(r, *pv, At(value_sel, i++)));
    return Checked(r, std::move(t));
  });
}

Result<std::vector<uint8_t>> EncodeSt28(const St28& t, const TableContext& ctx) {
  RegisterWriter w(ctx);
  auto demand_sel = Selects(ctx, kSt27, "PRESENT_DEMAND_SELECT");
  auto value_sel = Selects(ctx, kSt27, "PRESENT_VALUE_SELECT");
  Value v = Value::Record({});
  std::vector<Value> demands;
  for (size_t i = 0; i < t.present_demand.size(); ++i) {
    Value d = Value::Record({});
    if (t.present_demand[i].time_remaining) d.Add("TIME_REMAINING", Value::Time(*t.present_demand[i].time_remaining));
    d.Add("DEMAND_VALUE", w.N(t.present_demand[i].value, At(demand_sel, i)));
    demands.push_back(std::move(d));
  }
  v.Add("PRESENT_DEMAND", Value::Array(std::move(demands)));
  std::vector<Value> values;
  for (size_t i = 0; i < t.present_value.size(); ++i) values.push_back(w.N(t.present_value[i], At(value_sel, i)));
  v.Add("PRESENT_VALUE", Value::Array(std::move(values)));
  return Finish(ctx, kSt28, w, v);
}

}  // namespace meterd::codec::c1219
