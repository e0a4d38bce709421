// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace meterd::codec::mbus {

// Receives one note per field a decoder reads, for `meterctl mbus decode --explain` (the idea of
// wmbusmeters' --analyze, as an optional sink instead of logging). Offsets count from the first
// byte handed to the top-level decoder. Notes come only for fields that were read in full, so a
// truncated field is never annotated; together the notes of a frame that decodes cover each of
// its bytes once. They are not sorted: DecodeFrame notes the whole envelope (up to the checksum
// and stop byte) before the application layer notes the data, so sort by offset to display.
// Decoders never keep the pointer beyond the call.
struct Explainer {
  virtual ~Explainer() = default;
  virtual void Note(size_t offset, size_t length, std::string text) = 0;
};

struct Annotation {
  size_t offset = 0;
  size_t length = 0;
  std::string text;
  friend bool operator==(const Annotation&, const Annotation&) = default;
};

// Keeps every note in order; the simplest sink for a CLI or a test.
class CollectingExplainer final : public Explainer {
 public:
  void Note(size_t offset, size_t length, std::string text) override;
  const std::vector<Annotation>& notes() const { return notes_; }

 private:
  std::vector<Annotation> notes_;
};

}  // namespace meterd::codec::mbus
