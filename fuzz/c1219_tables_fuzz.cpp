// SPDX-License-Identifier: Apache-2.0
// Every typed C12.19 table decoder on the built-in standard TDL, with a fixed ST0 (the first
// input byte picks one of a few format controls) and fixed ST21/ST22/ST27/ST51/ST61/ST62/ST71 that
// size the others. The second byte picks the table; the rest is the table. Properties: no crash,
// errors always say where; what decodes encodes again and decodes to the same table; the generic
// decoder's tree encodes back to the very same bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "codec/c1219/tables.h"

using namespace meterd::codec::c1219;

namespace {

St0 FixedSt0(uint8_t variant) {
  // LSB/MSB, TM_FORMAT 1..4 and 0, NI formats incl. floats and characters, ones' complement.
  static const uint8_t kFormats[][3] = {{0x02, 0x02, 0x78}, {0x03, 0x01, 0x88}, {0x04, 0x03, 0x10},
                                        {0x03, 0x44, 0x4b}, {0x06, 0x00, 0x2d}, {0x02, 0x62, 0x5c}};
  const uint8_t* f = kFormats[variant % 6];
  St0 st0;
  st0.format = FormatControl::FromBytes(std::span<const uint8_t>(f, 3)).value();
  st0.max_proc_parm_length = 10;
  st0.max_resp_data_len = 8;
  st0.dim_mfg_status_used = 1;
  for (int id : {0, 1, 3, 5, 7, 8, 21, 22, 23, 24, 25, 26, 27, 28, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72, 73, 74,
                 75, 76}) {
    st0.UseTable(StdTable(static_cast<uint16_t>(id)));
  }
  st0.UseProcedure({10, false});
  return st0;
}

TableContext& Context(uint8_t variant) {
  static std::vector<TableContext>* contexts = [] {
    auto* all = new std::vector<TableContext>;
    for (uint8_t v = 0; v < 6; ++v) {
      TableContext ctx(StandardTdl());
      ctx.Put(kSt0, ToValue(FixedSt0(v)));
      St21 st21;
      st21.date_time_field = st21.demand_reset_ctr = st21.cum_demand = st21.time_remaining = true;
      st21.season_info_field = st21.self_read_seq_nbr = (v % 2) == 0;
      st21.nbr_self_reads = 2;
      st21.nbr_summations = 3;
      st21.nbr_demands = 2;
      st21.nbr_coin_values = 1;
      st21.nbr_occur = 2;
      st21.nbr_tiers = 2;
      st21.nbr_present_demands = 1;
      st21.nbr_present_values = 3;
      ctx.Put(kSt21, ToValue(st21));
      ctx.Put(kSt22, ToValue(St22{{0, 1, 2}, {5, 5}, BitSet{{0x01}}, {6}, {0}}));
      ctx.Put(kSt27, ToValue(St27{{5}, {6, 9, 12}}));
      St51 st51;
      st51.anchor_date = st51.cap_tm_zn_offset = true;
      st51.separate_sum_demands = v % 2;
      st51.nbr_seasons = 2;
      st51.nbr_special_sched = 1;
      st51.nbr_non_recurr_dates = 2;
      st51.nbr_recurr_dates = 1;
      st51.nbr_tier_switches = 4;
      ctx.Put(kSt51, ToValue(st51));
      St61 st61;
      st61.extended_int_status = true;
      st61.blk_end_read = st61.simple_int_status = (v % 3) == 0;
      st61.sets[0] = LpSetDims{2, 8, 3, 15};
      ctx.Put(kSt61, ToValue(st61));
      St62 st62;
      static const uint8_t kFmt[] = {2, 1, 4, 8, 16, 32, 64, 128};
      st62.sets[0] = LpSetControl{{{false, 0, 0}, {true, 2, 2}, {false, 6, 6}}, kFmt[v % 8], {}, {}};
      ctx.Put(kSt62, ToValue(st62));
      St71 st71;
      st71.event_number = st71.hist_date_time = st71.hist_seq_nbr = true;
      st71.nbr_std_events = 4;
      st71.nbr_mfg_events = 1;
      st71.hist_data_length = 2;
      st71.event_data_length = 3;
      st71.nbr_history_entries = 3;
      st71.nbr_event_entries = 3;
      st71.ext_log_flags = 0;
      st71.nbr_program_tables = 0;
      ctx.Put(kSt71, ToValue(st71));
      all->push_back(std::move(ctx));
    }
    return all;
  }();
  return (*contexts)[variant % 6];
}

template <class Decode, class Encode>
void Check(std::span<const uint8_t> bytes, const TableContext& ctx, Decode decode, Encode encode) {
  auto t = decode(bytes, ctx);
  if (!t) {
    if (t.error().message.empty() || t.error().field.empty()) __builtin_trap();
    return;
  }
  auto again = encode(*t, ctx);
  if (!again) __builtin_trap();
  auto back = decode(std::span<const uint8_t>(*again), ctx);
  if (!back || !(*back == *t)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const TableContext& ctx = Context(data[0]);
  std::span<const uint8_t> bytes(data + 2, size - 2);
  switch (data[1] % 30) {
    case 0: Check(bytes, ctx, DecodeSt0, EncodeSt0); break;
    case 1: Check(bytes, ctx, DecodeSt1, EncodeSt1); break;
    case 2: Check(bytes, ctx, DecodeSt3, EncodeSt3); break;
    case 3: Check(bytes, ctx, DecodeSt5, EncodeSt5); break;
    case 4: Check(bytes, ctx, DecodeSt7, EncodeSt7); break;
    case 5: Check(bytes, ctx, DecodeSt8, EncodeSt8); break;
    case 6: Check(bytes, ctx, DecodeSt21, EncodeSt21); break;
    case 7: Check(bytes, ctx, DecodeSt22, EncodeSt22); break;
    case 8: Check(bytes, ctx, DecodeSt23, EncodeSt23); break;
    case 9: Check(bytes, ctx, DecodeSt24, EncodeSt24); break;
    case 10: Check(bytes, ctx, DecodeSt25, EncodeSt25); break;
    case 11: Check(bytes, ctx, DecodeSt26, EncodeSt26); break;
    case 12: Check(bytes, ctx, DecodeSt27, EncodeSt27); break;
    case 13: Check(bytes, ctx, DecodeSt28, EncodeSt28); break;
    case 14: Check(bytes, ctx, DecodeSt51, EncodeSt51); break;
    case 15: Check(bytes, ctx, DecodeSt52, EncodeSt52); break;
    case 16: Check(bytes, ctx, DecodeSt53, EncodeSt53); break;
    case 17: Check(bytes, ctx, DecodeSt54, EncodeSt54); break;
    case 18: Check(bytes, ctx, DecodeSt55, EncodeSt55); break;
    case 19: Check(bytes, ctx, DecodeSt61, EncodeSt61); break;
    case 20: Check(bytes, ctx, DecodeSt62, EncodeSt62); break;
    case 21: Check(bytes, ctx, DecodeSt63, EncodeSt63); break;
    case 22: Check(bytes, ctx, DecodeSt64, EncodeSt64); break;
    case 23: Check(bytes, ctx, DecodeSt71, EncodeSt71); break;
    case 24: Check(bytes, ctx, DecodeSt72, EncodeSt72); break;
    case 25: Check(bytes, ctx, DecodeSt73, EncodeSt73); break;
    case 26: Check(bytes, ctx, DecodeSt74, EncodeSt74); break;
    case 27: Check(bytes, ctx, DecodeSt75, EncodeSt75); break;
    case 28: Check(bytes, ctx, DecodeSt76, EncodeSt76); break;
    default: {
      // The generic decoder on any table of the standard TDL: its tree re-encodes exactly when
      // no number format loses the bytes (floats lose -0, ones' complement loses -0).
      const auto& tables = StandardTdl().tables();
      const TableDef& def = tables[data[0] % tables.size()];
      auto v = DecodeTable(ctx, def.id, bytes);
      if (!v) {
        if (v.error().field.rfind("offset ", 0) != 0 && v.error().code != meterd::core::ErrorCode::kNotFound) __builtin_trap();
        return 0;
      }
      auto again = EncodeTable(ctx, def.id, *v);
      if (!again) __builtin_trap();
      const FormatControl& f = def.id == 0 ? FormatControl{} : ctx.format();
      bool exact = f.int_format == 0 && f.ni_format1 >= 4 && f.ni_format2 >= 4;
      if (exact && !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();
      break;
    }
  }
  return 0;
}
