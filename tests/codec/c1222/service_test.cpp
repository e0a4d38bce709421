// SPDX-License-Identifier: Apache-2.0
// The C12.22 network services round trip, and C12.18 services pass through.
#include "codec/c1222/service.h"

#include <gtest/gtest.h>

#include "../c1218/hex.h"

namespace meterd::codec::c1222 {
namespace {

using testing::Hex;

TEST(c1222Service, NetworkRequestsRoundTrip) {
  RegisterRequest reg;
  reg.node_type = kNodeEndDevice;
  reg.connection_type = 0x80;
  reg.device_class = {0x01, 0x02, 0x03, 0x04};
  reg.ap_title = *ParseApTitle(".7.1");
  reg.electronic_serial_number = *ParseApTitle("1.2.840.1");
  reg.native_address = Hex("7f000001");
  reg.registration_period_s = 86400;
  RegisterRequest with_pattern = reg;
  with_pattern.node_type |= kNodeMyDomainPattern;
  with_pattern.my_domain_pattern = Hex("2a");
  const std::vector<ServiceRequest> all = {
      reg,
      with_pattern,
      DeregisterRequest{*ParseApTitle(".7.1")},
      ResolveRequest{*ParseApTitle("1.3.6.1.4.1.33507")},
      TraceRequest{*ParseApTitle(".5")},
      c1218::Request(c1218::FullReadRequest{23}),
  };
  for (const auto& request : all) {
    auto bytes = EncodeServiceRequest(request);
    ASSERT_TRUE(bytes) << bytes.error().ToString();
    EXPECT_EQ((*bytes)[0], static_cast<uint8_t>(CodeOf(request)));
    auto back = DecodeServiceRequest(*bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, request);
  }
  RegisterRequest inconsistent = reg;
  inconsistent.my_domain_pattern = Hex("01");
  EXPECT_FALSE(EncodeServiceRequest(inconsistent));
  reg.registration_period_s = 0x1000000;
  EXPECT_FALSE(EncodeServiceRequest(reg));
}

TEST(c1222Service, NetworkResponsesRoundTrip) {
  const std::vector<std::pair<RequestCode, ServiceResponse>> all = {
      {RequestCode::kRegister, RegisterResponse{*ParseApTitle(".7.1"), 60, 86400, 0x80}},
      {RequestCode::kResolve, ResolveResponse{Hex("c0a80001")}},
      {RequestCode::kResolve, ResolveResponse{{}}},
      {RequestCode::kTrace, TraceResponse{{*ParseApTitle(".1"), *ParseApTitle("1.3.6.1")}}},
      {RequestCode::kTrace, TraceResponse{}},
      {RequestCode::kDeregister, c1218::Response(c1218::OkResponse{})},
      {RequestCode::kResolve, c1218::Response(c1218::ErrorResponse{ResponseCode::kUat, {}})},
      {RequestCode::kFullRead, c1218::Response(c1218::ReadResponse{Hex("01")})},
  };
  for (const auto& [code, response] : all) {
    auto bytes = EncodeServiceResponse(response);
    ASSERT_TRUE(bytes) << bytes.error().ToString();
    auto back = DecodeServiceResponse(code, *bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(*back, response);
  }
}

TEST(c1222Service, RejectsMalformedNetworkServices) {
  auto bad_title = DecodeServiceRequest(Hex("25 06 02 2b"));
  ASSERT_FALSE(bad_title);
  EXPECT_EQ(bad_title.error().message, "c1222: byte 3: expected ApTitle content (2 bytes), but only 1 left");
  auto trailing = DecodeServiceRequest(Hex("24 0d 01 05 00"));
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().field, "offset 4");
  auto missing_pattern = DecodeServiceRequest(Hex("27 80 00 01020304 0d0101 0d0102 00 000001"));
  ASSERT_FALSE(missing_pattern);
  EXPECT_EQ(missing_pattern.error().field, "offset 17");
  auto short_register = DecodeServiceResponse(RequestCode::kRegister, Hex("00 0d0101 0010"));
  ASSERT_FALSE(short_register);
  EXPECT_EQ(short_register.error().field, "offset 6");
  auto short_resolve = DecodeServiceResponse(RequestCode::kResolve, Hex("00 05 41"));
  ASSERT_FALSE(short_resolve);
  EXPECT_EQ(short_resolve.error().field, "offset 2");
}

}  // namespace
}  // namespace meterd::codec::c1222
