// SPDX-License-Identifier: Apache-2.0
#include "billing/bill_lines.h"

#include <fmt/format.h>

#include "core/json_string.h"
#include "core/time.h"
#include "core/varint.h"

namespace meterd::billing {

using core::Error;
using core::Fail;

namespace {

// Longest description we write or accept: descriptions come from tariff period and tier names.
constexpr uint64_t kMaxDescription = 4096;
// More lines than any tariff makes (periods x tiers + fixed + demand + taxes), to refuse garbage
// counts before allocating for them.
constexpr uint64_t kMaxLines = 65536;

using core::PutSvarint;
using core::PutUvarint;

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  size_t offset() const { return pos_; }
  bool AtEnd() const { return pos_ == bytes_.size(); }

  core::Result<uint64_t> Varint(const char* what, size_t line) {
    size_t start = pos_;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return Fail(Err(start, what, line, "found end of data"));
      auto b = static_cast<uint8_t>(bytes_[pos_++]);
      if (shift == 63 && b > 1) return Fail(Err(start, what, line, "the varint overflows 64 bits"));
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    return Fail(Err(start, what, line, "the varint is longer than 10 bytes"));
  }
  core::Result<int64_t> Signed(const char* what, size_t line) {
    auto z = Varint(what, line);
    if (!z) return Fail(z.error());
    return core::UnZigZag(*z);
  }
  core::Result<std::string_view> Bytes(size_t n, const char* what, size_t line) {
    if (bytes_.size() - pos_ < n) {
      return Fail(Err(pos_, what, line, fmt::format("needs {} bytes, {} left", n, bytes_.size() - pos_)));
    }
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  static Error Err(size_t at, std::string_view what, size_t line, std::string_view why) {
    return Error::Corruption(line == kNoLine ? fmt::format("bill lines at offset {}: expected {}: {}", at, what, why)
                                             : fmt::format("bill lines at offset {}: expected {} of line {}: {}", at,
                                                           what, line, why));
  }
  static constexpr size_t kNoLine = static_cast<size_t>(-1);

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// int64 fields narrowed with a range check, so a decoded line is one EncodeLines could write.
core::Result<int32_t> Day(Reader& in, const char* what, size_t line) {
  size_t at = in.offset();
  auto v = in.Signed(what, line);
  if (!v) return Fail(v.error());
  if (*v < INT32_MIN || *v > INT32_MAX) return Fail(Reader::Err(at, what, line, fmt::format("{} is no day", *v)));
  return static_cast<int32_t>(*v);
}

}  // namespace

std::string EncodeLines(std::span<const BillLine> lines) {
  std::string out;
  out.reserve(8 + lines.size() * 40);
  out += static_cast<char>(kBillLinesVersion);
  std::string_view currency = lines.empty() ? std::string_view("XXX") : lines.front().amount.Currency();
  out.append(currency);
  PutUvarint(out, lines.size());
  for (const BillLine& l : lines) {
    PutUvarint(out, l.description.size());
    out += l.description;
    PutSvarint(out, l.from_day);
    PutSvarint(out, l.to_day);
    PutSvarint(out, l.quantity.value);
    PutSvarint(out, l.quantity.scale);
    PutUvarint(out, static_cast<uint64_t>(l.quantity.unit));
    PutSvarint(out, l.unit_price.micros);
    PutSvarint(out, l.amount.micros);
    PutSvarint(out, l.intervals);
    PutSvarint(out, l.reads);
    PutSvarint(out, l.estimated);
  }
  return out;
}

core::Result<std::vector<BillLine>> DecodeLines(std::string_view bytes) {
  constexpr size_t kNone = Reader::kNoLine;
  Reader in(bytes);
  auto version = in.Bytes(1, "the format version byte", kNone);
  if (!version) return Fail(version.error());
  if (static_cast<uint8_t>((*version)[0]) != kBillLinesVersion) {
    return Fail(Reader::Err(0, "the format version byte", kNone,
                            fmt::format("expected {}, got {}", kBillLinesVersion, static_cast<uint8_t>((*version)[0]))));
  }
  auto currency = in.Bytes(3, "the currency", kNone);
  if (!currency) return Fail(currency.error());
  for (char c : *currency) {
    if (c < 'A' || c > 'Z') return Fail(Reader::Err(1, "the currency", kNone, "not three capital letters"));
  }
  size_t count_at = in.offset();
  auto count = in.Varint("the line count", kNone);
  if (!count) return Fail(count.error());
  if (*count > kMaxLines) {
    return Fail(Reader::Err(count_at, "the line count", kNone, fmt::format("{} is over {}", *count, kMaxLines)));
  }
  core::Money money;
  std::copy(currency->begin(), currency->end(), money.currency.begin());
  std::vector<BillLine> lines;
  lines.reserve(std::min<uint64_t>(*count, 64));
  for (size_t i = 0; i < *count; ++i) {
    BillLine l;
    size_t at = in.offset();
    auto size = in.Varint("the description length", i);
    if (!size) return Fail(size.error());
    if (*size > kMaxDescription) {
      return Fail(Reader::Err(at, "the description length", i, fmt::format("{} is over {}", *size, kMaxDescription)));
    }
    auto text = in.Bytes(*size, "the description", i);
    if (!text) return Fail(text.error());
    l.description = std::string(*text);
    auto from = Day(in, "the first day", i);
    if (!from) return Fail(from.error());
    auto to = Day(in, "the end day", i);
    if (!to) return Fail(to.error());
    l.from_day = *from;
    l.to_day = *to;
    auto value = in.Signed("the quantity", i);
    if (!value) return Fail(value.error());
    at = in.offset();
    auto scale = in.Signed("the quantity's scale", i);
    if (!scale) return Fail(scale.error());
    if (*scale < -18 || *scale > 18) {
      return Fail(Reader::Err(at, "the quantity's scale", i, fmt::format("{} is outside -18..18", *scale)));
    }
    at = in.offset();
    auto unit = in.Varint("the quantity's unit", i);
    if (!unit) return Fail(unit.error());
    auto u = static_cast<core::Unit>(static_cast<uint8_t>(*unit));
    if (*unit > 255 || (u != core::Unit::kNone && core::UnitSymbol(u).empty())) {
      return Fail(Reader::Err(at, "the quantity's unit", i, fmt::format("{} is no unit", *unit)));
    }
    l.quantity = {*value, static_cast<int8_t>(*scale), u};
    auto price = in.Signed("the unit price", i);
    if (!price) return Fail(price.error());
    auto amount = in.Signed("the amount", i);
    if (!amount) return Fail(amount.error());
    l.unit_price = money;
    l.unit_price.micros = *price;
    l.amount = money;
    l.amount.micros = *amount;
    auto intervals = in.Signed("the interval count", i);
    if (!intervals) return Fail(intervals.error());
    auto reads = in.Signed("the read count", i);
    if (!reads) return Fail(reads.error());
    auto estimated = in.Signed("the estimated count", i);
    if (!estimated) return Fail(estimated.error());
    l.intervals = *intervals;
    l.reads = *reads;
    l.estimated = *estimated;
    lines.push_back(std::move(l));
  }
  if (!in.AtEnd()) {
    return Fail(Reader::Err(in.offset(), "the end of the lines", kNone,
                            fmt::format("{} trailing bytes", bytes.size() - in.offset())));
  }
  return lines;
}

std::string LinesJson(std::span<const BillLine> lines) {
  std::string out = "[";
  for (const auto& l : lines) {
    if (out.size() > 1) out += ',';
    out += "{\"description\":";
    core::AppendJsonString(out, l.description);
    fmt::format_to(std::back_inserter(out),
                   ",\"from\":\"{}\",\"to\":\"{}\",\"quantity\":{{\"value\":{},\"scale\":{},\"unit\":",
                   core::FormatDay(l.from_day), core::FormatDay(l.to_day), l.quantity.value, l.quantity.scale);
    core::AppendJsonString(out, core::UnitSymbol(l.quantity.unit));
    fmt::format_to(std::back_inserter(out),
                   "}},\"unit_price\":\"{}\",\"amount\":\"{}\",\"intervals\":{},\"reads\":{},\"estimated\":{}}}",
                   core::FormatMicros(l.unit_price.micros), core::FormatMicros(l.amount.micros), l.intervals, l.reads,
                   l.estimated);
  }
  return out + "]";
}

core::Result<std::string> StoredLinesJson(std::string_view stored) {
  if (!stored.empty() && stored.front() == '[') return std::string(stored);  // written as JSON (schema 6)
  auto lines = DecodeLines(stored);
  if (!lines) return Fail(lines.error());
  return LinesJson(*lines);
}

}  // namespace meterd::billing
