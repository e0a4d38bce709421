// SPDX-License-Identifier: Apache-2.0
#include "codec/mbus/requests.h"

#include "codec/mbus/control_field.h"

namespace meterd::codec::mbus {

Frame SndNke(uint8_t address) {
  return Frame{FrameType::kShort, control::kSndNke, address, 0, {}};
}

Frame ReqUd2(uint8_t address, bool fcb) {
  return Frame{FrameType::kShort, control::WithFcb(control::kReqUd2, fcb), address, 0, {}};
}

Frame SelectSecondary(const SecondaryAddress& mask, bool fcb) {
  const auto bytes = mask.Bytes();
  return Frame{FrameType::kLong, control::WithFcb(control::kSndUd, fcb), address::kNetworkLayer, kCiSelectSecondary,
               std::vector<uint8_t>(bytes.begin(), bytes.end())};
}

Frame ApplicationReset(uint8_t address, std::optional<uint8_t> subcode, bool fcb) {
  Frame f{FrameType::kControl, control::WithFcb(control::kSndUd, fcb), address, kCiApplicationReset, {}};
  if (subcode) {
    f.type = FrameType::kLong;
    f.data.push_back(*subcode);
  }
  return f;
}

}  // namespace meterd::codec::mbus
