// SPDX-License-Identifier: Apache-2.0
// C12.19 table decode throughput on one core: ST23 (current registers: 4 summations, 2 demands
// with time and cumulative demand, 1 coincident value, total + 4 TOU tiers) and an ST64 load
// profile block of 1,000 intervals x 4 channels (UINT16 values, extended interval status), each
// through the typed API (TDL decode + conversion to structs with units) and through the generic
// TDL decoder alone. Prints MB/s and tables/s per CPU second of the one thread (CPU time, so that
// other load on a shared machine does not count against it).
// Usage: c1219_bench [seconds per case = 1]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "codec/c1219/tables.h"

using namespace meterd::codec::c1219;

namespace {

// One minimal meter type: the standard tables plus what the sources measure.
const char* kSources = R"(<tdl-fragment name="bench">
  <add>
    <source index="0" name="WH_DEL" unit="Wh"/><source index="1" name="WH_REC" unit="Wh"/>
    <source index="2" name="VARH_Q1" unit="varh"/><source index="3" name="VARH_Q4" unit="varh"/>
    <source index="5" name="W" unit="W"/><source index="6" name="V" unit="V" scale="-1"/>
  </add>
</tdl-fragment>)";

template <class T>
T Must(meterd::core::Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "c1219_bench: %s: %s\n", what, r.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*r);
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

void Run(const char* name, size_t table_bytes, double seconds, const std::function<bool()>& decode) {
  uint64_t n = 0;
  const double start = ThreadCpuSeconds();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int i = 0; i < 16; ++i) {
      if (!decode()) {
        std::fprintf(stderr, "c1219_bench: %s: decode failed\n", name);
        std::exit(1);
      }
    }
    n += 16;
    elapsed = ThreadCpuSeconds() - start;
  }
  std::printf("c1219_bench: %-34s %6zu bytes  %9.1f tables/s  %7.2f MB/s\n", name, table_bytes, n / elapsed,
              n * table_bytes / elapsed / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  Tdl tdl = Must(ParseTdlWithFragments(StandardTdlXml(), "standard.xml", {{kSources, "bench.xml"}}), "TDL");
  TableContext ctx(tdl);

  St0 st0;
  st0.format = FormatControl::FromBytes(std::vector<uint8_t>{0x02, 0x02, 0x78}).value();  // LSB, UINT8 times, INT32/INT24
  for (int id : {0, 1, 3, 21, 22, 23, 61, 62, 63, 64}) st0.UseTable(static_cast<TableId>(id));
  ctx.Put(kSt0, ToValue(st0));

  St21 st21;
  st21.date_time_field = st21.demand_reset_ctr = st21.cum_demand = true;
  st21.nbr_summations = 4;
  st21.nbr_demands = 2;
  st21.nbr_coin_values = 1;
  st21.nbr_occur = 1;
  st21.nbr_tiers = 4;
  ctx.Put(kSt21, ToValue(st21));
  ctx.Put(kSt22, ToValue(St22{{0, 1, 2, 3}, {5, 5}, BitSet{{0x03}}, {6}, {0}}));
  St23 st23;
  st23.nbr_demand_resets = 12;
  auto block = [](int64_t base) {
    DataBlock b;
    b.summations = {{base, 0, meterd::core::Unit::kWh}, {base / 9, 0, meterd::core::Unit::kWh},
                    {base / 3, 0, meterd::core::Unit::kVarh}, {base / 7, 0, meterd::core::Unit::kVarh}};
    for (int d = 0; d < 2; ++d) {
      b.demands.push_back(DemandRecord{{{2024, 3, 14, 18, 15, 0, 0}}, meterd::core::Quantity{base / 100, 0, meterd::core::Unit::kW},
                                       std::nullopt, {{4200 + d, 0, meterd::core::Unit::kW}}});
    }
    b.coincidents = {{{2301, -1, meterd::core::Unit::kV}}};
    return b;
  };
  st23.total = block(123456789);
  for (int t = 0; t < 4; ++t) st23.tiers.push_back(block(30864197 - t));
  std::vector<uint8_t> st23_bytes = Must(EncodeSt23(st23, ctx), "encode ST23");

  St61 st61;
  st61.extended_int_status = true;
  st61.lp_fmats = 0x02;
  st61.sets[0] = LpSetDims{1, 1000, 4, 15};
  ctx.Put(kSt61, ToValue(st61));
  St62 st62;
  st62.sets[0] = LpSetControl{{{false, 0, 0}, {false, 1, 1}, {false, 2, 2}, {false, 3, 3}}, 2, {}, {}};
  ctx.Put(kSt62, ToValue(st62));
  St64 st64;
  LpBlock b;
  b.end_time = {2024, 3, 15, 0, 0, 0, 0};
  b.end_readings.resize(4);
  for (int i = 0; i < 1000; ++i) {
    LpInterval in;
    in.status = IntervalStatus{i % 96 == 0, false, false, false, {0, 0, static_cast<uint8_t>(i == 500 ? 2 : 0), 0}, 0};
    in.values = {{i % 500, 0, meterd::core::Unit::kWh}, {i % 7, 0, meterd::core::Unit::kWh},
                 {i % 300, 0, meterd::core::Unit::kVarh}, {i % 11, 0, meterd::core::Unit::kVarh}};
    b.intervals.push_back(std::move(in));
  }
  st64.blocks.push_back(std::move(b));
  std::vector<uint8_t> st64_bytes = Must(EncodeSt64(st64, ctx), "encode ST64");

  std::printf("c1219_bench: one thread, %.1f CPU s per case\n", seconds);
  Run("ST23 typed (DecodeSt23)", st23_bytes.size(), seconds, [&] { return DecodeSt23(st23_bytes, ctx).has_value(); });
  Run("ST23 generic (DecodeTable)", st23_bytes.size(), seconds, [&] { return DecodeTable(ctx, kSt23, st23_bytes).has_value(); });
  Run("ST64 1,000 intervals typed", st64_bytes.size(), seconds, [&] { return DecodeSt64(st64_bytes, ctx).has_value(); });
  Run("ST64 1,000 intervals generic", st64_bytes.size(), seconds, [&] { return DecodeTable(ctx, kSt64, st64_bytes).has_value(); });
  Run("ST64 1,000 intervals typed encode", st64_bytes.size(), seconds, [&] { return EncodeSt64(st64, ctx).has_value(); });
  return 0;
}
