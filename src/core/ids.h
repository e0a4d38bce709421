// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::core {

// Device and meter identifiers are what is printed on the device: 1 to 64 characters of
// [A-Za-z0-9._-]. They appear in URLs, so nothing else is allowed.
using DeviceId = std::string;
using MeterId = std::string;
using CommandId = int64_t;

bool IsValidId(std::string_view id);
// Fails with an invalid-argument error naming `field`.
Result<std::string> CheckId(std::string_view id, std::string_view field);

}  // namespace meterd::core
