// SPDX-License-Identifier: Apache-2.0
// The C12.22 client against an in-test end device on loopback (c1222_test_meter.h): every
// service over TCP and UDP, EAX', and the response-code and timeout rules. The fake meter
// decides deterministically when it stays silent or answers bsy, so no test depends on timing
// beyond the short timeouts it configures.
#include "headend/c1222_client.h"

#include <gtest/gtest.h>

#include "c1222_test_meter.h"
#include "codec/c1219/standard_tdl.h"

namespace meterd::headend {
namespace {

namespace c18 = codec::c1218;
namespace c22 = codec::c1222;
namespace c19 = codec::c1219;
using testing::TestMeter;

c22::AesKey Key(uint8_t first) {
  c22::AesKey k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(first + i);
  return k;
}

C1222ClientOptions Options(const TestMeter& meter, C1222Transport transport = C1222Transport::kTcp) {
  C1222ClientOptions o;
  o.port = meter.port();
  o.transport = transport;
  o.called = *c22::ParseApTitle(".7");
  o.calling = *c22::ParseApTitle(".99");
  o.user_id = 42;
  o.response_timeout = std::chrono::milliseconds(1000);  // a loaded CI machine answers well within it
  o.busy_delay = std::chrono::milliseconds(1);
  o.procedure_delay = std::chrono::milliseconds(1);
  return o;
}

std::unique_ptr<C1222Client> Connected(C1222ClientOptions o) {
  auto c = C1222Client::Connect(std::move(o));
  EXPECT_TRUE(c) << c.error().ToString();
  return c ? std::move(*c) : nullptr;
}

class C1222ClientTest : public ::testing::TestWithParam<C1222Transport> {};

TEST_P(C1222ClientTest, EveryTableServiceInASession) {
  TestMeter meter({GetParam(), *c22::ParseApTitle(".7"), "secret", {}});
  meter.SetTable(1, {'M', 'T', 'R', 'D', 1, 2, 3, 4});
  meter.SetTable(2048 + 2, {9, 9, 9});
  auto o = Options(meter, GetParam());
  o.password = "secret";
  auto c = Connected(o);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Logon());
  EXPECT_EQ(meter.last_user_id(), 42);
  auto st1 = c->Read(1);
  ASSERT_TRUE(st1) << st1.error().ToString();
  EXPECT_EQ(*st1, (std::vector<uint8_t>{'M', 'T', 'R', 'D', 1, 2, 3, 4}));
  auto part = c->ReadOffset(1, 4, 3);
  ASSERT_TRUE(part);
  EXPECT_EQ(*part, (std::vector<uint8_t>{1, 2, 3}));
  auto mt2 = c->Read(2048 + 2);
  ASSERT_TRUE(mt2);
  EXPECT_EQ(mt2->size(), 3u);
  const std::vector<uint8_t> data{5, 6, 7};
  ASSERT_TRUE(c->Write(2048 + 5, data));
  EXPECT_EQ(meter.Table(2048 + 5), data);
  ASSERT_TRUE(c->WriteOffset(2048 + 5, 1, std::vector<uint8_t>{0xAA}));
  EXPECT_EQ(meter.Table(2048 + 5), (std::vector<uint8_t>{5, 0xAA, 7}));
  EXPECT_TRUE(c->Logoff());
  EXPECT_TRUE(c->Terminate());
  EXPECT_EQ(c->stats().timeouts, 0u);
  EXPECT_EQ(c->stats().stale, 0u);
}

TEST_P(C1222ClientTest, BusyAndDataNotReadyAreRetriedAfterTheWait) {
  TestMeter meter({GetParam()});
  meter.SetTable(23, {1, 2});
  auto c = Connected(Options(meter, GetParam()));
  ASSERT_TRUE(c && c->Logon());
  meter.AnswerBusy(3);
  auto r = c->Read(23);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(c->stats().busy, 3u);
  meter.AnswerBusy(2, c18::ResponseCode::kDnr);
  ASSERT_TRUE(c->Read(23));
  EXPECT_EQ(c->stats().busy, 5u);
}

TEST_P(C1222ClientTest, BusyBeyondTheRetriesIsUnavailable) {
  TestMeter meter({GetParam()});
  meter.SetTable(23, {1, 2});
  auto o = Options(meter, GetParam());
  o.busy_retries = 4;
  auto c = Connected(o);
  ASSERT_TRUE(c && c->Logon());
  meter.AnswerBusy(100);
  const int before = meter.apdus();
  auto r = c->Read(23);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("bsy (device busy) after 4 retries"), std::string::npos) << r.error().message;
  EXPECT_EQ(meter.apdus() - before, 5);  // the first try and four retries
}

TEST_P(C1222ClientTest, InsufficientSecurityClearanceFailsAtOnce) {
  TestMeter meter({GetParam(), *c22::ParseApTitle(".7"), "secret", {}});
  auto o = Options(meter, GetParam());
  o.password = "wrong";
  auto c = Connected(o);
  ASSERT_TRUE(c);
  auto r = c->Logon();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("security: isc (insufficient security clearance)"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(meter.apdus(), 1);
}

TEST_P(C1222ClientTest, OperationNotPossibleFailsAtOnce) {
  TestMeter meter({GetParam()});
  auto c = Connected(Options(meter, GetParam()));
  ASSERT_TRUE(c && c->Logon());
  auto r = c->Read(99);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("meter .7 "), std::string::npos);
  EXPECT_NE(r.error().message.find("read ST99: onp (operation not possible)"), std::string::npos) << r.error().message;
  EXPECT_EQ(meter.apdus(), 2);  // logon, the read: no retry
}

TEST_P(C1222ClientTest, ASilentMeterGetsTheRequestAgain) {
  TestMeter meter({GetParam()});
  meter.SetTable(23, {1, 2});
  auto c = Connected(Options(meter, GetParam()));
  ASSERT_TRUE(c && c->Logon());
  meter.StaySilent(1);
  auto r = c->Read(23);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(c->stats().timeouts, 1u);
  if (GetParam() == C1222Transport::kTcp) {
    EXPECT_EQ(c->stats().reconnects, 1u);
    EXPECT_EQ(meter.connections(), 2);
    EXPECT_EQ(meter.apdus(), 4);  // logon, silent read, logon again, read
  } else {
    EXPECT_EQ(c->stats().reconnects, 0u);
    EXPECT_EQ(meter.apdus(), 3);  // logon, silent read, the same datagram again
  }
}

TEST_P(C1222ClientTest, ASilentMeterIsUnavailableAfterTheTries) {
  TestMeter meter({GetParam()});
  auto o = Options(meter, GetParam());
  o.tries = 2;
  o.response_timeout = std::chrono::milliseconds(100);
  auto c = Connected(o);
  ASSERT_TRUE(c);
  meter.StaySilent(10);
  auto r = c->Logon();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("no answer after 2 tries"), std::string::npos) << r.error().message;
  EXPECT_EQ(meter.apdus(), 2);
}

TEST_P(C1222ClientTest, AnAnswerToAnotherInvocationIsDropped) {
  TestMeter meter({GetParam()});
  meter.SetTable(23, {1, 2});
  auto c = Connected(Options(meter, GetParam()));
  ASSERT_TRUE(c && c->Logon());
  meter.SendStaleFirst(1);
  auto r = c->Read(23);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(c->stats().stale, 1u);
  EXPECT_EQ(c->stats().timeouts, 0u);
}

TEST_P(C1222ClientTest, EaxPrimeSealsRequestsAndChecksAnswers) {
  for (auto mode : {c22::SecurityMode::kCiphertextAuthenticated, c22::SecurityMode::kCleartextAuthenticated}) {
    c22::KeyTable keys;
    keys.Set(3, Key(0x10));
    TestMeter meter({GetParam(), *c22::ParseApTitle(".7"), "pw", keys});
    meter.SetTable(23, {1, 2, 3});
    auto o = Options(meter, GetParam());
    o.password = "pw";
    o.key = C1222Key{3, Key(0x10), mode};
    std::vector<std::vector<uint8_t>> sent;
    o.trace = [&](bool out, std::span<const uint8_t> apdu) {
      if (out) sent.emplace_back(apdu.begin(), apdu.end());
    };
    auto c = Connected(o);
    ASSERT_TRUE(c && c->Logon());
    auto r = c->Read(23);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(*r, (std::vector<uint8_t>{1, 2, 3}));
    ASSERT_EQ(sent.size(), 2u);
    auto apdu = c22::DecodeApdu(sent.back());
    ASSERT_TRUE(apdu);
    EXPECT_EQ(apdu->user_information.front(), mode == c22::SecurityMode::kCiphertextAuthenticated ? 0x88 : 0x84);
    EXPECT_EQ(apdu->calling_authentication_value->key_id, 3);
    EXPECT_EQ(apdu->calling_authentication_value->iv.size(), 4u);
  }
}

TEST_P(C1222ClientTest, AMeterWithAnotherKeyNeverAnswers) {
  c22::KeyTable keys;
  keys.Set(3, Key(0x10));
  TestMeter meter({GetParam(), *c22::ParseApTitle(".7"), "", keys});
  auto o = Options(meter, GetParam());
  o.tries = 1;
  o.key = C1222Key{3, Key(0x20), c22::SecurityMode::kCiphertextAuthenticated};
  auto c = Connected(o);
  ASSERT_TRUE(c);
  auto r = c->Logon();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::kUnavailable);
}

// A procedure: ST7 written with the next sequence number, ST8 read back until it answers for it.
TEST_P(C1222ClientTest, ProcedureWritesSt7AndReadsSt8Back) {
  c19::TableContext ctx(c19::StandardTdl());
  c19::St0 st0;
  st0.max_proc_parm_length = 2;
  st0.max_resp_data_len = 3;
  st0.UseTable(7, true);
  st0.UseTable(8);
  ctx.Put(c19::kSt0, c19::ToValue(st0));
  TestMeter meter({GetParam()});
  meter.SetProcedure([&](std::span<const uint8_t> st7_bytes) {
    auto st7 = c19::DecodeSt7(st7_bytes, ctx);
    EXPECT_TRUE(st7);
    c19::St8 st8{st7->procedure, st7->selector, st7->sequence_number, 0, {st7->params[0], st7->params[1], 0x77}};
    return *c19::EncodeSt8(st8, ctx);
  });
  auto c = Connected(Options(meter, GetParam()));
  ASSERT_TRUE(c && c->Logon());
  const c19::ProcedureId mp1{1, true};
  auto r = c->Procedure(ctx, mp1, std::vector<uint8_t>{0xFF, 0x01});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(r->completed());
  EXPECT_EQ(r->st8.procedure, mp1);
  EXPECT_EQ(r->st8.response, (std::vector<uint8_t>{0xFF, 0x01, 0x77}));
  auto st7 = c19::DecodeSt7(meter.Table(7), ctx);
  ASSERT_TRUE(st7);
  EXPECT_EQ(st7->sequence_number, r->st8.sequence_number);
  // The next call uses the next sequence number, and ST8 is read again while it says "accepted,
  // not fully completed" (RESULT_CODE, byte 3).
  int reads = 0;
  meter.SetReadHook([&](uint16_t table, std::vector<uint8_t>& data) {
    if (table == 8) data[3] = ++reads < 3 ? 1 : 0;
  });
  auto again = c->Procedure(ctx, mp1, std::vector<uint8_t>{0, 0});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->st8.sequence_number, static_cast<uint8_t>(r->st8.sequence_number + 1));
  EXPECT_TRUE(again->completed());
  EXPECT_EQ(reads, 3);
}

INSTANTIATE_TEST_SUITE_P(Transports, C1222ClientTest, ::testing::Values(C1222Transport::kTcp, C1222Transport::kUdp),
                         [](const auto& info) { return std::string(C1222TransportName(info.param)); });

}  // namespace
}  // namespace meterd::headend
