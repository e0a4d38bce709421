// SPDX-License-Identifier: Apache-2.0
// The libmbus error-frames and unsupported-frames: each gives an Error that says what went wrong
// and where, and no records. The one exception, svm_f22_telegram2, is a well-formed telegram
// whose whole content is manufacturer data (libmbus decodes it the same way); see below.
#include <gtest/gtest.h>

#include <map>

#include "codec/mbus/frame.h"
#include "codec/mbus/user_data.h"
#include "norm_xml.h"

namespace meterd::codec::mbus {
namespace {

struct Expected {
  std::string_view says;
  long offset;  // -1: not checked
};

// What meterd reports for each file. Offsets count from the frame's first byte.
const std::map<std::string, Expected, std::less<>> kExpected = {
    {"application_busy", {"meter reports application error 0x08: Application busy", 7}},
    {"buffer_too_long", {"Buffer too long, truncated", 7}},
    {"error", {"application error 0x00: Unspecified error", 7}},
    {"premature_end_of_data1", {"6-digit BCD data of record 2 (3 bytes), but only 0 left", 32}},
    {"premature_end_of_data2", {"6-digit BCD data of record 2 (3 bytes), but only 2 left", 32}},
    {"premature_end_of_dif1", {"expected DIFE 1", 30}},
    {"premature_end_of_dif2", {"expected DIFE 2", 31}},
    {"premature_end_of_record", {"Premature end of record", 7}},
    {"premature_end_of_var_vif1", {"plain-text VIF of record 3 (19 bytes), but only 6 left", 44}},
    {"premature_end_of_vif1", {"expected a VIF", 31}},
    {"too_long_var_vif", {"plain-text VIF length 0xF3 is too long", 43}},
    {"too_many_dife", {"more than 10 DIFEs", 40}},
    {"too_many_difes", {"More than 10 DIFEs", 7}},
    {"too_many_readouts", {"Too many readouts", 7}},
    {"too_many_records", {"Too many records", 7}},
    {"too_many_vife", {"more than 10 VIFEs", 42}},
    {"too_many_vifes", {"More than 10 VIFEs", 7}},
    {"too_short_header", {"expected the long header (12 bytes), but only 5 left", 7}},
    {"unimplemented_ci", {"Unimplemented CI-Field", 7}},
    {"unspecified_error", {"Unspecified error", 7}},
    {"invalid_length", {"length field 0 is below 3", 1}},
    {"invalid_length2", {"fixed data structure has 15 bytes, expected 16", 22}},
    {"manual_frame1", {"expected a start byte (E5, 10 or 68), got 0D", 0}},  // the file starts with "D"
    {"manual_frame4", {"is SND_UD from the master, not RSP_UD", 4}},      // set primary address
    {"manual_frame5", {"is SND_UD from the master, not RSP_UD", 4}},      // set secondary address
    {"manual_frame6", {"is SND_UD from the master, not RSP_UD", 4}},
};

core::Result<UserData> DecodeBytes(const std::vector<uint8_t>& bytes) {
  auto frame = DecodeFrame(bytes);
  if (!frame) return core::Fail(frame.error());
  return DecodeUserData(*frame);
}

class mbusBadFrame : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(mbusBadFrame, GivesAClearError) {
  const std::string name = GetParam().stem().string();
  auto it = kExpected.find(name);
  ASSERT_NE(it, kExpected.end()) << "no expectation for " << name;
  auto data = DecodeBytes(testing::ReadHexFile(GetParam()));
  ASSERT_FALSE(data) << name << " decoded";
  const core::Error& e = data.error();
  EXPECT_NE(e.message.find(it->second.says), std::string::npos) << e.ToString();
  EXPECT_EQ(e.field, fmt::format("offset {}", it->second.offset)) << e.ToString();
  // Where libmbus wrote down the application error, it is the one we name.
  auto xml = testing::ParseLibmbusXml(testing::ReadFile(std::filesystem::path(GetParam()).replace_extension(".xml")));
  if (xml && xml->slave.count("Error")) {
    std::string libmbus = xml->slave.at("Error");
    if (auto tick = libmbus.find("\xC2\xB4"); tick != std::string::npos) libmbus.erase(tick, 2);  // "DIFE´s"
    EXPECT_NE(e.message.find(libmbus), std::string::npos) << e.message << " vs libmbus " << libmbus;
  }
}

// Both folders but svm_f22_telegram2, which is tested on its own below.
std::vector<std::filesystem::path> BadFiles() {
  auto files = testing::HexFiles("error-frames");
  for (auto& f : testing::HexFiles("unsupported-frames")) {
    if (f.stem() != "svm_f22_telegram2") files.push_back(f);
  }
  return files;
}

TEST(mbusBadFrame, EveryFileHasAnExpectation) {
  EXPECT_EQ(BadFiles().size(), kExpected.size());
}

INSTANTIATE_TEST_SUITE_P(Libmbus, mbusBadFrame, ::testing::ValuesIn(BadFiles()), [](const auto& info) {
  std::string s = info.param.stem().string();
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
});

// svm_f22_telegram2 (in libmbus's "unsupported" folder) is a valid RSP_UD: checksum and lengths
// are right and the first DIF is 1Fh, so everything after the header is manufacturer data and
// more records follow. libmbus decodes it to exactly that; meterd does too, and reports no
// measurement from it.
TEST(mbusBadFrame, ManufacturerDataOnlyIsNotAnError) {
  auto data = DecodeBytes(testing::ReadHexFile(testing::VectorsDir() / "unsupported-frames/svm_f22_telegram2.hex"));
  ASSERT_TRUE(data) << data.error().ToString();
  const auto& v = std::get<VariableData>(*data);
  EXPECT_EQ(v.header.manufacturer_code, "SVM");
  ASSERT_EQ(v.records.size(), 1u);
  EXPECT_EQ(v.records[0].kind, RecordKind::kManufacturerData);
  EXPECT_EQ(std::get<Bytes>(v.records[0].value).bytes.size(), 206u);
  EXPECT_TRUE(v.more_records_follow);
}

}  // namespace
}  // namespace meterd::codec::mbus
