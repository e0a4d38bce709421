// SPDX-License-Identifier: Apache-2.0
// One head-end reading N simulated C12.22 meters over loopback TCP: per meter one session with
// logon, the configuration tables, the registers (ST23, ST28), a day of load profile (96
// intervals of 4 channels, from ST63 and two ST64 block reads), the event log and logoff, and
// everything through the ingest path into SQLite. The meters run in a child process (one port,
// one epoll thread, as src/device/c1222_meter_sim.h serves them) on a fixed clock: midnight, so
// each meter holds exactly yesterday's block. Reported: wall time, the head-end's CPU and peak
// memory, sessions held at once, requests, bytes and intervals stored.
// Usage: c1222_headend_bench [meters=1000] [parallel=64]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "device/c1222_meter_sim.h"
#include "headend/c1222_source.h"
#include "store/store.h"

using namespace meterd;

namespace {

constexpr int64_t kMidnight = 1768435200;  // 2026-01-15T00:00:00Z

double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
long MaxRssMb(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_maxrss / 1024;
}

// The child: starts the meters, sends their port, waits until the parent closes the pipe.
int RunSimulator(int in, int out, int meters) {
  device::C1222MeterSim::Options options;
  options.port = 0;
  options.tdl_path = std::string(METERD_METERS_DIR) + "/c1219/meterd-sim.xml";
  options.limits.lp_days = 2;
  options.clock = [] { return core::FromUnixSeconds(kMidnight); };
  std::vector<device::C1222SimMeter> specs;
  for (int i = 0; i < meters; ++i) {
    device::C1222SimMeter m;
    m.serial = "B" + std::to_string(i + 1);
    m.ap_title = *codec::c1222::ParseApTitle(".1153." + std::to_string(i + 1));
    m.config.phases = i % 3 == 2 ? 1 : 3;
    m.config.seed = static_cast<uint64_t>(i) + 1;
    specs.push_back(std::move(m));
  }
  auto sim = device::C1222MeterSim::Start(options, std::move(specs));
  uint16_t port = sim ? (*sim)->port() : 0;
  if (!sim) std::fprintf(stderr, "%s\n", sim.error().ToString().c_str());
  (void)!write(out, &port, sizeof port);
  char c;
  while (read(in, &c, 1) > 0) {
  }
  if (sim) {
    auto n = (*sim)->counters();
    std::printf("meters (child): %.1f s CPU, %ld MB peak, %llu APDUs\n", CpuSeconds(RUSAGE_SELF), MaxRssMb(RUSAGE_SELF),
                static_cast<unsigned long long>(n.apdus));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int meters = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int parallel = argc > 2 ? std::atoi(argv[2]) : 64;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) return 1;
  pid_t child = fork();  // before any thread exists
  if (child == 0) {
    close(down[1]);
    close(up[0]);
    return RunSimulator(down[0], up[1], meters);
  }
  close(down[0]);
  close(up[1]);
  uint16_t port = 0;
  if (read(up[0], &port, sizeof port) != sizeof port || port == 0) return 1;

  const auto dir = std::filesystem::temp_directory_path() / ("c1222-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = store::OpenSqliteStore({(dir / "db").string(), false});
    if (!store) return std::fprintf(stderr, "%s\n", store.error().ToString().c_str()), 1;
    headend::IngestService::Options io;
    headend::IngestService ingest(**store, io);
    std::vector<headend::C1222TargetSpec> specs;
    for (int i = 0; i < meters; ++i) {
      headend::C1222TargetSpec s;
      s.host = "127.0.0.1";
      s.port = port;
      s.ap_title = ".1153." + std::to_string(i + 1);
      s.meter = "E-B" + std::to_string(i + 1);
      s.model = "meterd-sim";
      s.user_id = 2;
      s.user = "operator";
      s.password = "operator";
      s.load_profile_hours = 24;
      s.relay_procedure = "MP1";
      specs.push_back(std::move(s));
    }
    headend::C1222SourceOptions so;
    so.models_dir = METERD_METERS_DIR;
    so.parallel = parallel;
    headend::C1222Source source(std::move(specs), headend::C1222Backend{ingest, **store}, so);
    const double cpu0 = CpuSeconds(RUSAGE_SELF);
    const auto t0 = std::chrono::steady_clock::now();
    headend::PollOutcome o = source.Poll(core::FromUnixSeconds(kMidnight));
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = CpuSeconds(RUSAGE_SELF) - cpu0;
    const auto& st = source.stats();
    std::printf("c1222 head-end: %d meters (parallel %d): %d read, %d failed%s%s\n", meters, parallel, o.meters_read,
                o.errors, o.errors ? "; last: " : "", o.last_error.c_str());
    std::printf("  %.2f s wall, %.0f meters/s; head-end CPU %.1f s (%.0f%% of one core), peak memory %ld MB\n", wall,
                o.meters_read / wall, cpu, 100 * cpu / wall, MaxRssMb(RUSAGE_SELF));
    std::printf("  sessions %lld, at most %lld at once; %lld requests, %.1f MB on the wire; %lld samples stored\n",
                static_cast<long long>(st.sessions.load()), static_cast<long long>(st.max_concurrent.load()),
                static_cast<long long>(st.requests.load()), st.bytes.load() / 1e6,
                static_cast<long long>(st.samples.load()));
  }
  close(down[1]);
  int status = 0;
  waitpid(child, &status, 0);
  std::filesystem::remove_all(dir);
  return 0;
}
