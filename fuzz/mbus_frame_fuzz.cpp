// SPDX-License-Identifier: Apache-2.0
// M-Bus link layer and application layer from raw bytes: never crashes or reads out of bounds;
// a frame that decodes encodes back to the same bytes; errors name an offset inside the input;
// every note lies inside the input.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "codec/mbus/frame.h"
#include "codec/mbus/user_data.h"

namespace {

using namespace meterd::codec::mbus;

void CheckError(const meterd::core::Error& e, size_t size) {
  if (e.message.empty() || !e.field.starts_with("offset ")) __builtin_trap();
  if (std::stoul(e.field.substr(7)) > size) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  CollectingExplainer explain;
  auto frame = DecodeFrame(bytes, &explain);
  if (!frame) {
    CheckError(frame.error(), size);
    if (!explain.notes().empty()) __builtin_trap();  // a frame that fails is not annotated
    return 0;
  }
  auto again = EncodeFrame(*frame);
  if (!again || again->size() != size ||
      !std::equal(again->begin(), again->end(), bytes.begin())) {
    __builtin_trap();
  }
  auto user = DecodeUserData(*frame, &explain);
  if (!user) {
    CheckError(user.error(), size);
  } else if (auto* v = std::get_if<VariableData>(&*user)) {
    for (const Record& r : v->records) (void)FormatValue(r.value, r.exponent);
  }
  for (const auto& n : explain.notes()) {
    if (n.offset + n.length > size || n.text.empty()) __builtin_trap();
  }
  return 0;
}
