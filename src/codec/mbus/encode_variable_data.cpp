// SPDX-License-Identifier: Apache-2.0
// EN 13757-3 §6 and Annex A, sending direction (mode 1). Each function mirrors its decoder:
// dif.cpp, value.cpp, date_time.cpp, variable_data.cpp.
#include "codec/mbus/encode_variable_data.h"

#include <fmt/format.h>

#include <algorithm>

#include "codec/mbus/frame.h"
#include "codec/mbus/user_data.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

core::Error Invalid(std::string message) { return core::Error::Invalid(std::move(message), "value"); }

void PutLe(uint64_t v, size_t width, std::vector<uint8_t>& out) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Binary of `width` bytes: the signed range, or the unsigned one for bit fields (the decoder
// reads those back as negative numbers, see number_coding.h).
core::Result<void> PutBinary(int64_t v, size_t width, std::vector<uint8_t>& out) {
  if (width < 8) {
    const int64_t lo = -(int64_t{1} << (8 * width - 1));
    const int64_t hi = (int64_t{1} << (8 * width)) - 1;
    if (v < lo || v > hi) return Fail(Invalid(fmt::format("{} does not fit a {}-byte integer", v, width)));
  }
  PutLe(static_cast<uint64_t>(v), width, out);
  return {};
}

// BCD of `width` bytes, least significant first; a negative number has F in the top nibble.
core::Result<void> PutBcd(int64_t v, size_t width, std::vector<uint8_t>& out) {
  const bool negative = v < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const size_t digits = 2 * width - (negative ? 1 : 0);
  std::vector<uint8_t> nibbles;
  for (size_t i = 0; i < digits; ++i) {
    nibbles.push_back(static_cast<uint8_t>(magnitude % 10));
    magnitude /= 10;
  }
  if (magnitude != 0) return Fail(Invalid(fmt::format("{} does not fit {} BCD digits", v, digits)));
  if (negative) nibbles.push_back(0xF);
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<uint8_t>(nibbles[2 * i] | (nibbles[2 * i + 1] << 4)));
  return {};
}

// The 7-bit year and the hundred-year bits of type F (date_time.cpp's FullYear, inverted).
// 1981..2080 go without the hundred-year bits, as most meters in the libmbus corpus send them.
core::Result<std::pair<int, int>> YearFields(int year, bool hundred_years_allowed) {
  if (year >= 2000 && year <= 2080) return std::pair{year - 2000, 0};
  if (year >= 1981 && year <= 1999) return std::pair{year - 1900, 0};
  if (hundred_years_allowed && year > 2080 && year < 1900 + 400) {
    const int hy = (year - 1900) / 100;
    const int yy = year - 1900 - 100 * hy;
    if (hy >= 1 && hy <= 3) return std::pair{yy, hy};
  }
  return Fail(Invalid(fmt::format("year {} cannot be sent in this date type", year)));
}

core::Result<void> PutDateTime(const DateTime& t, size_t width, std::vector<uint8_t>& out) {
  const DateTimeType expected = width == 2   ? DateTimeType::kG
                                : width == 3 ? DateTimeType::kJ
                                : width == 4 ? DateTimeType::kF
                                             : DateTimeType::kI;
  if (t.type != expected || (width != 2 && width != 3 && width != 4 && width != 6)) {
    return Fail(Invalid(fmt::format("a {}-byte field cannot carry date type {}", width, static_cast<int>(t.type))));
  }
  if (t.type == DateTimeType::kJ) {
    out.insert(out.end(), {static_cast<uint8_t>(t.second & 0x3F), static_cast<uint8_t>(t.minute & 0x3F),
                           static_cast<uint8_t>(t.hour & 0x1F)});
    return {};
  }
  auto year = YearFields(t.year, t.type == DateTimeType::kF);
  if (!year) return Fail(year.error());
  const auto [yy, hy] = *year;
  const auto day_byte = static_cast<uint8_t>((t.day & 0x1F) | ((yy & 0x07) << 5));
  const auto month_byte = static_cast<uint8_t>((t.month & 0x0F) | ((yy & 0x78) << 1));
  switch (t.type) {
    case DateTimeType::kG:
      out.insert(out.end(), {day_byte, month_byte});
      break;
    case DateTimeType::kF:
      out.push_back(static_cast<uint8_t>((t.minute & 0x3F) | (t.invalid ? 0x80 : 0)));
      out.push_back(static_cast<uint8_t>((t.hour & 0x1F) | (hy << 5) | (t.summer_time ? 0x80 : 0)));
      out.insert(out.end(), {day_byte, month_byte});
      break;
    default:  // kI
      out.push_back(static_cast<uint8_t>((t.second & 0x3F) | (t.summer_time ? 0x40 : 0)));
      out.push_back(static_cast<uint8_t>((t.minute & 0x3F) | (t.invalid ? 0x80 : 0)));
      out.push_back(static_cast<uint8_t>(t.hour & 0x1F));
      out.insert(out.end(), {day_byte, month_byte, 0x00});
      break;
  }
  return {};
}

bool IsBcd(DataCoding c) {
  return c == DataCoding::kBcd2 || c == DataCoding::kBcd4 || c == DataCoding::kBcd6 || c == DataCoding::kBcd8 ||
         c == DataCoding::kBcd12;
}

core::Result<void> PutVariable(const Value& value, std::vector<uint8_t>& out) {
  if (const auto* t = std::get_if<Text>(&value)) {
    if (t->text.size() > 0xBF) return Fail(Invalid("text longer than 191 characters"));
    out.push_back(static_cast<uint8_t>(t->text.size()));
    out.insert(out.end(), t->text.rbegin(), t->text.rend());
    return {};
  }
  if (const auto* b = std::get_if<Bytes>(&value)) {
    if (b->bytes.size() > 15) return Fail(Invalid("binary LVAR data longer than 15 bytes"));
    out.push_back(static_cast<uint8_t>(0xE0 + b->bytes.size()));
    out.insert(out.end(), b->bytes.begin(), b->bytes.end());
    return {};
  }
  if (const auto* i = std::get_if<Integer>(&value)) {
    size_t width = 1;
    while (width < 8 &&
           (i->mantissa < -(int64_t{1} << (8 * width - 1)) || i->mantissa >= (int64_t{1} << (8 * width - 1)))) {
      ++width;
    }
    out.push_back(static_cast<uint8_t>(0xE0 + width));
    PutLe(static_cast<uint64_t>(i->mantissa), width, out);
    return {};
  }
  return Fail(Invalid("variable length data must be text, bytes or an integer"));
}

}  // namespace

core::Result<std::vector<uint8_t>> EncodeDib(DataCoding coding, Function function, uint64_t storage_number,
                                             uint32_t tariff, uint16_t subunit) {
  std::vector<uint8_t> dib;
  dib.push_back(static_cast<uint8_t>(static_cast<uint8_t>(coding) | (static_cast<uint8_t>(function) << 4) |
                                     ((storage_number & 1) << 6)));
  uint64_t storage = storage_number >> 1;
  while (storage != 0 || tariff != 0 || subunit != 0) {
    if (dib.size() > kMaxDifes) {
      return Fail(Invalid(fmt::format("storage {}, tariff {}, subunit {} need more than {} DIFEs", storage_number,
                                      tariff, subunit, kMaxDifes)));
    }
    dib.back() |= 0x80;
    dib.push_back(static_cast<uint8_t>((storage & 0x0F) | ((tariff & 0x03) << 4) | ((subunit & 0x01) << 6)));
    storage >>= 4;
    tariff >>= 2;
    subunit = static_cast<uint16_t>(subunit >> 1);
  }
  return dib;
}

core::Result<void> EncodeDataField(DataCoding coding, const Value& value, std::vector<uint8_t>& out) {
  if (coding == DataCoding::kNone || coding == DataCoding::kSelectionForReadout) {
    if (!std::holds_alternative<NoValue>(value)) return Fail(Invalid("a record without data carries no value"));
    return {};
  }
  if (coding == DataCoding::kSpecial) return Fail(Invalid("data field F is not a value coding"));
  if (coding == DataCoding::kVariableLength) return PutVariable(value, out);
  DataInformationBlock dib;
  dib.coding = coding;
  const size_t width = dib.DataLength();
  if (const auto* b = std::get_if<Bytes>(&value)) {
    if (b->bytes.size() != width) {
      return Fail(Invalid(fmt::format("{} bytes given for a {}-byte field", b->bytes.size(), width)));
    }
    out.insert(out.end(), b->bytes.begin(), b->bytes.end());
    return {};
  }
  if (const auto* r = std::get_if<Real>(&value)) {
    if (coding != DataCoding::kReal32) return Fail(Invalid("a real needs data field 5 (32-bit real)"));
    PutLe(r->bits, 4, out);
    return {};
  }
  if (const auto* t = std::get_if<DateTime>(&value)) {
    if (IsBcd(coding) || coding == DataCoding::kReal32) return Fail(Invalid("a date needs a binary data field"));
    return PutDateTime(*t, width, out);
  }
  if (const auto* i = std::get_if<Integer>(&value)) {
    if (coding == DataCoding::kReal32) return Fail(Invalid("an integer cannot be sent as a 32-bit real"));
    return IsBcd(coding) ? PutBcd(i->mantissa, width, out) : PutBinary(i->mantissa, width, out);
  }
  return Fail(Invalid(fmt::format("this value cannot be sent with data field {}", DataCodingName(coding))));
}

core::Result<void> EncodeRecord(const Record& record, std::vector<uint8_t>& out) {
  if (record.kind == RecordKind::kManufacturerData) {
    out.push_back(record.dib.empty() ? kDifManufacturerData : record.dib[0]);
    if (const auto* b = std::get_if<Bytes>(&record.value)) out.insert(out.end(), b->bytes.begin(), b->bytes.end());
    return {};
  }
  if (record.vib.empty()) return Fail(Invalid("a data record needs its VIB bytes"));
  if (record.dib.empty()) {
    auto dib = EncodeDib(record.coding, record.function, record.storage_number, record.tariff, record.subunit);
    if (!dib) return Fail(dib.error());
    out.insert(out.end(), dib->begin(), dib->end());
  } else {
    out.insert(out.end(), record.dib.begin(), record.dib.end());
  }
  out.insert(out.end(), record.vib.begin(), record.vib.end());
  return EncodeDataField(record.coding, record.value, out);
}

core::Result<void> EncodeHeader(HeaderKind kind, const VariableDataHeader& h, std::vector<uint8_t>& out) {
  if (kind == HeaderKind::kNone) return {};
  if (kind == HeaderKind::kLong) {
    if (h.id.size() != 8) return Fail(Invalid(fmt::format("identification number '{}' is not 8 digits", h.id)));
    uint32_t id = 0;
    for (char c : h.id) {
      int v = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                     : -1;
      if (v < 0) return Fail(Invalid(fmt::format("identification number '{}' is not hex digits", h.id)));
      id = (id << 4) | static_cast<uint32_t>(v);
    }
    PutLe(id, 4, out);
    PutLe(h.manufacturer, 2, out);
    out.push_back(h.version);
    out.push_back(h.medium);
  }
  out.push_back(h.access_number);
  out.push_back(h.status);
  PutLe(h.signature, 2, out);
  return {};
}

core::Result<std::vector<uint8_t>> EncodeVariableData(const VariableData& data) {
  std::vector<uint8_t> out;
  out.reserve(kMaxFrameData);
  if (auto h = EncodeHeader(data.header_kind, data.header, out); !h) return Fail(h.error());
  for (const Record& r : data.records) {
    if (auto e = EncodeRecord(r, out); !e) return Fail(e.error());
  }
  const bool ends_with_manufacturer_data =
      !data.records.empty() && data.records.back().kind == RecordKind::kManufacturerData;
  if (data.more_records_follow && !ends_with_manufacturer_data) out.push_back(kDifMoreRecordsFollow);
  return out;
}

uint8_t VariableDataCi(HeaderKind kind) {
  switch (kind) {
    case HeaderKind::kLong:
      return kCiVariableData;
    case HeaderKind::kShort:
      return kCiVariableDataShortHeader;
    case HeaderKind::kNone:
      return kCiVariableDataNoHeader;
  }
  return kCiVariableData;
}

core::Result<std::vector<uint8_t>> EncodeRspUd(uint8_t address, const VariableData& data, uint8_t control) {
  auto body = EncodeVariableData(data);
  if (!body) return Fail(body.error());
  return EncodeFrame(Frame{FrameType::kLong, control, address, VariableDataCi(data.header_kind), std::move(*body)});
}

}  // namespace meterd::codec::mbus
