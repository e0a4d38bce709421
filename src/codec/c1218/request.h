// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

// C12.18 service requests (the data of a packet, or one service of a C12.22 EPSEM), client to
// meter. Grammar in docs/formats/c1218.md. The C12.22 network services (register, deregister,
// resolve, trace) carry ApTitles and live in codec/c1222/network_service.h.
//
// One spelling per message: whatever DecodeRequest accepts, EncodeRequest gives back byte for
// byte. Offsets in errors count from the first byte of the request (its code).
namespace meterd::codec::c1218 {

enum class RequestCode : uint8_t {
  kIdentify = 0x20,
  kTerminate = 0x21,
  kDisconnect = 0x22,  // C12.22
  kDeregister = 0x24,  // C12.22 network services
  kResolve = 0x25,
  kTrace = 0x26,
  kRegister = 0x27,
  kFullRead = 0x30,
  kPartialReadIndex = 0x31,  // 0x31..0x39: 0x30 + number of indices (1..9)
  kDefaultRead = 0x3E,
  kPartialReadOffset = 0x3F,
  kFullWrite = 0x40,
  kPartialWriteIndex = 0x41,  // 0x41..0x49: 0x40 + number of indices (1..9)
  kDefaultWrite = 0x4E,
  kPartialWriteOffset = 0x4F,
  kLogon = 0x50,
  kSecurity = 0x51,
  kLogoff = 0x52,
  kAuthenticate = 0x53,  // C12.21
  kNegotiate = 0x60,     // 0x60..0x6B: 0x60 + number of baud rates (0..11)
  kWait = 0x70,
  kTimingSetup = 0x71,  // C12.21
};

// Whether `code` is one of the request codes above (with the index / baud-count ranges).
bool IsRequestCode(uint8_t code);
// "identify", "partial read (index)", "negotiate", ...; "unknown" otherwise.
std::string_view RequestCodeName(uint8_t code);
inline std::string_view RequestCodeName(RequestCode code) { return RequestCodeName(static_cast<uint8_t>(code)); }
// The request family for the ranged codes: 0x33 -> kPartialReadIndex, 0x62 -> kNegotiate.
RequestCode RequestFamily(RequestCode code);

inline constexpr size_t kMaxIndices = 9;
inline constexpr size_t kMaxBaudRates = 11;
inline constexpr size_t kUserSize = 10;      // logon user name, bytes
inline constexpr size_t kPasswordSize = 20;  // security password, bytes
inline constexpr uint32_t kMaxOffset = 0xFFFFFF;

struct IdentifyRequest {
  friend bool operator==(const IdentifyRequest&, const IdentifyRequest&) = default;
};
struct TerminateRequest {
  friend bool operator==(const TerminateRequest&, const TerminateRequest&) = default;
};
struct DisconnectRequest {
  friend bool operator==(const DisconnectRequest&, const DisconnectRequest&) = default;
};
struct LogoffRequest {
  friend bool operator==(const LogoffRequest&, const LogoffRequest&) = default;
};

struct FullReadRequest {
  uint16_t table_id = 0;
  friend bool operator==(const FullReadRequest&, const FullReadRequest&) = default;
};
struct PartialReadIndexRequest {
  uint16_t table_id = 0;
  std::vector<uint16_t> indices;  // 1..9
  uint16_t count = 0;             // elements to read
  friend bool operator==(const PartialReadIndexRequest&, const PartialReadIndexRequest&) = default;
};
struct PartialReadOffsetRequest {
  uint16_t table_id = 0;
  uint32_t offset = 0;  // 24 bits
  uint16_t count = 0;   // octets to read
  friend bool operator==(const PartialReadOffsetRequest&, const PartialReadOffsetRequest&) = default;
};
// Reads the end device's default table (the meter decides which).
struct DefaultReadRequest {
  friend bool operator==(const DefaultReadRequest&, const DefaultReadRequest&) = default;
};

struct FullWriteRequest {
  uint16_t table_id = 0;
  std::vector<uint8_t> data;  // <= 65535 bytes; count and checksum are added on the wire
  friend bool operator==(const FullWriteRequest&, const FullWriteRequest&) = default;
};
struct PartialWriteIndexRequest {
  uint16_t table_id = 0;
  std::vector<uint16_t> indices;  // 1..9
  std::vector<uint8_t> data;
  friend bool operator==(const PartialWriteIndexRequest&, const PartialWriteIndexRequest&) = default;
};
struct PartialWriteOffsetRequest {
  uint16_t table_id = 0;
  uint32_t offset = 0;  // 24 bits
  std::vector<uint8_t> data;
  friend bool operator==(const PartialWriteOffsetRequest&, const PartialWriteOffsetRequest&) = default;
};
// Writes the default table: <count> <data> <cksum> after the code, as a full write without a table id.
struct DefaultWriteRequest {
  std::vector<uint8_t> data;
  friend bool operator==(const DefaultWriteRequest&, const DefaultWriteRequest&) = default;
};

struct LogonRequest {
  uint16_t user_id = 0;
  // The 10-byte user field as sent; EncodeRequest pads a shorter name with spaces and refuses a longer one.
  std::string user;
  // C12.22 form only (requested session idle timeout, seconds); absent in C12.18's 12-byte logon.
  std::optional<uint16_t> session_idle_timeout_s;
  friend bool operator==(const LogonRequest&, const LogonRequest&) = default;
};
struct SecurityRequest {
  std::array<uint8_t, kPasswordSize> password{};  // binary; see PadPassword
  std::optional<uint16_t> user_id;                // C12.22 sessionless form appends it
  friend bool operator==(const SecurityRequest&, const SecurityRequest&) = default;
};
// A password of up to 20 bytes padded with `pad` (termineter pads 0x00; C12.22 tools often 0x20).
// Longer input is cut at 20 bytes.
std::array<uint8_t, kPasswordSize> PadPassword(std::string_view password, uint8_t pad = 0x20);

struct AuthenticateRequest {  // C12.21: <len 1> <auth-request>
  std::vector<uint8_t> data;  // 0..255 bytes
  friend bool operator==(const AuthenticateRequest&, const AuthenticateRequest&) = default;
};

struct NegotiateRequest {
  uint16_t packet_size = 0;         // largest packet, bytes (header and CRC included)
  uint8_t nbr_packets = 0;          // largest number of packets in a multi-packet transmission
  std::vector<uint8_t> baud_codes;  // 0..11, in order of preference; see BaudRate
  friend bool operator==(const NegotiateRequest&, const NegotiateRequest&) = default;
};
// Baud code -> bits per second: 1=300 ... 6=9600 ... 10=57600; nullopt for 0 (externally
// defined) and codes above 10.
std::optional<uint32_t> BaudRate(uint8_t code);

struct WaitRequest {
  uint8_t seconds = 0;  // keep the session open this long without traffic
  friend bool operator==(const WaitRequest&, const WaitRequest&) = default;
};

struct TimingSetupRequest {  // C12.21
  uint8_t channel_traffic_timeout_s = 0;
  uint8_t inter_character_timeout_s = 0;
  uint8_t response_timeout_s = 0;
  uint8_t retries = 0;
  friend bool operator==(const TimingSetupRequest&, const TimingSetupRequest&) = default;
};

using Request = std::variant<IdentifyRequest, TerminateRequest, DisconnectRequest, FullReadRequest,
                             PartialReadIndexRequest, PartialReadOffsetRequest, DefaultReadRequest, FullWriteRequest,
                             PartialWriteIndexRequest, PartialWriteOffsetRequest, DefaultWriteRequest, LogonRequest,
                             SecurityRequest, LogoffRequest, AuthenticateRequest, NegotiateRequest, WaitRequest,
                             TimingSetupRequest>;

// The code `request` is sent with (0x33 for a partial read with three indices).
RequestCode CodeOf(const Request& request);

// Exactly one request. Fails for an unknown code, a C12.22 network service (decode those with
// c1222::DecodeRequest), a body of the wrong size, or a wrong table data checksum.
core::Result<Request> DecodeRequest(std::span<const uint8_t> bytes);

// Fails for 0 or more than 9 indices, more than 11 baud codes, an offset above 24 bits, more
// than 65535 data bytes, or a user name longer than 10 bytes.
core::Result<std::vector<uint8_t>> EncodeRequest(const Request& request);

}  // namespace meterd::codec::c1218
