// SPDX-License-Identifier: Apache-2.0
// C12.18 services: the input as a request, and (first byte = the request code it answers) the
// rest as a response. Never crash; every error names an offset; whatever decodes encodes back to
// the same bytes (one spelling per message).
#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/c1218/request.h"
#include "codec/c1218/response.h"

namespace {
void CheckError(const meterd::core::Error& e) {
  if (!std::string_view(e.message).starts_with("c1218: byte ") || !std::string_view(e.field).starts_with("offset ")) {
    __builtin_trap();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c1218 = meterd::codec::c1218;
  std::span<const uint8_t> bytes(data, size);
  if (auto request = c1218::DecodeRequest(bytes)) {
    auto again = c1218::EncodeRequest(*request);
    if (!again || !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();
    if (static_cast<uint8_t>(c1218::CodeOf(*request)) != bytes[0]) __builtin_trap();
  } else {
    CheckError(request.error());
  }
  if (size == 0) return 0;
  const auto code = static_cast<c1218::RequestCode>(data[0]);
  auto body = bytes.subspan(1);
  auto response = c1218::DecodeResponse(code, body);
  if (response) {
    auto again = c1218::EncodeResponse(*response);
    if (!again || !std::equal(again->begin(), again->end(), body.begin(), body.end())) __builtin_trap();
  } else if (response.error().field != "request") {
    CheckError(response.error());
  } else if (c1218::IsRequestCode(data[0]) &&
             c1218::RequestFamily(code) != c1218::RequestCode::kResolve &&
             c1218::RequestFamily(code) != c1218::RequestCode::kTrace &&
             c1218::RequestFamily(code) != c1218::RequestCode::kRegister) {
    __builtin_trap();  // "request" errors are only for non-codes and C12.22 network services
  }
  return 0;
}
