// SPDX-License-Identifier: Apache-2.0
// Modbus TCP polling throughput over loopback: simulated meters (one port each, one server
// thread, values following the wall clock) polled as fast as possible by a few poller threads,
// each with its own ModbusPoller and connections. A poll is every register of the meter's map:
// 2 reads for an SDM630 (29 values), 3 for an SDM120 (13), 3 for an ABB B23 (32).
// The simulator runs in a child process, as meters would be elsewhere: the poller process then
// holds only its client sockets, which libmodbus needs numbered below 1024 (FD_SETSIZE), so one
// poller process reaches about 1,000 meters with a connection each.
// Usage: modbus_bench [meters=1000] [threads=4] [seconds=5] [port|gateway]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "device/modbus_meter_sim.h"
#include "headend/modbus_poller.h"

using namespace meterd;

namespace {
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

bool ReadAll(int fd, void* data, size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}
bool WriteAll(int fd, const void* data, size_t n) { return write(fd, data, n) == static_cast<ssize_t>(n); }

// The child: starts the meters, sends their ports, then answers each 'c' with its CPU seconds and
// requests served, until the parent closes the pipe.
int RunSimulator(int in, int out, device::ModbusMeterSim::Options options, std::vector<device::ModbusSimMeter> specs) {
  auto sim = device::ModbusMeterSim::Start(options, std::move(specs));
  uint32_t count = sim ? static_cast<uint32_t>((*sim)->size()) : 0;
  if (!sim) std::fprintf(stderr, "%s\n", sim.error().ToString().c_str());
  WriteAll(out, &count, sizeof count);
  for (uint32_t i = 0; i < count; ++i) {
    uint16_t port = (*sim)->Port(i);
    WriteAll(out, &port, sizeof port);
  }
  char c;
  while (sim && ReadAll(in, &c, 1)) {
    double cpu = CpuSeconds();
    uint64_t requests = (*sim)->counters().requests;
    WriteAll(out, &cpu, sizeof cpu);
    WriteAll(out, &requests, sizeof requests);
  }
  return sim ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  const int meters = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 4;
  const double seconds = argc > 3 ? std::atof(argv[3]) : 5;
  const bool gateway = argc > 4 && std::string(argv[4]) == "gateway";
  if (meters < 1 || threads < 1 || (gateway && meters > 247)) {
    std::fprintf(stderr, "modbus_bench: need meters >= 1 (<= 247 behind a gateway) and threads >= 1\n");
    return 2;
  }

  const char* files[] = {"eastron-sdm630.toml", "eastron-sdm120.toml", "abb-b23.toml"};
  std::vector<std::shared_ptr<const codec::modbus::RegisterMap>> maps;
  for (const char* f : files) {
    std::string path = METERD_METERS_DIR;
    path.append("/").append(f);
    auto map = codec::modbus::LoadRegisterMap(path);
    if (!map) {
      std::fprintf(stderr, "%s\n", map.error().ToString().c_str());
      return 1;
    }
    maps.push_back(std::make_shared<const codec::modbus::RegisterMap>(std::move(*map)));
  }
  std::vector<device::ModbusSimMeter> specs;
  for (int i = 0; i < meters; ++i) {
    std::string name = "m";  // (not "m" + to_string: GCC 12 warns falsely on that, bug 105329)
    name.append(std::to_string(i));
    specs.push_back({std::move(name), maps[i % 3], static_cast<uint8_t>(gateway ? i + 1 : 1),
                     static_cast<uint64_t>(i + 1)});
  }
  device::ModbusMeterSim::Options options;
  options.layout = gateway ? device::ModbusMeterSim::Layout::kGateway : device::ModbusMeterSim::Layout::kPortPerMeter;
  options.start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  options.tick = std::chrono::milliseconds(1000);
  int down[2], up[2];  // parent -> child, child -> parent
  if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) return 1;
  pid_t child = fork();  // before any thread exists
  if (child == 0) {
    close(down[1]);
    close(up[0]);
    _exit(RunSimulator(down[0], up[1], options, std::move(specs)));
  }
  close(down[0]);
  close(up[1]);
  uint32_t count = 0;
  if (!ReadAll(up[0], &count, sizeof count) || count != static_cast<uint32_t>(meters)) return 1;
  std::vector<headend::ModbusTarget> targets;
  for (int i = 0; i < meters; ++i) {
    uint16_t port = 0;
    if (!ReadAll(up[0], &port, sizeof port)) return 1;
    targets.push_back({"127.0.0.1", port, static_cast<uint8_t>(gateway ? i + 1 : 1), maps[i % 3]});
  }
  auto simulator_stats = [&](double& cpu, uint64_t& requests) {
    return WriteAll(down[1], "c", 1) && ReadAll(up[0], &cpu, sizeof cpu) && ReadAll(up[0], &requests, sizeof requests);
  };

  // Each thread owns every threads-th meter. One untimed round first opens the connections.
  std::vector<std::unique_ptr<headend::ModbusPoller>> pollers;
  for (int t = 0; t < threads; ++t) pollers.push_back(std::make_unique<headend::ModbusPoller>());
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int> ready{0};
  std::vector<std::vector<double>> latencies_us(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto& poller = *pollers[t];
      for (int i = t; i < meters; i += threads) (void)poller.Poll(targets[i]);
      ++ready;
      while (!go) std::this_thread::yield();
      auto& lat = latencies_us[t];
      while (!stop) {
        for (int i = t; i < meters && !stop; i += threads) {
          auto a = std::chrono::steady_clock::now();
          (void)poller.Poll(targets[i]);
          lat.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count());
        }
      }
    });
  }
  while (ready < threads) std::this_thread::yield();
  std::vector<headend::ModbusPoller::Counters> before;
  for (auto& p : pollers) before.push_back(p->counters());
  double sim_cpu0 = 0, sim_cpu1 = 0;
  uint64_t served0 = 0, served1 = 0;
  simulator_stats(sim_cpu0, served0);
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measuring window, not synchronisation
  stop = true;
  for (auto& w : workers) w.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  simulator_stats(sim_cpu1, served1);
  close(down[1]);
  waitpid(child, nullptr, 0);

  uint64_t polls = 0, failures = 0, requests = 0, registers = 0, connects = 0;
  for (int t = 0; t < threads; ++t) {
    const auto& c = pollers[t]->counters();
    polls += c.polls - before[t].polls;
    failures += c.failures - before[t].failures;
    requests += c.requests - before[t].requests;
    registers += c.registers - before[t].registers;
    connects += c.connects;
  }
  std::vector<double> lat;
  for (auto& l : latencies_us) lat.insert(lat.end(), l.begin(), l.end());
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[static_cast<size_t>(p * (lat.size() - 1))]; };
  std::printf("modbus_bench: %d meters (SDM630/SDM120/B23 in turn) %s, %d poller threads, %u cores, %.1f s\n",
              meters, gateway ? "behind one gateway port" : "on one port each", threads,
              std::thread::hardware_concurrency(), wall);
  std::printf("modbus_bench: %.0f polls/s, %.0f requests/s, %.0f registers/s, poll p50 %.0f us p99 %.0f us, "
              "%llu failures, %llu connections; CPU: pollers %.0f%%, simulator %.0f%% of one core "
              "(simulator answered %llu reads)\n",
              polls / wall, requests / wall, registers / wall, pct(0.5), pct(0.99),
              static_cast<unsigned long long>(failures), static_cast<unsigned long long>(connects), 100 * cpu / wall,
              100 * (sim_cpu1 - sim_cpu0) / wall, static_cast<unsigned long long>(served1 - served0));
  return failures == 0 && polls > 0 ? 0 : 1;
}
