// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "codec/mbus/explainer.h"
#include "codec/mbus/fixed_data.h"
#include "codec/mbus/frame.h"
#include "codec/mbus/variable_data.h"
#include "core/error.h"

// The application layer of a slave's answer, chosen by the CI field (EN 13757-3 §5).
namespace meterd::codec::mbus {

inline constexpr uint8_t kCiApplicationError = 0x70;
inline constexpr uint8_t kCiVariableData = 0x72;         // long header, LSB first
inline constexpr uint8_t kCiFixedData = 0x73;
inline constexpr uint8_t kCiVariableDataMsbFirst = 0x76;  // long header, MSB first (mode 2)
inline constexpr uint8_t kCiFixedDataMsbFirst = 0x77;
inline constexpr uint8_t kCiVariableDataNoHeader = 0x78;
inline constexpr uint8_t kCiVariableDataShortHeader = 0x7A;

using UserData = std::variant<VariableData, FixedData>;

// The general application errors of EN 13757-3 §6.6 (CI 70h): "Application busy", ...
std::string ApplicationErrorName(uint8_t code);

// A RSP_UD (long frame, C = 08/18/28/38). Offsets in errors and notes count from the frame's
// first byte. CI 70h (the meter reports an application error) gives an Error with code
// kUnavailable whose message names the error; other CI values give kInvalidArgument.
core::Result<UserData> DecodeUserData(const Frame& frame, Explainer* explain = nullptr);

// The same from the CI and the bytes after it, for data that did not come in a Frame. `origin`
// is the offset of data[0].
core::Result<UserData> DecodeApplicationData(uint8_t ci, std::span<const uint8_t> data, Explainer* explain = nullptr,
                                             size_t origin = 0);

}  // namespace meterd::codec::mbus
