// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// A small reader for classic libpcap files, for tests: Ethernet (with 802.1Q tags), Linux
// cooked capture v1/v2 and raw IP link types; IPv4 and IPv6 (skipping extension headers);
// TCP payloads reassembled per direction by sequence number, UDP datagrams as they are.
// Not a general tool: no pcapng, no IP fragments, no TCP retransmission with different bytes.
namespace meterd::codec::testing {

struct Flow {
  bool tcp = true;
  std::string src;  // "192.168.1.101" or "fe80::..." style text (not canonical IPv6; only compared)
  std::string dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  // TCP: the reassembled byte stream of this direction; UDP: one datagram.
  std::vector<uint8_t> payload;
  size_t first_packet = 0;  // index of the packet that carried the first payload byte
};

// The flows of `path` in the order their first payload appeared. On a format error returns an
// empty vector and sets `error`.
std::vector<Flow> ReadFlows(const std::string& path, std::string& error);

}  // namespace meterd::codec::testing
