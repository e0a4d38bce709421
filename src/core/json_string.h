// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace meterd::core {

// Appends `text` as a JSON string literal, quotes included. Bytes that are not valid UTF-8 are
// written as '?' (one byte for one, so length limits still hold), because a strict JSON parser
// rejects them. For the few places that write JSON without a JSON library (the acq encoder, the
// store's json_each arguments, audit details).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace meterd::core
