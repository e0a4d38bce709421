// SPDX-License-Identifier: Apache-2.0
// meterctl: the API from the shell. Every command prints a table, or the API's JSON with --json.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iostream>
#include <thread>

#include "apps/bill_commands.h"
#include "apps/c12_commands.h"
#include "apps/http_client.h"
#include "apps/bus_commands.h"
#include "apps/mbus_decode.h"
#include "apps/tls_cert.h"
#include "security/crypto.h"

namespace {

namespace json = boost::json;
using meterd::apps::HttpClient;

struct Globals {
  std::string ca_file;  // PEM to trust for https (METERD_CA_FILE); else the system store
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string user;
  std::string password;
  bool json_out = false;
};

[[noreturn]] void Die(const std::string& message, int code = 1) {
  std::cerr << "meterctl: " << message << "\n";
  std::exit(code);
}

std::string Env(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

class Session {
 public:
  explicit Session(Globals& g) : g_(g) {
    auto client = HttpClient::Create(g.url, std::chrono::seconds(30), g.ca_file);
    if (!client) Die(client.error().message, 2);
    client_ = std::move(*client);
  }

  std::string Login() {
    if (g_.user.empty() || g_.password.empty()) {
      Die("no token: pass --token (or METERD_TOKEN), or --user and --password (METERD_USER, METERD_PASSWORD)", 2);
    }
    json::object body{{"username", g_.user}, {"password", g_.password}};
    auto r = Call("POST", "/api/v1/auth/login", json::serialize(body), false);
    return std::string(r.as_object().at("token").as_string());
  }

  // A non-JSON answer (CSV); on an error status prints it and exits 1.
  std::string Raw(const std::string& target) {
    if (g_.token.empty()) g_.token = Login();
    auto r = client_->Send("GET", target, {}, g_.token);
    if (!r) Die(r.error().message, 3);
    if (r->status >= 400) Die(fmt::format("GET {}: HTTP {}: {}", target, r->status, r->body));
    return r->body;
  }

  // Calls the API; on an error status prints the API's error and exits 1.
  json::value Call(const std::string& method, const std::string& target, const std::string& body = {}, bool auth = true) {
    if (auth && g_.token.empty()) g_.token = Login();
    auto r = client_->Send(method, target, body, auth ? g_.token : std::string());
    if (!r) Die(r.error().message, 3);
    json::value v;
    if (!r->body.empty()) {
      boost::system::error_code ec;
      v = json::parse(r->body, ec);
      if (ec) Die(fmt::format("{} {}: HTTP {} with a body that is not JSON", method, target, r->status));
    }
    if (r->status >= 400) {
      std::string msg = fmt::format("HTTP {}", r->status);
      if (v.is_object() && v.as_object().contains("error")) {
        const auto& e = v.as_object().at("error").as_object();
        msg = fmt::format("{} ({}): {}", r->status, json::value_to<std::string>(e.at("code")),
                          json::value_to<std::string>(e.at("message")));
        if (e.contains("field") && !e.at("field").as_string().empty()) msg += fmt::format(" [field: {}]", e.at("field").as_string().c_str());
      }
      Die(msg);
    }
    return v;
  }

 private:
  Globals& g_;
  std::unique_ptr<HttpClient> client_;
};

std::string Text(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_null()) return "-";
  return json::serialize(v);
}

// Prints rows of objects as an aligned table of the given columns ("register.value" digs in).
void Table(const json::array& rows, const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].size();
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < columns.size(); ++c) {
      const json::value* v = &row;
      std::string_view path = columns[c];
      while (v && v->is_object()) {
        size_t dot = path.find('.');
        v = v->as_object().if_contains(path.substr(0, dot));
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
      }
      line.push_back(v ? Text(*v) : "-");
      width[c] = std::max(width[c], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  for (size_t c = 0; c < columns.size(); ++c) std::cout << fmt::format("{:<{}}  ", columns[c], width[c]);
  std::cout << "\n";
  for (const auto& line : cells) {
    for (size_t c = 0; c < line.size(); ++c) std::cout << fmt::format("{:<{}}  ", line[c], width[c]);
    std::cout << "\n";
  }
}

void Print(const Globals& g, const json::value& v, const std::vector<std::string>& columns) {
  if (g.json_out) {
    std::cout << json::serialize(v) << "\n";
    return;
  }
  if (v.is_object() && v.as_object().contains("items")) {
    Table(v.as_object().at("items").as_array(), columns);
    const auto& o = v.as_object();
    if (o.contains("total")) {
      std::cout << fmt::format("({} of {})\n", o.at("items").as_array().size(), Text(o.at("total")));
    }
  } else if (v.is_object()) {
    for (const auto& [k, val] : v.as_object()) std::cout << fmt::format("{:<14} {}\n", std::string(k), Text(val));
  }
}

std::string Query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += fmt::format("{}={}", k, Encode(v));
  }
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  Globals g;
  g.url = Env("METERD_URL", g.url);
  g.token = Env("METERD_TOKEN");
  g.user = Env("METERD_USER", "admin");
  g.password = Env("METERD_PASSWORD");
  g.ca_file = Env("METERD_CA_FILE");
  CLI::App app{"meterctl: operate meterd from the shell"};
  app.require_subcommand(1);
  app.add_option("--url", g.url, "meterd base URL (METERD_URL)");
  app.add_option("--token", g.token, "bearer token (METERD_TOKEN)");
  app.add_option("-u,--user", g.user, "user for login (METERD_USER)");
  app.add_option("-p,--password", g.password, "password for login (METERD_PASSWORD)");
  app.add_flag("--json", g.json_out, "print the API's JSON");
  app.add_option("--cacert", g.ca_file, "PEM certificate to trust for an https URL (METERD_CA_FILE)");

  auto* login = app.add_subcommand("login", "log in and print a bearer token for METERD_TOKEN");
  auto* health = app.add_subcommand("health", "server health");

  auto* devices = app.add_subcommand("devices", "list devices, or show one");
  std::string search, medium, id;
  int limit = 50, offset = 0;
  devices->add_option("id", id, "device id to show");
  devices->add_option("--search", search);
  devices->add_option("--medium", medium);
  devices->add_option("--limit", limit);
  devices->add_option("--offset", offset);

  auto* meters = app.add_subcommand("meters", "list meters, or show one");
  meters->add_option("id", id, "meter id to show");
  meters->add_option("--search", search);
  meters->add_option("--medium", medium);
  meters->add_option("--limit", limit);
  meters->add_option("--offset", offset);

  auto* readings = app.add_subcommand("readings", "consumption of a meter over a range");
  std::string from, to, resolution = "day", channel;
  readings->add_option("meter", id)->required();
  readings->add_option("--from", from, "RFC 3339")->required();
  readings->add_option("--to", to, "RFC 3339")->required();
  readings->add_option("--resolution", resolution, "interval, hour, day, month");
  readings->add_option("--channel", channel);

  auto* present = app.add_subcommand("present", "a polled meter's newest instantaneous values");
  present->add_option("meter", id)->required();

  auto* command = app.add_subcommand("command", "queue a command for a device");
  std::string output;
  int interval = 0;
  bool wait = false;
  command->add_option("device", id)->required();
  command->add_option("--output", output, "on or off")->check(CLI::IsMember({"on", "off"}));
  command->add_option("--interval", interval, "reporting interval in seconds");
  command->add_flag("--wait", wait, "wait until the device acknowledges (or the command fails/expires)");

  auto* commands = app.add_subcommand("commands", "list commands, or show one");
  std::string device, state;
  commands->add_option("id", id, "command id to show");
  commands->add_option("--device", device);
  commands->add_option("--state", state);
  commands->add_option("--limit", limit);

  auto* events = app.add_subcommand("events", "list events, newest first");
  std::string type, meter;
  events->add_option("--device", device);
  events->add_option("--meter", meter);
  events->add_option("--type", type);
  events->add_option("--from", from);
  events->add_option("--to", to);
  events->add_option("--limit", limit);

  auto* audit = app.add_subcommand("audit", "list the audit log, newest first, or verify its hash chain");
  std::string actor, action, target;
  bool verify = false;
  audit->add_option("--actor", actor);
  audit->add_option("--action", action, "e.g. auth.login, auth.login_failed, auth.logout, command.create");
  audit->add_option("--target", target, "substring, e.g. D000001");
  audit->add_option("--from", from);
  audit->add_option("--to", to);
  audit->add_option("--limit", limit);
  audit->add_option("--offset", offset);
  audit->add_flag("--verify", verify, "verify the whole chain; exit 1 if it is broken");
  auto* audit_verify = audit->add_subcommand("verify", "verify the whole chain; names the first broken entry, exit 1 if broken");

  auto* whoami = app.add_subcommand("whoami", "your user, role and effective permissions");
  auto* password = app.add_subcommand("password", "change your password (the current one from -p / METERD_PASSWORD)");
  std::string new_password = Env("METERD_NEW_PASSWORD");
  password->add_option("--new-password", new_password, "the new password, at least 10 characters (METERD_NEW_PASSWORD)");

  auto* users = app.add_subcommand("users", "users and roles (needs users:manage)");
  users->require_subcommand(1);
  auto* users_list = users->add_subcommand("list", "list users");
  auto* users_roles = users->add_subcommand("roles", "the roles and their permissions");
  auto* users_add = users->add_subcommand("add", "create a user; prints a generated password once unless --set-password");
  auto* users_set = users->add_subcommand("set", "change a user's role, devices or enabled state");
  auto* users_reset = users->add_subcommand("reset-password", "reset a user's password; they must change it at next login");
  std::string user_name, role, set_password;
  std::vector<std::string> user_devices;
  bool disable = false, enable = false;
  users_add->add_option("name", user_name)->required();
  users_add->add_option("--role", role, "admin, operator, billing_clerk, reviewer, field_technician, viewer, customer")->required();
  users_add->add_option("--device", user_devices, "assigned device (repeatable; what a customer or technician may see)");
  users_add->add_option("--set-password", set_password, "initial password instead of a generated one");
  users_set->add_option("name", user_name)->required();
  users_set->add_option("--role", role);
  auto* set_devices = users_set->add_option("--device", user_devices, "replace the assigned devices (repeatable)");
  users_set->add_flag("--disable", disable, "refuse logins and revoke every session and token");
  users_set->add_flag("--enable", enable);
  users_reset->add_option("name", user_name)->required();
  users_reset->add_option("--set-password", set_password, "the temporary password instead of a generated one");

  auto* tokens = app.add_subcommand("tokens", "your sessions and API tokens");
  tokens->require_subcommand(1);
  auto* tokens_list = tokens->add_subcommand("list", "list them");
  auto* tokens_create = tokens->add_subcommand("create", "make an API token (printed once)");
  auto* tokens_revoke = tokens->add_subcommand("revoke", "revoke one by id");
  std::string token_name, token_id;
  std::vector<std::string> scopes;
  int token_days = 90;
  tokens_create->add_option("name", token_name)->required();
  tokens_create->add_option("--scope", scopes, "permission, e.g. fleet:read (repeatable)")->required();
  tokens_create->add_option("--days", token_days, "expiry in days (1-365)")->check(CLI::Range(1, 365));
  tokens_revoke->add_option("id", token_id)->required();

  auto* tls_cert = app.add_subcommand("tls-cert", "make a self-signed TLS certificate and key for a first start");
  std::string cert_file = "var/tls.crt", cert_key_file = "var/tls.key";
  std::vector<std::string> cert_names;
  int cert_days = 365;
  tls_cert->add_option("--cert", cert_file, "certificate to write (PEM)");
  tls_cert->add_option("--key", cert_key_file, "private key to write (PEM, mode 0600)");
  tls_cert->add_option("--name", cert_names, "host name or IP address (repeatable; default 127.0.0.1 and localhost)");
  tls_cert->add_option("--days", cert_days, "validity in days")->check(CLI::Range(1, 3650));

  auto* token = app.add_subcommand("device-token", "print a device's token derived from the fleet enrolment key");
  std::string key_file = "var/enrolment.key";
  token->add_option("device", id)->required();
  token->add_option("--enrolment-key-file", key_file);

  auto* mbus = app.add_subcommand("mbus", "wired M-Bus tools");
  mbus->require_subcommand(1);
  auto* mbus_decode = mbus->add_subcommand("decode", "decode a frame given as hex; exit 1 if it is invalid");
  std::string frame_hex;
  bool explain = false;
  mbus_decode->add_option("hex", frame_hex, "the frame, e.g. \"68 AE AE 68 28 01 72 ...\" (spaces allowed)")->required();
  mbus_decode->add_flag("--explain", explain, "annotate every byte");
  std::string bus_address, secondary, model, models_dir = "meters";
  int primary = 0, answer_timeout_ms = 500, unit = 1;
  auto* mbus_scan = mbus->add_subcommand("scan", "find every meter on a converter's bus (secondary-address wildcard search)");
  mbus_scan->add_option("address", bus_address, "the M-Bus-to-Ethernet converter, host:port")->required();
  mbus_scan->add_option("--answer-timeout-ms", answer_timeout_ms, "wait for a slave's answer")->check(CLI::Range(10, 5000));
  auto* mbus_read = mbus->add_subcommand("read", "read one meter by primary or secondary address");
  mbus_read->add_option("address", bus_address, "the converter, host:port")->required();
  mbus_read->add_option("--primary", primary, "primary address 1..250");
  mbus_read->add_option("--secondary", secondary, "secondary address, 16 characters (F = any), e.g. 12345678FFFFFFFF");
  mbus_read->add_option("--answer-timeout-ms", answer_timeout_ms)->check(CLI::Range(10, 5000));
  auto* modbus = app.add_subcommand("modbus", "Modbus TCP tools");
  modbus->require_subcommand(1);
  auto* modbus_read = modbus->add_subcommand("read", "read every register of a meter's map");
  modbus_read->add_option("address", bus_address, "the meter or gateway, host:port")->required();
  modbus_read->add_option("--model", model, "register map, e.g. eastron-sdm630 (<models-dir>/modbus/<model>.toml)")->required();
  modbus_read->add_option("--unit", unit, "unit id (default 1)");
  modbus_read->add_option("--models-dir", models_dir, "where the register maps are (default meters)");

  meterd::apps::BillCli bill_cli;
  meterd::apps::AddBillCommands(app, bill_cli);
  meterd::apps::C12Cli c12_cli;
  meterd::apps::AddC12Commands(app, c12_cli);

  CLI11_PARSE(app, argc, argv);

  if (mbus_decode->parsed()) return meterd::apps::MbusDecode(frame_hex, explain, g.json_out);
  if (mbus_scan->parsed()) return meterd::apps::MbusScan(bus_address, answer_timeout_ms, g.json_out);
  if (mbus_read->parsed()) return meterd::apps::MbusRead(bus_address, primary, secondary, answer_timeout_ms, g.json_out);
  if (modbus_read->parsed()) return meterd::apps::ModbusRead(bus_address, unit, model, models_dir, g.json_out);
  if (int rc = meterd::apps::RunC12Command(c12_cli, g.json_out); rc >= 0) return rc;

  if (tls_cert->parsed()) {
    if (cert_names.empty()) cert_names = {"127.0.0.1", "localhost"};
    auto made = meterd::apps::MakeSelfSignedCertificate(cert_file, cert_key_file, cert_names, cert_days);
    if (!made) Die(made.error().message, 2);
    std::cout << fmt::format("wrote {} and {} (mode 0600) for {}\n", cert_file, cert_key_file, fmt::join(cert_names, ", "));
    return 0;
  }
  if (token->parsed()) {
    std::ifstream in(key_file);
    std::string key;
    if (!(in >> key)) Die(fmt::format("cannot read {}", key_file), 2);
    std::cout << meterd::security::DeviceTokenFromEnrolmentKey(key, id) << "\n";
    return 0;
  }
  Session s(g);
  const std::vector<std::string> device_cols{"id", "meter", "medium", "status", "last_seen", "register.value", "register.unit", "backlog", "output"};
  const std::vector<std::string> meter_cols{"id", "medium", "device", "time_zone", "register.value", "register.unit", "register.at"};
  const std::vector<std::string> command_cols{"id", "device", "type", "argument", "state", "created", "updated", "result"};
  meterd::apps::BillIo bill_io{
      [&s](const std::string& m, const std::string& t, const std::string& b) { return s.Call(m, t, b); },
      [&s](const std::string& t) { return s.Raw(t); },
      [&g](const json::value& v, const std::vector<std::string>& cols) { Print(g, v, cols); }, g.json_out};
  if (int rc = meterd::apps::RunBillCommand(bill_cli, bill_io); rc >= 0) return rc;
  if (login->parsed()) {
    std::cout << s.Login() << "\n";
  } else if (health->parsed()) {
    Print(g, s.Call("GET", "/api/v1/health", {}, false), {});
  } else if (devices->parsed()) {
    if (!id.empty()) {
      Print(g, s.Call("GET", "/api/v1/devices/" + Encode(id)), {});
    } else {
      Print(g, s.Call("GET", "/api/v1/devices" + Query({{"search", search}, {"medium", medium}, {"limit", std::to_string(limit)}, {"offset", std::to_string(offset)}})), device_cols);
    }
  } else if (meters->parsed()) {
    if (!id.empty()) {
      Print(g, s.Call("GET", "/api/v1/meters/" + Encode(id)), {});
    } else {
      Print(g, s.Call("GET", "/api/v1/meters" + Query({{"search", search}, {"medium", medium}, {"limit", std::to_string(limit)}, {"offset", std::to_string(offset)}})), meter_cols);
    }
  } else if (readings->parsed()) {
    auto v = s.Call("GET", "/api/v1/meters/" + Encode(id) + "/readings" +
                               Query({{"from", from}, {"to", to}, {"resolution", resolution}, {"channel", channel}}));
    if (g.json_out) {
      Print(g, v, {});
    } else {
      const auto& o = v.as_object();
      Table(o.at("points").as_array(), {"start", "end", "value", "quality"});
      std::cout << fmt::format("total {} {} ({}, {})\n", Text(o.at("total")), Text(o.at("unit")), Text(o.at("resolution")), Text(o.at("time_zone")));
    }
  } else if (present->parsed()) {
    Print(g, s.Call("GET", "/api/v1/meters/" + Encode(id) + "/present"), {"name", "value", "unit", "at"});
  } else if (command->parsed()) {
    json::object body;
    if (!output.empty()) {
      body = {{"type", "set_output"}, {"on", output == "on"}};
    } else if (interval > 0) {
      body = {{"type", "set_interval"}, {"interval_s", interval}};
    } else {
      Die("give --output on|off or --interval SECONDS", 2);
    }
    auto v = s.Call("POST", "/api/v1/devices/" + Encode(id) + "/commands", json::serialize(body));
    int64_t cid = v.as_object().at("id").as_int64();
    while (wait) {
      std::string st(v.as_object().at("state").as_string());
      if (st == "acknowledged" || st == "failed" || st == "expired") break;
      std::this_thread::sleep_for(std::chrono::seconds(1));  // polling an operator-facing state, not a test
      v = s.Call("GET", fmt::format("/api/v1/commands/{}", cid));
    }
    Print(g, v, {});
    if (wait && v.as_object().at("state").as_string() != "acknowledged") return 1;
  } else if (commands->parsed()) {
    if (!id.empty()) {
      Print(g, s.Call("GET", "/api/v1/commands/" + Encode(id)), {});
    } else {
      Print(g, s.Call("GET", "/api/v1/commands" + Query({{"device", device}, {"state", state}, {"limit", std::to_string(limit)}})), command_cols);
    }
  } else if (events->parsed()) {
    Print(g, s.Call("GET", "/api/v1/events" + Query({{"device", device}, {"meter", meter}, {"type", type}, {"from", from}, {"to", to}, {"limit", std::to_string(limit)}})),
          {"at", "type", "device", "meter", "detail"});
  } else if (whoami->parsed()) {
    Print(g, s.Call("GET", "/api/v1/auth/me"), {});
  } else if (password->parsed()) {
    if (new_password.empty()) Die("give --new-password (or METERD_NEW_PASSWORD)", 2);
    json::object body{{"current_password", g.password}, {"new_password", new_password}};
    s.Call("POST", "/api/v1/auth/password", json::serialize(body));
    std::cout << "password changed; your other sessions and tokens were revoked\n";
  } else if (users_list->parsed()) {
    Print(g, s.Call("GET", "/api/v1/users?limit=1000"), {"name", "role", "disabled", "must_change_password", "devices", "created"});
  } else if (users_roles->parsed()) {
    Print(g, s.Call("GET", "/api/v1/roles"), {"name", "scoped", "permissions", "description"});
  } else if (users_add->parsed()) {
    json::object body{{"name", user_name}, {"role", role}, {"devices", json::array(user_devices.begin(), user_devices.end())}};
    if (!set_password.empty()) body["password"] = set_password;
    Print(g, s.Call("POST", "/api/v1/users", json::serialize(body)), {});
  } else if (users_set->parsed()) {
    json::object body;
    if (!role.empty()) body["role"] = role;
    if (set_devices->count() > 0) body["devices"] = json::array(user_devices.begin(), user_devices.end());
    if (disable || enable) body["disabled"] = disable;
    if (body.empty()) Die("nothing to change: give --role, --device, --disable or --enable", 2);
    Print(g, s.Call("PATCH", "/api/v1/users/" + Encode(user_name), json::serialize(body)), {});
  } else if (users_reset->parsed()) {
    json::object body;
    if (!set_password.empty()) body["password"] = set_password;
    Print(g, s.Call("POST", "/api/v1/users/" + Encode(user_name) + "/password", json::serialize(body)), {});
  } else if (tokens_list->parsed()) {
    Print(g, s.Call("GET", "/api/v1/auth/tokens"), {"id", "kind", "name", "scopes", "created", "expires", "current"});
  } else if (tokens_create->parsed()) {
    json::object body{{"name", token_name}, {"scopes", json::array(scopes.begin(), scopes.end())}, {"expires_days", token_days}};
    Print(g, s.Call("POST", "/api/v1/auth/tokens", json::serialize(body)), {});
  } else if (tokens_revoke->parsed()) {
    s.Call("DELETE", "/api/v1/auth/tokens/" + Encode(token_id));
    std::cout << "revoked " << token_id << "\n";
  } else if (audit->parsed()) {
    if (verify || audit_verify->parsed()) {
      auto v = s.Call("GET", "/api/v1/audit/verify");
      const auto& o = v.as_object();
      bool ok = o.at("ok").as_bool();
      if (g.json_out) {
        Print(g, v, {});
      } else if (ok) {
        std::cout << fmt::format("audit chain OK: {} entries\n", Text(o.at("entries")));
      } else {
        const auto& b = o.at("first_broken").as_object();
        std::cout << fmt::format("audit chain BROKEN at entry {}: {}\n", Text(b.at("seq")), Text(b.at("reason")));
      }
      return ok ? 0 : 1;
    }
    Print(g, s.Call("GET", "/api/v1/audit" + Query({{"actor", actor}, {"action", action}, {"target", target}, {"from", from}, {"to", to}, {"limit", std::to_string(limit)}, {"offset", std::to_string(offset)}})),
          {"seq", "at", "actor", "action", "target", "remote", "detail"});
  }
  return 0;
}
