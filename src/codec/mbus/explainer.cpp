// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/explainer.h"

#include <utility>

namespace meterd::codec::mbus {

void CollectingExplainer::Note(size_t offset, size_t length, std::string text) {
  notes_.push_back(Annotation{offset, length, std::move(text)});
}

}  // namespace meterd::codec::mbus
