// SPDX-License-Identifier: Apache-2.0
#include "apps/meterd_config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <toml++/toml.h>

namespace meterd::apps {
namespace {

core::Result<int32_t> ToInt(std::string_view name, std::string_view text) {
  int64_t v = 0;
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return core::Fail(core::Error::Invalid(fmt::format("{} must be a positive integer, not '{}'", name, text), std::string(name)));
  }
  for (char c : text) v = v * 10 + (c - '0');
  return static_cast<int32_t>(v);
}

}  // namespace

core::Result<void> LoadConfigFile(const std::string& path, MeterdConfig& c) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return core::Fail(core::Error::Invalid(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                                       e.source().begin.column, e.description())));
  }
  static const std::pair<const char*, const char*> kKnown[] = {
      {"server", "listen"},  {"server", "static_dir"},        {"server", "session_hours"}, {"server", "log_level"},
      {"server", "tls_cert_file"}, {"server", "tls_key_file"},
      {"store", "data_dir"}, {"meters", "time_zone"},         {"meters", "interval_s"},
      {"devices", "enrolment"}, {"devices", "enrolment_key_file"}, {"devices", "max_future_s"},
      {"polling", "targets_file"}, {"polling", "interval_s"}, {"polling", "models_dir"},
      {"billing", "rules_file"}, {"billing", "smtp"}, {"billing", "mail_from"}, {"billing", "sms_webhook_url"},
      {"billing", "sms_webhook_secret_file"}, {"billing", "threads"}};
  for (const auto& [section, node] : table) {
    const toml::table* t = node.as_table();
    if (!t) {
      return core::Fail(core::Error::Invalid(fmt::format("{}:{}: '{}' must be a [section]", path, node.source().begin.line, section.str())));
    }
    for (const auto& [key, value] : *t) {
      bool known = false;
      for (const auto& [s, k] : kKnown) known |= section.str() == s && key.str() == k;
      if (!known) {
        return core::Fail(core::Error::Invalid(fmt::format("{}:{}: unknown setting {}.{}", path, value.source().begin.line,
                                                           section.str(), key.str())));
      }
    }
  }
  auto str = [&](const char* s, const char* k, std::string& out) -> core::Result<void> {
    auto node = table[s][k];
    if (!node) return {};
    if (auto v = node.value<std::string>()) {
      out = *v;
      return {};
    }
    return core::Fail(core::Error::Invalid(fmt::format("{}:{}: {}.{} must be a string", path, node.node()->source().begin.line, s, k)));
  };
  auto num = [&](const char* s, const char* k, int32_t& out) -> core::Result<void> {
    auto node = table[s][k];
    if (!node) return {};
    auto v = node.value<int64_t>();
    if (!v || *v <= 0 || *v > 1'000'000'000) {
      return core::Fail(core::Error::Invalid(fmt::format("{}:{}: {}.{} must be a positive integer", path, node.node()->source().begin.line, s, k)));
    }
    out = static_cast<int32_t>(*v);
    return {};
  };
  for (auto r : {str("server", "listen", c.listen), str("server", "static_dir", c.static_dir),
                 str("server", "log_level", c.log_level), str("store", "data_dir", c.data_dir),
                 str("server", "tls_cert_file", c.tls_cert_file), str("server", "tls_key_file", c.tls_key_file),
                 str("meters", "time_zone", c.time_zone), str("devices", "enrolment_key_file", c.enrolment_key_file),
                 num("server", "session_hours", c.session_hours), num("meters", "interval_s", c.interval_s),
                 num("devices", "max_future_s", c.max_future_s), str("polling", "targets_file", c.poll_targets_file),
                 num("polling", "interval_s", c.poll_interval_s), str("polling", "models_dir", c.meter_models_dir),
                 str("billing", "rules_file", c.billing_rules_file), str("billing", "smtp", c.smtp),
                 str("billing", "mail_from", c.mail_from), str("billing", "sms_webhook_url", c.webhook_url),
                 str("billing", "sms_webhook_secret_file", c.webhook_secret_file),
                 num("billing", "threads", c.billing_threads), num("store", "pack_after_days", c.pack_after_days)}) {
    if (!r) return r;
  }
  if (auto node = table["devices"]["enrolment"]) {
    auto v = node.value<bool>();
    if (!v) return core::Fail(core::Error::Invalid(fmt::format("{}:{}: devices.enrolment must be true or false", path, node.node()->source().begin.line)));
    c.enrolment = *v;
  }
  return {};
}

core::Result<void> ApplyEnvironment(MeterdConfig& c) {
  auto get = [](const char* name) -> const char* { return std::getenv(name); };
  if (auto v = get("METERD_LISTEN")) c.listen = v;
  if (auto v = get("METERD_DATA_DIR")) c.data_dir = v;
  if (auto v = get("METERD_STATIC_DIR")) c.static_dir = v;
  if (auto v = get("METERD_TIME_ZONE")) c.time_zone = v;
  if (auto v = get("METERD_ENROLMENT_KEY_FILE")) c.enrolment_key_file = v;
  if (auto v = get("METERD_LOG_LEVEL")) c.log_level = v;
  if (auto v = get("METERD_TLS_CERT_FILE")) c.tls_cert_file = v;
  if (auto v = get("METERD_TLS_KEY_FILE")) c.tls_key_file = v;
  if (auto v = get("METERD_POLL_TARGETS_FILE")) c.poll_targets_file = v;
  if (auto v = get("METERD_METER_MODELS_DIR")) c.meter_models_dir = v;
  if (auto v = get("METERD_BILLING_RULES_FILE")) c.billing_rules_file = v;
  if (auto v = get("METERD_SMTP")) c.smtp = v;
  if (auto v = get("METERD_MAIL_FROM")) c.mail_from = v;
  if (auto v = get("METERD_SMS_WEBHOOK_URL")) c.webhook_url = v;
  if (auto v = get("METERD_SMS_WEBHOOK_SECRET_FILE")) c.webhook_secret_file = v;
  if (auto v = get("METERD_ENROLMENT")) c.enrolment = std::string_view(v) != "false" && std::string_view(v) != "0";
  for (auto [name, field] : {std::pair{"METERD_INTERVAL_S", &c.interval_s}, std::pair{"METERD_MAX_FUTURE_S", &c.max_future_s},
                             std::pair{"METERD_SESSION_HOURS", &c.session_hours},
                             std::pair{"METERD_POLL_INTERVAL_S", &c.poll_interval_s},
                             std::pair{"METERD_BILLING_THREADS", &c.billing_threads},
                             std::pair{"METERD_PACK_AFTER_DAYS", &c.pack_after_days}}) {
    if (auto v = get(name)) {
      auto n = ToInt(name, v);
      if (!n) return core::Fail(n.error());
      *field = *n;
    }
  }
  return {};
}

core::Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return core::Fail(core::Error::Invalid(fmt::format("listen '{}' must be host:port", listen), "listen"));
  auto port = ToInt("listen port", listen.substr(colon + 1));
  if (!port || *port > 65535) return core::Fail(core::Error::Invalid(fmt::format("listen '{}': bad port", listen), "listen"));
  return std::pair{listen.substr(0, colon), static_cast<uint16_t>(*port)};
}

}  // namespace meterd::apps
