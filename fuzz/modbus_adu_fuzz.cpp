// SPDX-License-Identifier: Apache-2.0
// Modbus TCP ADU decoders: never crash; every error names an offset; whatever decodes encodes
// back to the same bytes (the format has one spelling for each message).
#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/modbus/adu.h"

namespace {
void CheckError(const meterd::core::Error& e) {
  if (e.message.empty() || !std::string_view(e.field).starts_with("offset ")) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace modbus = meterd::codec::modbus;
  std::span<const uint8_t> bytes(data, size);
  if (auto header = modbus::DecodeMbapHeader(bytes); !header) CheckError(header.error());
  if (auto request = modbus::DecodeReadRequest(bytes)) {
    auto again = modbus::EncodeReadRequest(*request);
    if (!again || !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();
  } else {
    CheckError(request.error());
  }
  if (auto response = modbus::DecodeResponse(bytes)) {
    auto again = modbus::EncodeResponse(*response);
    if (!again || !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();
  } else {
    CheckError(response.error());
  }
  return 0;
}
