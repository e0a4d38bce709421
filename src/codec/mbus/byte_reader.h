// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <concepts>
#include <string>
#include <string_view>
#include <utility>

#include "codec/mbus/explainer.h"
#include "core/error.h"

namespace meterd::codec::mbus {

// A bounded cursor over the bytes being decoded. Every read is checked against the end, so no
// decoder can read past its input; a short read becomes an Error naming the absolute offset
// (origin + position) and what was expected there. Also carries the optional Explainer.
// `bytes` must stay alive while the reader is in use.
class ByteReader {
 public:
  ByteReader(std::span<const uint8_t> bytes, size_t origin, Explainer* explain)
      : bytes_(bytes), origin_(origin), explain_(explain) {}

  size_t offset() const { return origin_ + pos_; }  // absolute offset of the next byte
  size_t remaining() const { return bytes_.size() - pos_; }
  bool AtEnd() const { return pos_ >= bytes_.size(); }
  uint8_t Peek() const { return bytes_[pos_]; }  // precondition: !AtEnd()

  // The next byte; `what` names it in the error ("DIFE", "VIF").
  core::Result<uint8_t> Byte(std::string_view what) {
    if (AtEnd()) return core::Fail(ErrorAt(offset(), fmt::format("expected {}, but the data ends", what)));
    return bytes_[pos_++];
  }

  // The next `n` bytes.
  core::Result<std::span<const uint8_t>> Take(size_t n, std::string_view what) {
    if (n > remaining()) {
      return core::Fail(ErrorAt(offset(), fmt::format("expected {} ({} byte{}), but only {} left", what, n,
                                                      n == 1 ? "" : "s", remaining())));
    }
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  // The same, but `what()` builds the description only when the bytes are not there.
  template <class Describe>
    requires std::invocable<const Describe&>
  core::Result<std::span<const uint8_t>> Take(size_t n, const Describe& what) {
    if (n > remaining()) return Take(n, std::string_view(what()));
    return Take(n, std::string_view());
  }

  std::span<const uint8_t> TakeRest() {
    auto out = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return out;
  }

  bool explaining() const { return explain_ != nullptr; }
  Explainer* explainer() const { return explain_; }
  void Note(size_t abs_offset, size_t length, std::string text) const {
    if (explain_) explain_->Note(abs_offset, length, std::move(text));
  }

  static core::Error ErrorAt(size_t abs_offset, std::string message) {
    return core::Error::Invalid(std::move(message), fmt::format("offset {}", abs_offset));
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t origin_ = 0;
  size_t pos_ = 0;
  Explainer* explain_ = nullptr;
};

// "0A 0B 0C"
inline std::string HexBytes(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 3);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ' ';
    out += fmt::format("{:02X}", bytes[i]);
  }
  return out;
}

}  // namespace meterd::codec::mbus
