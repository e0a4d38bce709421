// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace meterd::security {

inline constexpr size_t kMinPasswordBytes = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;

// A new password for `user`: 10 to 1024 bytes, not the user name. Errors name the field.
core::Result<void> CheckNewPassword(std::string_view user, std::string_view password, std::string field);

// A user name: 1 to 64 of A-Z a-z 0-9 . _ @ -
core::Result<void> CheckUserName(std::string_view name);

// A password for a user who must change it at first login: 16 random characters from an
// alphabet without look-alikes (about 90 bits).
std::string GeneratePassword();

}  // namespace meterd::security
