// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/user_data.h"

#include <fmt/format.h>

#include "codec/mbus/byte_reader.h"
#include "codec/mbus/control_field.h"

namespace meterd::codec::mbus {
namespace {

using core::Fail;

template <class T>
core::Result<UserData> Wrap(core::Result<T> r) {
  if (!r) return Fail(std::move(r.error()));
  return UserData(std::move(*r));
}

}  // namespace

std::string ApplicationErrorName(uint8_t code) {
  switch (code) {
    case 0x00: return "Unspecified error";
    case 0x01: return "Unimplemented CI-Field";
    case 0x02: return "Buffer too long, truncated";
    case 0x03: return "Too many records";
    case 0x04: return "Premature end of record";
    case 0x05: return "More than 10 DIFEs";
    case 0x06: return "More than 10 VIFEs";
    case 0x07: return "Reserved";
    case 0x08: return "Application busy";
    case 0x09: return "Too many readouts";
    default: return fmt::format("Unknown error (0x{:02X})", code);
  }
}

core::Result<UserData> DecodeApplicationData(uint8_t ci, std::span<const uint8_t> data, Explainer* explain,
                                             size_t origin) {
  switch (ci) {
    case kCiApplicationError: {
      // No data byte means "unspecified" (libmbus does the same).
      const uint8_t code = data.empty() ? 0 : data[0];
      if (explain && !data.empty()) {
        explain->Note(origin, 1, fmt::format("application error 0x{:02X}: {}", code, ApplicationErrorName(code)));
      }
      return Fail(core::Error{
          core::ErrorCode::kUnavailable,
          fmt::format("meter reports application error 0x{:02X}: {}", code, ApplicationErrorName(code)),
          fmt::format("offset {}", origin)});
    }
    case kCiVariableData:
      return Wrap(DecodeVariableData(data, HeaderKind::kLong, ByteOrder::kLsbFirst, explain, origin));
    case kCiVariableDataMsbFirst:
      return Wrap(DecodeVariableData(data, HeaderKind::kLong, ByteOrder::kMsbFirst, explain, origin));
    case kCiVariableDataShortHeader:
      return Wrap(DecodeVariableData(data, HeaderKind::kShort, ByteOrder::kLsbFirst, explain, origin));
    case kCiVariableDataNoHeader:
      return Wrap(DecodeVariableData(data, HeaderKind::kNone, ByteOrder::kLsbFirst, explain, origin));
    case kCiFixedData: return Wrap(DecodeFixedData(data, ByteOrder::kLsbFirst, explain, origin));
    case kCiFixedDataMsbFirst: return Wrap(DecodeFixedData(data, ByteOrder::kMsbFirst, explain, origin));
    default:
      return Fail(ByteReader::ErrorAt(
          origin == 0 ? 0 : origin - 1,
          fmt::format("CI 0x{:02X} is not a response this decoder reads (expected 70, 72, 73, 76, 77, 78 or 7A)", ci)));
  }
}

core::Result<UserData> DecodeUserData(const Frame& frame, Explainer* explain) {
  if (frame.type != FrameType::kLong && frame.type != FrameType::kControl) {
    return Fail(core::Error::Invalid(
        fmt::format("a {} frame carries no user data (expected a long frame)", FrameTypeName(frame.type)), "offset 0"));
  }
  if (!control::IsRspUd(frame.control)) {
    return Fail(ByteReader::ErrorAt(4, fmt::format("C field 0x{:02X} is {} from the master, not RSP_UD (08/18/28/38) "
                                                   "from a slave",
                                                   frame.control, ControlName(frame.control))));
  }
  return DecodeApplicationData(frame.ci, frame.data, explain, kFrameDataOffset);
}

}  // namespace meterd::codec::mbus
