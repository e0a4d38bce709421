// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "codec/c1218/wire.h"
#include "core/error.h"

// Table ids and the <table-data> block that read responses and write requests carry:
//   <count 2, BE> <data: count bytes> <cksum 1>
namespace meterd::codec::c1218 {

// Table id: bits 0..10 table number, bit 11 manufacturer table (MT = 2048 + n), bit 12 pending
// table. Bits 13..15 are passed through as they come.
inline constexpr uint16_t kManufacturerTableBit = 0x0800;
inline constexpr uint16_t kPendingTableBit = 0x1000;
inline uint16_t TableNumber(uint16_t table_id) { return table_id & 0x07FF; }
inline bool IsManufacturerTable(uint16_t table_id) { return (table_id & kManufacturerTableBit) != 0; }
inline bool IsPendingTable(uint16_t table_id) { return (table_id & kPendingTableBit) != 0; }

// The table data checksum: two's complement of the 8-bit sum of the data bytes, so that data
// plus checksum sums to 0 mod 256.
uint8_t TableChecksum(std::span<const uint8_t> data);

// Reads <count> <data> <cksum> from `r` and checks the checksum; the data as a view into `r`'s bytes.
core::Result<std::span<const uint8_t>> ReadTableData(Reader& r);
// Appends <count> <data> <cksum>; fails for more than 65535 bytes. `field` names the data in the error.
core::Result<void> PutTableData(std::vector<uint8_t>& out, std::span<const uint8_t> data, std::string_view codec,
                                std::string_view field);

}  // namespace meterd::codec::c1218
