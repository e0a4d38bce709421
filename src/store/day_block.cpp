// SPDX-License-Identifier: Apache-2.0
#include "store/day_block.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

#include "core/varint.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace meterd::store {
namespace {

using core::Error;
using core::Fail;
using core::Quality;

// Quality section kinds (the byte after the header).
enum QualityKind : uint8_t {
  kAllValid = 0,    // every slot valid; nothing follows
  kAllMissing = 1,  // every slot missing; no values follow
  kRuns = 2,        // varint((run_length << 2) | quality) until the runs cover every slot
  kBitmap = 3,      // ceil(slots / 4) bytes, 2 bits per slot, slot 0 in the low bits
};

using core::PutUvarint;
using core::UnZigZag;
using core::ZigZag;

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// A bounds-checked cursor. Every read names what it expected so errors can say so.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t offset() const { return pos_; }
  void Skip(size_t n) { pos_ += n; }  // n bytes the caller has already checked are there
  const uint8_t* Here() const { return reinterpret_cast<const uint8_t*>(bytes_.data()) + pos_; }
  size_t Left() const { return bytes_.size() - pos_; }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  // The next varint if it is one or two bytes long (the common cases of a slot value), else -1
  // (the caller then takes the checked path).
  int64_t NextSmallVarint() {
    if (pos_ < bytes_.size()) {
      uint8_t b0 = static_cast<uint8_t>(bytes_[pos_]);
      if (b0 < 0x80) {
        ++pos_;
        return b0;
      }
      if (pos_ + 1 < bytes_.size()) {
        uint8_t b1 = static_cast<uint8_t>(bytes_[pos_ + 1]);
        if (b1 < 0x80) {
          pos_ += 2;
          return static_cast<int64_t>(b0 & 0x7f) | (static_cast<int64_t>(b1) << 7);
        }
      }
    }
    return -1;
  }

  // `what` names the expected item; `slot` (if >= 0) the slot it belongs to. Messages are only
  // formatted on failure: decoding is on the bill-run hot path.
  core::Result<uint8_t> Byte(const char* what, int32_t slot = -1) {
    if (pos_ >= bytes_.size()) return Fail(Err(pos_, fmt::format("expected {}{}, found end of data", what, For(slot))));
    return static_cast<uint8_t>(bytes_[pos_++]);
  }

  // LEB128, at most 10 bytes and no bits beyond 64.
  core::Result<uint64_t> Varint(const char* what, int32_t slot = -1) {
    size_t start = pos_;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) {
        return Fail(Err(pos_, fmt::format("expected {}{} (varint), found end of data", what, For(slot))));
      }
      uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
      if (shift == 63 && b > 1) break;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail(Err(start, fmt::format("expected {}{} (varint), it overflows 64 bits", what, For(slot))));
  }

  static std::string For(int32_t slot) { return slot < 0 ? std::string() : fmt::format(" of slot {}", slot); }

  static Error Err(size_t offset, std::string what) {
    Error e = Error::Corruption(fmt::format("day block: byte {}: {}", offset, what));
    e.field = fmt::format("byte {}", offset);
    return e;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Run-length form of the quality column: (length, quality) pairs.
std::vector<std::pair<int32_t, Quality>> Runs(const DayBlock& b, int32_t n) {
  std::vector<std::pair<int32_t, Quality>> runs;
  for (int32_t i = 0; i < n; ++i) {
    Quality q = i < static_cast<int32_t>(b.quality.size()) ? b.quality[i] : Quality::kMissing;
    if (!runs.empty() && runs.back().second == q) {
      ++runs.back().first;
    } else {
      runs.emplace_back(1, q);
    }
  }
  return runs;
}

}  // namespace

DayBlock DayBlock::Empty(int32_t interval_s, int32_t slots, int8_t scale) {
  DayBlock b;
  b.interval_s = interval_s;
  b.slots = slots;
  b.scale = scale;
  b.values.assign(static_cast<size_t>(std::max(slots, 0)), 0);
  b.quality.assign(static_cast<size_t>(std::max(slots, 0)), Quality::kMissing);
  return b;
}

int32_t DayBlock::PresentCount() const {
  return static_cast<int32_t>(std::count_if(quality.begin(), quality.end(), [](Quality q) { return q != Quality::kMissing; }));
}

core::Result<void> CheckDayBlockHeader(int32_t interval_s, int32_t slots, int32_t scale) {
  if (slots < 1 || slots > kMaxDaySlots) {
    return Fail(Error::Invalid(fmt::format("slot count {} is outside 1..{}", slots, kMaxDaySlots), "slots"));
  }
  int64_t day = int64_t{interval_s} * slots;
  if (interval_s < 1 || day < kMinDaySeconds || day > kMaxDaySeconds) {
    return Fail(Error::Invalid(
        fmt::format("{} slots of {} s make a {} s day, outside {}..{}", slots, interval_s, day, kMinDaySeconds, kMaxDaySeconds),
        "interval_s"));
  }
  if (scale < -kMaxBlockScale || scale > kMaxBlockScale) {
    return Fail(Error::Invalid(fmt::format("scale {} is outside -{}..{}", scale, kMaxBlockScale, kMaxBlockScale), "scale"));
  }
  return {};
}

std::string EncodeDayBlock(const DayBlock& b) {
  const int32_t n = std::max(b.slots, 0);
  std::string out;
  out.reserve(8 + static_cast<size_t>(n) + static_cast<size_t>(n) / 4);
  out.push_back(static_cast<char>(kDayBlockVersion));
  PutUvarint(out, static_cast<uint32_t>(b.interval_s));
  PutUvarint(out, static_cast<uint32_t>(b.slots));
  PutUvarint(out, ZigZag(b.scale));

  auto runs = Runs(b, n);
  if (runs.size() == 1 && runs[0].second == Quality::kValid) {
    out.push_back(static_cast<char>(kAllValid));
  } else if (runs.empty() || (runs.size() == 1 && runs[0].second == Quality::kMissing)) {
    out.push_back(static_cast<char>(kAllMissing));
    return out;
  } else {
    size_t runs_bytes = 0;
    for (auto [len, q] : runs) runs_bytes += VarintLength((static_cast<uint64_t>(len) << 2) | static_cast<uint8_t>(q));
    size_t bitmap_bytes = (static_cast<size_t>(n) + 3) / 4;
    if (runs_bytes <= bitmap_bytes) {
      out.push_back(static_cast<char>(kRuns));
      for (auto [len, q] : runs) PutUvarint(out, (static_cast<uint64_t>(len) << 2) | static_cast<uint8_t>(q));
    } else {
      out.push_back(static_cast<char>(kBitmap));
      std::string bitmap(bitmap_bytes, '\0');
      for (int32_t i = 0; i < n; ++i) {
        Quality q = i < static_cast<int32_t>(b.quality.size()) ? b.quality[i] : Quality::kMissing;
        bitmap[static_cast<size_t>(i) / 4] |= static_cast<char>((static_cast<uint8_t>(q) & 3) << (2 * (i % 4)));
      }
      out += bitmap;
    }
  }

  // Present values as zigzag deltas from the previous present value (the first from 0).
  // Differences wrap in uint64 so INT64_MIN next to INT64_MAX still round-trips exactly.
  uint64_t prev = 0;
  for (int32_t i = 0; i < n; ++i) {
    Quality q = i < static_cast<int32_t>(b.quality.size()) ? b.quality[i] : Quality::kMissing;
    if (q == Quality::kMissing) continue;
    uint64_t v = i < static_cast<int32_t>(b.values.size()) ? static_cast<uint64_t>(b.values[i]) : 0;
    PutUvarint(out, ZigZag(static_cast<int64_t>(v - prev)));
    prev = v;
  }
  return out;
}

core::Result<DayBlock> DecodeDayBlock(std::string_view bytes) {
  DayBlock b;
  if (auto r = DecodeDayBlockInto(bytes, b); !r) return Fail(r.error());
  return b;
}

namespace {

struct SmallValues {
  const uint8_t* end;  // after the last value decoded
  int32_t count;       // values decoded
  uint64_t prev;       // the last of them
};

#if defined(__x86_64__)
// How the varints of an 8-byte window lie, by the window's continuation bits (bit k = the high bit
// of byte k): the varints of one or two bytes from byte 0, up to the first that is longer (two
// continuation bits in a row) or does not end inside the window. `lanes` is a byte shuffle
// (pshufb) that puts varint k in 16-bit lane k: bytes lanes[2k] and lanes[2k + 1] of the window,
// 0x80 for a zero byte (no second byte, or past `count`). A lane past `count` is thus 0, which
// adds nothing to the running sum: a window always yields eight values, with no branch on how
// long they are or how many are real.
struct alignas(32) WindowLayout {
  uint8_t lanes[16];
  uint8_t count;  // 0 when the window starts with a varint of three bytes or more
  uint8_t bytes;  // taken by those `count` varints
};

constexpr std::array<WindowLayout, 256> MakeWindowLayouts() {
  std::array<WindowLayout, 256> table{};
  for (unsigned bits = 0; bits < 256; ++bits) {
    WindowLayout& e = table[bits];
    std::fill(std::begin(e.lanes), std::end(e.lanes), 0x80);
    unsigned at = 0;
    while (at < 8) {
      const unsigned more = (bits >> at) & 1;
      if (more && (at == 7 || ((bits >> (at + 1)) & 1))) break;  // cut off, or three bytes or more
      e.lanes[2 * e.count] = static_cast<uint8_t>(at);
      if (more) e.lanes[2 * e.count + 1] = static_cast<uint8_t>(at + 1);
      ++e.count;
      at += 1 + more;
    }
    e.bytes = static_cast<uint8_t>(at);
  }
  return table;
}

constexpr std::array<WindowLayout, 256> kWindowLayouts = MakeWindowLayouts();

// The eight values of a window whose varints `shuffle` (WindowLayout::lanes) puts in 16-bit lanes,
// added in turn to `prev` (in all four 64-bit lanes): values 0..3 in v0, 4..7 in v1. Their deltas
// are summed in 32 bits (eight of at most 2^13 cannot overflow), then widened and added to `prev`.
struct Eight {
  __m256i v0, v1;
};
[[gnu::target("avx2"), gnu::always_inline]] inline Eight DecodeWindowAvx2(__m128i window, __m128i shuffle,
                                                                          __m256i prev) {
  const __m128i x = _mm_shuffle_epi8(window, shuffle);
  // z = (b0 & 0x7f) + 128 * b1 in each lane, then the delta (z >> 1) ^ -(z & 1).
  const __m128i z = _mm_maddubs_epi16(_mm_set1_epi16(0x8001), _mm_and_si128(x, _mm_set1_epi16(0x7f7f)));
  const __m128i d = _mm_xor_si128(_mm_srli_epi16(z, 1), _mm_srai_epi16(_mm_slli_epi16(z, 15), 15));
  __m256i s = _mm256_cvtepi16_epi32(d);
  s = _mm256_add_epi32(s, _mm256_slli_si256(s, 4));  // prefix sums within each half
  s = _mm256_add_epi32(s, _mm256_slli_si256(s, 8));
  const __m256i low_total = _mm256_permutevar8x32_epi32(s, _mm256_set1_epi32(3));
  s = _mm256_add_epi32(s, _mm256_blend_epi32(_mm256_setzero_si256(), low_total, 0xf0));
  return {_mm256_add_epi64(prev, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(s))),
          _mm256_add_epi64(prev, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(s, 1)))};
}

// DecodeSmallValues (below) with AVX2, twice as fast on the bill run's days (85% one-byte and 15%
// two-byte values). Whole 8-byte windows while eight values fit in `out`; then the last values or
// bytes, from a window padded with bytes that have the continuation bit (no varint ends in them),
// keeping only the values still missing and storing them with a masked store (which touches no
// other memory). The portable code below was faster than a scalar version of the table.
[[gnu::target("avx2"), gnu::noinline]] SmallValues DecodeSmallValuesAvx2(const uint8_t* p, const uint8_t* end,
                                                                         int64_t* out, int32_t n) {
  const uint8_t* const begin = p;
  __m256i prev = _mm256_setzero_si256();
  int32_t i = 0;
  while (i + 8 <= n && end - p >= 8) {
    const __m128i window = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    const unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(window));
    if (bits & (bits >> 1)) break;  // a varint of three bytes or more
    const WindowLayout& e = kWindowLayouts[bits];
    const Eight v = DecodeWindowAvx2(window, _mm_load_si128(reinterpret_cast<const __m128i*>(e.lanes)), prev);
    // out[i + count, i + 8) are rewritten by the next window or the checked path.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), v.v0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 4), v.v1);
    prev = _mm256_permute4x64_epi64(v.v1, 0xff);
    i += e.count;
    // = e.bytes when no varint is longer than two bytes (one less if byte 7 starts one), without
    // waiting for the table.
    p += 8 + (static_cast<int8_t>(p[7]) >> 7);
  }
  while (i < n && p < end) {
    const ptrdiff_t left = end - p;
    uint64_t w;
    if (left >= 8) {
      std::memcpy(&w, p, 8);
    } else if (end - begin >= 8) {
      std::memcpy(&w, end - 8, 8);
      w >>= 8 * (8 - left);
    } else {
      w = 0;
      for (ptrdiff_t k = left - 1; k >= 0; --k) w = (w << 8) | p[k];
    }
    if (left < 8) w |= 0x8080808080808080ull << (8 * left);
    const __m128i window = _mm_cvtsi64_si128(static_cast<int64_t>(w));
    const WindowLayout& e = kWindowLayouts[static_cast<unsigned>(_mm_movemask_epi8(window))];
    const int32_t count = std::min<int32_t>(e.count, n - i);
    if (count == 0) break;  // a varint of three bytes or more, or cut short
    // Lanes from `count` on shuffle in zeros (deltas of 0) and are not stored.
    const __m128i past =
        _mm_cmpgt_epi16(_mm_setr_epi16(1, 2, 3, 4, 5, 6, 7, 8), _mm_set1_epi16(static_cast<int16_t>(count)));
    const __m128i shuffle = _mm_or_si128(_mm_load_si128(reinterpret_cast<const __m128i*>(e.lanes)), past);
    const Eight v = DecodeWindowAvx2(window, shuffle, prev);
    const __m256i wanted = _mm256_set1_epi64x(count);
    const __m256i store0 = _mm256_cmpgt_epi64(wanted, _mm256_setr_epi64x(0, 1, 2, 3));
    const __m256i store1 = _mm256_cmpgt_epi64(wanted, _mm256_setr_epi64x(4, 5, 6, 7));
    _mm256_maskstore_epi64(reinterpret_cast<long long*>(out + i), store0, v.v0);
    _mm256_maskstore_epi64(reinterpret_cast<long long*>(out + i + 4), store1, v.v1);
    prev = _mm256_permute4x64_epi64(v.v1, 0xff);
    i += count;
    p += count == e.count ? e.bytes : e.lanes[2 * count];
  }
  return {p, i, static_cast<uint64_t>(_mm_cvtsi128_si64(_mm256_castsi256_si128(prev)))};
}

bool portable_for_testing = false;

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have && !portable_for_testing;
}
#endif

// The leading values of an all-valid block while they are of one or two bytes, without branching
// on the length (one- and two-byte values mix unpredictably, and a mispredicted branch costs more
// than a value). Stops at a value of three bytes or more, or before the last byte of the data (the
// AVX2 path: at it); the caller decodes the rest the checked way. Its own function so that the
// running value stays in a register instead of being spilled by the checked path's calls.
[[gnu::noinline]] SmallValues DecodeSmallValues(const uint8_t* p, const uint8_t* end, int64_t* out, int32_t n) {
#if defined(__x86_64__)
  if (HaveAvx2()) return DecodeSmallValuesAvx2(p, end, out, n);
#endif
  uint64_t prev = 0;
  int32_t i = 0;
  // Four values at a time from one 8-byte little-endian load (four values of at most two bytes
  // fit), eight when all eight bytes are values of one byte: the position of the next value is a
  // register shift, not a load, which halves the chain each value waits on. A group with a
  // longer value is redone one value at a time.
  while (i + 4 <= n && end - p >= 8) {
    uint64_t w = 0;
    for (int k = 7; k >= 0; --k) w = (w << 8) | p[k];  // compiles to one load on little-endian hosts
    if ((w & 0x8080808080808080ull) == 0 && i + 8 <= n) {
      // Eight one-byte values (quiet hours): every shift is a constant, nothing waits on a length.
      for (int k = 0; k < 8; ++k) {
        prev += static_cast<uint64_t>(UnZigZag((w >> (8 * k)) & 0x7f));
        out[i + k] = static_cast<int64_t>(prev);
      }
      i += 8;
      p += 8;
      continue;
    }
    uint64_t next = prev;
    uint64_t longer = 0;
    uint32_t pos = 0;
    for (int k = 0; k < 4; ++k) {
      const uint64_t x = w >> pos;  // pos <= 48
      const uint64_t more = (x >> 7) & 1;
      longer |= more & (x >> 15);
      const uint64_t z = (x & 0x7f) | ((x >> 1) & 0x3f80 & (0 - more));
      pos += 8 + 8 * static_cast<uint32_t>(more);
      next += static_cast<uint64_t>(UnZigZag(z));
      out[i + k] = static_cast<int64_t>(next);  // rewritten below if the group has a longer value
    }
    if (longer & 1) break;
    prev = next;
    i += 4;
    p += pos >> 3;
  }
  for (; i < n && end - p >= 2; ++i) {
    const uint32_t b0 = p[0];
    const uint32_t b1 = p[1];
    const uint32_t more = b0 >> 7;  // 1: a second byte follows
    if (more & (b1 >> 7)) break;
    const uint64_t z = (b0 & 0x7f) | ((b1 << 7) & (0u - more));
    p += 1 + more;
    prev += static_cast<uint64_t>(UnZigZag(z));
    out[i] = static_cast<int64_t>(prev);
  }
  return {p, i, prev};
}

}  // namespace

void UsePortableDecodeForTesting(bool portable) {
#if defined(__x86_64__)
  portable_for_testing = portable;
#else
  (void)portable;
#endif
}

core::Result<void> DecodeDayBlockInto(std::string_view bytes, DayBlock& b) {
  Reader in(bytes);
  auto version = in.Byte("the format version byte");
  if (!version) return Fail(version.error());
  if (*version != kDayBlockVersion) {
    return Fail(Reader::Err(0, fmt::format("expected format version {}, got {}", kDayBlockVersion, *version)));
  }

  size_t at = in.offset();
  auto interval = in.Varint("interval_s");
  if (!interval) return Fail(interval.error());
  if (*interval < 1 || *interval > kMaxDaySeconds) {
    return Fail(Reader::Err(at, fmt::format("expected interval_s 1..{}, got {}", kMaxDaySeconds, *interval)));
  }
  at = in.offset();
  auto slots = in.Varint("the slot count");
  if (!slots) return Fail(slots.error());
  if (*slots < 1 || *slots > kMaxDaySlots) {
    return Fail(Reader::Err(at, fmt::format("expected a slot count 1..{}, got {}", kMaxDaySlots, *slots)));
  }
  uint64_t day = *interval * *slots;
  if (day < kMinDaySeconds || day > kMaxDaySeconds) {
    return Fail(Reader::Err(at, fmt::format("expected interval_s x slots {}..{} s, got {} x {} = {}", kMinDaySeconds,
                                            kMaxDaySeconds, *interval, *slots, day)));
  }
  at = in.offset();
  auto scale = in.Varint("the scale");
  if (!scale) return Fail(scale.error());
  int64_t scale_value = UnZigZag(*scale);
  if (scale_value < -kMaxBlockScale || scale_value > kMaxBlockScale) {
    return Fail(Reader::Err(at, fmt::format("expected a scale -{}..{}, got {}", kMaxBlockScale, kMaxBlockScale, scale_value)));
  }

  const int32_t n = static_cast<int32_t>(*slots);
  b.interval_s = static_cast<int32_t>(*interval);
  b.slots = n;
  b.scale = static_cast<int8_t>(scale_value);
  at = in.offset();
  auto kind = in.Byte("the quality kind byte");
  if (!kind) return Fail(kind.error());
  if (*kind == kAllValid) {
    // Every slot gets its value below: no need to zero them first (the bill-run hot path).
    b.values.resize(static_cast<size_t>(n));
    b.quality.assign(static_cast<size_t>(n), Quality::kValid);
  } else {
    b.values.assign(static_cast<size_t>(n), 0);
    b.quality.assign(static_cast<size_t>(n), Quality::kMissing);
  }
  switch (*kind) {
    case kAllValid:
      break;
    case kAllMissing:
      break;
    case kRuns: {
      int32_t covered = 0;
      while (covered < n) {
        size_t run_at = in.offset();
        auto run = in.Varint("a quality run", covered);
        if (!run) return Fail(run.error());
        uint64_t len = *run >> 2;
        if (len < 1 || len > static_cast<uint64_t>(n - covered)) {
          return Fail(Reader::Err(run_at, fmt::format("expected a quality run length 1..{}, got {}", n - covered, len)));
        }
        std::fill_n(b.quality.begin() + covered, len, static_cast<Quality>(*run & 3));
        covered += static_cast<int32_t>(len);
      }
      break;
    }
    case kBitmap: {
      for (int32_t i = 0; i < n; i += 4) {
        size_t byte_at = in.offset();
        auto byte = in.Byte("a quality bitmap byte", i);
        if (!byte) return Fail(byte.error());
        for (int32_t k = 0; k < 4; ++k) {
          uint8_t q = (*byte >> (2 * k)) & 3;
          if (i + k < n) {
            b.quality[static_cast<size_t>(i + k)] = static_cast<Quality>(q);
          } else if (q != 0) {
            return Fail(Reader::Err(byte_at, "expected zero padding bits after the last slot's quality"));
          }
        }
      }
      break;
    }
    default:
      return Fail(Reader::Err(at, fmt::format("expected a quality kind 0..3, got {}", *kind)));
  }

  uint64_t prev = 0;
  int32_t first = 0;
  if (*kind == kAllValid) {
    // The bill-run hot path: every slot has a value, nearly all of one or two bytes.
    const uint8_t* start = in.Here();
    SmallValues done = DecodeSmallValues(start, start + in.Left(), b.values.data(), n);
    first = done.count;
    prev = done.prev;
    in.Skip(static_cast<size_t>(done.end - start));
  }
  for (int32_t i = first; i < n; ++i) {
    if (b.quality[static_cast<size_t>(i)] == Quality::kMissing) continue;
    uint64_t zigzag;
    if (int64_t small = in.NextSmallVarint(); small >= 0) {
      zigzag = static_cast<uint64_t>(small);
    } else {
      auto delta = in.Varint("the value", i);
      if (!delta) return Fail(delta.error());
      zigzag = *delta;
    }
    prev += static_cast<uint64_t>(UnZigZag(zigzag));
    b.values[static_cast<size_t>(i)] = static_cast<int64_t>(prev);
  }
  if (!in.AtEnd()) {
    return Fail(Reader::Err(in.offset(), fmt::format("expected end of block, found {} trailing bytes",
                                                     bytes.size() - in.offset())));
  }
  return {};
}

}  // namespace meterd::store
