// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

// Appending JSON tokens to a string, for the encoders. Internal to the codec.
namespace meterd::codec::acq::internal {

// A JSON string literal. Bytes that are not valid UTF-8 are written as '?' (one byte for one, so
// length limits still hold), because the decoder, like any strict JSON parser, rejects them.
void AppendString(std::string& out, std::string_view text);
void AppendUint(std::string& out, uint64_t n);
void AppendInt(std::string& out, int64_t n);
inline void AppendBool(std::string& out, bool b) { out += b ? "true" : "false"; }
// A quoted RFC 3339 UTC timestamp, "2026-11-21T10:15:00Z".
void AppendInstant(std::string& out, core::Instant t);

}  // namespace meterd::codec::acq::internal
