// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/tables.h"
#include "core/error.h"
#include "device/c1222_meter_model.h"

// The C12.19 tables of the simulated electricity meter: a meter type (the built-in standard
// tables merged with meters/c1219/meterd-sim.xml, and the fixed configuration tables for the
// single- and three-phase variants) and the bytes of every table as a meter's state shows them.
// Every table is encoded by the c1219 codec from the merged TDL, so what a head-end decodes with
// the same TDL is exactly what the meter holds. Table list and layout: docs/device.md
// ("C12.22 meter").
namespace meterd::device {

// Sizes of the variable tables (the same for every meter of a simulator).
struct C1222TableLimits {
  int lp_days = 8;             // ST64 blocks of one day (96 x 15 minutes, 4 channels)
  int self_reads = 7;          // ST26 daily self reads
  int event_entries = 32;      // ST76
  int history_entries = 16;    // ST74
};

// Who may do what (user levels, see C1222User in c1222_meter_sim.h).
enum class C1222Access : uint8_t {
  kPublic = 0,    // no password: identification tables only
  kReader = 1,    // every table; ST7 writes, but procedures answer "no authorization"
  kOperator = 2,  // and the procedures (relay control MP1, SP9 demand reset, SP10 set time)
  kMaster = 3,    // and writes of ST5, ST53, ST54, ST73, ST75
};

// One meter's state beyond its metrology: what the tables show about the device itself.
struct C1222MeterState {
  C1222MeterState(C1222MeterModel m, std::string serial_number)
      : model(std::move(m)), serial(std::move(serial_number)), identification(serial) {
    time_offset.dst_time_eff.hour = 2;
    time_offset.dst_time_amt_minutes = 60;
    time_offset.time_zone_offset_minutes = 0;
  }

  C1222MeterModel model;
  std::string serial;          // ST1 MFG_SERIAL_NUMBER (16 characters, space padded)
  std::string identification;  // ST5 IDENTIFICATION (20 characters, writable)
  codec::c1219::St7 last_call;        // ST7 as last written
  codec::c1219::St8 last_response;    // ST8
  codec::c1219::St53 time_offset;     // ST53 as written; TIME_ZONE_OFFSET and DST_TIME_AMT live in the model

  // ST64, the largest table, by block as last encoded: (block sequence number x 256 + valid
  // intervals + 1, bytes) per ring element. Only the newest block changes when an interval closes.
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> lp_block_cache;
};

class C1222MeterTables {
 public:
  // Merges `fragment_xml` (a <tdl-fragment> over the standard tables, as meterd-sim.xml) and
  // builds the fixed tables. Fails when the fragment does not merge or lacks what the meter
  // serves (sources 0..13, MT0..MT2, MP1).
  static core::Result<std::unique_ptr<C1222MeterTables>> Create(std::string_view fragment_xml,
                                                                std::string_view source,
                                                                const C1222TableLimits& limits = {});
  // Reads the fragment from a file (normally meters/c1219/meterd-sim.xml).
  static core::Result<std::unique_ptr<C1222MeterTables>> Load(const std::string& path,
                                                              const C1222TableLimits& limits = {});

  const codec::c1219::Tdl& tdl() const { return *tdl_; }
  const C1222TableLimits& limits() const { return limits_; }
  // The decoding context of a meter with `phases` phases (1 or 3): ST0, ST21, ST22, ST27, ST51,
  // ST61, ST62, ST71 and MT0 in it. What a head-end builds from reading those tables.
  const codec::c1219::TableContext& context(int phases) const;
  const codec::c1219::St0& st0() const { return st0_; }

  bool Used(codec::c1219::TableId id) const { return st0_.TableUsed(id); }
  bool Writable(codec::c1219::TableId id) const { return st0_.TableWritable(id); }
  static C1222Access ReadAccess(codec::c1219::TableId id);
  static C1222Access WriteAccess(codec::c1219::TableId id);

  // The whole table as the meter serves it now. kNotFound for a table ST0 does not list.
  core::Result<std::vector<uint8_t>> Read(C1222MeterState& meter, codec::c1219::TableId id) const;

  // Bytes [offset, offset + count) of the table (a partial read by offset); kOutOfRange past its
  // end. ST64 encodes only the blocks the range touches.
  core::Result<std::vector<uint8_t>> ReadRange(C1222MeterState& meter, codec::c1219::TableId id, uint32_t offset,
                                               uint16_t count) const;

  // Applies a whole table written by a client (ST5, ST53, ST54, ST73, ST75; ST7 is a procedure
  // call, see c1222_meter_services.h). kInvalidArgument when the bytes do not decode or hold
  // something the meter refuses (a tier switch off the quarter hour, a tier above 1), with the
  // reason; kPermissionDenied for a table that is not writable.
  core::Result<void> Write(C1222MeterState& meter, codec::c1219::TableId id, std::span<const uint8_t> bytes) const;

  // ST7 bytes as a client wrote them: the codec's St7, with PARM taken as sent and padded
  // (clients often send only the parameters their procedure needs).
  core::Result<codec::c1219::St7> DecodeCall(int phases, std::span<const uint8_t> bytes) const;

 private:
  struct Variant {  // one per phase count
    std::unique_ptr<codec::c1219::TableContext> ctx;
    // ctx with ST61 saying one block: encodes one ST64 block (ST64 is its blocks back to back).
    std::unique_ptr<codec::c1219::TableContext> one_block;
    size_t lp_block_size = 0;
    std::vector<std::pair<codec::c1219::TableId, std::vector<uint8_t>>> fixed;  // bytes of fixed tables
  };

  C1222MeterTables() = default;
  core::Result<void> Build(int phases, Variant& v);
  const Variant& VariantOf(int phases) const { return phases == 1 ? single_ : three_; }
  // ST64 blocks [first, last) of the ring.
  core::Result<std::vector<uint8_t>> LoadProfile(C1222MeterState& meter, const Variant& v, size_t first,
                                                 size_t last) const;
  core::Result<std::vector<uint8_t>> Dynamic(C1222MeterState& meter, const Variant& v, codec::c1219::TableId id) const;

  std::unique_ptr<codec::c1219::Tdl> tdl_;
  C1222TableLimits limits_;
  codec::c1219::St0 st0_;
  Variant single_, three_;
};

}  // namespace meterd::device
