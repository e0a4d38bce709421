// SPDX-License-Identifier: Apache-2.0
// Wired M-Bus: (a) long-frame decode throughput (DecodeFrame + DecodeUserData) over the libmbus
// corpus, one core; (b) the secondary-address scan of a simulated bus of N meters with random
// 8-digit ids, over loopback TCP: requests and wall time (mostly silent selects x the timeout).
// Usage: mbus_bench [meters=250] [answer_timeout_ms=10] [vectors dir]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "codec/mbus/frame.h"
#include "codec/mbus/user_data.h"
#include "device/mbus_bus_sim.h"
#include "headend/mbus_master.h"

using namespace meterd;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<std::vector<uint8_t>> LoadFrames(const std::filesystem::path& dir) {
  std::vector<std::vector<uint8_t>> frames;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".hex") continue;
    std::ifstream in(entry.path());
    std::vector<uint8_t> bytes;
    std::string token;
    while (in >> token) bytes.push_back(static_cast<uint8_t>(std::stoul(token, nullptr, 16)));
    frames.push_back(std::move(bytes));
  }
  return frames;
}

int DecodeBench(const std::filesystem::path& dir) {
  const auto frames = LoadFrames(dir);
  if (frames.empty()) {
    std::fprintf(stderr, "mbus_bench: no .hex frames in %s\n", dir.c_str());
    return 1;
  }
  size_t bytes_per_pass = 0;
  for (const auto& f : frames) bytes_per_pass += f.size();
  uint64_t frames_done = 0, bytes_done = 0, records = 0, failed = 0;
  const auto start = Clock::now();
  double seconds = 0;
  while (seconds < 2.0) {
    for (const auto& f : frames) {
      auto frame = codec::mbus::DecodeFrame(f);
      if (!frame) {
        ++failed;
        continue;
      }
      auto data = codec::mbus::DecodeUserData(*frame);
      if (data && std::holds_alternative<codec::mbus::VariableData>(*data)) {
        records += std::get<codec::mbus::VariableData>(*data).records.size();
      } else if (!data) {
        ++failed;
      }
    }
    frames_done += frames.size();
    bytes_done += bytes_per_pass;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::printf(
      "mbus_bench decode: %zu corpus frames (%zu bytes), %.0f frames/s, %.1f MB/s, %.2f M records/s on one core "
      "(%llu failed per pass)\n",
      frames.size(), bytes_per_pass, frames_done / seconds, bytes_done / seconds / 1e6, records / seconds / 1e6,
      static_cast<unsigned long long>(failed / (frames_done / frames.size())));
  return 0;
}

int ScanBench(int meters, int timeout_ms) {
  device::MbusBusSim bus(core::FromUnixSeconds(1767225600));  // 2026-01-01
  std::set<uint32_t> ids;
  uint64_t x = 2026;
  while (static_cast<int>(ids.size()) < meters) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    ids.insert(static_cast<uint32_t>((x >> 33) % 100000000));
  }
  int i = 0;
  for (uint32_t id : ids) {
    device::MbusMeterConfig c;
    c.kind = static_cast<device::MbusMeterKind>(i % 5);
    c.primary_address = static_cast<uint8_t>(i % 250 + 1);
    c.id = id;
    c.seed = id;
    c.two_telegrams = i % 10 == 0;
    if (auto r = bus.AddMeter(c); !r) {
      std::fprintf(stderr, "%s\n", r.error().ToString().c_str());
      return 1;
    }
    ++i;
  }
  auto port = bus.Start();
  if (!port) {
    std::fprintf(stderr, "%s\n", port.error().ToString().c_str());
    return 1;
  }
  headend::MbusMasterOptions options;
  options.port = *port;
  options.answer_timeout = std::chrono::milliseconds(timeout_ms);
  options.byte_gap = std::chrono::milliseconds(2);
  auto master = headend::MbusMaster::Connect(options);
  if (!master) {
    std::fprintf(stderr, "%s\n", master.error().ToString().c_str());
    return 1;
  }
  const auto start = Clock::now();
  auto scan = (*master)->ScanSecondary();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!scan) {
    std::fprintf(stderr, "%s\n", scan.error().ToString().c_str());
    return 1;
  }
  std::printf(
      "mbus_bench scan: %d meters found %zu, %llu requests (%llu selects: %llu silent, %llu collisions; "
      "%zu readouts, %llu asked again), %.2f s wall with a %d ms answer timeout (%.2f s waiting on silence)\n",
      meters, scan->meters.size(), static_cast<unsigned long long>(scan->requests),
      static_cast<unsigned long long>(scan->selects), static_cast<unsigned long long>(scan->silent),
      static_cast<unsigned long long>(scan->collisions), scan->meters.size(),
      static_cast<unsigned long long>(scan->reprobes), seconds, timeout_ms, scan->silent * timeout_ms / 1000.0);
  return static_cast<int>(scan->meters.size()) == meters ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int meters = argc > 1 ? std::atoi(argv[1]) : 250;
  const int timeout_ms = argc > 2 ? std::atoi(argv[2]) : 10;
  const std::filesystem::path vectors =
      argc > 3 ? std::filesystem::path(argv[3]) : std::filesystem::path(METERD_VECTORS_DIR) / "mbus/test-frames";
  if (int rc = DecodeBench(vectors); rc != 0) return rc;
  return ScanBench(meters, timeout_ms);
}
