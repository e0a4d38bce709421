// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "billing/notify.h"
#include "billing/rules.h"
#include "billing/run.h"
#include "store/store.h"

// Billing inside meterd: bill runs started from the API run in the background (one thread per
// run, each using all cores through RunBills), and released bills' notifications are delivered
// by a sender thread with retries (docs/notifications.md).
namespace meterd::billing {

struct ServiceConfig {
  Rules rules;
  std::optional<SmtpConfig> smtp;          // no SMTP: e-mail notifications stay pending
  std::optional<WebhookConfig> webhook;    // no gateway: SMS notifications stay pending
  RetryPolicy retry;
  int threads = 0;                         // per run; 0: one per core
};

class Service {
 public:
  Service(store::Store& store, ServiceConfig config);
  ~Service();  // waits for running runs to finish their current chunk and stops the sender
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Opens the run of (cycle, period) and runs it in the background unless it is running already.
  core::Result<store::BillRun> StartRun(const RunOptions& options);
  bool Running(int64_t run);
  // Wakes the notification sender (after a release).
  void Notify();
  // Sends what is due now, once (the sender thread calls this; tests may too). Returns how many
  // notifications were attempted.
  core::Result<int> SendDue(core::Instant now);
  const Rules& rules() const { return config_.rules; }

 private:
  void SenderLoop();
  core::Result<void> Deliver(const store::Notification& n, const store::BillRecord& bill, const store::Account& account,
                             core::Instant now);

  store::Store& store_;
  ServiceConfig config_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poke_ = false;
  std::set<int64_t> running_;          // GUARDED_BY(mu_)
  std::map<int64_t, std::thread> runs_;  // GUARDED_BY(mu_)
  std::thread sender_;
};

// A bill's e-mail: plain text and HTML with the line items (the same numbers as the console).
MailMessage BillMail(const store::BillRecord& bill, const store::Account& account);
// The webhook body for a released bill: {"event":"bill.released", ...}.
std::string BillWebhookJson(const store::BillRecord& bill, const store::Account& account);

}  // namespace meterd::billing
