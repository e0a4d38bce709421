// SPDX-License-Identifier: Apache-2.0
// Requests and responses: the NOTES.md §1 payloads as known answers, a round trip of every
// service, and the errors.
#include <gtest/gtest.h>

#include "codec/c1218/packet.h"
#include "codec/c1218/request.h"
#include "codec/c1218/response.h"
#include "codec/c1218/table_data.h"
#include "hex.h"

namespace meterd::codec::c1218 {
namespace {

using testing::Hex;

std::vector<uint8_t> DataOf(const char* frame) {
  auto packet = DecodePacket(Hex(frame));
  EXPECT_TRUE(packet) << packet.error().ToString();
  return packet ? packet->data : std::vector<uint8_t>{};
}

Request DecodeOk(const std::vector<uint8_t>& bytes) {
  auto request = DecodeRequest(bytes);
  EXPECT_TRUE(request) << request.error().ToString();
  if (!request) return IdentifyRequest{};
  auto again = EncodeRequest(*request);
  EXPECT_TRUE(again);
  if (again) {
    EXPECT_EQ(*again, bytes);
  }
  return *request;
}

Response DecodeOk(RequestCode code, const std::vector<uint8_t>& bytes) {
  auto response = DecodeResponse(code, bytes);
  EXPECT_TRUE(response) << response.error().ToString();
  if (!response) return OkResponse{};
  auto again = EncodeResponse(*response);
  EXPECT_TRUE(again);
  if (again) {
    EXPECT_EQ(*again, bytes);
  }
  return *response;
}

TEST(c1218TableChecksum, TwosComplementOfTheSum) {
  EXPECT_EQ(TableChecksum(Hex("02 00 05")), 0xF9);
  EXPECT_EQ(TableChecksum(Hex("4D 41 4E 55 46 41 43 54 55 52 45 52 20 53 4E 20")), 0x92);  // "MANUFACTURER SN "
  EXPECT_EQ(TableChecksum(Hex("74 65 73 74 64 61 74 61")), 0xA6);                          // "testdata"
  EXPECT_EQ(TableChecksum({}), 0x00);
}

TEST(c1218TableId, Flags) {
  EXPECT_TRUE(IsManufacturerTable(0x0800));
  EXPECT_EQ(TableNumber(0x0800), 0);
  EXPECT_TRUE(IsPendingTable(0x1007));
  EXPECT_EQ(TableNumber(0x1007), 7);
}

TEST(c1218Request, NotesTraceKnownAnswers) {
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 01 20 13 10")), Request(IdentifyRequest{}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 05 61 04 00 80 06 C2 29")),
            Request(NegotiateRequest{1024, 128, {6}}));
  EXPECT_EQ(BaudRate(6), 9600u);
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 0D 50 00 02 53 4D 49 54 48 20 20 20 20 20 4D AC")),
            Request(LogonRequest{2, "SMITH     ", std::nullopt}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 15 51 50 41 53 53 57 4F 52 44 00 00 00 00 00 00 00 00 00 00 00 00 DB 31")),
            Request(SecurityRequest{PadPassword("PASSWORD", 0x00), std::nullopt}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 03 30 00 01 D6 6E")), Request(FullReadRequest{1}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 08 3F 00 01 00 00 10 00 10 A5 9A")),
            Request(PartialReadOffsetRequest{1, 16, 16}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 03 30 08 00 9F B1")), Request(FullReadRequest{0x0800}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 09 40 00 07 00 03 02 00 05 F9 35 68")),
            Request(FullWriteRequest{7, Hex("02 00 05")}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 03 30 00 08 17 F3")), Request(FullReadRequest{8}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 02 70 1E 1E 17")), Request(WaitRequest{30}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 20 00 00 01 52 17 20")), Request(LogoffRequest{}));
  EXPECT_EQ(DecodeOk(DataOf("EE 00 00 00 00 01 21 9A 01")), Request(TerminateRequest{}));
}

TEST(c1218Response, NotesTraceKnownAnswers) {
  EXPECT_EQ(DecodeOk(RequestCode::kIdentify, DataOf("EE 00 00 00 00 05 00 00 01 00 00 C6 B5")),
            Response(IdentifyResponse{0, 1, 0, {}}));
  EXPECT_EQ(DecodeOk(static_cast<RequestCode>(0x61), DataOf("EE 00 20 00 00 05 00 04 00 80 06 35 83")),
            Response(NegotiateResponse{1024, 128, 6}));
  EXPECT_EQ(DecodeOk(RequestCode::kFullRead,
                     DataOf("EE 00 00 00 00 14 00 00 10 4D 41 4E 55 46 41 43 54 55 52 45 52 20 53 4E 20 92 33 11")),
            Response(ReadResponse{Hex("4D 41 4E 55 46 41 43 54 55 52 45 52 20 53 4E 20")}));
  auto isc = DecodeOk(RequestCode::kFullRead, DataOf("EE 00 00 00 00 01 03 8A 03"));
  ASSERT_TRUE(std::holds_alternative<ErrorResponse>(isc));
  EXPECT_EQ(std::get<ErrorResponse>(isc).code, ResponseCode::kIsc);
  EXPECT_EQ(ActionFor(ResponseCode::kIsc), ResponseAction::kFail);
  EXPECT_EQ(DecodeOk(RequestCode::kLogon, Hex("00")), Response(LogonResponse{}));
}

TEST(c1218Request, EveryServiceRoundTrips) {
  std::vector<Request> all = {
      IdentifyRequest{},
      TerminateRequest{},
      DisconnectRequest{},
      FullReadRequest{0x0817},
      PartialReadOffsetRequest{64, 0xABCDEF, 1000},
      DefaultReadRequest{},
      FullWriteRequest{7, Hex("01 02 03")},
      FullWriteRequest{7, {}},
      PartialWriteOffsetRequest{2055, 0x000100, Hex("FF FF")},
      DefaultWriteRequest{Hex("10 20")},
      LogonRequest{0x1234, "operator", 600},
      SecurityRequest{PadPassword("secret"), 2},
      LogoffRequest{},
      AuthenticateRequest{Hex("01 02 03 04")},
      WaitRequest{255},
      TimingSetupRequest{6, 1, 2, 3},
  };
  for (size_t n = 1; n <= kMaxIndices; ++n) {
    std::vector<uint16_t> indices;
    for (size_t i = 0; i < n; ++i) indices.push_back(static_cast<uint16_t>(i * 300));
    all.push_back(PartialReadIndexRequest{23, indices, 5});
    all.push_back(PartialWriteIndexRequest{23, indices, Hex("AA")});
  }
  for (size_t n = 0; n <= kMaxBaudRates; ++n) all.push_back(NegotiateRequest{256, 4, std::vector<uint8_t>(n, 6)});
  for (const auto& request : all) {
    auto bytes = EncodeRequest(request);
    ASSERT_TRUE(bytes) << bytes.error().ToString();
    EXPECT_EQ((*bytes)[0], static_cast<uint8_t>(CodeOf(request)));
    EXPECT_NE(RequestCodeName((*bytes)[0]), "unknown");
    auto back = DecodeRequest(*bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    auto expected = request;
    if (auto* logon = std::get_if<LogonRequest>(&expected)) logon->user.resize(kUserSize, ' ');
    EXPECT_EQ(*back, expected) << testing::ToHex(*bytes);
  }
}

TEST(c1218Request, IndexCountIsInTheCode) {
  auto bytes = EncodeRequest(PartialReadIndexRequest{0, {1, 2, 3}, 1});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(*bytes, Hex("33 0000 0001 0002 0003 0001"));
  EXPECT_EQ(RequestFamily(static_cast<RequestCode>(0x33)), RequestCode::kPartialReadIndex);
  EXPECT_EQ(RequestFamily(static_cast<RequestCode>(0x6B)), RequestCode::kNegotiate);
}

TEST(c1218Request, RejectsMalformedBodies) {
  auto unknown = DecodeRequest(Hex("23"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "c1218: byte 0: expected a request code, got 0x23");
  auto network = DecodeRequest(Hex("25 06 01 01"));
  ASSERT_FALSE(network);
  EXPECT_EQ(network.error().field, "offset 0");
  auto short_read = DecodeRequest(Hex("30 00"));
  ASSERT_FALSE(short_read);
  EXPECT_EQ(short_read.error().message, "c1218: byte 1: expected table id (2 bytes), but only 1 left");
  auto trailing = DecodeRequest(Hex("20 00"));
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().message, "c1218: byte 1: expected the end after the identify request, got 1 more byte");
  auto bad_sum = DecodeRequest(Hex("40 00 07 00 03 02 00 05 F8"));
  ASSERT_FALSE(bad_sum);
  EXPECT_EQ(bad_sum.error().message, "c1218: byte 8: expected table data checksum 0xF9, got 0xF8");
  auto short_index = DecodeRequest(Hex("32 0000 0001"));
  ASSERT_FALSE(short_index);
  EXPECT_EQ(short_index.error().field, "offset 5");
  auto logon_odd = DecodeRequest(Hex("50 0002 534D4954482020202020 00"));
  ASSERT_FALSE(logon_odd);
  EXPECT_EQ(logon_odd.error().field, "offset 13");
  EXPECT_FALSE(DecodeRequest({}));
}

TEST(c1218Request, EncodeRefusesOutOfRange) {
  EXPECT_FALSE(EncodeRequest(PartialReadIndexRequest{1, {}, 1}));
  EXPECT_FALSE(EncodeRequest(PartialReadIndexRequest{1, std::vector<uint16_t>(10, 0), 1}));
  EXPECT_FALSE(EncodeRequest(PartialReadOffsetRequest{1, 0x1000000, 1}));
  EXPECT_FALSE(EncodeRequest(LogonRequest{1, "eleven chars", std::nullopt}));
  EXPECT_FALSE(EncodeRequest(NegotiateRequest{64, 1, std::vector<uint8_t>(12, 6)}));
  EXPECT_FALSE(EncodeRequest(FullWriteRequest{1, std::vector<uint8_t>(70000)}));
  EXPECT_FALSE(EncodeRequest(AuthenticateRequest{std::vector<uint8_t>(256)}));
}

TEST(c1218Response, EveryResponseRoundTrips) {
  IdentifyResponse c1222_identify{3, 1, 0, {}};
  IdentifyFeature mechanism;
  mechanism.code = FeatureCode::kSecurityMechanism;
  mechanism.id_element = Hex("06 08 2b 06 01 04 01 82 85 63");
  IdentifyFeature session;
  session.code = FeatureCode::kSessionControl;
  session.session_control = 0x81;
  IdentifyFeature identity;
  identity.code = FeatureCode::kDeviceIdentity;
  identity.identity_format = 1;
  identity.identity = Hex("01 02 03");
  c1222_identify.features = {mechanism, session, identity};
  const std::vector<std::pair<RequestCode, Response>> all = {
      {RequestCode::kIdentify, c1222_identify},
      {RequestCode::kFullRead, ReadResponse{Hex("01 02 03")}},
      {static_cast<RequestCode>(0x35), ReadResponse{{}}},
      {RequestCode::kPartialReadOffset, ReadResponse{std::vector<uint8_t>(300, 0x5A)}},
      {RequestCode::kDefaultRead, ReadResponse{Hex("00")}},
      {RequestCode::kFullWrite, OkResponse{}},
      {static_cast<RequestCode>(0x49), OkResponse{}},
      {RequestCode::kLogon, LogonResponse{}},
      {RequestCode::kLogon, LogonResponse{300}},
      {RequestCode::kSecurity, OkResponse{}},
      {RequestCode::kLogoff, OkResponse{}},
      {RequestCode::kTerminate, OkResponse{}},
      {RequestCode::kDisconnect, OkResponse{}},
      {RequestCode::kWait, OkResponse{}},
      {RequestCode::kDeregister, OkResponse{}},
      {RequestCode::kNegotiate, NegotiateResponse{64, 1, std::nullopt}},
      {static_cast<RequestCode>(0x62), NegotiateResponse{8191, 255, 10}},
      {RequestCode::kTimingSetup, TimingSetupResponse{6, 1, 2, 3}},
      {RequestCode::kAuthenticate, AuthenticateResponse{Hex("AB CD")}},
      {RequestCode::kFullRead, ErrorResponse{ResponseCode::kBsy, {}}},
      {RequestCode::kFullRead, ErrorResponse{ResponseCode::kRqtl, Hex("00 00 04 00")}},
      {RequestCode::kTrace, ErrorResponse{ResponseCode::kNetr, Hex("06 01 01")}},
  };
  for (const auto& [code, response] : all) {
    auto bytes = EncodeResponse(response);
    ASSERT_TRUE(bytes) << bytes.error().ToString();
    auto back = DecodeResponse(code, *bytes);
    ASSERT_TRUE(back) << back.error().ToString() << " " << testing::ToHex(*bytes);
    EXPECT_EQ(*back, response) << testing::ToHex(*bytes);
  }
  auto rqtl = DecodeResponse(RequestCode::kFullRead, Hex("0F 00 00 04 00"));
  ASSERT_TRUE(rqtl);
  EXPECT_EQ(MaxSize(std::get<ErrorResponse>(*rqtl)), 1024u);
}

TEST(c1218Response, RejectsMalformedBodies) {
  auto reserved = DecodeResponse(RequestCode::kFullRead, Hex("13"));
  ASSERT_FALSE(reserved);
  EXPECT_EQ(reserved.error().message, "c1218: byte 0: expected a response code 0x00..0x12, got 0x13");
  auto bad_sum = DecodeResponse(RequestCode::kFullRead, Hex("00 0008 7465737464617461 00"));
  ASSERT_FALSE(bad_sum);
  EXPECT_EQ(bad_sum.error().message, "c1218: byte 11: expected table data checksum 0xA6, got 0x00");
  EXPECT_EQ(bad_sum.error().field, "offset 11");
  auto short_data = DecodeResponse(RequestCode::kFullRead, Hex("00 0010 41"));
  ASSERT_FALSE(short_data);
  EXPECT_EQ(short_data.error().field, "offset 3");
  auto rqtl = DecodeResponse(RequestCode::kFullRead, Hex("0F 00 04 00"));
  ASSERT_FALSE(rqtl);
  EXPECT_EQ(rqtl.error().field, "offset 1");
  auto write_extra = DecodeResponse(RequestCode::kFullWrite, Hex("00 00"));
  ASSERT_FALSE(write_extra);
  EXPECT_EQ(write_extra.error().field, "offset 1");
  auto feature = DecodeResponse(RequestCode::kIdentify, Hex("00 03 01 00 09 00"));
  ASSERT_FALSE(feature);
  EXPECT_EQ(feature.error().message,
            "c1218: byte 4: expected an identify feature (0x04..0x07) or end of list 0x00, got 0x09");
  auto no_end = DecodeResponse(RequestCode::kIdentify, Hex("00 03 01 00 05 08"));
  ASSERT_FALSE(no_end);
  EXPECT_EQ(no_end.error().field, "offset 6");
  auto network = DecodeResponse(RequestCode::kResolve, Hex("00 02 41 42"));
  ASSERT_FALSE(network);
  EXPECT_EQ(network.error().field, "request");
  auto not_a_request = DecodeResponse(static_cast<RequestCode>(0x99), Hex("00"));
  ASSERT_FALSE(not_a_request);
  EXPECT_EQ(not_a_request.error().field, "request");
  EXPECT_FALSE(EncodeResponse(ErrorResponse{ResponseCode::kOk, {}}));
  EXPECT_FALSE(EncodeResponse(ErrorResponse{ResponseCode::kRstl, {}}));
  EXPECT_FALSE(EncodeResponse(ErrorResponse{static_cast<ResponseCode>(0x20), {}}));
}

TEST(c1218ResponseCode, NamesAndActions) {
  EXPECT_EQ(ResponseCodeAbbreviation(ResponseCode::kIsss), "isss");
  EXPECT_EQ(ResponseCodeName(ResponseCode::kIsss), "invalid service sequence state");
  EXPECT_EQ(ResponseCodeAbbreviation(ResponseCode::kSgerr), "sgerr");
  EXPECT_EQ(ResponseCodeName(static_cast<ResponseCode>(0x13)), "reserved");
  EXPECT_EQ(ActionFor(ResponseCode::kOk), ResponseAction::kSuccess);
  EXPECT_EQ(ActionFor(ResponseCode::kBsy), ResponseAction::kRetryLater);
  EXPECT_EQ(ActionFor(ResponseCode::kDnr), ResponseAction::kRetryLater);
  EXPECT_EQ(ActionFor(ResponseCode::kRno), ResponseAction::kRenegotiate);
  for (uint8_t c : {0x01, 0x02, 0x03, 0x04, 0x05, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12}) {
    EXPECT_EQ(ActionFor(static_cast<ResponseCode>(c)), ResponseAction::kFail) << int{c};
    EXPECT_NE(ResponseCodeName(static_cast<ResponseCode>(c)), "reserved");
  }
  EXPECT_TRUE(IsC1222ResponseCode(ResponseCode::kSme));
  EXPECT_FALSE(IsC1222ResponseCode(ResponseCode::kIsss));
}

}  // namespace
}  // namespace meterd::codec::c1218
