// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace meterd::apps {

// Writes a self-signed certificate and its private key (ECDSA P-256) for a first start with TLS.
// `names` become the subject alternative names (IP addresses or DNS names; the first is also the
// common name). The key file is created with mode 0600; existing files are not overwritten.
core::Result<void> MakeSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                             const std::vector<std::string>& names, int days);

}  // namespace meterd::apps
