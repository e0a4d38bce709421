// SPDX-License-Identifier: Apache-2.0
#include "pcap_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <span>
#include <tuple>

namespace meterd::codec::testing {
namespace {

uint16_t Be16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
uint32_t Be32(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint32_t>(b[at]) << 24 | static_cast<uint32_t>(b[at + 1]) << 16 |
         static_cast<uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

struct Segment {
  uint32_t seq = 0;
  std::vector<uint8_t> data;
};

struct Direction {
  Flow flow;
  std::vector<Segment> segments;
  bool have_isn = false;
  uint32_t isn = 0;  // first payload sequence number (SYN + 1), when a SYN was seen
};

using Key = std::tuple<bool, std::string, uint16_t, std::string, uint16_t>;

std::string Ipv4Text(std::span<const uint8_t> b) { return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]); }
std::string Ipv6Text(std::span<const uint8_t> b) {
  std::string out;
  for (size_t i = 0; i < 16; i += 2) out += fmt::format("{}{:x}", i ? ":" : "", Be16(b, i));
  return out;
}

// Transport payload after the IP header: protocol, source, destination, bytes.
bool ParseIp(std::span<const uint8_t> ip, uint8_t& protocol, std::string& src, std::string& dst,
             std::span<const uint8_t>& transport) {
  if (ip.empty()) return false;
  const int version = ip[0] >> 4;
  if (version == 4) {
    if (ip.size() < 20) return false;
    const size_t ihl = (ip[0] & 0x0F) * 4u;
    const size_t total = Be16(ip, 2);
    if (ihl < 20 || total < ihl || total > ip.size()) return false;
    if ((Be16(ip, 6) & 0x3FFF) != 0) return false;  // fragment
    protocol = ip[9];
    src = Ipv4Text(ip.subspan(12, 4));
    dst = Ipv4Text(ip.subspan(16, 4));
    transport = ip.subspan(ihl, total - ihl);
    return true;
  }
  if (version == 6) {
    if (ip.size() < 40) return false;
    const size_t payload = Be16(ip, 4);
    if (40 + payload > ip.size()) return false;
    src = Ipv6Text(ip.subspan(8, 16));
    dst = Ipv6Text(ip.subspan(24, 16));
    uint8_t next = ip[6];
    std::span<const uint8_t> rest = ip.subspan(40, payload);
    while (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (rest.size() < 8) return false;
      const size_t len = (rest[1] + 1u) * 8u;
      if (len > rest.size()) return false;
      next = rest[0];
      rest = rest.subspan(len);
    }
    if (next == 44) return false;  // fragment
    protocol = next;
    transport = rest;
    return true;
  }
  return false;
}

}  // namespace

std::vector<Flow> ReadFlows(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open " + path;
    return {};
  }
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 24) {
    error = "shorter than a pcap header";
    return {};
  }
  const uint32_t magic = Be32(file, 0);
  bool swap = false;
  if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
    swap = false;
  } else if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1) {
    swap = true;
  } else {
    error = fmt::format("not a classic pcap file (magic {:08x})", magic);
    return {};
  }
  auto u32 = [&](size_t at) {
    uint32_t v = Be32(file, at);
    return swap ? __builtin_bswap32(v) : v;
  };
  const uint32_t link = u32(20) & 0x0FFFFFFF;
  std::map<Key, size_t> index;
  std::vector<Direction> directions;
  size_t at = 24;
  for (size_t packet = 0; at + 16 <= file.size(); ++packet) {
    const size_t caplen = u32(at + 8);
    at += 16;
    if (at + caplen > file.size()) {
      error = fmt::format("packet {} truncated", packet);
      return {};
    }
    std::span<const uint8_t> frame(file.data() + at, caplen);
    at += caplen;
    std::span<const uint8_t> ip;
    if (link == 1) {  // Ethernet
      if (frame.size() < 14) continue;
      size_t off = 12;
      uint16_t type = Be16(frame, off);
      while ((type == 0x8100 || type == 0x88A8) && frame.size() >= off + 6) {
        off += 4;
        type = Be16(frame, off);
      }
      if (type != 0x0800 && type != 0x86DD) continue;
      ip = frame.subspan(off + 2);
    } else if (link == 113) {  // Linux cooked v1
      if (frame.size() < 16) continue;
      const uint16_t type = Be16(frame, 14);
      if (type != 0x0800 && type != 0x86DD) continue;
      ip = frame.subspan(16);
    } else if (link == 276) {  // Linux cooked v2
      if (frame.size() < 20) continue;
      const uint16_t type = Be16(frame, 0);
      if (type != 0x0800 && type != 0x86DD) continue;
      ip = frame.subspan(20);
    } else if (link == 101 || link == 12 || link == 228 || link == 229) {  // raw IP
      ip = frame;
    } else {
      error = fmt::format("unsupported link type {}", link);
      return {};
    }
    uint8_t protocol = 0;
    std::string src, dst;
    std::span<const uint8_t> transport;
    if (!ParseIp(ip, protocol, src, dst, transport)) continue;
    if (protocol == 6) {
      if (transport.size() < 20) continue;
      const size_t data_offset = (transport[12] >> 4) * 4u;
      if (data_offset < 20 || data_offset > transport.size()) continue;
      Key key{true, src, Be16(transport, 0), dst, Be16(transport, 2)};
      auto [it, added] = index.try_emplace(key, directions.size());
      if (added) {
        directions.emplace_back();
        directions.back().flow = Flow{true, src, dst, Be16(transport, 0), Be16(transport, 2), {}, packet};
      }
      Direction& d = directions[it->second];
      const uint32_t seq = Be32(transport, 4);
      if (transport[13] & 0x02) {  // SYN
        d.have_isn = true;
        d.isn = seq + 1;
      }
      auto data = transport.subspan(data_offset);
      if (!data.empty()) {
        if (d.segments.empty()) d.flow.first_packet = packet;
        d.segments.push_back({seq, {data.begin(), data.end()}});
      }
    } else if (protocol == 17) {
      if (transport.size() < 8) continue;
      const size_t length = Be16(transport, 4);
      if (length < 8 || length > transport.size()) continue;
      Direction d;
      d.flow = Flow{false, src, dst, Be16(transport, 0), Be16(transport, 2),
                    {transport.begin() + 8, transport.begin() + static_cast<std::ptrdiff_t>(length)}, packet};
      directions.push_back(std::move(d));
    }
  }
  std::vector<Flow> flows;
  for (auto& d : directions) {
    if (d.flow.tcp) {
      if (d.segments.empty()) continue;
      const uint32_t base = d.have_isn ? d.isn : d.segments.front().seq;
      std::stable_sort(d.segments.begin(), d.segments.end(),
                       [&](const Segment& a, const Segment& b) { return a.seq - base < b.seq - base; });
      uint32_t next = base;
      for (const auto& s : d.segments) {
        const uint32_t rel = s.seq - next;  // 0: in order; "negative" (huge): overlap
        if (rel == 0 || rel > 0x80000000u) {
          const uint32_t skip = rel == 0 ? 0 : next - s.seq;
          if (skip >= s.data.size()) continue;  // pure retransmission
          d.flow.payload.insert(d.flow.payload.end(), s.data.begin() + skip, s.data.end());
        } else {
          d.flow.payload.insert(d.flow.payload.end(), s.data.begin(), s.data.end());  // gap: data lost
        }
        next = s.seq + static_cast<uint32_t>(s.data.size());
      }
    }
    flows.push_back(std::move(d.flow));
  }
  std::stable_sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) { return a.first_packet < b.first_packet; });
  return flows;
}

}  // namespace meterd::codec::testing
