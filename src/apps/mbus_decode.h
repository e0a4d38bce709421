// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace meterd::apps {

// `meterctl mbus decode <hex>`: decodes one wired M-Bus frame given as hex (spaces allowed) and
// prints its header and records, every byte annotated with `explain`, or JSON. Returns the exit
// code: 0 decoded, 1 the frame is invalid (the error names the offset), 2 bad hex.
int MbusDecode(const std::string& hex, bool explain, bool json);

}  // namespace meterd::apps
