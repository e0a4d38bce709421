// SPDX-License-Identifier: Apache-2.0
#include "codec/c1219/log_tables.h"

#include <gtest/gtest.h>

#include "codec/c1219/general_tables.h"
#include "codec/c1219/standard_tdl.h"
#include "test_util.h"

namespace meterd::codec::c1219 {
namespace {

using testing::RoundTrip;
using testing::SimSt0;
using testing::ToHex;

St71 Dims() {
  St71 t;
  t.event_number = true;
  t.hist_date_time = true;
  t.hist_seq_nbr = true;
  t.nbr_std_events = 8;
  t.nbr_mfg_events = 1;
  t.hist_data_length = 2;
  t.event_data_length = 4;
  t.nbr_history_entries = 2;
  t.nbr_event_entries = 2;
  t.ext_log_flags = 0;
  t.nbr_program_tables = 0;
  return t;
}

TableContext Context() {
  TableContext ctx(StandardTdl());
  ctx.Put(0, ToValue(SimSt0()));
  ctx.Put(kSt71, ToValue(Dims()));
  return ctx;
}

TEST(C1219St71, VersionTwoAddsItsFields) {
  TableContext ctx = Context();
  EXPECT_EQ(ToHex(RoundTrip(Dims(), ctx, EncodeSt71, DecodeSt71)), "07 08 01 02 04 02 00 02 00 00 00 00");
  St0 v1 = SimSt0();
  v1.std_version_no = 1;
  ctx.Put(0, ToValue(v1));
  St71 old = Dims();
  old.ext_log_flags.reset();
  old.nbr_program_tables.reset();
  EXPECT_EQ(RoundTrip(old, ctx, EncodeSt71, DecodeSt71).size(), 9u);
}

TEST(C1219St72St73St75, EventSets) {
  TableContext ctx = Context();
  St72 st72;
  for (int code : {1, 2, 3, 4, 20, 47}) st72.std_events_supported.Assign(code, true);
  st72.mfg_events_supported.Assign(2, true);
  EXPECT_EQ(ToHex(RoundTrip(st72, ctx, EncodeSt72, DecodeSt72)), "1e 00 10 00 00 80 00 00 04");
  EXPECT_EQ(StdEventName(1), "Primary Power Down");
  EXPECT_EQ(StdEventName(47), "Tamper Attempt Detected");
  LogControl ctl;
  ctl.std_events_monitored = st72.std_events_supported;
  ctl.std_tbls_monitored.Assign(52, true);
  ctl.mfg_proc_monitored.Assign(1, true);
  auto bytes = RoundTrip(ctl, ctx, EncodeSt73, DecodeSt73);
  EXPECT_EQ(bytes.size(), 8u + 1 + 10 + 1 + 2 + 1);
  EXPECT_EQ(RoundTrip(ctl, ctx, EncodeSt75, DecodeSt75), bytes);
}

TEST(C1219St74St76, LogEntries) {
  TableContext ctx = Context();
  St74 hist;
  hist.header = LogHeader{ListStatus{false, false, true, false}, 2, 1, 77, 2};
  hist.entries = {HistoryEntry{TimeDate{2024, 3, 15, 12, 30, 5, 0}, uint16_t{10}, uint16_t{76}, 2, LogCode{10, false, 0}, {0x34, 0x00}},
                  HistoryEntry{TimeDate{2024, 3, 15, 12, 31, 0, 0}, uint16_t{11}, uint16_t{77}, 0, LogCode{1, true, 0}, {0x01, 0x00}}};
  auto bytes = RoundTrip(hist, ctx, EncodeSt74, DecodeSt74);
  EXPECT_EQ(ToHex({bytes.begin(), bytes.begin() + 27}),
            "04 02 00 01 00 4d 00 00 00 02 00 18 03 0f 0c 1e 05 0a 00 4c 00 02 00 0a 00 34 00");
  St76 events;
  events.header = LogHeader{ListStatus{false, true, true, false}, 2, 0, 5, 1};
  events.entries = {EventEntry{TimeDate{2024, 3, 15, 12, 30, 5, 0}, uint16_t{10}, 4, 2, LogCode{47, false, 0}, {1, 2, 3, 4}},
                    EventEntry{TimeDate{2024, 3, 15, 12, 40, 0, 0}, uint16_t{12}, 5, 0, LogCode{3, true, 0}, {0, 0, 0, 0}}};
  bytes = RoundTrip(events, ctx, EncodeSt76, DecodeSt76);
  EXPECT_EQ(bytes.size(), 11u + 2 * (6 + 2 + 2 + 2 + 2 + 4));
  // Without EVENT_NUMBER_FLAG the entries are two bytes shorter.
  St71 dims = Dims();
  dims.event_number = false;
  ctx.Put(kSt71, ToValue(dims));
  for (auto& e : events.entries) e.event_number.reset();
  EXPECT_EQ(RoundTrip(events, ctx, EncodeSt76, DecodeSt76).size(), 11u + 2 * (6 + 2 + 2 + 2 + 4));
}

}  // namespace
}  // namespace meterd::codec::c1219
