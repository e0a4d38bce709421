// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace meterd::apps {

// meterctl's hands-on bus tools; each prints a table or, with `json`, one JSON document, and
// returns the exit code (0 ok, 1 the meter or bus failed, 2 bad arguments).
// `address` is "host:port" of an M-Bus-to-Ethernet converter or a Modbus TCP meter.
int MbusScan(const std::string& address, int answer_timeout_ms, bool json);
// One meter by primary address (1..250) or secondary address (16 characters, wildcards F).
int MbusRead(const std::string& address, int primary, const std::string& secondary, int answer_timeout_ms, bool json);
int ModbusRead(const std::string& address, int unit, const std::string& model, const std::string& models_dir, bool json);

}  // namespace meterd::apps
