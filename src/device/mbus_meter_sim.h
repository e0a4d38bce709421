// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/mbus/secondary_address.h"
#include "codec/mbus/variable_data.h"
#include "core/time.h"
#include "device/load_profile.h"

// One simulated wired M-Bus slave (EN 13757-2 link layer, EN 13757-3 variable data): the
// registers of a water, warm water, heat, gas or electricity meter growing with a LoadProfile,
// and the link-layer state a real slave keeps (FCB, selection, access number, telegram
// sequence). MbusBusSim puts many of these behind one simulated converter; docs/headend-mbus.md
// lists the records each kind sends. Not thread-safe: the bus serialises calls.
namespace meterd::device {

enum class MbusMeterKind : uint8_t { kWater, kWarmWater, kHeat, kGas, kElectricity };

std::string_view MbusMeterKindName(MbusMeterKind kind);  // "water", "warm_water", ...
// The medium byte of the header (EN 13757-3 table 3): 07, 06, 04, 03, 02.
uint8_t MbusMediumByte(MbusMeterKind kind);

struct MbusMeterConfig {
  MbusMeterKind kind = MbusMeterKind::kWater;
  uint8_t primary_address = 1;  // 0 (unconfigured) .. 250
  uint32_t id = 0;              // identification number as on the label, 0..99999999
  std::string manufacturer;     // three letters; empty: one per kind (SEN, SEN, KAM, ELS, EMH)
  uint8_t version = 1;
  uint64_t seed = 1;           // load profile and starting registers
  bool two_telegrams = false;  // answer in two RSP_UDs: the first ends with DIF 1Fh
  bool energy_in_kj = false;   // heat: the energy register in kJ (VIF 0Bh), not Wh (VIF 03h)
  uint16_t error_flags = 0;    // FD 17 record; non-zero also sets status bit 4
};

// What the meter's next answer reports: exact integers in the units it sends them in.
struct MbusMeterRegisters {
  uint8_t access_number = 0;  // of the next answer
  int64_t energy_wh = 0;      // heat (unless energy_in_kj) and electricity; heat: floor of the exact value
  int64_t energy_kj = 0;      // heat with energy_in_kj
  int64_t energy_t1_wh = 0;   // electricity, tariff 1 (07:00-22:00 UTC) and 2 (the rest)
  int64_t energy_t2_wh = 0;
  int64_t volume_l = 0;                   // water, warm water, gas, heat (the circuit's volume)
  int64_t power_w = 0;                    // heat, electricity: mean over the last advance
  int64_t volume_flow_l_h = 0;            // water, warm water, gas, heat: mean over the last advance
  int64_t flow_temperature_dc = 0;        // heat, 0.1 °C
  int64_t return_temperature_dc = 0;      // heat, 0.1 °C
  int64_t temperature_difference_ck = 0;  // heat, 0.01 K: flow minus return
  int64_t due_day_value = 0;              // storage 1: the main register (volume_l, energy_wh or energy_kj) ...
  core::CivilDate due_day{};              // ... at 00:00 UTC of this day, the first of the month
  core::Instant now{};                    // the meter's clock
  uint16_t error_flags = 0;
  uint32_t fabrication_number = 0;
};

class MbusMeterSim {
 public:
  MbusMeterSim(const MbusMeterConfig& config, core::Instant start);

  const MbusMeterConfig& config() const { return config_; }
  uint8_t primary_address() const { return config_.primary_address; }
  // id, manufacturer, version and medium, no wildcards.
  codec::mbus::SecondaryAddress secondary_address() const;
  const MbusMeterRegisters& registers() const { return registers_; }
  void set_error_flags(uint16_t flags) { registers_.error_flags = flags; }

  // Registers grow with the load profile over [now, to); nothing happens if `to` is not later.
  void AdvanceTo(core::Instant to);

  // The telegrams of the next answer(s) as they would be sent now (one, or two with DIF 1Fh).
  std::vector<codec::mbus::VariableData> Telegrams() const;

  // The link layer. Each returns the bytes the slave puts on the bus (empty: it stays silent).
  // SND_NKE: E5; resets the FCB and the telegram sequence; `deselect` when it came to FDh.
  std::vector<uint8_t> OnSndNke(bool deselect);
  // REQ_UD2 with C field `control`: a RSP_UD. When FCV is set and the FCB equals the last one
  // this slave saw, it repeats its last answer byte for byte (EN 13757-2 §5.4.3: the master did
  // not get it); otherwise it sends the next telegram with the next access number.
  std::vector<uint8_t> OnReqUd2(uint8_t control);
  // SND_UD with CI 52h to FDh: selected if every non-wildcard part of `mask` matches, else
  // deselected. A match answers E5 and counts as the FCB of `control`.
  std::vector<uint8_t> OnSelect(const codec::mbus::SecondaryAddress& mask, uint8_t control);
  // SND_UD with CI 50h (application reset): E5; the next answer starts at telegram 1.
  std::vector<uint8_t> OnApplicationReset();
  bool selected() const { return selected_; }

  bool Matches(const codec::mbus::SecondaryAddress& mask) const;

 private:
  void Consume(core::Instant from, core::Instant to);
  int64_t MainRegister() const;
  std::vector<codec::mbus::Record> Records() const;

  MbusMeterConfig config_;
  uint16_t manufacturer_field_ = 0;
  LoadProfile profile_;
  MbusMeterRegisters registers_;
  int64_t heat_e5_wh_ = 0;  // heat energy in 1e-5 Wh, exact; energy_wh and energy_kj are its floors

  // Link layer.
  bool selected_ = false;
  bool last_fcb_ = false;
  std::vector<uint8_t> last_answer_;  // empty after SND_NKE, a selection or an application reset
  size_t next_telegram_ = 0;
};

}  // namespace meterd::device
