// SPDX-License-Identifier: Apache-2.0
// Checks run in wire order, so the first error reported is the first byte that is wrong.
#include "codec/modbus/adu.h"

#include <fmt/format.h>

namespace meterd::codec::modbus {

using core::Error;
using core::Fail;
using core::Result;

namespace {

Error At(size_t offset, std::string message) {
  return Error::Invalid(std::move(message), fmt::format("offset {}", offset));
}

uint16_t Be16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

void PutBe16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void PutMbap(std::vector<uint8_t>& out, uint16_t transaction_id, size_t pdu_size, uint8_t unit_id) {
  PutBe16(out, transaction_id);
  PutBe16(out, 0);
  PutBe16(out, static_cast<uint16_t>(pdu_size + 1));
  out.push_back(unit_id);
}

bool IsRead(uint8_t function) { return function == 0x03 || function == 0x04; }

// The header, and that it spans exactly `adu`.
Result<MbapHeader> DecodeWhole(std::span<const uint8_t> adu) {
  auto header = DecodeMbapHeader(adu);
  if (!header) return header;
  if (adu.size() != AduSize(*header)) {
    return Fail(At(adu.size() < AduSize(*header) ? adu.size() : AduSize(*header),
                   fmt::format("MBAP length {} needs {} bytes in all, got {}", header->length, AduSize(*header),
                               adu.size())));
  }
  return header;
}

}  // namespace

std::string_view ExceptionName(uint8_t code) {
  switch (static_cast<ExceptionCode>(code)) {
    case ExceptionCode::kIllegalFunction: return "illegal function";
    case ExceptionCode::kIllegalDataAddress: return "illegal data address";
    case ExceptionCode::kIllegalDataValue: return "illegal data value";
    case ExceptionCode::kServerDeviceFailure: return "server device failure";
    case ExceptionCode::kAcknowledge: return "acknowledge";
    case ExceptionCode::kServerDeviceBusy: return "server device busy";
    case ExceptionCode::kMemoryParityError: return "memory parity error";
    case ExceptionCode::kGatewayPathUnavailable: return "gateway path unavailable";
    case ExceptionCode::kGatewayTargetFailedToRespond: return "gateway target device failed to respond";
  }
  return "unknown";
}

Result<MbapHeader> DecodeMbapHeader(std::span<const uint8_t> b) {
  if (b.size() < kMbapSize) {
    return Fail(At(b.size(), fmt::format("MBAP header truncated: expected 7 bytes, got {}", b.size())));
  }
  MbapHeader h{Be16(b, 0), Be16(b, 2), Be16(b, 4), b[6]};
  if (h.protocol_id != 0) return Fail(At(2, fmt::format("protocol identifier {} is not 0 (Modbus)", h.protocol_id)));
  if (h.length < 2 || h.length > kMaxPduSize + 1) {
    return Fail(At(4, fmt::format("length {} is outside 2..254 (unit id and a PDU of 1..253 bytes)", h.length)));
  }
  return h;
}

Result<ReadRequest> DecodeReadRequest(std::span<const uint8_t> adu) {
  auto h = DecodeWhole(adu);
  if (!h) return Fail(h.error());
  uint8_t function = adu[7];
  if (!IsRead(function)) {
    return Fail(At(7, fmt::format("function 0x{:02X} is not read holding (0x03) or input (0x04) registers", function)));
  }
  if (h->length != 6) return Fail(At(4, fmt::format("length {} for a read request; expected 6", h->length)));
  ReadRequest r{h->transaction_id, h->unit_id, static_cast<FunctionCode>(function), Be16(adu, 8), Be16(adu, 10)};
  if (r.count < 1 || r.count > kMaxReadCount) {
    return Fail(At(10, fmt::format("quantity of registers {} is outside 1..125", r.count)));
  }
  if (int{r.address} + r.count > 0x10000) {
    return Fail(At(8, fmt::format("registers {}..{} run past 65535", r.address, int{r.address} + r.count - 1)));
  }
  return r;
}

Result<std::vector<uint8_t>> EncodeReadRequest(const ReadRequest& r) {
  if (r.count < 1 || r.count > kMaxReadCount || int{r.address} + r.count > 0x10000) {
    return Fail(Error::Invalid(fmt::format("cannot read {} registers from {}", r.count, r.address), "count"));
  }
  std::vector<uint8_t> out;
  out.reserve(12);
  PutMbap(out, r.transaction_id, 5, r.unit_id);
  out.push_back(static_cast<uint8_t>(r.function));
  PutBe16(out, r.address);
  PutBe16(out, r.count);
  return out;
}

Result<Response> DecodeResponse(std::span<const uint8_t> adu) {
  auto h = DecodeWhole(adu);
  if (!h) return Fail(h.error());
  uint8_t function = adu[7];
  if (function & kExceptionFlag) {
    if (!IsRead(function & ~kExceptionFlag)) {
      return Fail(At(7, fmt::format("exception to function 0x{:02X}, not a register read", function & 0x7F)));
    }
    if (h->length != 3) return Fail(At(4, fmt::format("length {} for an exception response; expected 3", h->length)));
    if (adu[8] == 0) return Fail(At(8, "exception code 0"));
    return ExceptionResponse{h->transaction_id, h->unit_id, static_cast<FunctionCode>(function & 0x7F), adu[8]};
  }
  if (!IsRead(function)) {
    return Fail(At(7, fmt::format("function 0x{:02X} is not read holding (0x03) or input (0x04) registers", function)));
  }
  if (h->length < 3) return Fail(At(4, fmt::format("length {} leaves no byte count", h->length)));
  uint8_t byte_count = adu[8];
  if (byte_count == 0 || byte_count % 2 != 0 || byte_count > 2 * kMaxReadCount) {
    return Fail(At(8, fmt::format("byte count {} is not 2 x N registers, N in 1..125", byte_count)));
  }
  if (size_t{h->length} != 3u + byte_count) {
    return Fail(At(8, fmt::format("byte count {} does not match MBAP length {} (expected {})", byte_count, h->length,
                                  h->length - 3)));
  }
  ReadResponse r{h->transaction_id, h->unit_id, static_cast<FunctionCode>(function), {}};
  r.registers.reserve(byte_count / 2);
  for (size_t i = 0; i < byte_count; i += 2) r.registers.push_back(Be16(adu, 9 + i));
  return r;
}

Result<std::vector<uint8_t>> EncodeResponse(const Response& response) {
  std::vector<uint8_t> out;
  if (const auto* e = std::get_if<ExceptionResponse>(&response)) {
    if (e->code == 0) return Fail(Error::Invalid("exception code 0", "code"));
    PutMbap(out, e->transaction_id, 2, e->unit_id);
    out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(e->function) | kExceptionFlag));
    out.push_back(e->code);
    return out;
  }
  const auto& r = std::get<ReadResponse>(response);
  if (r.registers.empty() || r.registers.size() > kMaxReadCount) {
    return Fail(Error::Invalid(fmt::format("{} registers in a response; expected 1..125", r.registers.size()),
                               "registers"));
  }
  out.reserve(kMbapSize + 2 + 2 * r.registers.size());
  PutMbap(out, r.transaction_id, 2 + 2 * r.registers.size(), r.unit_id);
  out.push_back(static_cast<uint8_t>(r.function));
  out.push_back(static_cast<uint8_t>(2 * r.registers.size()));
  for (uint16_t w : r.registers) PutBe16(out, w);
  return out;
}

Result<void> CheckAnswers(const ReadRequest& request, const Response& response) {
  auto check = [&](uint16_t tid, uint8_t unit, FunctionCode function) -> Result<void> {
    if (tid != request.transaction_id) {
      return Fail(At(0, fmt::format("transaction {} answers none sent (expected {})", tid, request.transaction_id)));
    }
    if (unit != request.unit_id) return Fail(At(6, fmt::format("unit {} answers for {}", unit, request.unit_id)));
    if (function != request.function) {
      return Fail(At(7, fmt::format("function 0x{:02X} answers 0x{:02X}", static_cast<int>(function),
                                    static_cast<int>(request.function))));
    }
    return {};
  };
  if (const auto* e = std::get_if<ExceptionResponse>(&response)) return check(e->transaction_id, e->unit_id, e->function);
  const auto& r = std::get<ReadResponse>(response);
  if (auto c = check(r.transaction_id, r.unit_id, r.function); !c) return c;
  if (r.registers.size() != request.count) {
    return Fail(At(8, fmt::format("{} registers for {} requested", r.registers.size(), request.count)));
  }
  return {};
}

}  // namespace meterd::codec::modbus
