// SPDX-License-Identifier: Apache-2.0
// metersim: a fleet of simulated acquisition devices talking to meterd over HTTP.
//
// It first catches up on `--days` of history as fast as meterd takes it (simulated time runs
// from now - days to now, so no timestamp is ever in meterd's future), then with --live keeps
// sampling in real time until Ctrl-C.
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spdlog/spdlog.h>

#include "apps/stop_signals.h"
#include "apps/sim_bus.h"
#include "apps/sim_fleet.h"
#include "core/time.h"

namespace {

using namespace meterd;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "metersim: " << message << "\n";
  std::exit(2);
}

core::Instant WallNow() { return std::chrono::time_point_cast<core::Seconds>(std::chrono::system_clock::now()); }

core::Instant AlignDown(core::Instant t, int64_t interval) {
  int64_t s = core::ToUnixSeconds(t);
  return core::FromUnixSeconds(s - ((s % interval) + interval) % interval);
}

}  // namespace

int main(int argc, char** argv) {
  apps::SimOptions o;
  std::string key_file = "var/enrolment.key";
  std::string trust_file = "var/command-signing.key.pub";
  std::string summary_file;
  double days = 7;
  bool live = false;
  int poll_s = 10;
  double cut_after_h = 0, cut_h = 0;
  CLI::App app{"metersim: simulated pulse acquisition devices for meterd"};
  app.add_option("--url", o.url, "meterd base URL (http:// or https://)");
  app.add_option("--cacert", o.ca_file, "PEM certificate to trust for an https URL");
  app.add_option("--devices", o.devices, "number of devices")->check(CLI::Range(1, 1000000));
  app.add_option("--first-id", o.first_id, "number of the first device (D000001)");
  app.add_option("--state-dir", o.state_dir, "where each device keeps its persistent queue");
  app.add_option("--enrolment-key-file", key_file, "meterd's fleet enrolment key (devices derive tokens)");
  app.add_option("--trust-keys-file", trust_file,
                 "command-signing public keys the devices trust, '<key id> <hex>' per line (default: beside the enrolment key)");
  app.add_option("--interval", o.interval_s, "sampling interval in seconds")->check(CLI::Range(60, 86400));
  app.add_option("--upload-every", o.upload_every, "samples per uplink while catching up")->check(CLI::Range(1, 1000));
  app.add_option("--connections", o.connections, "parallel connections to meterd")->check(CLI::Range(1, 256));
  app.add_option("--days", days, "days of history to catch up on")->check(CLI::Range(0.0, 3660.0));
  app.add_option("--seed", o.seed, "load-profile seed");
  app.add_option("--cut-count", o.cut_count, "devices that lose their network");
  app.add_option("--cut-devices", o.cut_devices, "these devices lose their network (comma-separated ids)")->delimiter(',');
  app.add_option("--cut-after-hours", cut_after_h, "simulated hours after the start when the cut begins");
  app.add_option("--cut-hours", cut_h, "simulated hours the cut lasts");
  app.add_option("--summary", summary_file, "write per-device totals of this run as JSON");
  apps::BusSimOptions bus;
  app.add_option("--mbus-meters", bus.mbus_meters, "simulated M-Bus meters behind one converter (TCP on loopback)")
      ->check(CLI::Range(0, 250));
  app.add_option("--modbus-meters", bus.modbus_meters, "simulated Modbus TCP energy meters (one loopback port each)")
      ->check(CLI::Range(0, 10000));
  app.add_option("--c12-meters", bus.c12_meters,
                 "simulated C12.19 electricity meters over C12.22 (one TCP and UDP port, addressed by ApTitle)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--c12-port", bus.c12_port, "TCP and UDP port of the C12.22 meters (0: any free port)");
  app.add_flag("--c12-security", bus.c12_security, "C12.22 meters require EAX' (a key per meter, in the targets file)");
  app.add_option("--c12-password", bus.c12_password, "C12.22 password of user 2 (operator)")
      ->check([](const std::string& p) { return p.size() <= 20 ? std::string() : std::string("at most 20 bytes"); });
  app.add_option("--targets-file", bus.targets_file, "write the bus meters' addresses here for meterd --poll-targets");
  app.add_option("--models-dir", bus.models_dir,
                 "meter types: register maps <dir>/modbus/<model>.toml, the C12.19 TDL <dir>/c1219/meterd-sim.xml");
  app.add_flag("--live", live, "after catching up, keep sampling in real time until Ctrl-C");
  int poll_rounds = 0;
  app.add_option("--poll-rounds", poll_rounds, "after catching up, poll for commands this many times (then exit)")
      ->check(CLI::Range(0, 100));
  app.add_option("--poll", poll_s, "live: seconds between command polls of idle devices")->check(CLI::Range(1, 3600));
  CLI11_PARSE(app, argc, argv);
  o.cut_after_s = static_cast<int64_t>(cut_after_h * 3600);
  o.cut_s = static_cast<int64_t>(cut_h * 3600);

  {
    std::ifstream in(key_file);
    if (!(in >> o.enrolment_key)) Die(fmt::format("cannot read the enrolment key {} (start meterd first)", key_file));
  }
  if (app.count("--trust-keys-file") == 0) {
    trust_file = (std::filesystem::path(key_file).parent_path() / "command-signing.key.pub").string();
  }
  {
    std::ifstream in(trust_file);
    std::string id, pub;
    while (in >> id >> pub) o.trusted_keys[id] = pub;
    if (o.trusted_keys.empty()) Die(fmt::format("no command-signing public keys in {} (start meterd first)", trust_file));
  }
  sigset_t stop_signals = apps::BlockStopSignals();

  std::unique_ptr<apps::BusSims> bus_sims;
  if (bus.c12_meters > 0) {
    // A head-end may hold a TCP connection per C12.22 meter: allow as many descriptors as we may.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
      files.rlim_cur = files.rlim_max;
      setrlimit(RLIMIT_NOFILE, &files);
    }
  }
  if (bus.mbus_meters > 0 || bus.modbus_meters > 0 || bus.c12_meters > 0) {
    bus.seed = o.seed;
    auto sims = apps::BusSims::Start(bus, WallNow());
    if (!sims) Die(sims.error().ToString());
    bus_sims = std::move(*sims);
    for (const auto& m : bus_sims->targets().mbus) {
      std::cout << fmt::format("metersim: M-Bus converter with {} meters on {}:{}", bus.mbus_meters, m.host, m.port) << std::endl;
    }
    if (bus.modbus_meters > 0) {
      std::cout << fmt::format("metersim: {} Modbus TCP meters on 127.0.0.1 ports {}..{}", bus.modbus_meters,
                               bus_sims->targets().modbus.front().port, bus_sims->targets().modbus.back().port)
                << std::endl;
    }
    if (bus.c12_meters > 0) {
      const auto& c12 = bus_sims->targets().c1222;
      std::cout << fmt::format("metersim: {} C12.22 meters on 127.0.0.1:{} (TCP and UDP), ApTitles {}..{}{}",
                               bus.c12_meters, bus_sims->c12_port(), c12.front().ap_title, c12.back().ap_title,
                               bus.c12_security ? ", EAX' required" : "")
                << std::endl;
    }
    if (!bus.targets_file.empty()) std::cout << "metersim: poll targets written to " << bus.targets_file << std::endl;
  }

  auto fleet = apps::SimFleet::Create(o);
  if (!fleet) Die(fleet.error().ToString());
  auto& f = **fleet;

  const int64_t interval = o.interval_s;
  core::Instant end = AlignDown(WallNow(), interval);
  core::Instant start = end - core::Seconds{static_cast<int64_t>(days * 86400) / interval * interval};
  // A fleet restarted from its state resumes after its last sample: meterd refuses samples
  // that are not after the previous one.
  const std::string clock_file = o.state_dir + "/last_sample";
  {
    std::ifstream in(clock_file);
    std::string text;
    if (in >> text) {
      auto last = core::ParseInstant(text);
      if (!last) Die(fmt::format("{}: {}", clock_file, last.error().message));
      start = std::max(start, *last);
    }
  }
  auto save_clock = [&](core::Instant t) {
    std::ofstream out(clock_file + ".tmp", std::ios::trunc);
    out << core::FormatInstant(t) << "\n";
    out.close();
    std::rename((clock_file + ".tmp").c_str(), clock_file.c_str());
  };
  f.SetStart(start);
  auto t0 = std::chrono::steady_clock::now();
  int64_t samples = 0, uplinks = 0, failures = 0, refused = 0;
  int step = 0;
  spdlog::info("metersim: {} devices catching up from {} to {} every {} s", o.devices, core::FormatInstant(start),
               core::FormatInstant(end), interval);
  for (core::Instant t = start + core::Seconds{interval}; t <= end; t += core::Seconds{interval}) {
    if (auto s = f.SampleAll(t); !s) Die(s.error().ToString());
    save_clock(t);
    samples += o.devices;
    if (++step % o.upload_every == 0 || t == end) {
      auto x = f.Exchange(t);
      uplinks += x.uplinks;
      failures += x.failures;
      refused += x.refused;
    }
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGINT) || sigismember(&pending, SIGTERM)) {
      spdlog::info("metersim: stopped while catching up");
      return 1;
    }
  }
  // Drain: let backed-off devices retry (their clocks move on; samples do not).
  core::Instant drain = end;
  for (int round = 0; f.TotalBacklog() > 0 && round < 20; ++round) {
    drain += core::Seconds{3600};
    auto x = f.Exchange(drain);
    uplinks += x.uplinks;
    failures += x.failures;
    refused += x.refused;
  }
  // Each round fetches pending commands and delivers the acks of the round before.
  for (int round = 0; round < poll_rounds; ++round) {
    drain += core::Seconds{60};
    auto x = f.Exchange(drain, /*poll=*/true);
    uplinks += x.uplinks;
    failures += x.failures;
    refused += x.refused;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << fmt::format(
                   "metersim: caught up {} samples in {} uplinks ({} failed sends, {} refused) in {:.1f} s; backlog {}",
                   samples, uplinks, failures, refused, secs, f.TotalBacklog())
            << std::endl;
  if (!summary_file.empty()) {
    std::ofstream out(summary_file);
    out << f.Summary() << "\n";
  }
  if (!live) return refused > 0 || f.TotalBacklog() > 0 ? 1 : 0;

  std::cout << "metersim: live; Ctrl-C stops" << std::endl;
  core::Instant next_sample = end + core::Seconds{interval};
  core::Instant next_poll = WallNow();
  for (;;) {
    core::Instant now = WallNow();
    if (bus_sims) bus_sims->Tick(now);
    if (now >= next_sample) {
      if (auto s = f.SampleAll(next_sample); !s) Die(s.error().ToString());
      save_clock(next_sample);
      next_sample += core::Seconds{interval};
      f.Exchange(now);
    }
    if (now >= next_poll) {
      f.Exchange(now, /*poll=*/true);
      next_poll = now + core::Seconds{poll_s};
    }
    // Wait for the next tick or a stop signal.
    timespec wait{1, 0};
    int sig = sigtimedwait(&stop_signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  std::cout << "metersim: stopped; device queues are kept in " << o.state_dir << std::endl;
  return 0;
}
