// SPDX-License-Identifier: Apache-2.0
// Every frame of the libmbus corpus (/work/shared/vectors/mbus) against libmbus's normalised
// decoding (*.norm.xml): header fields and, per record, function, storage number, tariff,
// subunit, unit, quantity and value. Where meterd models a value differently from libmbus (time
// units kept as sent, "m3" for "m^3", dates as fields) LibmbusUnit/ExpectValue below translate
// ours into libmbus's form; nothing here loosens a comparison of a number.
// Test suites here start with "mbus" so that `ctest -R mbus` selects all of them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <set>

#include "codec/mbus/fixed_data.h"
#include "codec/mbus/frame.h"
#include "codec/mbus/medium.h"
#include "codec/mbus/user_data.h"
#include "codec/mbus/vif.h"
#include "core/quantity.h"
#include "norm_xml.h"

namespace meterd::codec::mbus {
namespace {

using testing::Fields;
using testing::HexFiles;
using testing::LibmbusXml;

// Frames whose libmbus decoding meterd deliberately does not reproduce, with the reason. Empty:
// every frame matches.
const std::set<std::string> kKnownDifferences = {};

std::string Name(const std::filesystem::path& p) {
  std::string s = p.stem().string();
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

// ---- numbers --------------------------------------------------------------------------------

using i128 = __int128;

// "%f" text ("-170.721784") as an integer count of millionths.
std::optional<i128> ParseMillionths(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos || s.size() - dot - 1 != 6) return std::nullopt;
  i128 v = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == dot) continue;
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return negative ? -v : v;
}

std::string ToString(i128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  if (negative) v = -v;
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return negative ? "-" + s : s;
}

// Seconds per unit of the time units meterd keeps as sent; libmbus converts to seconds.
int64_t SecondsPer(std::string_view unit) {
  if (unit == "min") return 60;
  if (unit == "h") return 3600;
  if (unit == "d") return 86400;
  return 1;
}

struct Stats {
  int frames = 0;
  int records = 0;
  int exact_numbers = 0;
  int rounded_numbers = 0;  // equal within libmbus's double rounding
  int reals = 0;
  int libmbus_empty_records = 0;
};
Stats& Totals() {
  static Stats stats;
  return stats;
}

// mantissa x 10^exponent x seconds against libmbus's "%f" text.
void ExpectInteger(int64_t mantissa, int exponent, int64_t seconds, const std::string& xml) {
  auto expected = ParseMillionths(xml);
  ASSERT_TRUE(expected) << "libmbus value '" << xml << "' is not %f text";
  const int shift = exponent + 6;  // to millionths
  ASSERT_LE(std::abs(shift), 24) << "exponent " << exponent << " out of the test's range";
  i128 ours = static_cast<i128>(mantissa) * seconds;
  i128 remainder = 0;
  if (shift >= 0) {
    for (int i = 0; i < shift; ++i) ours *= 10;
  } else {
    i128 div = 1;
    for (int i = 0; i < -shift; ++i) div *= 10;
    remainder = ours % div;
    ours /= div;
    if (2 * (remainder < 0 ? -remainder : remainder) >= div) ours += ours < 0 || remainder < 0 ? -1 : 1;
  }
  if (ours == *expected) {
    ++Totals().exact_numbers;
    return;
  }
  // libmbus computes mantissa * 1e<exponent> in double, whose last bits can move the 6th decimal.
  const i128 diff = ours > *expected ? ours - *expected : *expected - ours;
  const i128 magnitude = *expected < 0 ? -*expected : *expected;
  EXPECT_LE(diff, 1 + magnitude / 1000000000000000) << "ours " << ToString(ours) << "e-6, libmbus " << xml;
  ++Totals().rounded_numbers;
}

// The real as meterd prints it (shortest float digits, shifted) against libmbus's
// (double)float * 1e<exponent> printed with %f.
void ExpectReal(const Real& r, int exponent, const std::string& xml) {
  const double ours = std::stod(FormatReal(r.bits, exponent));
  const double theirs = std::stod(xml);
  EXPECT_NEAR(ours, theirs, 1e-6 + std::fabs(theirs) * 1e-7) << "ours " << FormatReal(r.bits, exponent);
  EXPECT_EQ(r.text, FormatReal(r.bits, 0));
  ++Totals().reals;
}

// ---- records ---------------------------------------------------------------------------------

std::string LibmbusFunction(const Record& r) {
  if (r.kind == RecordKind::kManufacturerData) {
    return r.dib[0] == 0x1F ? "More records follow" : "Manufacturer specific";
  }
  return std::string(FunctionName(r.function));
}

std::string LibmbusUnit(const Record& r) {
  if (r.kind == RecordKind::kManufacturerData) return "";
  if ((r.vib[0] & 0x7F) == kVifPlainText || r.time_point) return "-";
  if (r.quantity == "H.C.A.") return "Units for H.C.A.";
  if (r.quantity == "Reserved") return "Reserved";
  if (SecondsPer(r.unit) != 1) return "s";
  if (r.unit.starts_with("m3")) return "m^3" + r.unit.substr(2);
  return r.unit;
}

std::string LibmbusQuantity(const Record& r) { return r.kind == RecordKind::kManufacturerData ? "" : r.quantity; }

std::string LibmbusDate(const DateTime& t) {
  if (t.type == DateTimeType::kG) return fmt::format("{:04}-{:02}-{:02}", t.year, t.month, t.day);
  if (t.invalid) return "1900-01-00T00:00:00Z";  // libmbus's rendering of a time with the IV bit
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

void ExpectValue(const Record& r, const std::string& xml) {
  if (auto* i = std::get_if<Integer>(&r.value)) {
    ExpectInteger(i->mantissa, r.exponent, SecondsPer(r.unit), xml);
  } else if (auto* f = std::get_if<Real>(&r.value)) {
    ExpectReal(*f, r.exponent, xml);
  } else if (auto* t = std::get_if<DateTime>(&r.value)) {
    EXPECT_EQ(LibmbusDate(*t), xml);
  } else if (auto* s = std::get_if<Text>(&r.value)) {
    EXPECT_EQ(s->text, xml);
  } else if (auto* b = std::get_if<Bytes>(&r.value)) {
    // Manufacturer data, in the order sent (the order this libmbus printed too).
    EXPECT_EQ(FormatValue(*b, 0), xml);
  } else {
    ADD_FAILURE() << "record has no value; libmbus shows '" << xml << "'";
  }
}

void ExpectRecord(const Record& r, const Fields& x) {
  if (x.empty()) {
    // libmbus prints an empty record when its table has no entry for the VIF; the one case in
    // the corpus is VIF 7Bh without the extension bit (sen_pollutherm), which announces a table
    // but gives no code. meterd reports it as a reserved VIF with its value.
    EXPECT_EQ(r.vib, std::vector<uint8_t>{0x7B});
    EXPECT_EQ(r.quantity, "Reserved");
    ++Totals().libmbus_empty_records;
    return;
  }
  auto get = [&](const char* key) -> std::string {
    auto it = x.find(key);
    return it == x.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_EQ(LibmbusFunction(r), get("Function"));
  EXPECT_EQ(std::to_string(r.storage_number), get("StorageNumber"));
  if (r.has_difes) {
    EXPECT_EQ(std::to_string(r.tariff), get("Tariff"));
    EXPECT_EQ(std::to_string(r.subunit), get("Device"));
  } else {
    EXPECT_EQ(x.count("Tariff"), 0u);
    EXPECT_EQ(x.count("Device"), 0u);
  }
  EXPECT_EQ(LibmbusUnit(r), get("Unit"));
  EXPECT_EQ(LibmbusQuantity(r), get("Quantity"));
  ExpectValue(r, get("Value"));
  ++Totals().records;
}

// libmbus prints the identification number's nibbles as hex without leading zeros, so a
// non-decimal digit shows ("500023E" in electricity-meter-1); meterd keeps all eight.
std::string LibmbusId(const std::string& id) {
  const size_t first = std::min(id.find_first_not_of('0'), id.size() - 1);
  return id.substr(first);
}

void ExpectVariable(const VariableData& d, const LibmbusXml& xml) {
  const VariableDataHeader& h = d.header;
  EXPECT_EQ(LibmbusId(h.id), xml.slave.at("Id"));
  EXPECT_EQ(h.manufacturer_code, xml.slave.at("Manufacturer"));
  EXPECT_EQ(std::to_string(h.version), xml.slave.at("Version"));
  EXPECT_EQ(MediumName(h.medium), xml.slave.at("Medium"));
  EXPECT_EQ(std::to_string(h.access_number), xml.slave.at("AccessNumber"));
  EXPECT_EQ(fmt::format("{:02X}", h.status), xml.slave.at("Status"));
  EXPECT_EQ(fmt::format("{:04X}", h.signature), xml.slave.at("Signature"));
  ASSERT_EQ(d.records.size(), xml.records.size());
  for (size_t i = 0; i < d.records.size(); ++i) {
    SCOPED_TRACE(fmt::format("record {} at offset {}", i, d.records[i].offset));
    ExpectRecord(d.records[i], xml.records[i]);
  }
}

// libmbus prints the EN 1434-3 unit of each counter and its raw count.
void ExpectFixed(const FixedData& f, const LibmbusXml& xml) {
  EXPECT_EQ(LibmbusId(f.id), xml.slave.at("Id"));
  EXPECT_EQ(FixedMediumName(f.medium), xml.slave.at("Medium"));
  EXPECT_EQ(std::to_string(f.access_number), xml.slave.at("AccessNumber"));
  EXPECT_EQ(fmt::format("{:02X}", f.status), xml.slave.at("Status"));
  ASSERT_EQ(xml.records.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const FixedCounter& c = f.counters[i];
    EXPECT_EQ(f.stored_values ? "Stored value" : "Actual value", xml.records[i].at("Function"));
    const std::string& unit = xml.records[i].at("Unit");
    EXPECT_EQ(unit == "reserved but historic" ? "same but historic" : unit, c.unit_name);
    ASSERT_TRUE(std::holds_alternative<Integer>(c.value));
    EXPECT_EQ(std::to_string(std::get<Integer>(c.value).mantissa), xml.records[i].at("Value"));
    ++Totals().records;
  }
}

class mbusTestFrame : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(mbusTestFrame, MatchesLibmbus) {
  const auto& path = GetParam();
  if (kKnownDifferences.count(path.stem().string())) GTEST_SKIP() << "known difference, see kKnownDifferences";
  const auto bytes = testing::ReadHexFile(path);
  auto xml = testing::ParseLibmbusXml(testing::ReadFile(std::filesystem::path(path).replace_extension(".norm.xml")));
  ASSERT_TRUE(xml) << "no .norm.xml beside " << path;
  auto frame = DecodeFrame(bytes);
  ASSERT_TRUE(frame) << frame.error().ToString();
  auto data = DecodeUserData(*frame);
  ASSERT_TRUE(data) << data.error().ToString();
  if (auto* v = std::get_if<VariableData>(&*data)) {
    ExpectVariable(*v, *xml);
  } else {
    ExpectFixed(std::get<FixedData>(*data), *xml);
  }
  ++Totals().frames;
}

INSTANTIATE_TEST_SUITE_P(Libmbus, mbusTestFrame, ::testing::ValuesIn(HexFiles("test-frames")),
                         [](const auto& info) { return Name(info.param); });

TEST(LibmbusCorpus, HasAllFrames) {
  EXPECT_EQ(HexFiles("test-frames").size(), 57u);
  EXPECT_EQ(HexFiles("error-frames").size(), 20u);
  EXPECT_EQ(HexFiles("unsupported-frames").size(), 7u);
}

// Prints the totals when the whole binary runs (under ctest each test is its own process).
class CorpusSummary : public ::testing::Environment {
 public:
  void TearDown() override {
    const Stats& s = Totals();
    if (s.frames < 2) return;
    std::printf("[ corpus ] %d frames, %d records: %d numbers exact, %d within double rounding, %d reals, %d records "
                "libmbus left empty\n",
                s.frames, s.records, s.exact_numbers, s.rounded_numbers, s.reals, s.libmbus_empty_records);
  }
};
[[maybe_unused]] ::testing::Environment* const kCorpusSummary =
    ::testing::AddGlobalTestEnvironment(new CorpusSummary);

}  // namespace
}  // namespace meterd::codec::mbus
