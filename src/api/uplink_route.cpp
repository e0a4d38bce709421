// SPDX-License-Identifier: Apache-2.0
// The acquisition-device uplink (docs/formats/acq.md): decode, ingest with group commit,
// answer with the acknowledged sequence and pending commands.
#include <fmt/format.h>

#include "api/api.h"
#include "codec/acq/uplink.h"

namespace meterd::api {
namespace {

Response Uplink(Api& api, Request& req, const RouteParams& params, const Caller& caller) {
  auto up = codec::acq::DecodeUplink(req.body);
  if (!up) return ErrorResponse(up.error());
  if (up->device != params.Get("id")) {
    return ErrorResponse(core::Error::Invalid(
        fmt::format("uplink for device '{}' posted to device '{}'", up->device, params.Get("id")), "device"));
  }
  core::Instant now = api.clock();
  auto reply = api.ingest().Ingest(std::move(*up), now, caller.enrolling ? caller.token_hash : std::string());
  if (!reply) return ErrorResponse(reply.error());
  codec::acq::Downlink down;
  down.ack_seq = reply->ack_seq;
  down.server_time = now;
  down.commands = std::move(reply->downlink);
  return Json(200, codec::acq::EncodeDownlink(down));
}

}  // namespace

void AddUplinkRoutes(std::vector<Route>& routes) {
  using P = security::Permission;
  routes.push_back({"POST", "/api/v1/devices/{id}/uplink", Access::kDevice, P::kSelf, Scope::kDeviceParam,
                    "Device uplink: batched messages in, acknowledgement and commands out", Uplink});
}

}  // namespace meterd::api
