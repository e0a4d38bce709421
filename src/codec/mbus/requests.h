// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>

#include "codec/mbus/frame.h"
#include "codec/mbus/secondary_address.h"

// The master's requests (EN 13757-2 §5, EN 13757-3 §6 and §11), as Frames for EncodeFrame.
namespace meterd::codec::mbus {

inline constexpr uint8_t kCiApplicationReset = 0x50;
inline constexpr uint8_t kCiDataSend = 0x51;
inline constexpr uint8_t kCiSelectSecondary = 0x52;

// SND_NKE (C=40): resets the slave's link layer; the next REQ_UD2 should carry FCB=1.
Frame SndNke(uint8_t address);

// REQ_UD2 (C=5B with FCB=0, 7B with FCB=1): asks for class 2 data (a RSP_UD). Use FcbSequence
// for the bit: a slave repeats its last answer when the FCB did not toggle.
Frame ReqUd2(uint8_t address, bool fcb);

// SND_UD (C=53/73) to address FD with CI 52 and the 8-byte mask: selects the slave(s) matching it.
Frame SelectSecondary(const SecondaryAddress& mask, bool fcb = false);

// SND_UD with CI 50 (application reset), with the optional subcode byte of EN 13757-3 §11.4.
// Without a subcode this is a control frame.
Frame ApplicationReset(uint8_t address, std::optional<uint8_t> subcode = std::nullopt, bool fcb = false);

// The FCB a master sends to one slave: it alternates on every new request and starts at 1 after
// SND_NKE (EN 13757-2 §5.4.3). Repeat a request after a timeout with Current(), not Next().
class FcbSequence {
 public:
  // The bit for the next new request.
  bool Next() {
    current_ = !current_;
    return current_;
  }
  bool Current() const { return current_; }
  // After SND_NKE.
  void Reset() { current_ = false; }

 private:
  bool current_ = false;  // so that the first Next() is 1
};

}  // namespace meterd::codec::mbus
