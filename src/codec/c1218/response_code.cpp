// SPDX-License-Identifier: Apache-2.0
#include "codec/c1218/response_code.h"

#include <array>

namespace meterd::codec::c1218 {
namespace {

struct Names {
  std::string_view abbreviation;
  std::string_view name;
};

constexpr std::array<Names, kMaxResponseCode + 1> kNames{{
    {"ok", "acknowledge"},
    {"err", "error"},
    {"sns", "service not supported"},
    {"isc", "insufficient security clearance"},
    {"onp", "operation not possible"},
    {"iar", "inappropriate action requested"},
    {"bsy", "device busy"},
    {"dnr", "data not ready"},
    {"dlk", "data locked"},
    {"rno", "renegotiate request"},
    {"isss", "invalid service sequence state"},
    {"sme", "security mechanism error"},
    {"uat", "unknown application title"},
    {"nett", "network time-out"},
    {"netr", "network not reachable"},
    {"rqtl", "request too large"},
    {"rstl", "response too large"},
    {"sgnp", "segmentation not possible"},
    {"sgerr", "segmentation error"},
}};

}  // namespace

std::string_view ResponseCodeAbbreviation(ResponseCode code) {
  const auto i = static_cast<uint8_t>(code);
  return i <= kMaxResponseCode ? kNames[i].abbreviation : "reserved";
}

std::string_view ResponseCodeName(ResponseCode code) {
  const auto i = static_cast<uint8_t>(code);
  return i <= kMaxResponseCode ? kNames[i].name : "reserved";
}

ResponseAction ActionFor(ResponseCode code) {
  switch (code) {
    case ResponseCode::kOk: return ResponseAction::kSuccess;
    case ResponseCode::kBsy:
    case ResponseCode::kDnr: return ResponseAction::kRetryLater;
    case ResponseCode::kRno: return ResponseAction::kRenegotiate;
    default: return ResponseAction::kFail;
  }
}

}  // namespace meterd::codec::c1218
