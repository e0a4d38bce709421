// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

// Telling customers that a bill was released (docs/notifications.md): e-mail over SMTP and
// an HTTP webhook (an SMS gateway, or the utility's own system) with signed requests.
//
// Both calls are synchronous and blocking, use plain sockets with poll()-bounded waits and
// keep no state between calls: they are safe to call from several threads at once. Neither
// retries; a caller asks `IsTransient` (or `ClassifyMail` / `ClassifyWebhook`) whether to try
// again and `NextAttempt` when.
//
// Errors: kInvalidArgument when the input was refused before anything was sent (a CR or LF in
// an address or the subject, a bad URL); kUnavailable when the failure is transient (connection
// refused, timeout, an SMTP 4xx reply); kPermissionDenied when the server refused for good (an
// SMTP 5xx reply). Messages say the step and the server's reply, e.g.
// "smtp: RCPT TO <x@example.org>: 550 no such user".
namespace meterd::billing {

struct SmtpConfig {
  std::string host = "127.0.0.1";  // a name or an address; plain SMTP (see the docs for TLS)
  uint16_t port = 25;
  std::string helo = "meterd.localhost";  // our name in EHLO/HELO, and the Message-ID domain
  std::string from;                       // envelope sender and From: address
  std::string from_name;                  // optional display name, e.g. "City Water billing"
  // Each step (connect, every write, every reply) waits at most this long.
  std::chrono::milliseconds timeout{10000};
};

struct MailMessage {
  std::string to;       // one address: "name@example.org"
  std::string subject;  // UTF-8; RFC 2047 encoded when not plain ASCII
  std::string text;     // UTF-8 text/plain body; any line endings
  std::string html;     // optional; with `text` the mail is multipart/alternative
  // Optional "<id@domain>"; generated when empty. Keeping one per notification across retries
  // lets a mailbox recognise a duplicate.
  std::string message_id;
};

// Delivers one message: EHLO (HELO when EHLO is refused), MAIL FROM, RCPT TO, DATA (CRLF line
// endings, dot-stuffed, quoted-printable bodies), QUIT. Returns once the server accepted the
// message (250 after the data); a failed QUIT after that is not an error.
[[nodiscard]] core::Result<void> SendMail(const SmtpConfig& config, const MailMessage& message);

// The message as it goes after DATA (before dot-stuffing), with CRLF line endings; `now` is its
// Date. Exposed for previews and tests; SendMail uses the current time.
[[nodiscard]] core::Result<std::string> FormatMail(const SmtpConfig& config, const MailMessage& message,
                                                   core::Instant now);

struct WebhookConfig {
  std::string url;     // "http://host[:port]/path[?query]"; https: see docs/notifications.md
  std::string secret;  // shared with the receiver; signs every request
  std::chrono::milliseconds timeout{10000};  // each step: connect, write, the response
};

// POSTs `json_body` (HTTP/1.1, Content-Type: application/json, Connection: close) with
//   X-Meterd-Signature: t=<unix_time>,v1=<WebhookSignature(secret, unix_time, body)>
//   X-Meterd-Delivery: <delivery_id>   (random when empty; keep it across retries so a receiver
//                                       can drop duplicates; [A-Za-z0-9._:-], at most 128)
// and returns the HTTP status of whatever response came (a 500 is a value, not an error).
// Errors are for no response at all: kUnavailable (refused, timeout, a malformed response) or
// kInvalidArgument (bad URL or delivery id).
[[nodiscard]] core::Result<int> PostWebhook(const WebhookConfig& config, std::string_view json_body,
                                            int64_t unix_time, std::string_view delivery_id = {});

// Lower-case hex HMAC-SHA256(secret, "<unix_time>.<body>"): what v1= carries.
std::string WebhookSignature(std::string_view secret, int64_t unix_time, std::string_view body);

// True for the errors above worth retrying (code kUnavailable).
bool IsTransient(const core::Error& error);

enum class DeliveryOutcome : uint8_t { kDelivered, kTransient, kPermanent };
std::string_view DeliveryOutcomeName(DeliveryOutcome outcome);  // "delivered", "transient", "permanent"
DeliveryOutcome ClassifyMail(const core::Result<void>& result);
// 2xx delivered; 408, 429 and 5xx transient; every other status permanent; errors by IsTransient.
DeliveryOutcome ClassifyWebhook(const core::Result<int>& result);

// Exponential backoff: after the n-th failed attempt wait first * 2^(n-1), at most `cap`.
struct RetryPolicy {
  core::Seconds first{60};
  core::Seconds cap{std::chrono::hours(6)};
  int max_attempts = 10;  // attempts in all, the first included
};
// When to try again after `failures` failed attempts (>= 1), the last at `last_attempt`;
// nullopt when the policy gives up (failures >= max_attempts). Pure.
std::optional<core::Instant> NextAttempt(const RetryPolicy& policy, core::Instant last_attempt, int failures);

}  // namespace meterd::billing
