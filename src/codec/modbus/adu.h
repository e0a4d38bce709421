// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "codec/modbus/register_map.h"
#include "core/error.h"

// Modbus TCP application data units for the two register reads a meter needs: the MBAP header
// (Modbus Messaging on TCP/IP Implementation Guide v1.0b §3.1.3) followed by the PDU of read
// holding registers (0x03) or read input registers (0x04), their responses and exception
// responses (Modbus Application Protocol v1.1b3 §6.3, §6.4, §7). Grammar in
// docs/formats/modbus-maps.md ("Wire format"). Pure: bytes in, structs out, and back.
//
// Decoders take exactly one ADU and nothing after it. Errors are kInvalidArgument with `field`
// "offset N", the first byte that is wrong.
namespace meterd::codec::modbus {

inline constexpr size_t kMbapSize = 7;         // transaction, protocol, length, unit id
inline constexpr size_t kMaxPduSize = 253;     // Modbus Application Protocol v1.1b3 §4.1
inline constexpr size_t kMaxAduSize = 260;     // MBAP + PDU
inline constexpr uint16_t kMaxReadCount = 125;  // 0x7D registers per read (§6.3, §6.4)
inline constexpr uint8_t kExceptionFlag = 0x80;

// §7. Codes outside this list decode as they are; ExceptionName calls them unknown.
enum class ExceptionCode : uint8_t {
  kIllegalFunction = 0x01,
  kIllegalDataAddress = 0x02,
  kIllegalDataValue = 0x03,
  kServerDeviceFailure = 0x04,
  kAcknowledge = 0x05,
  kServerDeviceBusy = 0x06,
  kMemoryParityError = 0x08,
  kGatewayPathUnavailable = 0x0A,
  kGatewayTargetFailedToRespond = 0x0B,
};
std::string_view ExceptionName(uint8_t code);  // "illegal data address", ..., "unknown"

struct MbapHeader {
  uint16_t transaction_id = 0;
  uint16_t protocol_id = 0;  // 0 = Modbus
  uint16_t length = 0;       // bytes that follow: unit id + PDU, 2..254
  uint8_t unit_id = 0;
  friend bool operator==(const MbapHeader&, const MbapHeader&) = default;
};

struct ReadRequest {
  uint16_t transaction_id = 0;
  uint8_t unit_id = 0;
  FunctionCode function = FunctionCode::kReadHoldingRegisters;
  uint16_t address = 0;  // protocol address, 0-based
  uint16_t count = 0;    // 1..125, address + count <= 65536
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};

struct ReadResponse {
  uint16_t transaction_id = 0;
  uint8_t unit_id = 0;
  FunctionCode function = FunctionCode::kReadHoldingRegisters;
  std::vector<uint16_t> registers;  // 1..125
  friend bool operator==(const ReadResponse&, const ReadResponse&) = default;
};

struct ExceptionResponse {
  uint16_t transaction_id = 0;
  uint8_t unit_id = 0;
  FunctionCode function = FunctionCode::kReadHoldingRegisters;  // as requested; 0x80 is added on the wire
  uint8_t code = 0;                                             // nonzero; see ExceptionCode
  friend bool operator==(const ExceptionResponse&, const ExceptionResponse&) = default;
};

using Response = std::variant<ReadResponse, ExceptionResponse>;

// The first 7 bytes of an ADU. Checks protocol id 0 and a length of 2..254; `bytes` may hold more.
core::Result<MbapHeader> DecodeMbapHeader(std::span<const uint8_t> bytes);
// For reading a stream: the size of the whole ADU, 6 + length, from its first 7 bytes.
inline size_t AduSize(const MbapHeader& header) { return 6 + size_t{header.length}; }

core::Result<ReadRequest> DecodeReadRequest(std::span<const uint8_t> adu);
// Fails for a count outside 1..125 or a range past register 65535.
core::Result<std::vector<uint8_t>> EncodeReadRequest(const ReadRequest& request);

core::Result<Response> DecodeResponse(std::span<const uint8_t> adu);
// Fails for 0 or more than 125 registers, or exception code 0.
core::Result<std::vector<uint8_t>> EncodeResponse(const Response& response);

// Whether `response` answers `request`: same transaction, unit and function, and as many
// registers as asked for. kInvalidArgument naming the mismatch if not.
core::Result<void> CheckAnswers(const ReadRequest& request, const Response& response);

}  // namespace meterd::codec::modbus
