// SPDX-License-Identifier: Apache-2.0
// C12.18 packets: never crash; every error names an offset; a packet that decodes encodes back
// to the same bytes. The input is also read as a stream of packets fed to the reassembler, and
// each message it completes is decoded as a request.
#include <cstdint>
#include <span>
#include <string_view>

#include "codec/c1218/packet.h"
#include "codec/c1218/reassembler.h"
#include "codec/c1218/request.h"

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
  if (auto packet = c1218::DecodePacket(bytes)) {
    auto again = c1218::EncodePacket(*packet);
    if (!again || !std::equal(again->begin(), again->end(), bytes.begin(), bytes.end())) __builtin_trap();
  } else {
    CheckError(packet.error());
  }
  c1218::Reassembler reassembler(4096);
  std::span<const uint8_t> rest = bytes;
  while (!rest.empty()) {
    if (rest[0] == c1218::kAck || rest[0] == c1218::kNak) {
      rest = rest.subspan(1);
      continue;
    }
    auto packet_size = c1218::PacketSize(rest);
    if (!packet_size) {
      CheckError(packet_size.error());
      break;
    }
    if (!*packet_size || **packet_size > rest.size()) break;
    auto packet = c1218::DecodePacket(rest.first(**packet_size));
    rest = rest.subspan(**packet_size);
    if (!packet) {
      CheckError(packet.error());
      continue;
    }
    auto outcome = reassembler.Push(*packet);
    if (!outcome) {
      CheckError(outcome.error());
      continue;
    }
    if (*outcome == c1218::Reassembler::Outcome::kComplete) {
      auto message = reassembler.TakeMessage();
      if (auto request = c1218::DecodeRequest(message); !request) CheckError(request.error());
    }
  }
  return 0;
}
