// SPDX-License-Identifier: Apache-2.0
// Known answers from the specifications: the PDU examples of Modbus Application Protocol v1.1b3
// §6.3 (read holding registers 108..110) and §6.4 (read input register 9), behind the MBAP header
// of Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3.
#include "codec/modbus/adu.h"

#include <gtest/gtest.h>

#include <vector>

namespace meterd::codec::modbus {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(Adu, ReadHoldingRegistersSpecExample) {
  // Request: function 03, start 0x006B, 3 registers; transaction 0x0001, unit 0x11.
  const Bytes request = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03};
  ReadRequest r{1, 0x11, FunctionCode::kReadHoldingRegisters, 0x6B, 3};
  EXPECT_EQ(EncodeReadRequest(r).value(), request);
  EXPECT_EQ(DecodeReadRequest(request).value(), r);
  // Response: byte count 6, registers 0x022B, 0x0000, 0x0064.
  const Bytes response = {0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x11, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64};
  ReadResponse rr{1, 0x11, FunctionCode::kReadHoldingRegisters, {0x022B, 0x0000, 0x0064}};
  EXPECT_EQ(EncodeResponse(rr).value(), response);
  auto decoded = DecodeResponse(response);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(std::get<ReadResponse>(*decoded), rr);
  EXPECT_TRUE(CheckAnswers(r, *decoded));
}

TEST(Adu, ReadInputRegisterSpecExample) {
  const Bytes request = {0x12, 0x34, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x00, 0x08, 0x00, 0x01};
  ReadRequest r{0x1234, 1, FunctionCode::kReadInputRegisters, 8, 1};
  EXPECT_EQ(EncodeReadRequest(r).value(), request);
  EXPECT_EQ(DecodeReadRequest(request).value(), r);
  const Bytes response = {0x12, 0x34, 0x00, 0x00, 0x00, 0x05, 0x01, 0x04, 0x02, 0x00, 0x0A};
  EXPECT_EQ(std::get<ReadResponse>(DecodeResponse(response).value()).registers, (std::vector<uint16_t>{10}));
}

TEST(Adu, ExceptionResponses) {
  const Bytes illegal_address = {0x00, 0x07, 0x00, 0x00, 0x00, 0x03, 0x01, 0x84, 0x02};
  auto d = DecodeResponse(illegal_address);
  ASSERT_TRUE(d) << d.error().message;
  ExceptionResponse e = std::get<ExceptionResponse>(*d);
  EXPECT_EQ(e, (ExceptionResponse{7, 1, FunctionCode::kReadInputRegisters, 0x02}));
  EXPECT_EQ(ExceptionName(e.code), "illegal data address");
  EXPECT_EQ(EncodeResponse(e).value(), illegal_address);
  const Bytes busy = {0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0xFF, 0x83, 0x06};
  EXPECT_EQ(std::get<ExceptionResponse>(DecodeResponse(busy).value()).code, 0x06);
  EXPECT_EQ(ExceptionName(0x0B), "gateway target device failed to respond");
  EXPECT_EQ(ExceptionName(0x42), "unknown");
}

// The error's field for decoding `bytes` as a request (request=true) or a response.
std::string Where(const Bytes& bytes, bool request) {
  if (request) {
    auto r = DecodeReadRequest(bytes);
    return r ? "ok" : r.error().field;
  }
  auto r = DecodeResponse(bytes);
  return r ? "ok" : r.error().field;
}

TEST(Adu, ErrorsNameTheOffset) {
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00}, true), "offset 5");                                // truncated header
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x01, 0x00, 0x06, 0x01, 0x03, 0, 0, 0, 1}, true), "offset 2");  // protocol 1
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03, 0, 0, 0, 1}, true), "offset 4");  // length 256
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0, 0, 0}, true), "offset 11");    // short
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0, 0, 0, 1, 9}, true), "offset 12");  // extra byte
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x06, 0, 0, 0, 1}, true), "offset 7");  // write single
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0, 0, 0, 0}, true), "offset 10");  // 0 registers
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0, 0, 0, 126}, true), "offset 10");
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0xFF, 0xFF, 0, 2}, true), "offset 8");
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x03, 0x03, 0x00, 0x0A}, false), "offset 8");  // odd
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x03, 0x04, 0x00, 0x0A}, false), "offset 8");  // count
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x84, 0x00}, false), "offset 8");  // exception 0
  EXPECT_EQ(Where({0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x81, 0x02}, false), "offset 7");  // not a read
}

TEST(Adu, AnswersMustMatchTheRequest) {
  ReadRequest r{5, 1, FunctionCode::kReadInputRegisters, 0, 2};
  EXPECT_TRUE(CheckAnswers(r, ReadResponse{5, 1, FunctionCode::kReadInputRegisters, {1, 2}}));
  EXPECT_TRUE(CheckAnswers(r, ExceptionResponse{5, 1, FunctionCode::kReadInputRegisters, 2}));
  EXPECT_FALSE(CheckAnswers(r, ReadResponse{6, 1, FunctionCode::kReadInputRegisters, {1, 2}}));
  EXPECT_FALSE(CheckAnswers(r, ReadResponse{5, 2, FunctionCode::kReadInputRegisters, {1, 2}}));
  EXPECT_FALSE(CheckAnswers(r, ReadResponse{5, 1, FunctionCode::kReadHoldingRegisters, {1, 2}}));
  EXPECT_FALSE(CheckAnswers(r, ReadResponse{5, 1, FunctionCode::kReadInputRegisters, {1}}));
}

TEST(Adu, EncodersRefuseWhatTheWireCannotCarry) {
  EXPECT_FALSE(EncodeReadRequest({1, 1, FunctionCode::kReadInputRegisters, 0, 0}));
  EXPECT_FALSE(EncodeReadRequest({1, 1, FunctionCode::kReadInputRegisters, 0, 126}));
  EXPECT_FALSE(EncodeReadRequest({1, 1, FunctionCode::kReadInputRegisters, 0xFFFF, 2}));
  EXPECT_FALSE(EncodeResponse(ReadResponse{1, 1, FunctionCode::kReadInputRegisters, {}}));
  EXPECT_FALSE(EncodeResponse(ReadResponse{1, 1, FunctionCode::kReadInputRegisters, std::vector<uint16_t>(126)}));
  EXPECT_FALSE(EncodeResponse(ExceptionResponse{1, 1, FunctionCode::kReadInputRegisters, 0}));
  // 125 registers is the largest response: 7 + 2 + 250 = 259 bytes.
  EXPECT_EQ(EncodeResponse(ReadResponse{1, 1, FunctionCode::kReadInputRegisters, std::vector<uint16_t>(125)})->size(),
            259u);
}

}  // namespace
}  // namespace meterd::codec::modbus
