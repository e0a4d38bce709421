// SPDX-License-Identifier: Apache-2.0
// LEB128 varints as our binary formats use them (docs/formats/): unsigned little-endian groups of
// 7 bits with the high bit set on every byte but the last; signed values zigzag-encoded first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace meterd::core {

inline void PutUvarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t z) { return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)); }

inline void PutSvarint(std::string& out, int64_t v) { PutUvarint(out, ZigZag(v)); }

// Reads from a byte string without ever reading past its end. Each read returns nothing when the
// bytes there are not what it reads (end of data, a varint over 10 bytes or 64 bits); the caller
// says what it expected and where (`offset()` before the read).
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  size_t offset() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }
  bool AtEnd() const { return pos_ == bytes_.size(); }

  std::optional<uint8_t> Byte() {
    if (pos_ >= bytes_.size()) return std::nullopt;
    return static_cast<uint8_t>(bytes_[pos_++]);
  }
  std::optional<uint64_t> Uvarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return std::nullopt;
      auto b = static_cast<uint8_t>(bytes_[pos_++]);
      if (shift == 63 && b > 1) return std::nullopt;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    return std::nullopt;
  }
  std::optional<int64_t> Svarint() {
    auto z = Uvarint();
    if (!z) return std::nullopt;
    return UnZigZag(*z);
  }
  std::optional<std::string_view> Bytes(uint64_t n) {
    if (n > left()) return std::nullopt;
    std::string_view s = bytes_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace meterd::core
