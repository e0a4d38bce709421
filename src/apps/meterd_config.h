// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace meterd::apps {

// Every setting of meterd, from (highest first) a flag, a METERD_* environment variable,
// the TOML file given by --config, or the default.
struct MeterdConfig {
  std::string listen = "127.0.0.1:8080";     // METERD_LISTEN, [server] listen
  std::string data_dir = "var";              // METERD_DATA_DIR, [store] data_dir
  std::string static_dir = "web/dist";       // METERD_STATIC_DIR, [server] static_dir
  int32_t pack_after_days = 5;               // METERD_PACK_AFTER_DAYS, [store] pack_after_days: a closed month
                                             // is packed into one row per meter this many days after it ends
  std::string time_zone = "Europe/London";   // METERD_TIME_ZONE, [meters] time_zone
  int32_t interval_s = 900;                  // METERD_INTERVAL_S, [meters] interval_s
  std::string enrolment_key_file;            // METERD_ENROLMENT_KEY_FILE, [devices] enrolment_key_file
                                             // default: <data_dir>/enrolment.key, made on first start
  bool enrolment = true;                     // METERD_ENROLMENT, [devices] enrolment
  int32_t max_future_s = 300;                // METERD_MAX_FUTURE_S, [devices] max_future_s
  int32_t session_hours = 12;                // METERD_SESSION_HOURS, [server] session_hours
  std::string log_level = "info";            // METERD_LOG_LEVEL, [server] log_level
  std::string tls_cert_file;                 // METERD_TLS_CERT_FILE, [server] tls_cert_file
  std::string tls_key_file;                  // METERD_TLS_KEY_FILE, [server] tls_key_file (mode 0600)
  std::string poll_targets_file;             // METERD_POLL_TARGETS_FILE, [polling] targets_file: M-Bus and
                                             // Modbus meters the head-end reads (docs/headend.md); empty: none
  int32_t poll_interval_s = 900;             // METERD_POLL_INTERVAL_S, [polling] interval_s
  std::string meter_models_dir = "meters";   // METERD_METER_MODELS_DIR, [polling] models_dir: register maps
  // Billing (docs/billing-runs.md, docs/notifications.md).
  std::string billing_rules_file;            // METERD_BILLING_RULES_FILE, [billing] rules_file; empty: defaults
  std::string smtp;                          // METERD_SMTP, [billing] smtp = "host:port"; empty: no e-mail
  std::string mail_from = "billing@meterd.localhost";  // METERD_MAIL_FROM, [billing] mail_from
  std::string webhook_url;                   // METERD_SMS_WEBHOOK_URL, [billing] sms_webhook_url; empty: no SMS
  std::string webhook_secret_file;           // METERD_SMS_WEBHOOK_SECRET_FILE, [billing] sms_webhook_secret_file
  int32_t billing_threads = 0;               // METERD_BILLING_THREADS, [billing] threads; 0: one per core
};

// Reads the TOML file into `config` (only keys present change). Errors name file, line and key.
core::Result<void> LoadConfigFile(const std::string& path, MeterdConfig& config);
// Applies METERD_* variables that are set.
core::Result<void> ApplyEnvironment(MeterdConfig& config);
// "host:port" -> parts.
core::Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen);

}  // namespace meterd::apps
