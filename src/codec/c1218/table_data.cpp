// SPDX-License-Identifier: Apache-2.0
#include "codec/c1218/table_data.h"

#include <fmt/format.h>

namespace meterd::codec::c1218 {

uint8_t TableChecksum(std::span<const uint8_t> data) {
  uint8_t sum = 0;
  for (uint8_t b : data) sum = static_cast<uint8_t>(sum + b);
  return static_cast<uint8_t>(-sum);
}

core::Result<std::span<const uint8_t>> ReadTableData(Reader& r) {
  auto count = r.U16("table data count");
  if (!count) return core::Fail(count.error());
  auto data = r.Take(*count, fmt::format("{} bytes of table data", *count));
  if (!data) return core::Fail(data.error());
  const size_t at = r.offset();
  auto cksum = r.U8("table data checksum");
  if (!cksum) return core::Fail(cksum.error());
  const uint8_t expected = TableChecksum(*data);
  if (*cksum != expected) {
    return core::Fail(r.FailAt(at, fmt::format("expected table data checksum 0x{:02X}, got 0x{:02X}", expected,
                                               *cksum)));
  }
  return *data;
}

core::Result<void> PutTableData(std::vector<uint8_t>& out, std::span<const uint8_t> data, std::string_view codec,
                                std::string_view field) {
  if (data.size() > 0xFFFF) {
    return core::Fail(EncodeError(codec, field, fmt::format("{} bytes; the count field holds at most 65535",
                                                            data.size())));
  }
  PutBe16(out, static_cast<uint16_t>(data.size()));
  PutBytes(out, data);
  out.push_back(TableChecksum(data));
  return {};
}

}  // namespace meterd::codec::c1218
