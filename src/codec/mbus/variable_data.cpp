// SPDX-License-Identifier: Apache-2.0
// EN 13757-3 §6: variable data structure. Each record is DIB, VIB, data; the special DIFs 0Fh
// and 1Fh end the records (the rest is the manufacturer's) and 2Fh is an idle filler.
#include "codec/mbus/variable_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/dif.h"
#include "codec/mbus/manufacturer.h"
#include "codec/mbus/medium.h"
#include "codec/mbus/vif.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

// A multi-byte header field in least-significant-first order whatever the byte order.
template <size_t N>
std::array<uint8_t, N> Field(std::span<const uint8_t> b, ByteOrder order) {
  std::array<uint8_t, N> out{};
  std::copy_n(b.begin(), N, out.begin());
  if (order == ByteOrder::kMsbFirst) std::reverse(out.begin(), out.end());
  return out;
}

core::Result<VariableDataHeader> DecodeHeader(ByteReader& in, HeaderKind kind, ByteOrder order) {
  VariableDataHeader h;
  const size_t at = in.offset();
  const size_t length = kind == HeaderKind::kLong ? kLongHeaderLength : kShortHeaderLength;
  auto b = in.Take(length, kind == HeaderKind::kLong ? "the long header" : "the short header");
  if (!b) return Fail(b.error());
  size_t i = 0;
  if (kind == HeaderKind::kLong) {
    const auto id = Field<4>(b->subspan(0, 4), order);
    h.id = fmt::format("{:02X}{:02X}{:02X}{:02X}", id[3], id[2], id[1], id[0]);
    const auto m = Field<2>(b->subspan(4, 2), order);
    h.manufacturer = static_cast<uint16_t>(m[0] | (m[1] << 8));
    h.manufacturer_code = ManufacturerCode(h.manufacturer);
    h.version = (*b)[6];
    h.medium = (*b)[7];
    i = 8;
  }
  h.access_number = (*b)[i];
  h.status = (*b)[i + 1];
  const auto s = Field<2>(b->subspan(i + 2, 2), order);
  h.signature = static_cast<uint16_t>(s[0] | (s[1] << 8));
  if (in.explaining()) {
    if (kind == HeaderKind::kLong) {
      in.Note(at, 4, fmt::format("identification number {}", h.id));
      in.Note(at + 4, 2, fmt::format("manufacturer {} (0x{:04X})", h.manufacturer_code, h.manufacturer));
      in.Note(at + 6, 1, fmt::format("version {}", h.version));
      in.Note(at + 7, 1, fmt::format("medium 0x{:02X}: {}", h.medium, MediumName(h.medium)));
    }
    in.Note(at + i, 1, fmt::format("access number {}", h.access_number));
    in.Note(at + i + 1, 1, fmt::format("status 0x{:02X}", h.status));
    in.Note(at + i + 2, 2, fmt::format("signature 0x{:04X}", h.signature));
  }
  return h;
}

Record ManufacturerRecord(ByteReader& in, uint8_t dif, size_t record) {
  Record r;
  r.kind = RecordKind::kManufacturerData;
  r.offset = in.offset() - 1;
  r.coding = DataCoding::kSpecial;
  r.dib = {dif};
  const size_t at = in.offset();
  auto rest = in.TakeRest();
  r.value = Bytes{{rest.begin(), rest.end()}};
  if (in.explaining()) {
    in.Note(r.offset, 1,
            fmt::format("record {}: DIF 0x{:02X}: manufacturer specific data to the end{}", record, dif,
                        dif == kDifMoreRecordsFollow ? ", more records follow in the next telegram" : ""));
    if (!rest.empty()) {
      in.Note(at, rest.size(), fmt::format("record {}: {} bytes of manufacturer data", record, rest.size()));
    }
  }
  return r;
}

core::Result<Record> DecodeRecord(ByteReader& in, ByteOrder order, size_t record) {
  Record r;
  r.offset = in.offset();
  auto dib = DecodeDataInformationBlock(in, record);
  if (!dib) return Fail(dib.error());
  auto vib = DecodeValueInformationBlock(in, record);
  if (!vib) return Fail(vib.error());
  auto value = DecodeDataField(in, *dib, *vib, order, record);
  if (!value) return Fail(value.error());
  r.function = dib->function;
  r.storage_number = dib->storage_number;
  r.tariff = dib->tariff;
  r.subunit = dib->subunit;
  r.has_difes = !dib->difes.empty();
  r.coding = dib->coding;
  r.dib.push_back(dib->dif);
  r.dib.insert(r.dib.end(), dib->difes.begin(), dib->difes.end());
  r.quantity = std::move(vib->quantity);
  r.unit = std::move(vib->unit);
  r.exponent = vib->exponent;
  r.time_point = vib->time_point;
  r.manufacturer_specific = vib->manufacturer_specific;
  r.vib = std::move(vib->bytes);
  r.value = std::move(*value);
  return r;
}

}  // namespace

core::Result<VariableData> DecodeVariableData(std::span<const uint8_t> data, HeaderKind header_kind, ByteOrder order,
                                              Explainer* explain, size_t origin) {
  ByteReader in(data, origin, explain);
  VariableData out;
  out.header_kind = header_kind;
  if (header_kind != HeaderKind::kNone) {
    auto header = DecodeHeader(in, header_kind, order);
    if (!header) return Fail(header.error());
    out.header = std::move(*header);
  }
  while (!in.AtEnd()) {
    const uint8_t dif = in.Peek();
    if (dif == kDifIdleFiller) {
      if (in.explaining()) in.Note(in.offset(), 1, "idle filler 0x2F");
      (void)in.Byte("filler");
      continue;
    }
    const size_t record = out.records.size();
    if (dif == kDifManufacturerData || dif == kDifMoreRecordsFollow) {
      (void)in.Byte("DIF");
      out.records.push_back(ManufacturerRecord(in, dif, record));
      out.more_records_follow = dif == kDifMoreRecordsFollow;
      break;
    }
    if ((dif & 0x0F) == 0x0F) {
      return Fail(ByteReader::ErrorAt(
          in.offset(), fmt::format("record {}: DIF 0x{:02X} is a reserved special function (expected a data DIF, "
                                   "0F, 1F or 2F)",
                                   record, dif)));
    }
    if (record == kMaxRecords) {
      return Fail(ByteReader::ErrorAt(in.offset(), fmt::format("more than {} records", kMaxRecords)));
    }
    auto r = DecodeRecord(in, order, record);
    if (!r) return Fail(r.error());
    out.records.push_back(std::move(*r));
  }
  return out;
}

}  // namespace meterd::codec::mbus
