// SPDX-License-Identifier: Apache-2.0
#include "billing/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "billing/bill_lines.h"
#include "core/json_string.h"
#include "core/money.h"

namespace meterd::billing {

using core::Error;
using core::Fail;

namespace {

core::Instant Now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string Period(const store::BillRecord& b) {
  return fmt::format("{} to {}", core::FormatDay(b.from_day), core::FormatDay(b.to_day - 1));
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// The bill's lines as an HTML table: what, period, quantity, unit price, amount. Lines of a bill
// written before the binary form (JSON) are shown as they were kept.
std::string LinesHtml(const store::BillRecord& bill) {
  auto lines = DecodeLines(bill.lines);
  if (!lines) return fmt::format("<pre>{}</pre>", LinesHtml(bill));
  std::string out =
      "<table><tr><th>Item</th><th>Period</th><th>Quantity</th><th>Unit price</th><th>Amount</th></tr>";
  for (const BillLine& l : *lines) {
    fmt::format_to(std::back_inserter(out),
                   "<tr><td>{}</td><td>{} to {}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>", HtmlEscape(l.description),
                   core::FormatDay(l.from_day), core::FormatDay(l.to_day - 1), l.quantity.DecimalString(),
                   core::UnitSymbol(l.quantity.unit), core::FormatMicros(l.unit_price.micros),
                   core::FormatMicros(l.amount.micros));
  }
  return out + "</table>";
}

}  // namespace

MailMessage BillMail(const store::BillRecord& bill, const store::Account& account) {
  MailMessage m;
  m.to = account.email;
  m.subject = fmt::format("Your bill {} for {}: {} {}", bill.id, Period(bill), core::FormatCents(bill.total_micros), bill.currency);
  m.message_id = fmt::format("<bill-{}-v{}@meterd>", bill.id, bill.version);
  m.text = fmt::format(
      "Dear {},\n\nyour bill {} for account {} covering {} comes to {} {}.\n{}"
      "The line items are in the HTML part of this message and in the console.\n",
      account.name.empty() ? "customer" : account.name, bill.id, account.id, Period(bill), core::FormatCents(bill.total_micros),
      bill.currency,
      bill.previous ? fmt::format("It replaces an earlier bill; the difference is {} {}.\n", core::FormatCents(bill.difference_micros),
                                  bill.currency)
                    : std::string());
  m.html = fmt::format(
      "<html><body><h1>Bill {}</h1><p>Account {} ({}), {}.</p><p><strong>Total: {} {}</strong></p>"
      "{}</body></html>",
      bill.id, HtmlEscape(account.id), HtmlEscape(account.name), Period(bill), core::FormatCents(bill.total_micros), bill.currency,
      HtmlEscape(StoredLinesJson(bill.lines).value_or("[]")));
  return m;
}

std::string BillWebhookJson(const store::BillRecord& bill, const store::Account& account) {
  std::string out = "{\"event\":\"bill.released\",\"bill\":";
  out += std::to_string(bill.id);
  out += ",\"account\":";
  core::AppendJsonString(out, account.id);
  out += ",\"phone\":";
  core::AppendJsonString(out, account.phone);
  fmt::format_to(std::back_inserter(out),
                 ",\"from\":\"{}\",\"to\":\"{}\",\"total\":\"{}\",\"currency\":\"{}\",\"text\":", core::FormatDay(bill.from_day),
                 core::FormatDay(bill.to_day), core::FormatCents(bill.total_micros), bill.currency);
  core::AppendJsonString(out, fmt::format("Bill {} for {}: {} {}", bill.id, Period(bill), core::FormatCents(bill.total_micros),
                                          bill.currency));
  return out + "}";
}

Service::Service(store::Store& store, ServiceConfig config) : store_(store), config_(std::move(config)) {
  sender_ = std::thread([this] { SenderLoop(); });
}

Service::~Service() {
  std::map<int64_t, std::thread> runs;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    runs.swap(runs_);
  }
  wake_.notify_all();
  if (sender_.joinable()) sender_.join();
  for (auto& [id, t] : runs) {
    if (t.joinable()) t.join();
  }
}

core::Result<store::BillRun> Service::StartRun(const RunOptions& options) {
  auto run = store_.OpenRun(options.cycle, options.from_day, options.to_day, options.chunk_size, options.by, Now());
  if (!run) return Fail(run.error());
  std::lock_guard lock(mu_);
  if (stopping_) return Fail(Error{core::ErrorCode::kUnavailable, "meterd is stopping", ""});
  if (running_.contains(run->id)) return *run;
  if (auto old = runs_.find(run->id); old != runs_.end()) {
    if (old->second.joinable()) old->second.join();  // finished: it left running_
    runs_.erase(old);
  }
  running_.insert(run->id);
  RunOptions o = options;
  o.threads = config_.threads;
  int64_t id = run->id;
  runs_[id] = std::thread([this, o, id] {
    auto result = RunBills(store_, config_.rules, o);
    if (!result) {
      spdlog::error("bill run {} ({} {}..{}): {}", id, o.cycle, core::FormatDay(o.from_day), core::FormatDay(o.to_day),
                    result.error().ToString());
    } else {
      spdlog::info("bill run {} ({}): {} billed, {} held, {} flagged", id, o.cycle, result->billed, result->held,
                   result->flagged);
    }
    std::lock_guard lock(mu_);
    running_.erase(id);
  });
  return *run;
}

bool Service::Running(int64_t run) {
  std::lock_guard lock(mu_);
  return running_.contains(run);
}

void Service::Notify() {
  {
    std::lock_guard lock(mu_);
    poke_ = true;
  }
  wake_.notify_all();
}

core::Result<void> Service::Deliver(const store::Notification& n, const store::BillRecord& bill,
                                    const store::Account& account, core::Instant now) {
  if (n.channel == "email") {
    if (!config_.smtp) return Fail(Error{core::ErrorCode::kUnavailable, "no SMTP server is configured", ""});
    MailMessage m = BillMail(bill, account);
    m.to = n.address;
    return SendMail(*config_.smtp, m);
  }
  if (n.channel == "webhook") {
    if (!config_.webhook) return Fail(Error{core::ErrorCode::kUnavailable, "no SMS gateway is configured", ""});
    auto status = PostWebhook(*config_.webhook, BillWebhookJson(bill, account), core::ToUnixSeconds(now),
                              fmt::format("notification-{}", n.id));
    if (!status) return Fail(status.error());
    if (*status >= 200 && *status < 300) return {};
    auto outcome = ClassifyWebhook(status);
    return Fail(Error{outcome == DeliveryOutcome::kTransient ? core::ErrorCode::kUnavailable
                                                              : core::ErrorCode::kPermissionDenied,
                      fmt::format("gateway answered HTTP {}", *status), ""});
  }
  return Fail(Error::Invalid(fmt::format("unknown channel '{}'", n.channel)));
}

core::Result<int> Service::SendDue(core::Instant now) {
  auto due = store_.DueNotifications(now, 100);
  if (!due) return Fail(due.error());
  for (store::Notification n : *due) {
    auto bill = store_.GetBill(n.bill);
    if (!bill) return Fail(bill.error());
    std::optional<store::Account> account;
    if (*bill) {
      auto a = store_.GetAccount((*bill)->account);
      if (!a) return Fail(a.error());
      account = std::move(*a);
    }
    core::Result<void> sent = (*bill && account) ? Deliver(n, **bill, *account, now)
                                                 : core::Result<void>(Fail(Error::NotFound("bill or account is gone")));
    n.attempts++;
    n.updated = now;
    if (sent) {
      n.state = store::NotifyState::kDelivered;
      n.last_error.clear();
    } else {
      n.last_error = sent.error().message;
      auto next = IsTransient(sent.error()) ? NextAttempt(config_.retry, now, n.attempts) : std::nullopt;
      if (next) {
        n.next_at = *next;
      } else {
        n.state = store::NotifyState::kFailed;
      }
    }
    if (auto r = store_.UpdateNotification(n); !r) return Fail(r.error());
  }
  return static_cast<int>(due->size());
}

void Service::SenderLoop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::seconds(5), [this] { return stopping_ || poke_; });
      if (stopping_) return;
      poke_ = false;
    }
    auto sent = SendDue(Now());
    if (!sent) spdlog::warn("notifications: {}", sent.error().ToString());
  }
}

}  // namespace meterd::billing
