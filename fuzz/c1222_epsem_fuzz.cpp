// SPDX-License-Identifier: Apache-2.0
// C12.22 EPSEM and the services in it: never crash; every error names an offset; the EPSEM and
// every service that decodes encode back to the same bytes.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/c1222/epsem.h"
#include "codec/c1222/service.h"

namespace {
void CheckError(const meterd::core::Error& e) {
  const std::string_view m(e.message);
  if (!(m.starts_with("c1222: byte ") || m.starts_with("c1218: byte ")) ||
      !std::string_view(e.field).starts_with("offset ")) {
    __builtin_trap();
  }
}

template <class T>
bool Same(const T& encoded, std::span<const uint8_t> bytes) {
  return encoded && std::equal(encoded->begin(), encoded->end(), bytes.begin(), bytes.end());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace c1222 = meterd::codec::c1222;
  using c1222::RequestCode;
  std::span<const uint8_t> bytes(data, size);
  auto epsem = c1222::DecodeEpsem(bytes);
  if (!epsem) {
    CheckError(epsem.error());
    return 0;
  }
  if (!Same(c1222::EncodeEpsem(*epsem), bytes)) __builtin_trap();
  // Responses are read as answers to the request families whose bodies differ.
  static constexpr RequestCode kAnswers[] = {
      RequestCode::kIdentify, RequestCode::kFullRead,  RequestCode::kLogon,   RequestCode::kNegotiate,
      RequestCode::kWait,     RequestCode::kRegister,  RequestCode::kResolve, RequestCode::kTrace,
      RequestCode::kTimingSetup, RequestCode::kAuthenticate,
  };
  for (const auto& service : epsem->services) {
    if (auto request = c1222::DecodeServiceRequest(service)) {
      if (!Same(c1222::EncodeServiceRequest(*request), service)) __builtin_trap();
    } else {
      CheckError(request.error());
    }
    for (RequestCode code : kAnswers) {
      if (auto response = c1222::DecodeServiceResponse(code, service)) {
        if (!Same(c1222::EncodeServiceResponse(*response), service)) __builtin_trap();
      } else {
        CheckError(response.error());
      }
    }
  }
  return 0;
}
