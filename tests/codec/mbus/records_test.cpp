// SPDX-License-Identifier: Apache-2.0
// Application layer (variable_data.cpp, dif.cpp, vif.cpp, value.cpp, date_time.cpp,
// fixed_data.cpp, user_data.cpp) on hand-made records, one coding or rule per test.
#include "codec/mbus/variable_data.h"

#include <gtest/gtest.h>

#include "codec/mbus/user_data.h"

namespace meterd::codec::mbus {
namespace {

using ByteVec = std::vector<uint8_t>;

// Id 12345678, KAM, version 1, electricity, access 0x55, status 0, signature 0.
const ByteVec kHeader = {0x78, 0x56, 0x34, 0x12, 0x2D, 0x2C, 0x01, 0x02, 0x55, 0x00, 0x00, 0x00};

VariableData Decode(const ByteVec& records) {
  ByteVec data = kHeader;
  data.insert(data.end(), records.begin(), records.end());
  auto d = DecodeVariableData(data, HeaderKind::kLong);
  EXPECT_TRUE(d) << d.error().ToString();
  return d ? *d : VariableData{};
}

Record One(const ByteVec& record) {
  auto d = Decode(record);
  EXPECT_EQ(d.records.size(), 1u);
  return d.records.empty() ? Record{} : d.records[0];
}

core::Error Fails(const ByteVec& records) {
  ByteVec data = kHeader;
  data.insert(data.end(), records.begin(), records.end());
  auto d = DecodeVariableData(data, HeaderKind::kLong);
  EXPECT_FALSE(d) << "decoded " << (d ? d->records.size() : 0) << " records";
  return d ? core::Error{} : d.error();
}

int64_t Mantissa(const Record& r) {
  EXPECT_TRUE(std::holds_alternative<Integer>(r.value)) << FormatValue(r.value, 0);
  return std::holds_alternative<Integer>(r.value) ? std::get<Integer>(r.value).mantissa : 0;
}

TEST(mbusVariableData, LongHeader) {
  auto d = Decode({});
  EXPECT_EQ(d.header.id, "12345678");
  EXPECT_EQ(d.header.manufacturer, 0x2C2D);
  EXPECT_EQ(d.header.manufacturer_code, "KAM");
  EXPECT_EQ(d.header.version, 1);
  EXPECT_EQ(d.header.medium, 2);
  EXPECT_EQ(d.header.access_number, 0x55);
  EXPECT_TRUE(d.records.empty());
}

TEST(mbusVariableData, ExactIntegerWithDecimalExponent) {
  // 04 13: 32-bit volume in litres (m3 x 10^-3): 12345 -> 12.345 m3.
  Record r = One({0x04, 0x13, 0x39, 0x30, 0x00, 0x00});
  EXPECT_EQ(Mantissa(r), 12345);
  EXPECT_EQ(r.exponent, -3);
  EXPECT_EQ(r.unit, "m3");
  EXPECT_EQ(r.quantity, "Volume");
  EXPECT_EQ(FormatValue(r.value, r.exponent), "12.345");
  EXPECT_EQ(r.dib, ByteVec{0x04});
  EXPECT_EQ(r.vib, ByteVec{0x13});
  // 03 Wh x 10^0.
  Record e = One({0x04, 0x03, 0x39, 0x30, 0x00, 0x00});
  EXPECT_EQ(e.unit, "Wh");
  EXPECT_EQ(e.exponent, 0);
}

TEST(mbusVariableData, EveryIntegerWidthIsTwosComplement) {
  EXPECT_EQ(Mantissa(One({0x01, 0x03, 0xFF})), -1);
  EXPECT_EQ(Mantissa(One({0x02, 0x03, 0x00, 0x80})), -32768);
  EXPECT_EQ(Mantissa(One({0x03, 0x03, 0xFF, 0xFF, 0x7F})), 8388607);
  EXPECT_EQ(Mantissa(One({0x04, 0x03, 0xFE, 0xFF, 0xFF, 0xFF})), -2);
  EXPECT_EQ(Mantissa(One({0x06, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80})), -140737488355327);
  EXPECT_EQ(Mantissa(One({0x07, 0x03, 0x01, 0, 0, 0, 0, 0, 0, 0x01})), 72057594037927937);
}

TEST(mbusVariableData, BcdIncludingNegativeAndInvalidDigits) {
  EXPECT_EQ(Mantissa(One({0x09, 0x03, 0x42})), 42);
  EXPECT_EQ(Mantissa(One({0x0A, 0x03, 0x34, 0x12})), 1234);
  EXPECT_EQ(Mantissa(One({0x0B, 0x03, 0x56, 0x34, 0x12})), 123456);
  EXPECT_EQ(Mantissa(One({0x0C, 0x03, 0x78, 0x56, 0x34, 0x12})), 12345678);
  EXPECT_EQ(Mantissa(One({0x0E, 0x03, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12})), 123456789012);
  // A high nibble F in the most significant byte: negative (EN 13757-3 Annex A).
  EXPECT_EQ(Mantissa(One({0x0C, 0x03, 0x78, 0x56, 0x34, 0xF2})), -2345678);
  EXPECT_EQ(Mantissa(One({0x0A, 0x03, 0x05, 0xF0})), -5);
  // Any other non-decimal digit: the bytes are kept, not a number.
  Record r = One({0x0C, 0x03, 0xFF, 0xFF, 0xFF, 0xFF});
  ASSERT_TRUE(std::holds_alternative<Bytes>(r.value));
  EXPECT_EQ(FormatValue(r.value, 0), "FF FF FF FF");
}

TEST(mbusVariableData, RealKeepsItsBitsAndShortestText) {
  // 05 5B: flow temperature in °C; 0x41AC4B2B = 21.536703 (EDC.hex).
  Record r = One({0x05, 0x5B, 0x2B, 0x4B, 0xAC, 0x41});
  ASSERT_TRUE(std::holds_alternative<Real>(r.value));
  EXPECT_EQ(std::get<Real>(r.value).bits, 0x41AC4B2Bu);
  EXPECT_EQ(std::get<Real>(r.value).text, "21.536703");
  // 05 2E: kW: -0.17072178 x 10^3 W.
  Record p = One({0x05, 0x2E, 0xB1, 0xD1, 0x2E, 0xBE});
  EXPECT_EQ(FormatValue(p.value, p.exponent), "-170.72178");
  EXPECT_EQ(FormatReal(0x3727C5ACu, 0), "0.00001");  // 1e-05f
  EXPECT_EQ(FormatReal(0x00000000u, -3), "0.000");  // like core::FormatScaled(0, -3)
  EXPECT_EQ(FormatReal(0x7FC00000u, 0), "nan");
  EXPECT_EQ(FormatReal(0xFF800000u, 0), "-inf");
  EXPECT_EQ(FormatReal(0x4B189680u, 2), "1000000000");  // 1e7f x 10^2
}

TEST(mbusVariableData, VariableLengthFollowsTheLvarRules) {
  // Text, sent last character first.
  Record t = One({0x0D, 0xFD, 0x0B, 0x05, 0x31, 0x32, 0x48, 0x46, 0x57});
  EXPECT_EQ(std::get<Text>(t.value).text, "WFH21");
  EXPECT_EQ(t.quantity, "Parameter set identification");
  // C2: positive BCD of 4 digits (2 bytes); D2: negative.
  EXPECT_EQ(Mantissa(One({0x0D, 0x03, 0xC2, 0x34, 0x12})), 1234);
  EXPECT_EQ(Mantissa(One({0x0D, 0x03, 0xD2, 0x34, 0x12})), -1234);
  // E3: 3-byte binary number.
  EXPECT_EQ(Mantissa(One({0x0D, 0x03, 0xE3, 0x01, 0x02, 0x03})), 0x030201);
  // E9: binary over 8 bytes, F2: float of 2 bytes (not defined): bytes.
  EXPECT_TRUE(std::holds_alternative<Bytes>(One({0x0D, 0x03, 0xE9, 1, 2, 3, 4, 5, 6, 7, 8, 9}).value));
  EXPECT_TRUE(std::holds_alternative<Bytes>(One({0x0D, 0x03, 0xF2, 1, 2}).value));
  // FB..FF and CA..CF are reserved; a length past the end is premature.
  EXPECT_NE(Fails({0x0D, 0x03, 0xFB}).message.find("LVAR 0xFB is reserved"), std::string::npos);
  EXPECT_NE(Fails({0x0D, 0x03, 0xCA}).message.find("reserved"), std::string::npos);
  EXPECT_NE(Fails({0x0D, 0x03, 0x05, 0x41}).message.find("only 1 left"), std::string::npos);
}

TEST(mbusVariableData, DatesAndTimes) {
  // Type G 2012-01-12 (02 6C 8C 11).
  auto g = std::get<DateTime>(One({0x02, 0x6C, 0x8C, 0x11}).value);
  EXPECT_EQ(g.ToString(), "2012-01-12");
  EXPECT_TRUE(g.Valid());
  // 00 00: a date the meter never set.
  auto unset = std::get<DateTime>(One({0x02, 0x6C, 0x00, 0x00}).value);
  EXPECT_EQ(unset.ToString(), "2000-00-00");
  EXPECT_FALSE(unset.Valid());
  // Type F 2012-01-13 12:04, summer time, and with the IV bit.
  auto f = std::get<DateTime>(One({0x04, 0x6D, 0x04, 0x8C, 0x8D, 0x11}).value);
  EXPECT_EQ(f.ToString(), "2012-01-13T12:04");
  EXPECT_TRUE(f.summer_time);
  EXPECT_FALSE(f.invalid);
  auto iv = std::get<DateTime>(One({0x04, 0x6D, 0xA1, 0x15, 0xE9, 0x17}).value);
  EXPECT_TRUE(iv.invalid);
  EXPECT_FALSE(iv.Valid());
  // Century: 96 -> 1996; hundred-year bits 01 with year 14 -> 2014.
  EXPECT_EQ(std::get<DateTime>(One({0x04, 0x6D, 0x10, 0x09, 0x05, 0xC5}).value).year, 1996);
  EXPECT_EQ(std::get<DateTime>(One({0x04, 0x6D, 0x17, 0x2E, 0xCC, 0x13}).value).year, 2014);
  // Type I (48 bit) 2016-07-22 08:00:00 and type J (24 bit) 13:14:15.
  EXPECT_EQ(std::get<DateTime>(One({0x06, 0x6D, 0x00, 0x00, 0x08, 0x16, 0x27, 0x00}).value).ToString(),
            "2016-07-22T08:00:00");
  EXPECT_EQ(std::get<DateTime>(One({0x03, 0x6D, 0x0F, 0x0E, 0x0D}).value).ToString(), "13:14:15");
  // Date and time of battery change (FD 70).
  EXPECT_TRUE(std::holds_alternative<DateTime>(One({0x04, 0xFD, 0x70, 0x04, 0x0C, 0x8D, 0x11}).value));
  // A 32-bit integer with a non-time VIF stays a number.
  EXPECT_TRUE(std::holds_alternative<Integer>(One({0x04, 0x03, 0x04, 0x0C, 0x8D, 0x11}).value));
}

TEST(mbusVariableData, StorageTariffSubunitAndFunction) {
  // DIF C4: storage bit 1, instantaneous, 32 bit; DIFE 9F: subunit 0, tariff 1, storage 15;
  // DIFE 7A: subunit 1, tariff 3, storage 10.
  Record r = One({0xC4, 0x9F, 0x7A, 0x03, 0, 0, 0, 0});
  EXPECT_EQ(r.storage_number, 1u + (15u << 1) + (10u << 5));
  EXPECT_EQ(r.tariff, 1u + (3u << 2));
  EXPECT_EQ(r.subunit, 2u);
  EXPECT_TRUE(r.has_difes);
  EXPECT_EQ(r.dib, (ByteVec{0xC4, 0x9F, 0x7A}));
  EXPECT_EQ(One({0x14, 0x03, 0, 0, 0, 0}).function, Function::kMaximum);
  EXPECT_EQ(One({0x24, 0x03, 0, 0, 0, 0}).function, Function::kMinimum);
  EXPECT_EQ(One({0x34, 0x03, 0, 0, 0, 0}).function, Function::kDuringError);
  EXPECT_FALSE(One({0x04, 0x03, 0, 0, 0, 0}).has_difes);
}

TEST(mbusVariableData, TenDifesAndTenVifesAtMost) {
  ByteVec ten = {0x84};
  for (int i = 0; i < 9; ++i) ten.push_back(0x80);
  ten.push_back(0x00);
  ten.insert(ten.end(), {0x03, 0, 0, 0, 0});
  EXPECT_EQ(One(ten).dib.size(), 11u);
  ByteVec eleven = {0x84};
  for (int i = 0; i < 10; ++i) eleven.push_back(0x80);
  eleven.insert(eleven.end(), {0x00, 0x03, 0, 0, 0, 0});
  EXPECT_NE(Fails(eleven).message.find("more than 10 DIFEs"), std::string::npos);

  ByteVec vifes = {0x04, 0x83};
  for (int i = 0; i < 9; ++i) vifes.push_back(0xBB);
  vifes.insert(vifes.end(), {0x3B, 0, 0, 0, 0});
  EXPECT_EQ(One(vifes).vib.size(), 11u);
  ByteVec too_many = {0x04, 0x83};
  for (int i = 0; i < 10; ++i) too_many.push_back(0xBB);
  too_many.insert(too_many.end(), {0x3B, 0, 0, 0, 0});
  EXPECT_NE(Fails(too_many).message.find("more than 10 VIFEs"), std::string::npos);
}

TEST(mbusVariableData, CombinableVifesScaleTheValue) {
  // 04 83 3B: Wh, accumulation of positive contributions only: no change.
  EXPECT_EQ(One({0x04, 0x83, 0x3B, 0x88, 0x13, 0, 0}).exponent, 0);
  // 02 FD C8 FF 01: voltage 10^-1 V, then a manufacturer VIFE: the 01 after it is not ours.
  Record v = One({0x02, 0xFD, 0xC8, 0xFF, 0x01, 0xD1, 0x08});
  EXPECT_EQ(v.quantity, "Voltage");
  EXPECT_EQ(v.exponent, -1);
  EXPECT_TRUE(v.manufacturer_specific);
  EXPECT_EQ(FormatValue(v.value, v.exponent), "225.7");
  // 7x: multiplicative correction 10^(nnn-6); 7D: 10^3.
  EXPECT_EQ(One({0x02, 0x83, 0x74, 0x01, 0x00}).exponent, -2);
  EXPECT_EQ(One({0x02, 0x83, 0xFD, 0x74, 0x01, 0x00}).exponent, 1);
}

TEST(mbusVariableData, PlainTextAndManufacturerVifs) {
  // FC 03 "HR%" 74: the text comes before the VIFEs, as the Elvaco CMa10 sends it.
  Record r = One({0x02, 0xFC, 0x03, 0x48, 0x52, 0x25, 0x74, 0x22, 0x15});
  EXPECT_EQ(r.quantity, "%RH");
  EXPECT_EQ(r.unit, "%RH");
  EXPECT_EQ(FormatValue(r.value, r.exponent), "54.10");
  EXPECT_EQ(r.vib, (ByteVec{0xFC, 0x03, 0x48, 0x52, 0x25, 0x74}));
  EXPECT_NE(Fails({0x02, 0x7C, 0xC0}).message.find("too long"), std::string::npos);
  Record m = One({0x02, 0x7F, 0x10, 0xB5});
  EXPECT_TRUE(m.manufacturer_specific);
  EXPECT_EQ(Mantissa(m), -19184);
}

TEST(mbusVariableData, ExtensionTables) {
  Record fb = One({0x04, 0xFB, 0x00, 0x08, 0, 0, 0});  // 10^5 Wh (0.1 MWh)
  EXPECT_EQ(fb.unit, "Wh");
  EXPECT_EQ(fb.exponent, 5);
  Record a = One({0x03, 0xFD, 0xD9, 0xFF, 0x01, 0xBE, 0xFF, 0xFF});  // current 10^-3 A
  EXPECT_EQ(FormatValue(a.value, a.exponent), "-0.066");
  EXPECT_EQ(One({0x01, 0xFD, 0x7C, 0x00}).quantity, "Reserved");
  Record t = One({0x01, 0x72, 0x18});  // averaging duration in hours: kept as sent
  EXPECT_EQ(t.unit, "h");
  EXPECT_EQ(Mantissa(t), 24);
  EXPECT_NE(Fails({0x04, 0xFD}).message.find("expected VIFE 1"), std::string::npos);
}

TEST(mbusVariableData, SpecialDifs) {
  // Fillers are skipped; 08 is selection for readout; 0F takes the rest; 1F also says more.
  auto d = Decode({0x2F, 0x2F, 0x08, 0x13, 0x2F, 0x0F, 0x01, 0x02});
  ASSERT_EQ(d.records.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<NoValue>(d.records[0].value));
  EXPECT_EQ(d.records[1].kind, RecordKind::kManufacturerData);
  EXPECT_EQ(FormatValue(d.records[1].value, 0), "01 02");
  EXPECT_FALSE(d.more_records_follow);
  auto more = Decode({0x1F});
  EXPECT_TRUE(MoreRecordsFollow(more));
  EXPECT_TRUE(std::get<Bytes>(more.records[0].value).bytes.empty());
  EXPECT_NE(Fails({0x3F}).message.find("reserved special function"), std::string::npos);
}

TEST(mbusVariableData, RecordCapAndPrematureEnds) {
  ByteVec many;
  for (size_t i = 0; i <= kMaxRecords; ++i) many.insert(many.end(), {0x00, 0x13});
  auto d = DecodeVariableData(many, HeaderKind::kNone);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("more than 128 records"), std::string::npos);
  many.resize(kMaxRecords * 2);
  EXPECT_TRUE(DecodeVariableData(many, HeaderKind::kNone));

  core::Error e = Fails({0x04, 0x13, 0x01, 0x02});
  EXPECT_EQ(e.field, "offset 14");  // the data after DIF and VIF, from the start of `data`
  EXPECT_NE(e.message.find("32-bit integer data of record 0 (4 bytes), but only 2 left"), std::string::npos);
  EXPECT_NE(Fails({0x84}).message.find("expected DIFE 1"), std::string::npos);
  EXPECT_NE(Fails({0x04}).message.find("expected a VIF"), std::string::npos);
  auto short_header = DecodeVariableData(ByteVec(11, 0), HeaderKind::kLong);
  ASSERT_FALSE(short_header);
  EXPECT_NE(short_header.error().message.find("long header"), std::string::npos);
}

TEST(mbusUserData, HeadersByCi) {
  // 7A: short header (access 1, status 2, signature 0), one record.
  auto s = DecodeApplicationData(0x7A, ByteVec{0x01, 0x02, 0x00, 0x00, 0x01, 0x13, 0x05});
  ASSERT_TRUE(s) << s.error().ToString();
  const auto& sv = std::get<VariableData>(*s);
  EXPECT_EQ(sv.header_kind, HeaderKind::kShort);
  EXPECT_EQ(sv.header.access_number, 1);
  EXPECT_EQ(sv.header.status, 2);
  EXPECT_EQ(Mantissa(sv.records.at(0)), 5);
  // 76: the same as 72 with every multi-byte field most significant byte first.
  ByteVec msb = {0x12, 0x34, 0x56, 0x78, 0x2C, 0x2D, 0x01, 0x02, 0x55, 0x00,
                 0x00, 0x00, 0x04, 0x13, 0x00, 0x00, 0x30, 0x39};
  auto m = DecodeApplicationData(0x76, msb);
  ASSERT_TRUE(m) << m.error().ToString();
  const auto& mv = std::get<VariableData>(*m);
  EXPECT_EQ(mv.header.id, "12345678");
  EXPECT_EQ(mv.header.manufacturer_code, "KAM");
  EXPECT_EQ(Mantissa(mv.records.at(0)), 12345);
  // 78: no header.
  auto n = DecodeApplicationData(0x78, ByteVec{0x01, 0x13, 0x07});
  ASSERT_TRUE(n);
  EXPECT_EQ(Mantissa(std::get<VariableData>(*n).records.at(0)), 7);
  // Unknown CI.
  auto u = DecodeApplicationData(0x51, ByteVec{0x01, 0x7A, 0x08}, nullptr, 7);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().field, "offset 6");
}

TEST(mbusUserData, FixedDataStructure) {
  // manual_frame2: id 12345678, access 10, BCD, counter 1 = 1 l, counter 2 = 135 (historic).
  ByteVec data = {0x78, 0x56, 0x34, 0x12, 0x0A, 0x00, 0xE9, 0x7E, 0x01, 0x00, 0x00, 0x00, 0x35, 0x01, 0x00, 0x00};
  auto d = DecodeApplicationData(0x73, data);
  ASSERT_TRUE(d) << d.error().ToString();
  const auto& f = std::get<FixedData>(*d);
  EXPECT_EQ(f.id, "12345678");
  EXPECT_EQ(FixedMediumName(f.medium), "Water");
  EXPECT_EQ(f.counters[0].unit_name, "l");
  EXPECT_EQ(f.counters[0].unit, "m3");
  EXPECT_EQ(f.counters[0].exponent, -3);
  EXPECT_EQ(std::get<Integer>(f.counters[0].value).mantissa, 1);
  EXPECT_EQ(std::get<Integer>(f.counters[1].value).mantissa, 135);
  // Binary counters (status bit 7), stored values (bit 6), kWh.
  data[5] = 0xC0;
  data[6] = 0x05;
  auto b = DecodeApplicationData(0x73, data);
  ASSERT_TRUE(b);
  EXPECT_TRUE(std::get<FixedData>(*b).stored_values);
  EXPECT_EQ(std::get<Integer>(std::get<FixedData>(*b).counters[0].value).mantissa, 1);
  EXPECT_EQ(std::get<FixedData>(*b).counters[0].unit_name, "kWh");
  EXPECT_EQ(std::get<FixedData>(*b).counters[1].value, Value(Integer{0x135}));
  data.pop_back();
  EXPECT_FALSE(DecodeApplicationData(0x73, data));
}

TEST(mbusUserData, ApplicationErrorsAndDirection) {
  auto busy = DecodeUserData(Frame{FrameType::kLong, 0x08, 1, 0x70, {0x08}});
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(busy.error().message.find("Application busy"), std::string::npos);
  auto bare = DecodeUserData(Frame{FrameType::kControl, 0x08, 1, 0x70, {}});
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("Unspecified error"), std::string::npos);
  // A master's SND_UD is not a response.
  auto m2s = DecodeUserData(Frame{FrameType::kLong, 0x53, 0xFE, 0x51, {0x01, 0x7A, 0x08}});
  ASSERT_FALSE(m2s);
  EXPECT_EQ(m2s.error().field, "offset 4");
  EXPECT_FALSE(DecodeUserData(Frame{FrameType::kShort, 0x7B, 1, 0, {}}));
}

TEST(mbusExplainer, AnnotatesEveryByteOfTheDataOnce) {
  ByteVec data = kHeader;
  // filler; 32-bit litres; LVAR text with plain-text unit "A" and a VIFE; FD voltage with a
  // DIFE; manufacturer data.
  for (uint8_t b : {0x2F, 0x04, 0x13, 0x39, 0x30, 0x00, 0x00, 0x0D, 0xFC, 0x01, 0x41, 0x74, 0x02, 0x31, 0x32,
                    0x84, 0x10, 0xFD, 0x48, 0x01, 0x00, 0x00, 0x00, 0x0F, 0xAA}) {
    data.push_back(b);
  }
  CollectingExplainer explain;
  ASSERT_TRUE(DecodeVariableData(data, HeaderKind::kLong, ByteOrder::kLsbFirst, &explain, 7));
  std::vector<int> seen(data.size(), 0);
  for (const auto& n : explain.notes()) {
    ASSERT_GE(n.offset, 7u);
    ASSERT_LE(n.offset - 7 + n.length, data.size()) << n.text;
    for (size_t i = 0; i < n.length; ++i) ++seen[n.offset - 7 + i];
  }
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << "byte " << i;
  EXPECT_EQ(explain.notes().at(0), (Annotation{7, 4, "identification number 12345678"}));
}

}  // namespace
}  // namespace meterd::codec::mbus
