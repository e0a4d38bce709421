// SPDX-License-Identifier: Apache-2.0
// Every C12.22 APDU in /work/shared/vectors/c12/*.pcap and *.cap decodes, encodes back to the
// same bytes, and carries the fields NOTES.md §3 and the ICSNPP Zeek baselines give; the one read
// response with a wrong table checksum (c1222_rw_service_tcp.pcap) is rejected.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../c1218/hex.h"
#include "codec/c1222/acse.h"
#include "codec/c1222/epsem.h"
#include "codec/c1222/security.h"
#include "codec/c1222/service.h"
#include "pcap_reader.h"

namespace meterd::codec::c1222 {
namespace {

using testing::Hex;
using testing::ToHex;

const std::string kDir = std::string(METERD_VECTORS_DIR) + "/c12/";
constexpr uint16_t kC1222Port = 1153;

struct Captured {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  std::vector<uint8_t> bytes;
  Apdu apdu;
};

// The APDUs of every TCP direction touching port 1153, in capture order.
std::vector<Captured> Load(const std::string& file) {
  std::string error;
  auto flows = testing::ReadFlows(kDir + file, error);
  EXPECT_TRUE(error.empty()) << file << ": " << error;
  std::vector<Captured> out;
  for (const auto& flow : flows) {
    if (!flow.tcp || (flow.src_port != kC1222Port && flow.dst_port != kC1222Port)) continue;
    std::span<const uint8_t> rest = flow.payload;
    while (!rest.empty()) {
      auto size = ApduSize(rest);
      EXPECT_TRUE(size && *size && **size <= rest.size()) << file << ": stream does not split into APDUs";
      if (!size || !*size || **size > rest.size()) break;
      Captured c{flow.src_port, flow.dst_port, {rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(**size)}, {}};
      auto apdu = DecodeApdu(c.bytes);
      EXPECT_TRUE(apdu) << file << ": " << apdu.error().ToString() << "\n" << ToHex(c.bytes);
      if (apdu) c.apdu = std::move(*apdu);
      out.push_back(std::move(c));
      rest = rest.subspan(**size);
    }
  }
  return out;
}

std::vector<std::vector<uint8_t>> CleartextServices(const Captured& c) {
  auto epsem = DecodeEpsem(c.apdu.user_information);
  EXPECT_TRUE(epsem) << epsem.error().ToString();
  if (!epsem) return {};
  EXPECT_EQ(ControlByte(*epsem), 0x80);
  return epsem->services;
}

ServiceRequest RequestOf(const std::vector<uint8_t>& service) {
  auto r = DecodeServiceRequest(service);
  EXPECT_TRUE(r) << r.error().ToString() << " " << ToHex(service);
  if (!r) return c1218::Request(c1218::IdentifyRequest{});
  auto again = EncodeServiceRequest(*r);
  EXPECT_TRUE(again && *again == service);
  return *r;
}

ServiceResponse ResponseOf(RequestCode code, const std::vector<uint8_t>& service) {
  auto r = DecodeServiceResponse(code, service);
  EXPECT_TRUE(r) << r.error().ToString() << " " << ToHex(service);
  if (!r) return c1218::Response(c1218::OkResponse{});
  auto again = EncodeServiceResponse(*r);
  EXPECT_TRUE(again && *again == service);
  return *r;
}

ApTitle Title(const char* text) { return *ParseApTitle(text); }

const ApTitle kMeter = Title("1.3.6.1.4.1.33507.1919.12345678.0");
const ApTitle kHost = Title("1.3.6.1.4.1.33507");

// The scapy-made ICSNPP captures: one request 1577 -> 1153 and its response, fixed titles.
void ExpectScapyPair(const std::vector<Captured>& m) {
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].dst_port, kC1222Port);
  EXPECT_EQ(m[0].apdu.called_ap_title, kMeter);
  EXPECT_EQ(m[0].apdu.calling_ap_title, kHost);
  EXPECT_EQ(m[0].apdu.calling_ap_invocation_id, 333976609u);
  EXPECT_EQ(m[1].src_port, kC1222Port);
  EXPECT_EQ(m[1].apdu.called_ap_title, kHost);
  EXPECT_EQ(m[1].apdu.calling_ap_title, kMeter);
}

TEST(c1222Pcaps, EveryApduDecodesAndEncodesBack) {
  size_t files = 0, apdus = 0, cleartext_services = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const auto ext = entry.path().extension();
    if (ext != ".pcap" && ext != ".cap") continue;
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    auto messages = Load(entry.path().filename().string());
    EXPECT_FALSE(messages.empty());
    std::optional<RequestCode> pending;
    for (const auto& m : messages) {
      ++apdus;
      auto again = EncodeApdu(m.apdu);
      ASSERT_TRUE(again) << again.error().ToString();
      EXPECT_EQ(ToHex(*again), ToHex(m.bytes));
      auto mode = SecurityModeOf(m.apdu.user_information);
      ASSERT_TRUE(mode);
      if (*mode != SecurityMode::kCleartext) continue;
      for (const auto& service : CleartextServices(m)) {
        ++cleartext_services;
        if (service[0] >= 0x20) {
          pending = CodeOf(RequestOf(service));
        } else if (pending && entry.path().filename() != "c1222_rw_service_tcp.pcap") {
          ResponseOf(*pending, service);
        }
      }
    }
  }
  EXPECT_EQ(files, 12u);
  EXPECT_EQ(apdus, 24u);
  EXPECT_EQ(cleartext_services, 18u);
}

TEST(c1222Pcaps, Identify) {
  auto m = Load("c1222_ident_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(c1218::Request(c1218::IdentifyRequest{})));
  auto r = ResponseOf(RequestCode::kIdentify, CleartextServices(m[1]).at(0));
  const auto& id = std::get<c1218::IdentifyResponse>(std::get<c1218::Response>(r));
  EXPECT_EQ(id.standard, 3);  // C12.22
  EXPECT_EQ(id.version, 1);
  EXPECT_EQ(id.revision, 0);
  ASSERT_EQ(id.features.size(), 4u);
  EXPECT_EQ(id.features[0].code, c1218::FeatureCode::kSecurityMechanism);
  EXPECT_EQ(*DecodeUniversalId(id.features[0].id_element), kHost);
  EXPECT_EQ(id.features[1].code, c1218::FeatureCode::kSessionControl);
  EXPECT_EQ(id.features[1].session_control, 0x08);
  EXPECT_EQ(id.features[2].code, c1218::FeatureCode::kDeviceClass);
  EXPECT_EQ(*DecodeUniversalId(id.features[2].id_element), kHost);
  EXPECT_EQ(id.features[3].code, c1218::FeatureCode::kDeviceIdentity);
  EXPECT_EQ(id.features[3].identity_format, 1);
  EXPECT_EQ(id.features[3].identity, Hex("00 01 02 03 0a 04 0d 05 06 07"));
}

TEST(c1222Pcaps, Logon) {
  auto m = Load("c1222_logon_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)),
            ServiceRequest(c1218::Request(c1218::LogonRequest{0x1234, "helloworld", 0})));
  EXPECT_EQ(ResponseOf(RequestCode::kLogon, CleartextServices(m[1]).at(0)),
            ServiceResponse(c1218::Response(c1218::LogonResponse{0})));
}

TEST(c1222Pcaps, Security) {
  auto m = Load("c1222_security_service_tcp.pcap");
  ExpectScapyPair(m);
  c1218::SecurityRequest expected;
  expected.password = c1218::PadPassword(std::string(8, '\0') + "password1234");
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(c1218::Request(expected)));
  EXPECT_EQ(ResponseOf(RequestCode::kSecurity, CleartextServices(m[1]).at(0)),
            ServiceResponse(c1218::Response(c1218::OkResponse{})));
}

TEST(c1222Pcaps, ReadWithWrongChecksumIsRejected) {
  auto m = Load("c1222_rw_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)),
            ServiceRequest(c1218::Request(c1218::PartialReadIndexRequest{0, {0}, 1})));
  const auto service = CleartextServices(m[1]).at(0);
  EXPECT_EQ(service, Hex("00 0008 7465737464617461 00"));  // ok, 8 bytes "testdata", checksum 00
  auto r = DecodeServiceResponse(static_cast<RequestCode>(0x31), service);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "c1218: byte 11: expected table data checksum 0xA6, got 0x00");
  EXPECT_EQ(r.error().field, "offset 11");
}

TEST(c1222Pcaps, Wait) {
  auto m = Load("c1222_wait_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(c1218::Request(c1218::WaitRequest{112})));
  EXPECT_EQ(ResponseOf(RequestCode::kWait, CleartextServices(m[1]).at(0)),
            ServiceResponse(c1218::Response(c1218::OkResponse{})));
}

TEST(c1222Pcaps, ServiceError) {
  auto m = Load("c1222_service_error_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(c1218::Request(c1218::IdentifyRequest{})));
  auto r = ResponseOf(RequestCode::kIdentify, CleartextServices(m[1]).at(0));
  EXPECT_EQ(CodeOf(r), ResponseCode::kIsss);
  EXPECT_EQ(c1218::ResponseCodeAbbreviation(CodeOf(r)), "isss");
}

TEST(c1222Pcaps, Resolve) {
  auto m = Load("c1222_resolve_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(ResolveRequest{kHost}));
  auto r = ResponseOf(RequestCode::kResolve, CleartextServices(m[1]).at(0));
  const auto& resolved = std::get<ResolveResponse>(r);
  EXPECT_EQ(std::string(resolved.local_address.begin(), resolved.local_address.end()), "localaddress");
}

TEST(c1222Pcaps, Trace) {
  auto m = Load("c1222_trace_service_tcp.pcap");
  ExpectScapyPair(m);
  EXPECT_EQ(RequestOf(CleartextServices(m[0]).at(0)), ServiceRequest(TraceRequest{kHost}));
  auto r = ResponseOf(RequestCode::kTrace, CleartextServices(m[1]).at(0));
  EXPECT_EQ(std::get<TraceResponse>(r).ap_titles, (std::vector<ApTitle>{kHost, kMeter}));
}

TEST(c1222Pcaps, Register) {
  auto m = Load("c1222_reg_service_tcp.pcap");
  ExpectScapyPair(m);
  auto q = std::get<RegisterRequest>(RequestOf(CleartextServices(m[0]).at(0)));
  EXPECT_EQ(q.node_type, 0xFD);
  EXPECT_EQ(q.connection_type, 0xEF);
  EXPECT_EQ(q.device_class, (std::array<uint8_t, 4>{0x01, 0x82, 0x85, 0x63}));
  EXPECT_EQ(q.ap_title, kHost);
  EXPECT_EQ(q.electronic_serial_number, kHost);
  EXPECT_EQ(std::string(q.native_address.begin(), q.native_address.end()), "fizzbuzz");
  EXPECT_EQ(q.registration_period_s, 0x010203u);
  ASSERT_TRUE(q.my_domain_pattern);
  EXPECT_EQ(std::string(q.my_domain_pattern->begin(), q.my_domain_pattern->end()), "beef");
  auto r = ResponseOf(RequestCode::kRegister, CleartextServices(m[1]).at(0));
  EXPECT_EQ(std::get<RegisterResponse>(r), (RegisterResponse{kHost, 3600, 0, 0xEF}));
}

TEST(c1222Pcaps, StandardExample8) {
  auto m = Load("c1222_std_example8.pcap");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].apdu.called_ap_title, Title(".123.8437"));
  EXPECT_EQ(m[0].apdu.calling_ap_title, Title(".123.4"));
  EXPECT_EQ(m[0].apdu.calling_ap_invocation_id, 3u);
  EXPECT_FALSE(m[0].apdu.called_ap_invocation_id);
  EXPECT_EQ(m[0].apdu.calling_authentication_value, (AuthenticationValue{2, Hex("48f3d061"), {}}));
  EXPECT_EQ(m[0].apdu.user_information[0], 0x88);
  EXPECT_EQ(m[1].apdu.called_ap_title, Title(".123.4"));
  EXPECT_EQ(m[1].apdu.called_ap_invocation_id, 3u);
  EXPECT_EQ(m[1].apdu.calling_ap_title, Title(".123.8437"));
  EXPECT_EQ(m[1].apdu.calling_authentication_value, (AuthenticationValue{2, Hex("48f3d060"), {}}));
  KeyTable keys;
  keys.Set(2, {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8});
  for (const auto& c : m) {
    auto message = OpenMessage(c.bytes, keys);
    ASSERT_TRUE(message) << message.error().ToString();
  }
}

// Real-looking encrypted traffic whose key is unknown: the structure decodes, the EPSEM cannot
// be opened without the key.
TEST(c1222Pcaps, EncryptedCapturesWithUnknownKeys) {
  auto v4 = Load("c1222overIPv4.cap");
  ASSERT_EQ(v4.size(), 2u);
  EXPECT_EQ(v4[0].apdu.called_ap_title, kMeter);
  EXPECT_EQ(v4[0].apdu.calling_authentication_value, (AuthenticationValue{0, Hex("4c97f489"), {}}));
  EXPECT_EQ(v4[1].apdu.called_ap_invocation_id, 333976609u);
  EXPECT_EQ(v4[1].apdu.calling_ap_invocation_id, 44u);
  EXPECT_EQ(ToHex(v4[1].apdu.user_information).substr(0, 2), "88");
  EXPECT_EQ(ToHex(v4[1].apdu.user_information).substr(v4[1].apdu.user_information.size() * 2 - 8), "38a2d998");

  auto v6 = Load("c1222_over_ipv6.pcap");
  ASSERT_EQ(v6.size(), 2u);
  EXPECT_EQ(v6[0].dst_port, kC1222Port);
  EXPECT_EQ(v6[0].src_port, 42787);
  EXPECT_EQ(v6[0].apdu.called_ap_title, Title("1.3.6.1.4.1.33507.1919.22906.0"));
  EXPECT_EQ(v6[0].apdu.calling_ap_title, Title("1.3.6.1.4.1.33507.1919.88.1"));
  EXPECT_EQ(v6[0].apdu.calling_ap_invocation_id, 1988137462u);
  EXPECT_EQ(v6[1].bytes.size(), 155u);  // 60 81 98: long-form length
  EXPECT_EQ(v6[1].apdu.called_ap_invocation_id, 1988137462u);
  EXPECT_EQ(v6[1].apdu.calling_ap_invocation_id, 11u);

  KeyTable none;
  for (const auto* c : {&v4[0], &v4[1], &v6[0], &v6[1]}) {
    auto mode = SecurityModeOf(c->apdu.user_information);
    ASSERT_TRUE(mode);
    EXPECT_EQ(*mode, SecurityMode::kCiphertextAuthenticated);
    auto opened = OpenEpsem(c->bytes, none);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, core::ErrorCode::kNotFound);
  }
  KeyTable guess;
  guess.Set(0, AesKey{});
  auto wrong = OpenEpsem(v4[0].bytes, guess);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace meterd::codec::c1222
