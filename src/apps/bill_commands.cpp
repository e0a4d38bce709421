// SPDX-License-Identifier: Apache-2.0
#include "apps/bill_commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace meterd::apps {

namespace json = boost::json;

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "meterctl: " << message << "\n";
  std::exit(2);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(fmt::format("cannot read {}", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string PathPart(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

int64_t Int(const json::value& v, const char* key) { return v.as_object().at(key).to_number<int64_t>(); }

// "[#########.........]  45%  90/200 chunks  180000 billed  12 held  3 flagged"
void DrawProgress(const json::value& run, bool tty) {
  int64_t chunks = Int(run, "chunks");
  int64_t done = Int(run, "chunks_done");
  int width = 30;
  int filled = chunks > 0 ? static_cast<int>(done * width / chunks) : width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '.');
  std::string line = fmt::format("[{}] {:3}%  {}/{} chunks  {} billed  {} held  {} flagged", bar,
                                 chunks > 0 ? done * 100 / chunks : 100, done, chunks, Int(run, "billed"),
                                 Int(run, "held"), Int(run, "flagged"));
  std::cerr << (tty ? "\r" : "") << line << (tty ? "" : "\n") << std::flush;
}

// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
std::vector<std::string> CsvFields(const std::string& line, size_t line_no) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"' && out.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  if (quoted) Fail(fmt::format("line {}: a quoted field is not closed", line_no));
  return out;
}

// accounts.csv: id,name,cycle,zone,customer_class,service_point,meter,tariff,email,phone,move_in,move_out
// Every row is checked before anything is sent, so a bad file changes nothing.
int ImportAccounts(const BillCli& cli, const BillIo& io) {
  static const std::vector<std::string> kColumns{"id",    "name",   "cycle", "zone",  "customer_class", "service_point",
                                                 "meter", "tariff", "email", "phone", "move_in",        "move_out"};
  std::istringstream in(ReadAll(cli.file));
  std::string line;
  size_t line_no = 0;
  std::vector<std::pair<size_t, std::vector<std::string>>> rows;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    auto fields = CsvFields(line, line_no);
    if (line_no == 1) {
      if (fields != kColumns) Fail(fmt::format("{}:1: the header must be {}", cli.file, fmt::join(kColumns, ",")));
      continue;
    }
    if (fields.size() != kColumns.size()) {
      Fail(fmt::format("{}:{}: expected {} fields, got {}", cli.file, line_no, kColumns.size(), fields.size()));
    }
    for (size_t i : {0u, 2u, 3u, 4u, 5u, 6u, 7u, 10u}) {
      if (fields[i].empty()) Fail(fmt::format("{}:{}: {} is empty", cli.file, line_no, kColumns[i]));
    }
    rows.emplace_back(line_no, std::move(fields));
  }
  if (rows.empty()) Fail(fmt::format("{}: no accounts", cli.file));
  for (const auto& [n, f] : rows) {
    json::object point{{"meter", f[6]}, {"since", f[10]}};
    io.call("PUT", "/api/v1/service-points/" + PathPart(f[5]), json::serialize(point));
    json::object account{{"name", f[1]},  {"cycle", f[2]},  {"zone", f[3]},  {"customer_class", f[4]},
                         {"service_point", f[5]}, {"meter", f[6]}, {"tariff", f[7]}, {"email", f[8]},
                         {"phone", f[9]}, {"move_in", f[10]}};
    account["move_out"] = f[11].empty() ? json::value(nullptr) : json::value(f[11]);
    io.call("PUT", "/api/v1/accounts/" + PathPart(f[0]), json::serialize(account));
  }
  std::cout << fmt::format("imported {} accounts from {}\n", rows.size(), cli.file);
  return 0;
}

}  // namespace

void AddBillCommands(CLI::App& app, BillCli& c) {
  auto* tariff = app.add_subcommand("tariff", "billing tariffs (TOML files, docs/billing.md)");
  tariff->require_subcommand(1);
  c.tariff_put = tariff->add_subcommand("put", "create or replace a tariff from its TOML file");
  c.tariff_put->add_option("file", c.file, "the tariff file")->required();
  c.tariff_list = tariff->add_subcommand("list", "list tariffs");
  c.tariff_show = tariff->add_subcommand("show", "a tariff with its source");
  c.tariff_show->add_option("id", c.id)->required();

  auto* zone = app.add_subcommand("zone", "review zones");
  zone->require_subcommand(1);
  c.zone_put = zone->add_subcommand("put", "create or change a review zone");
  c.zone_put->add_option("id", c.id)->required();
  c.zone_put->add_flag("--key", c.key, "a key zone: every bill is reviewed");
  c.zone_put->add_option("--sample", c.sample_size, "bills drawn for review in a regular zone");

  auto* accounts = app.add_subcommand("accounts", "billing accounts");
  accounts->require_subcommand(1);
  c.accounts_import = accounts->add_subcommand("import", "create or replace accounts and their service points from CSV");
  c.accounts_import->add_option("file", c.file, "CSV: id,name,cycle,zone,customer_class,service_point,meter,tariff,"
                                                "email,phone,move_in,move_out")->required();

  auto* bill = app.add_subcommand("bill", "bill runs, bills, review and release");
  bill->require_subcommand(1);
  c.run = bill->add_subcommand("run", "run (or resume) the bills of a cycle and period, with a progress bar");
  c.run->add_option("--cycle", c.cycle)->required();
  c.run->add_option("--from", c.from, "first day, YYYY-MM-DD")->required();
  c.run->add_option("--to", c.to, "day after the last, YYYY-MM-DD")->required();
  c.run->add_option("--chunk-size", c.chunk_size, "accounts per chunk (a new run only)");
  c.run->add_flag("--no-wait", c.no_wait, "start it and return");
  c.runs = bill->add_subcommand("runs", "list bill runs");
  c.holds = bill->add_subcommand("holds", "accounts a run holds, with the reasons");
  c.holds->add_option("run", c.run_id)->required();
  c.list = bill->add_subcommand("list", "list bills");
  c.list->add_option("--run", c.run_id);
  c.list->add_option("--state", c.state, "draft, approved, rejected, released or superseded");
  c.list->add_flag("--review", c.review_queue, "only the review queue");
  c.list->add_option("--limit", c.limit);
  c.show = bill->add_subcommand("show", "a bill with its lines");
  c.show->add_option("id", c.bill_id)->required();
  c.review = bill->add_subcommand("review", "approve or reject a bill");
  c.review->add_option("id", c.bill_id)->required();
  c.review->add_flag("--approve", c.approve);
  c.review->add_flag("--reject", c.reject);
  c.review->add_option("--note", c.note);
  c.release = bill->add_subcommand("release", "release a run (as its zones allow) or one approved bill");
  c.release->add_option("--run", c.run_id);
  c.release->add_option("--bill", c.bill_id);
  c.rebill = bill->add_subcommand("rebill", "rate a bill again after corrected data");
  c.rebill->add_option("id", c.bill_id)->required();
  c.csv = bill->add_subcommand("csv", "bill lines as CSV (a run's or one bill's)");
  c.csv->add_option("--run", c.run_id);
  c.csv->add_option("--bill", c.bill_id);
}

int RunBillCommand(const BillCli& c, const BillIo& io) {
  const std::vector<std::string> run_cols{"id", "cycle", "from", "to", "state", "accounts", "chunks_done", "chunks",
                                          "billed", "held", "flagged"};
  const std::vector<std::string> bill_cols{"id", "account", "from", "to", "version", "state", "total", "currency",
                                           "zone", "sampled", "flags", "changes"};
  if (c.tariff_put->parsed()) {
    std::string text = ReadAll(c.file);
    // The id is the file's own; the server checks it matches the path.
    std::string id;
    std::istringstream lines(text);
    for (std::string l; std::getline(lines, l);) {
      auto eq = l.find('=');
      if (eq != std::string::npos && l.substr(0, l.find_first_of(" =")) == "id") {
        auto q1 = l.find('"', eq);
        auto q2 = q1 == std::string::npos ? q1 : l.find('"', q1 + 1);
        if (q2 != std::string::npos) id = l.substr(q1 + 1, q2 - q1 - 1);
        break;
      }
    }
    if (id.empty()) Fail(fmt::format("{}: no id = \"...\" line before the first table", c.file));
    io.print(io.call("PUT", "/api/v1/tariffs/" + PathPart(id), text), {});
    return 0;
  }
  if (c.tariff_list->parsed()) {
    io.print(io.call("GET", "/api/v1/tariffs", ""), {"id", "name", "currency", "unit", "time_zone", "versions", "updated"});
    return 0;
  }
  if (c.tariff_show->parsed()) {
    auto v = io.call("GET", "/api/v1/tariffs/" + PathPart(c.id), "");
    if (io.json_out) {
      io.print(v, {});
    } else {
      std::cout << v.as_object().at("source").as_string().c_str();
    }
    return 0;
  }
  if (c.zone_put->parsed()) {
    json::object body{{"key", c.key}, {"sample_size", c.sample_size}};
    io.print(io.call("PUT", "/api/v1/billing/zones/" + PathPart(c.id), json::serialize(body)), {});
    return 0;
  }
  if (c.accounts_import->parsed()) return ImportAccounts(c, io);
  if (c.run->parsed()) {
    json::object body{{"cycle", c.cycle}, {"from", c.from}, {"to", c.to}};
    if (c.chunk_size > 0) body["chunk_size"] = c.chunk_size;
    auto run = io.call("POST", "/api/v1/bill-runs", json::serialize(body));
    int64_t id = Int(run, "id");
    if (!c.no_wait) {
      bool tty = ::isatty(STDERR_FILENO) != 0;
      auto last_draw = std::chrono::steady_clock::now() - std::chrono::seconds(10);
      while (run.as_object().at("state").as_string() != "completed") {
        auto now = std::chrono::steady_clock::now();
        if (tty || now - last_draw >= std::chrono::seconds(5)) {
          DrawProgress(run, tty);
          last_draw = now;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));  // polling an operator-facing state
        run = io.call("GET", fmt::format("/api/v1/bill-runs/{}", id), "");
      }
      DrawProgress(run, tty);
      std::cerr << "\n";
    }
    io.print(run, {});
    return 0;
  }
  if (c.runs->parsed()) {
    io.print(io.call("GET", "/api/v1/bill-runs", ""), run_cols);
    return 0;
  }
  if (c.holds->parsed()) {
    io.print(io.call("GET", fmt::format("/api/v1/bill-runs/{}/holds", PathPart(c.run_id)), ""),
             {"account", "rule", "reason", "resolved"});
    return 0;
  }
  if (c.list->parsed()) {
    std::string q = fmt::format("?limit={}", c.limit);
    if (!c.run_id.empty()) q += "&run=" + PathPart(c.run_id);
    if (!c.state.empty()) q += "&state=" + PathPart(c.state);
    if (c.review_queue) q += "&review=1";
    io.print(io.call("GET", "/api/v1/bills" + q, ""), bill_cols);
    return 0;
  }
  if (c.show->parsed()) {
    auto v = io.call("GET", "/api/v1/bills/" + PathPart(c.bill_id), "");
    if (io.json_out) {
      io.print(v, {});
      return 0;
    }
    const auto& o = v.as_object();
    std::cout << fmt::format("bill {} v{} for account {}, {} to {} (exclusive): {} {} [{}]\n", Int(v, "id"),
                             Int(v, "version"), o.at("account").as_string().c_str(), o.at("from").as_string().c_str(),
                             o.at("to").as_string().c_str(), o.at("total").as_string().c_str(),
                             o.at("currency").as_string().c_str(), o.at("state").as_string().c_str());
    io.print(json::object{{"items", o.at("lines")}},
             {"description", "from", "to", "quantity.value", "quantity.scale", "quantity.unit", "unit_price", "amount",
              "intervals", "estimated"});
    return 0;
  }
  if (c.review->parsed()) {
    if (c.approve == c.reject) Fail("give exactly one of --approve and --reject");
    json::object body{{"decision", c.approve ? "approve" : "reject"}, {"note", c.note}};
    auto v = io.call("POST", fmt::format("/api/v1/bills/{}/review", PathPart(c.bill_id)), json::serialize(body));
    io.print(json::object{{"id", v.as_object().at("id")}, {"state", v.as_object().at("state")}}, {});
    return 0;
  }
  if (c.release->parsed()) {
    if (c.run_id.empty() == c.bill_id.empty()) Fail("give exactly one of --run and --bill");
    if (!c.run_id.empty()) {
      io.print(io.call("POST", fmt::format("/api/v1/bill-runs/{}/release", PathPart(c.run_id)), ""), {});
    } else {
      auto v = io.call("POST", fmt::format("/api/v1/bills/{}/release", PathPart(c.bill_id)), "");
      io.print(json::object{{"id", v.as_object().at("id")}, {"state", v.as_object().at("state")}}, {});
    }
    return 0;
  }
  if (c.rebill->parsed()) {
    auto v = io.call("POST", fmt::format("/api/v1/bills/{}/rebill", PathPart(c.bill_id)), "");
    const auto& o = v.as_object();
    io.print(json::object{{"id", o.at("id")}, {"version", o.at("version")}, {"previous", o.at("previous")},
                          {"total", o.at("total")}, {"difference", o.at("difference")}},
             {});
    return 0;
  }
  if (c.csv->parsed()) {
    if (c.run_id.empty() == c.bill_id.empty()) Fail("give exactly one of --run and --bill");
    std::cout << io.raw(!c.run_id.empty() ? fmt::format("/api/v1/bill-runs/{}/bills.csv", PathPart(c.run_id))
                                          : fmt::format("/api/v1/bills/{}/csv", PathPart(c.bill_id)));
    return 0;
  }
  return -1;
}

}  // namespace meterd::apps
