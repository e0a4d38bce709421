// SPDX-License-Identifier: Apache-2.0
// meterd: the server. One process with the embedded SQLite store (role "all").
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <spdlog/spdlog.h>

#include "api/api.h"
#include "api/http_server.h"
#include "apps/stop_signals.h"
#include "apps/meterd_config.h"
#include "billing/service.h"
#include "core/json_string.h"
#include "headend/bus_sources.h"
#include "headend/ingest_service.h"
#include "headend/poll_scheduler.h"
#include "security/audit.h"
#include "security/crypto.h"
#include "store/pack_job.h"
#include "store/store.h"

namespace {

using namespace meterd;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "meterd: " << message << "\n";
  std::exit(2);
}

// A file holding a secret (a private key): refused unless only its owner may read or write it.
void RequireOwnerOnly(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) Die(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  if ((st.st_mode & 077) != 0) {
    Die(fmt::format("{} holds a secret but is readable or writable by others (mode {:o}); chmod 600 it", path, st.st_mode & 0777));
  }
}

// The configuration file names the key files, so whoever may write it may swap them: it must
// not be writable by group or others.
void RequireNotWritableByOthers(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) Die(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  if ((st.st_mode & 022) != 0) {
    Die(fmt::format("{} is writable by others (mode {:o}); chmod go-w it", path, st.st_mode & 0777));
  }
}

// The fleet enrolment key: made on first start, readable by the owner only.
std::string EnrolmentKey(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    std::string key = security::RandomHex(32);
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      if (!out) Die(fmt::format("cannot write enrolment key {}", tmp));
      out << key << "\n";
    }
    ::chmod(tmp.c_str(), 0600);
    fs::rename(tmp, path, ec);
    if (ec) Die(fmt::format("cannot write enrolment key {}: {}", path, ec.message()));
    spdlog::info("made the fleet enrolment key {} (devices derive their tokens from it)", path);
  }
  RequireOwnerOnly(path);
  std::ifstream in(path);
  std::string key;
  in >> key;
  if (key.size() < 32) Die(fmt::format("enrolment key in {} is too short", path));
  return key;
}

// Writes `text` to `path` atomically with `mode`.
void WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) Die(fmt::format("cannot write {}", tmp));
    out << text;
  }
  ::chmod(tmp.c_str(), mode);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) Die(fmt::format("cannot write {}: {}", path, ec.message()));
}

// The Ed25519 key that signs commands to devices: made on first start (or by --rotate-command-key)
// in `path` (mode 0600). Its public half is appended to `path`.pub as "<key id> <public key>";
// older lines stay, so devices can trust old and new keys through a rotation.
security::Ed25519Key CommandKey(const std::string& path, bool rotate) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (rotate || !fs::exists(path, ec)) {
    auto key = security::NewEd25519Key();
    if (!key) Die(key.error().message);
    std::string pub_path = path + ".pub";
    std::string pubs;
    if (fs::exists(pub_path, ec)) {
      std::ifstream in(pub_path);
      pubs.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    pubs += key->key_id + " " + key->public_hex + "\n";
    WriteFileAtomically(pub_path, pubs, 0644);
    WriteFileAtomically(path, key->private_hex + "\n", 0600);
    spdlog::info("new command-signing key {} in {} (public keys: {})", key->key_id, path, pub_path);
  }
  RequireOwnerOnly(path);
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto key = security::Ed25519KeyFromPrivate(hex);
  if (!key) Die(fmt::format("{}: {}", path, key.error().message));
  return *key;
}

// The first start makes the admin user and prints its password once; only the hash is kept.
void EnsureAdmin(store::Store& store) {
  auto existing = store.GetUser("admin");
  if (!existing) Die(existing.error().ToString());
  if (*existing) {
    std::cout << "admin user: admin (password shown at first start; stored only as a hash)\n";
    return;
  }
  const char* preset = std::getenv("METERD_ADMIN_PASSWORD");
  std::string password = preset && *preset ? preset : security::RandomPassword(16);
  auto hash = security::HashPassword(password);
  if (!hash) Die(hash.error().ToString());
  store::User user{"admin", *hash, "admin", std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now())};
  if (auto put = store.PutUser(user); !put) Die(put.error().ToString());
  core::AuditEntry e{.at = user.created, .actor = "meterd", .action = "user.create", .target = "user:admin",
                     .detail = R"({"role":"admin","first_start":true})", .remote = "local"};
  if (auto r = store.AppendAudit(std::move(e), security::AuditHash); !r) Die(r.error().ToString());
  std::cout << "admin user: admin\nadmin password: " << password << "   (shown only now; stored as a scrypt hash)\n";
}

// Audits the effective configuration (no secrets: key files by path and id only) when it
// differs from the one last recorded, and a command-key rotation, so configuration changes are
// in the hash-chained log like every other change.
// `s` as a JSON string literal.
std::string JsonString(std::string_view s) {
  std::string out;
  core::AppendJsonString(out, s);
  return out;
}

void RecordConfiguration(store::Store& store, const apps::MeterdConfig& config, const std::string& config_file,
                         const std::string& command_key_id, bool rotated) {
  std::string file_hash;
  if (!config_file.empty()) {
    std::ifstream in(config_file, std::ios::binary);
    file_hash = security::Sha256Hex(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  }
  std::string detail = fmt::format(
      R"({{"listen":{},"tls":{},"tls_cert_file":{},"data_dir":{},"time_zone":{},"interval_s":{},)"
      R"("enrolment":{},"max_future_s":{},"session_hours":{},"poll_targets_file":{},"poll_interval_s":{},)"
      R"("command_key_id":"{}","config_file":{},"config_sha256":"{}"}})",
      JsonString(config.listen), !config.tls_cert_file.empty(), JsonString(config.tls_cert_file),
      JsonString(config.data_dir), JsonString(config.time_zone), config.interval_s, config.enrolment,
      config.max_future_s, config.session_hours, JsonString(config.poll_targets_file), config.poll_interval_s,
      command_key_id, JsonString(config_file), file_hash);
  auto now = std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now());
  auto append = [&](std::string action, std::string entry_detail) {
    core::AuditEntry e;
    e.at = now;
    e.actor = "meterd";
    e.action = std::move(action);
    e.target = "config";
    e.detail = std::move(entry_detail);
    e.remote = "local";
    if (auto r = store.AppendAudit(std::move(e), security::AuditHash); !r) Die(r.error().ToString());
  };
  if (rotated) append("config.command_key_rotated", fmt::format(R"({{"command_key_id":"{}"}})", command_key_id));
  store::AuditFilter last;
  last.action = "config.applied";
  last.page.limit = 1;
  auto previous = store.ListAudit(last);
  if (!previous) Die(previous.error().ToString());
  if (previous->items.empty() || previous->items[0].detail != detail) append("config.applied", detail);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meterd: smart-metering head-end, store, API and console"};
  apps::MeterdConfig config;
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file");
  std::string listen, data_dir, static_dir, time_zone, key_file, log_level, tls_cert, tls_key, poll_targets;
  int poll_interval = 0;
  app.add_option("--listen", listen, "address:port to serve HTTP on (default 127.0.0.1:8080)");
  app.add_option("--data-dir", data_dir, "directory of the embedded store (default var)");
  app.add_option("--static-dir", static_dir, "built console files (default web/dist)");
  app.add_option("--time-zone", time_zone, "IANA zone of new meters (default Europe/London)");
  app.add_option("--enrolment-key-file", key_file, "fleet enrolment key (default <data-dir>/enrolment.key)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  app.add_option("--tls-cert", tls_cert, "PEM certificate: serve HTTPS only (make one with `meterctl tls-cert`)");
  app.add_option("--tls-key", tls_key, "PEM private key for --tls-cert (mode 0600)");
  app.add_option("--poll-targets", poll_targets, "TOML file of M-Bus converters and Modbus meters to read (re-read when it changes)");
  app.add_option("--poll-interval", poll_interval, "seconds between reads of polled meters (default 900)")->check(CLI::Range(10, 86400));
  bool rotate_command_key = false;
  app.add_flag("--rotate-command-key", rotate_command_key,
               "make a new command-signing key; its public key is added to <data-dir>/command-signing.key.pub");
  CLI11_PARSE(app, argc, argv);

  if (!config_file.empty()) {
    RequireNotWritableByOthers(config_file);
    if (auto r = apps::LoadConfigFile(config_file, config); !r) Die(r.error().message);
  }
  if (auto r = apps::ApplyEnvironment(config); !r) Die(r.error().message);
  if (!listen.empty()) config.listen = listen;
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!static_dir.empty()) config.static_dir = static_dir;
  if (!time_zone.empty()) config.time_zone = time_zone;
  if (!key_file.empty()) config.enrolment_key_file = key_file;
  if (!log_level.empty()) config.log_level = log_level;
  if (!tls_cert.empty()) config.tls_cert_file = tls_cert;
  if (!tls_key.empty()) config.tls_key_file = tls_key;
  if (!poll_targets.empty()) config.poll_targets_file = poll_targets;
  if (poll_interval > 0) config.poll_interval_s = poll_interval;
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  auto zone = core::TimeZone::Find(config.time_zone);
  if (!zone) Die(zone.error().message);
  auto endpoint = apps::SplitListen(config.listen);
  if (!endpoint) Die(endpoint.error().message);
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) Die(fmt::format("cannot create data dir {}: {}", config.data_dir, ec.message()));

  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals = apps::BlockStopSignals();

  auto store = store::OpenSqliteStore({config.data_dir + "/meterd.db", true});
  if (!store) Die(store.error().ToString());
  EnsureAdmin(**store);

  api::ApiConfig api_config;
  if (config.enrolment) {
    if (config.enrolment_key_file.empty()) config.enrolment_key_file = config.data_dir + "/enrolment.key";
    api_config.enrolment_key = EnrolmentKey(config.enrolment_key_file);
  }
  if (std::filesystem::exists(config.static_dir + "/index.html", ec)) {
    api_config.static_dir = config.static_dir;
  } else {
    spdlog::warn("no console at {}/index.html (build it with `make web`); serving the API only", config.static_dir);
  }
  api_config.session_hours = config.session_hours;

  headend::IngestService::Options ingest_options;
  ingest_options.signing_key = CommandKey(config.data_dir + "/command-signing.key", rotate_command_key);
  ingest_options.normalise.zone = *zone;
  ingest_options.normalise.block_interval_s = config.interval_s;
  ingest_options.normalise.max_future = core::Seconds{config.max_future_s};
  headend::IngestService ingest(**store, ingest_options);
  api::Api api(**store, ingest, api_config);

  api::HttpServerOptions http;
  http.address = endpoint->first;
  http.port = endpoint->second;
  http.tls_cert_file = config.tls_cert_file;
  http.tls_key_file = config.tls_key_file;
  RecordConfiguration(**store, config, config_file, ingest_options.signing_key->key_id, rotate_command_key);
  auto server = api::HttpServer::Start(http, [&api](api::Request& r) { return api.Handle(r); });
  if (!server) Die(server.error().message);
  std::cout << fmt::format("meterd listening on {}://{}:{}/ (console and API; data in {})",
                           (*server)->tls() ? "https" : "http", http.address, (*server)->port(), config.data_dir)
            << std::endl;

  // Meters the head-end reads itself (M-Bus converters, Modbus TCP), from a file re-read each round.
  headend::PolledMeterSink polled(ingest, **store);
  std::unique_ptr<headend::TargetsFile> targets;
  std::unique_ptr<headend::PollScheduler> poller;
  if (!config.poll_targets_file.empty()) {
    targets = std::make_unique<headend::TargetsFile>(config.poll_targets_file, config.meter_models_dir);
    poller = std::make_unique<headend::PollScheduler>(polled, [&targets] { return targets->Sources(); },
                                                      core::Seconds{config.poll_interval_s});
    api.SetPollCounters(&poller->counters());
    poller->Start();
    spdlog::info("polling the meters in {} every {} s", config.poll_targets_file, config.poll_interval_s);
  }

  // Bill runs started from the API and the notifications of released bills.
  billing::ServiceConfig billing_config;
  if (!config.billing_rules_file.empty()) {
    auto rules = billing::LoadRules(config.billing_rules_file);
    if (!rules) Die(rules.error().message);
    billing_config.rules = std::move(*rules);
  }
  if (!config.smtp.empty()) {
    auto hp = apps::SplitListen(config.smtp);
    if (!hp) Die(fmt::format("billing.smtp: {}", hp.error().message));
    billing_config.smtp = billing::SmtpConfig{};
    billing_config.smtp->host = hp->first;
    billing_config.smtp->port = hp->second;
    billing_config.smtp->from = config.mail_from;
  }
  if (!config.webhook_url.empty()) {
    if (config.webhook_secret_file.empty()) Die("billing.sms_webhook_url needs billing.sms_webhook_secret_file");
    RequireOwnerOnly(config.webhook_secret_file);
    std::ifstream in(config.webhook_secret_file);
    std::string secret;
    in >> secret;
    if (secret.size() < 16) Die(fmt::format("the webhook secret in {} is shorter than 16 characters", config.webhook_secret_file));
    billing_config.webhook = billing::WebhookConfig{config.webhook_url, secret};
  }
  billing_config.threads = config.billing_threads;
  billing::Service billing_service(**store, std::move(billing_config));
  api.SetBilling(&billing_service);

  // Closed months packed into one row per meter and channel (docs/store.md, "Packed months").
  store::PackJob pack_job(**store, *zone, store::PackJob::Options{config.pack_after_days},
                          [](const core::Result<store::Store::PackOutcome>& r) {
                            if (!r) {
                              spdlog::error("packing closed months: {}", r.error().ToString());
                            } else if (r->months > 0) {
                              spdlog::info("packed {} closed months ({} day blocks)", r->months, r->days);
                            }
                          });
  pack_job.Start();

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  if (poller) poller->Stop();
  (*server)->Stop();  // no new requests; in-flight uplinks finish their commit first
  pack_job.Stop();
  api.SetBilling(nullptr);
  std::cout << "meterd stopped cleanly" << std::endl;
  return 0;
}
