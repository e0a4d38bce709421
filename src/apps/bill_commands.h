// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <functional>
#include <string>
#include <vector>

// meterctl's billing commands (docs/billing-runs.md): tariffs, account import, bill runs with a
// progress bar, bills, review, release, rebill, CSV.
namespace meterd::apps {

struct BillCli {
  CLI::App* tariff_put = nullptr;
  CLI::App* tariff_list = nullptr;
  CLI::App* tariff_show = nullptr;
  CLI::App* zone_put = nullptr;
  CLI::App* accounts_import = nullptr;
  CLI::App* run = nullptr;
  CLI::App* runs = nullptr;
  CLI::App* holds = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* review = nullptr;
  CLI::App* release = nullptr;
  CLI::App* rebill = nullptr;
  CLI::App* csv = nullptr;
  std::string id, cycle, from, to, note, file, state, run_id, bill_id;
  int chunk_size = 0;
  int sample_size = 0;
  int limit = 50;
  bool key = false, approve = false, reject = false, no_wait = false, review_queue = false;
};

void AddBillCommands(CLI::App& app, BillCli& cli);

struct BillIo {
  // Calls the API and returns its JSON (exits on an error status).
  std::function<boost::json::value(const std::string& method, const std::string& target, const std::string& body)> call;
  // The same for a non-JSON answer (CSV).
  std::function<std::string(const std::string& target)> raw;
  // Prints a JSON answer as a table of `columns` (or JSON with --json).
  std::function<void(const boost::json::value&, const std::vector<std::string>& columns)> print;
  bool json_out = false;
};

// Runs the billing command that was parsed; -1 if none was.
int RunBillCommand(const BillCli& cli, const BillIo& io);

}  // namespace meterd::apps
