// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/c1219/general_tables.h"
#include "codec/c1219/tdl_codec.h"

namespace meterd::codec::c1219::testing {

// "01 0a FF" or "010aff" -> bytes.
std::vector<uint8_t> Hex(std::string_view text);
std::string ToHex(const std::vector<uint8_t>& bytes);
std::string ReadFile(const std::string& name);  // a file of meters/c1219

// A format control from its three ST0 bytes.
FormatControl Format(uint8_t fc1, uint8_t fc2, uint8_t fc3);

// standard.xml + meterd-sim.xml, compiled once.
const Tdl& SimTdl();

// An ST0 that uses every table of the typed API and MT0..MT2 (load profile set 1 only), with
// the given format control bytes (default: LSB first, 7-bit, TM_FORMAT 2, NI INT32 / INT24).
St0 SimSt0(uint8_t fc1 = 0x02, uint8_t fc2 = 0x02, uint8_t fc3 = 0x78);

// Encodes `table` with its typed encoder, decodes the bytes and checks both that the table comes
// back equal and that re-encoding gives the same bytes. Returns the bytes.
template <class T, class Enc, class Dec>
std::vector<uint8_t> RoundTrip(const T& table, const TableContext& ctx, Enc encode, Dec decode);

}  // namespace meterd::codec::c1219::testing

#include <gtest/gtest.h>

template <class T, class Enc, class Dec>
std::vector<uint8_t> meterd::codec::c1219::testing::RoundTrip(const T& table, const TableContext& ctx, Enc encode,
                                                               Dec decode) {
  auto bytes = encode(table, ctx);
  EXPECT_TRUE(bytes) << bytes.error().ToString();
  if (!bytes) return {};
  auto back = decode(std::span<const uint8_t>(*bytes), ctx);
  EXPECT_TRUE(back) << back.error().ToString();
  if (!back) return *bytes;
  EXPECT_TRUE(*back == table);
  auto again = encode(*back, ctx);
  EXPECT_TRUE(again && *again == *bytes);
  return *bytes;
}
