// SPDX-License-Identifier: Apache-2.0
#include "store/day_block.h"

#include <gtest/gtest.h>

#include <limits>
#include <algorithm>
#include <bitset>
#include <cstring>
#include <random>

#if __has_include(<sys/mman.h>)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace meterd::store {
namespace {

using core::Quality;

DayBlock Block(int32_t slots, int32_t interval_s = 0, int8_t scale = -3) {
  if (interval_s == 0) interval_s = 86400 / 96 * 96 / slots;
  return DayBlock::Empty(interval_s, slots, scale);
}

DayBlock RoundTrip(const DayBlock& b) {
  auto decoded = DecodeDayBlock(EncodeDayBlock(b));
  EXPECT_TRUE(decoded) << decoded.error().message;
  return decoded ? *decoded : DayBlock{};
}

// A household's water use in litres per 15 minutes: nothing at night, a morning and an
// evening peak, occasional small draws. Fixed seed, so the figure is stable.
DayBlock WaterDay(uint32_t seed) {
  std::mt19937 rng(seed);
  DayBlock b = Block(96);
  for (int i = 0; i < 96; ++i) {
    int hour = i / 4;
    int64_t v = 0;
    if (hour >= 6 && hour < 9) v = std::uniform_int_distribution<int>(0, 60)(rng);
    else if (hour >= 18 && hour < 22) v = std::uniform_int_distribution<int>(0, 40)(rng);
    else if (hour >= 9 && hour < 18) v = std::uniform_int_distribution<int>(0, 4)(rng) == 0 ? std::uniform_int_distribution<int>(1, 15)(rng) : 0;
    b.values[i] = v;
    b.quality[i] = Quality::kValid;
  }
  return b;
}

TEST(DayBlock, RoundTripsRandomBlocks) {
  std::mt19937_64 rng(20260329);
  for (int n = 0; n < 2000; ++n) {
    const int32_t slots_options[] = {24, 92, 96, 100, 288, 1440};
    int32_t slots = slots_options[rng() % 6];
    DayBlock b = DayBlock::Empty(86400 / (slots == 92 ? 96 : slots == 100 ? 96 : slots) , slots,
                                 static_cast<int8_t>(static_cast<int>(rng() % 37) - 18));
    if (slots == 92 || slots == 100) b.interval_s = 900;
    for (int32_t i = 0; i < slots; ++i) {
      auto q = static_cast<Quality>(rng() % 4);
      if (n % 3 == 0) q = Quality::kValid;
      b.quality[i] = q;
      if (q == Quality::kMissing) continue;
      switch (rng() % 4) {
        case 0: b.values[i] = static_cast<int64_t>(rng()); break;
        case 1: b.values[i] = static_cast<int64_t>(rng() % 100); break;
        case 2: b.values[i] = -static_cast<int64_t>(rng() % 100000); break;
        default: b.values[i] = 0;
      }
    }
    ASSERT_EQ(RoundTrip(b), b) << "iteration " << n;
  }
}

// All-valid days of metered energy: runs of small steps (one-byte deltas, decoded eight at a
// time), medium ones (two bytes, four at a time) and rare jumps (three bytes and more, the checked
// path), at slot counts with every remainder, so each group size meets each kind of tail.
TEST(DayBlock, RoundTripsSmoothAllValidDaysThroughEveryDecodePath) {
  std::mt19937_64 rng(20261122);
  for (int n = 0; n < 3000; ++n) {
    // A day of 23 to 25 hours in hourly, quarter-hourly or one-minute slots: every remainder
    // of the slot count by four and eight.
    const int32_t interval = n % 3 == 0 ? 3600 : n % 3 == 1 ? 900 : 60;
    const int32_t slots =
        std::min(kMaxDaySlots, 82800 / interval + static_cast<int32_t>(rng() % (7200 / interval + 1)));
    DayBlock b = DayBlock::Empty(interval, slots, -3);
    int64_t v = static_cast<int64_t>(rng() % 5000);
    const int mode = n % 4;  // 0: quiet, 1: mixed, 2: busy, 3: with jumps
    for (int32_t i = 0; i < slots; ++i) {
      int64_t step = 0;
      const uint64_t r = rng() % 100;
      if (mode == 0 || r < 60) {
        step = static_cast<int64_t>(rng() % 120) - 60;  // one byte
      } else if (mode == 3 && r > 95) {
        step = static_cast<int64_t>(rng() % 4'000'000) - 2'000'000;  // three or four bytes
      } else {
        step = static_cast<int64_t>(rng() % 16'000) - 8'000;  // mostly two bytes
      }
      v += step;
      b.quality[i] = Quality::kValid;
      b.values[i] = v;
    }
    ASSERT_EQ(RoundTrip(b), b) << "iteration " << n << ", " << slots << " slots";
  }
}

TEST(DayBlock, RoundTripsEdgeValues) {
  DayBlock extremes = Block(96);
  for (int i = 0; i < 96; ++i) {
    extremes.quality[i] = Quality::kValid;
    extremes.values[i] = i % 2 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  extremes.values[5] = 0;
  extremes.values[6] = -1;
  EXPECT_EQ(RoundTrip(extremes), extremes);

  DayBlock missing = Block(96);
  EXPECT_EQ(RoundTrip(missing), missing);
  EXPECT_EQ(EncodeDayBlock(missing).size(), 6u);  // version, 900 (2 bytes), 96, scale, kind

  DayBlock zeros = Block(96);
  std::fill(zeros.quality.begin(), zeros.quality.end(), Quality::kValid);
  EXPECT_EQ(RoundTrip(zeros), zeros);
  EXPECT_EQ(EncodeDayBlock(zeros).size(), 6u + 96u);

  DayBlock estimated = zeros;  // one run of a quality other than valid or missing
  std::fill(estimated.quality.begin(), estimated.quality.end(), Quality::kEstimated);
  EXPECT_EQ(RoundTrip(estimated), estimated);

  DayBlock one = DayBlock::Empty(86400, 1, 18);
  one.quality[0] = Quality::kSuspect;
  one.values[0] = -7;
  EXPECT_EQ(RoundTrip(one), one);

  // Mixed qualities in a scattered pattern (bitmap) and in long runs (run-length) both survive.
  DayBlock scattered = Block(1440);
  for (int i = 0; i < 1440; ++i) {
    scattered.quality[i] = static_cast<Quality>((i * 7 + i / 3) % 4);
    if (scattered.quality[i] != Quality::kMissing) scattered.values[i] = i;
  }
  EXPECT_EQ(RoundTrip(scattered), scattered);
  DayBlock runs = Block(96);
  for (int i = 0; i < 40; ++i) runs.quality[i] = Quality::kValid, runs.values[i] = 3;
  for (int i = 40; i < 44; ++i) runs.quality[i] = Quality::kEstimated, runs.values[i] = 2;
  EXPECT_EQ(RoundTrip(runs), runs);
  EXPECT_EQ(EncodeDayBlock(runs).size(), 6u + 5u + 44u);  // header+kind, 3 runs, 44 one-byte values
}

TEST(DayBlock, MissingSlotValuesAreNotStored) {
  DayBlock b = Block(96);
  b.values[3] = 42;  // quality missing: the value is dropped
  auto decoded = RoundTrip(b);
  EXPECT_EQ(decoded.values[3], 0);
}

TEST(DayBlock, RealisticWaterDayIsUnderOneAndAHalfBytesPerReading) {
  size_t total = 0;
  const int days = 365;
  for (int d = 0; d < days; ++d) {
    DayBlock b = WaterDay(static_cast<uint32_t>(d));
    std::string bytes = EncodeDayBlock(b);
    ASSERT_EQ(RoundTrip(b), b);
    total += bytes.size();
  }
  double per_reading = static_cast<double>(total) / (days * 96);
  std::printf("water day block: %.3f bytes per reading (%zu bytes per meter-year)\n", per_reading, total);
  EXPECT_LT(per_reading, 1.5);
  EXPECT_GE(per_reading, 1.0);  // one byte per value is the floor of this format
}

TEST(DayBlock, EncodingIsDeterministic) {
  EXPECT_EQ(EncodeDayBlock(WaterDay(7)), EncodeDayBlock(WaterDay(7)));
}

// Decode errors: each names the offset and what was expected.
void ExpectError(std::string_view bytes, std::string_view offset, std::string_view expected) {
  auto r = DecodeDayBlock(bytes);
  ASSERT_FALSE(r) << "decoded unexpectedly";
  EXPECT_EQ(r.error().code, core::ErrorCode::kCorruption);
  EXPECT_EQ(r.error().field, offset) << r.error().message;
  EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
}

std::string Valid() { return EncodeDayBlock(WaterDay(1)); }

TEST(DayBlock, RejectsEmptyAndBadVersion) {
  ExpectError("", "byte 0", "expected the format version byte");
  std::string b = Valid();
  b[0] = 2;
  ExpectError(b, "byte 0", "expected format version 1, got 2");
}

TEST(DayBlock, RejectsEveryTruncation) {
  std::string b = Valid();
  for (size_t n = 0; n < b.size(); ++n) {
    auto r = DecodeDayBlock(std::string_view(b).substr(0, n));
    ASSERT_FALSE(r) << "prefix of " << n << " bytes decoded";
    EXPECT_NE(r.error().message.find("end of data"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().field, "byte " + std::to_string(n)) << r.error().message;
  }
}

TEST(DayBlock, RejectsTrailingBytes) {
  std::string b = Valid() + "x";
  ExpectError(b, "byte " + std::to_string(b.size() - 1), "1 trailing bytes");
}

TEST(DayBlock, RejectsBadHeader) {
  // version 1, interval 900 = 0x84 0x07, slots, scale 0, kind all-missing.
  ExpectError(std::string("\x01\x84\x07\x00\x00\x01", 6), "byte 3", "expected a slot count 1..1440, got 0");
  ExpectError(std::string("\x01\x01\xa1\x0b\x00\x01", 6), "byte 2", "expected a slot count 1..1440, got 1441");
  ExpectError(std::string("\x01\x84\x07\x5b\x00\x01", 6), "byte 3", "= 81900");  // 91 slots: too short
  ExpectError(std::string("\x01\x84\x07\x65\x00\x01", 6), "byte 3", "= 90900");  // 101 slots: long day
  ExpectError(std::string("\x01\x00\x60\x00\x01", 5), "byte 1", "expected interval_s");
  ExpectError(std::string("\x01\x84\x07\x60\x26\x01", 6), "byte 4", "expected a scale -18..18, got 19");
  ExpectError(std::string("\x01\x84\x07\x60\x00\x04", 6), "byte 5", "expected a quality kind 0..3, got 4");
  ExpectError(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11), "byte 1", "overflows 64 bits");
}

TEST(DayBlock, RejectsBadQualitySections) {
  // Runs: a zero-length run, and one running past the last slot.
  ExpectError(std::string("\x01\x84\x07\x60\x00\x02\x01", 7), "byte 6", "expected a quality run length 1..96, got 0");
  ExpectError(std::string("\x01\x84\x07\x60\x00\x02\x84\x03", 8), "byte 6", "1..96, got 97");
  // Bitmap: 92 slots of 900 s fill 23 bytes exactly; 94 slots leave padding bits that must be zero.
  std::string bitmap("\x01\x84\x07\x5e\x00\x03", 6);
  bitmap += std::string(23, '\0');
  bitmap += '\x10';  // slot 94's bits (past the end) set
  ExpectError(bitmap, "byte 29", "zero padding bits");
}

}  // namespace
}  // namespace meterd::store

namespace meterd::store {
namespace {

// The reuse decoder (bill runs) leaves nothing of the previous block behind and takes the same
// values through its one- and two-byte fast path as through the checked path.
TEST(DayBlock, DecodeIntoReusesStorageWithoutLeftovers) {
  DayBlock big = DayBlock::Empty(900, 100, 0);
  for (int i = 0; i < 100; ++i) {
    big.values[static_cast<size_t>(i)] = (i % 7 == 0) ? 1'000'000 * i : (i % 3 == 0 ? 200 * i : i);
    big.quality[static_cast<size_t>(i)] = core::Quality::kValid;
  }
  DayBlock small = DayBlock::Empty(900, 92, -3);
  small.values[5] = -70;
  small.quality[5] = core::Quality::kEstimated;
  DayBlock into;
  ASSERT_TRUE(DecodeDayBlockInto(EncodeDayBlock(big), into));
  EXPECT_EQ(into, big);
  ASSERT_TRUE(DecodeDayBlockInto(EncodeDayBlock(small), into));
  EXPECT_EQ(into, small);
  ASSERT_TRUE(DecodeDayBlockInto(EncodeDayBlock(big), into));
  EXPECT_EQ(into, big);
  // A block cut inside a two-byte value fails the same way through either path.
  std::string bytes = EncodeDayBlock(big);
  bytes.pop_back();
  EXPECT_FALSE(DecodeDayBlockInto(bytes, into));
}

}  // namespace
}  // namespace meterd::store

namespace meterd::store {
namespace {

// The all-valid values through the fast path against a plain decoder of the grammar in
// docs/formats/day-block.md, one byte at a time.

std::string AllValidHeader(int32_t slots) {
  std::string h("\x01", 1);
  for (uint64_t v : {static_cast<uint64_t>((86400 + slots - 1) / slots), static_cast<uint64_t>(slots)}) {
    for (; v >= 0x80; v >>= 7) h += static_cast<char>((v & 0x7f) | 0x80);
    h += static_cast<char>(v);
  }
  h += std::string("\x00\x00", 2);  // scale 0, every slot valid
  return h;
}

// `z` as a varint of `bytes` bytes (more than it needs is an overlong but valid encoding).
void PutVarintBytes(std::string& out, uint64_t z, int bytes) {
  for (int k = 1; k < bytes; ++k, z >>= 7) out += static_cast<char>((z & 0x7f) | 0x80);
  out += static_cast<char>(z);
}

struct Plain {
  bool ok = false;
  std::vector<int64_t> values;
  size_t error_at = 0;
};

Plain DecodeValuesPlainly(std::string_view bytes, size_t at, int32_t n) {
  Plain r;
  uint64_t prev = 0;
  for (int32_t i = 0; i < n; ++i) {
    const size_t start = at;
    uint64_t z = 0;
    bool ended = false;
    for (int shift = 0; shift < 64 && !ended; shift += 7) {
      if (at == bytes.size()) return {false, {}, at};
      const auto b = static_cast<uint8_t>(bytes[at++]);
      if (shift == 63 && b > 1) return {false, {}, start};
      z |= static_cast<uint64_t>(b & 0x7f) << shift;
      ended = b < 0x80;
    }
    if (!ended) return {false, {}, start};
    prev += (z >> 1) ^ (0 - (z & 1));
    r.values.push_back(static_cast<int64_t>(prev));
  }
  if (at != bytes.size()) return {false, {}, at};
  r.ok = true;
  return r;
}

// Decodes header(n) + `values` both ways; `at` says where the block lives (a copy by default).
void ExpectAsPlain(const std::string& values, int32_t n, const std::string& what, char* at = nullptr) {
  std::string block = AllValidHeader(n) + values;
  std::string_view bytes = block;
  if (at != nullptr) {
    std::memcpy(at, block.data(), block.size());
    bytes = std::string_view(at, block.size());
  }
  const Plain want = DecodeValuesPlainly(bytes, block.size() - values.size(), n);
  auto got = DecodeDayBlock(bytes);
  ASSERT_EQ(got.has_value(), want.ok) << what << ": " << (got ? "decoded" : got.error().message);
  if (want.ok) {
    ASSERT_EQ(got->values, want.values) << what;
  } else {
    ASSERT_EQ(got.error().field, "byte " + std::to_string(want.error_at)) << what << ": " << got.error().message;
  }
}

// A varint ends in each byte below 0x80.
int32_t Ends(const std::string& values) {
  return static_cast<int32_t>(
      std::count_if(values.begin(), values.end(), [](char c) { return static_cast<uint8_t>(c) < 0x80; }));
}

// Every pattern of continuation bits in eight bytes, at every offset from the start of a window,
// followed by 0 to 8 bytes: varints of one to nine bytes, cut short, and a slot count one too high
// or too low.
// The value decoder has a SIMD path (AVX2) and the portable one; both must agree with the plain
// decoder on every input.
class DayBlockDecodePaths : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { UsePortableDecodeForTesting(GetParam()); }
  void TearDown() override { UsePortableDecodeForTesting(false); }
};
INSTANTIATE_TEST_SUITE_P(Paths, DayBlockDecodePaths, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Portable" : "Fastest"; });

TEST_P(DayBlockDecodePaths, DecodesEveryContinuationPatternAtEveryOffset) {
  std::mt19937_64 rng(20261122);
  for (unsigned bits = 0; bits < 256; ++bits) {
    for (int lead = 0; lead < 18; ++lead) {
      for (int trail : {0, 1, 7, 8}) {
        std::string values;
        for (int k = 0; k < lead; ++k) values += static_cast<char>(rng() & 0x7f);
        for (int k = 0; k < 8; ++k) values += static_cast<char>((rng() & 0x7f) | (((bits >> k) & 1) << 7));
        if (bits & 0x80) values += static_cast<char>(rng() & 0x7f);
        for (int k = 0; k < trail; ++k) values += static_cast<char>(rng() & 0x7f);
        const int32_t n = Ends(values);
        const std::string what = "bits " + std::bitset<8>(bits).to_string() + ", lead " + std::to_string(lead) +
                                 ", trail " + std::to_string(trail);
        ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values, n, what));
        ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values.substr(0, values.size() - 1), n, what + ", cut"));
        ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values, n + 1, what + ", one slot more"));
        if (n > 1) {
          ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values, n - 1, what + ", one slot less"));
        }
      }
    }
  }
}

// Values of one byte (most), two (some) and three to ten (a few, some overlong), at slot counts
// with every remainder by eight; each also cut short, with a byte more, and with one byte's
// continuation bit flipped.
std::string RandomValues(std::mt19937_64& rng, int32_t n) {
  std::string values;
  for (int32_t i = 0; i < n; ++i) {
    const uint64_t r = rng() % 100;
    const int bytes = r < 75 ? 1 : r < 92 ? 2 : 3 + static_cast<int>(rng() % 8);
    uint64_t z = rng();
    if (bytes < 10) z &= (uint64_t{1} << (7 * bytes)) - 1;
    if (rng() % 8 == 0) z >>= 7 * (rng() % bytes);  // overlong: fewer bits than the bytes hold
    PutVarintBytes(values, z, bytes);
  }
  return values;
}

TEST_P(DayBlockDecodePaths, DecodesRandomMixesOfValueLengthsAsThePlainDecoder) {
  std::mt19937_64 rng(20261123);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    const int32_t n = iteration % 4 == 0 ? 92 + static_cast<int32_t>(rng() % 9)
                      : iteration % 4 == 1 ? 1 + static_cast<int32_t>(rng() % 24)
                                           : 1 + static_cast<int32_t>(rng() % kMaxDaySlots);
    std::string values = RandomValues(rng, n);
    const std::string what = "iteration " + std::to_string(iteration) + ", " + std::to_string(n) + " slots";
    ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values, n, what));
    ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values.substr(0, values.size() - 1), n, what + ", cut"));
    ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values + static_cast<char>(rng() & 0xff), n, what + ", a byte more"));
    values[rng() % values.size()] ^= static_cast<char>(0x80);
    ASSERT_NO_FATAL_FAILURE(ExpectAsPlain(values, n, what + ", a continuation bit flipped"));
  }
  // Ten-byte varints: the largest value, and one with a bit beyond 64.
  std::string max_values;
  PutVarintBytes(max_values, ~uint64_t{0}, 10);
  ExpectAsPlain(max_values + max_values, 2, "largest");
  ExpectAsPlain(std::string(9, '\xff') + "\x02", 1, "65 bits");
}

#if __has_include(<sys/mman.h>)
// Blocks that end where the readable memory ends (the last block of an mmapped file): a read past
// the end would fault.
TEST_P(DayBlockDecodePaths, DecodesBlocksThatEndAtAPageBoundary) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* map = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  char* const boundary = static_cast<char*>(map) + page;
  ASSERT_EQ(mprotect(boundary, page, PROT_NONE), 0);
  std::mt19937_64 rng(20261124);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    const int32_t n = iteration % 2 == 0 ? 96 : 1 + static_cast<int32_t>(rng() % 20);
    std::string values = RandomValues(rng, n);
    if (iteration % 3 == 0) values.pop_back();
    const std::string what = "iteration " + std::to_string(iteration) + ", " + std::to_string(n) + " slots";
    ASSERT_NO_FATAL_FAILURE(
        ExpectAsPlain(values, n, what, boundary - static_cast<ptrdiff_t>(AllValidHeader(n).size() + values.size())));
  }
  munmap(map, 2 * page);
}
#endif

}  // namespace
}  // namespace meterd::store
