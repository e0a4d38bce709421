// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

// meterctl's hands-on ANSI C12 tools (docs/headend.md, "C12.22 meters"):
//   c12 read ADDRESS --ap-title T [--table ST23] [--offset N --count N]   a table, decoded by its TDL
//   c12 write ADDRESS --ap-title T --table ST5 --hex BYTES [--offset N]
//   c12 procedure ADDRESS --ap-title T --procedure MP1 [--param NAME=VALUE]... | [--params-hex BYTES]
//   c12 tdl-merge FRAGMENT... [--base FILE] [--out FILE]                   the merged TDL, checked
//   c12 tdl-decode --table ST23 --hex BYTES [--with ST0=BYTES]...          bytes -> values, offline
// The session options (--udp, --user-id, --user, --password, --key, --key-id, --authenticated,
// --calling-ap-title, --timeout-ms, --tries) and the meter type (--model NAME from --models-dir,
// or --tdl FILE) apply to the first three. --trace prints every APDU; --pcap FILE writes them as
// a capture Wireshark reads (C12.22 over TCP port 1153). Exit codes: 0 ok, 1 the meter or the
// data failed, 2 bad arguments.
namespace meterd::apps {

struct C12Cli {
  CLI::App* read = nullptr;
  CLI::App* write = nullptr;
  CLI::App* procedure = nullptr;
  CLI::App* tdl_merge = nullptr;
  CLI::App* tdl_decode = nullptr;
  std::string address, ap_title, calling_ap_title = ".1", user = "meterd", password, key, table, hex, procedure_id;
  std::string model, tdl, models_dir = "meters", base, out, params_hex, pcap;
  std::vector<std::string> params, with, fragments;
  int user_id = 0, key_id = 0, timeout_ms = 5000, tries = 3;
  int64_t offset = -1, count = -1;
  bool udp = false, authenticated = false, trace = false;
};

void AddC12Commands(CLI::App& app, C12Cli& cli);

// Runs the c12 command that was parsed; -1 if none was.
int RunC12Command(const C12Cli& cli, bool json);

}  // namespace meterd::apps
