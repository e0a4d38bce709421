// SPDX-License-Identifier: Apache-2.0
#include "codec/modbus/register_value.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <limits>
#include <optional>

namespace meterd::codec::modbus {

using core::Error;
using core::ErrorCode;
using core::Fail;
using core::Quantity;
using core::Result;

namespace {

Error RegisterError(const RegisterDef& def, std::string_view problem) {
  return Error{ErrorCode::kOutOfRange,
               fmt::format("register '{}' ({} {}, {}): {}", def.name, FunctionName(def.function), def.address,
                           DataTypeName(def.type), problem),
               def.name};
}

// The words as one unsigned number, most significant word first whatever the order on the wire.
uint64_t Assemble(std::span<const uint16_t> words, WordOrder order) {
  uint64_t v = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    uint16_t w = order == WordOrder::kBig ? words[i] : words[words.size() - 1 - i];
    v = (v << 16) | w;
  }
  return v;
}

void Split(uint64_t v, WordOrder order, std::span<uint16_t> out) {
  for (size_t i = 0; i < out.size(); ++i) {
    uint16_t w = static_cast<uint16_t>(v >> (16 * (out.size() - 1 - i)));
    out[order == WordOrder::kBig ? i : out.size() - 1 - i] = w;
  }
}

constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};

// value / 10^digits, rounded.
int64_t DivPow10(int64_t value, int digits, Rounding rounding) {
  if (digits > 18) return 0;  // |value| < 9.3e18 < 0.5 x 10^19
  int64_t d = kPow10[digits];
  int64_t q = value / d, r = value % d;  // truncates toward zero
  if (rounding == Rounding::kNearest && r != 0) {
    // |r| >= d - |r| compares 2|r| >= d without overflowing.
    int64_t ar = r < 0 ? -r : r;
    if (ar >= d - ar) q += value < 0 ? -1 : 1;
  }
  return q;
}

Result<Quantity> Finish(const RegisterDef& def, int64_t raw) {
  Quantity q{raw, def.exponent, def.unit};
  if (q.scale > 0) {
    auto r = q.Rescaled(0);
    if (!r) return Fail(RegisterError(def, fmt::format("{} x 10^{} overflows int64", raw, def.exponent)));
    return *r;
  }
  return q;
}

}  // namespace

Result<Quantity> DecodeRegister(const RegisterDef& def, std::span<const uint16_t> words) {
  if (words.size() != def.words()) {
    return Fail(RegisterError(def, fmt::format("expected {} words, got {}", def.words(), words.size())));
  }
  uint64_t bits = Assemble(words, def.word_order);
  int64_t raw = 0;
  switch (def.type) {
    case DataType::kUint16:
    case DataType::kUint32: raw = static_cast<int64_t>(bits); break;
    case DataType::kInt16: raw = static_cast<int16_t>(bits); break;
    case DataType::kInt32: raw = static_cast<int32_t>(bits); break;
    case DataType::kInt64: raw = static_cast<int64_t>(bits); break;
    case DataType::kUint64:
      if (bits > uint64_t{std::numeric_limits<int64_t>::max()}) {
        return Fail(RegisterError(def, fmt::format("{} is above 2^63-1", bits)));
      }
      raw = static_cast<int64_t>(bits);
      break;
    case DataType::kFloat32: {
      float f = std::bit_cast<float>(static_cast<uint32_t>(bits));
      if (!std::isfinite(f)) return Fail(RegisterError(def, fmt::format("float is {} (bits {:08X})", f, bits)));
      // value / resolution, where the float is in the file's unit (kWh) and the resolution is
      // 10^(exponent - unit_prefix) of it. Multiplying a float by a power of ten up to 10^9 in
      // double is exact or within one ulp of double, far below the rounding step.
      int k = def.exponent - def.unit_prefix;
      double scaled = k <= 0 ? double{f} * static_cast<double>(kPow10[-k]) : double{f} / static_cast<double>(kPow10[k]);
      double rounded = std::round(scaled);  // halfway cases away from zero
      if (!(std::fabs(rounded) < 9.2e18)) {
        return Fail(RegisterError(def, fmt::format("float {} does not fit int64 at resolution 1e{}", f, k)));
      }
      raw = static_cast<int64_t>(rounded);
      break;
    }
  }
  return Finish(def, raw);
}

Result<void> EncodeRegister(const RegisterDef& def, const Quantity& value, std::span<uint16_t> out,
                            Rounding rounding) {
  if (out.size() != def.words()) {
    return Fail(RegisterError(def, fmt::format("expected room for {} words, got {}", def.words(), out.size())));
  }
  if (value.unit != def.unit) {
    return Fail(RegisterError(def, fmt::format("value {} is not in {}", value.ToString(), def.unit_symbol)));
  }
  // raw = value / 10^exponent at the register's resolution.
  int shift = value.scale - def.exponent;
  int64_t raw = 0;
  if (shift >= 0) {
    raw = value.value;
    for (int i = 0; i < shift; ++i) {
      if (__builtin_mul_overflow(raw, int64_t{10}, &raw)) {
        return Fail(RegisterError(def, fmt::format("{} overflows at resolution 1e{}", value.ToString(), def.exponent)));
      }
    }
  } else {
    raw = DivPow10(value.value, -shift, rounding);
  }
  auto fits = [&](int64_t lo, int64_t hi) { return raw >= lo && raw <= hi; };
  bool ok = true;
  uint64_t bits = static_cast<uint64_t>(raw);
  switch (def.type) {
    case DataType::kUint16: ok = fits(0, 0xFFFF); break;
    case DataType::kInt16: ok = fits(INT16_MIN, INT16_MAX); bits &= 0xFFFF; break;
    case DataType::kUint32: ok = fits(0, 0xFFFFFFFF); break;
    case DataType::kInt32: ok = fits(INT32_MIN, INT32_MAX); bits &= 0xFFFFFFFF; break;
    case DataType::kUint64: ok = raw >= 0; break;
    case DataType::kInt64: break;
    case DataType::kFloat32: {
      int k = def.exponent - def.unit_prefix;
      double d = k >= 0 ? static_cast<double>(raw) * static_cast<double>(kPow10[k])
                        : static_cast<double>(raw) / static_cast<double>(kPow10[-k]);
      bits = std::bit_cast<uint32_t>(static_cast<float>(d));
      break;
    }
  }
  if (!ok) return Fail(RegisterError(def, fmt::format("{} does not fit", value.ToString())));
  Split(bits, def.word_order, out);
  return {};
}

Result<std::vector<NamedValue>> DecodeValues(const RegisterMap& map, std::span<const ReadBatch> batches,
                                             std::span<const std::vector<uint16_t>> words) {
  if (words.size() != batches.size()) {
    return Fail(Error::Invalid(fmt::format("{} word blocks for {} batches", words.size(), batches.size())));
  }
  std::vector<std::optional<Quantity>> values(map.registers.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    const ReadBatch& batch = batches[b];
    if (words[b].size() != batch.count) {
      return Fail(Error::Invalid(fmt::format("batch {} ({} {}+{}): got {} registers", b, FunctionName(batch.function),
                                             batch.address, batch.count, words[b].size()),
                                 fmt::format("batch {}", b)));
    }
    for (size_t index : batch.registers) {
      if (index >= map.registers.size()) return Fail(Error::Invalid(fmt::format("batch {}: no entry {}", b, index)));
      const RegisterDef& def = map.registers[index];
      int offset = int{def.address} - int{batch.address};
      if (def.function != batch.function || offset < 0 || offset + def.words() > batch.count) {
        return Fail(RegisterError(def, fmt::format("not inside batch {} ({} {}+{})", b, FunctionName(batch.function),
                                                   batch.address, batch.count)));
      }
      auto q = DecodeRegister(def, std::span(words[b]).subspan(offset, def.words()));
      if (!q) return Fail(q.error());
      values[index] = *q;
    }
  }
  std::vector<NamedValue> out;
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) return Fail(RegisterError(map.registers[i], "in no batch"));
    out.push_back({map.registers[i].name, *values[i]});
  }
  return out;
}

}  // namespace meterd::codec::modbus
