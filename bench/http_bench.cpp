// SPDX-License-Identifier: Apache-2.0
// Requests per second against a running meterd over keep-alive connections.
// Usage: http_bench <base url> <target> <token or -> [connections=8] [seconds=5] [ca file]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "apps/http_client.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: http_bench <base url> <target> <token or -> [connections] [seconds] [ca file]\n");
    return 2;
  }
  std::string url = argv[1], target = argv[2], token = argv[3];
  if (token == "-") token.clear();
  int connections = argc > 4 ? std::atoi(argv[4]) : 8;
  int seconds = argc > 5 ? std::atoi(argv[5]) : 5;
  std::string ca = argc > 6 ? argv[6] : "";
  std::atomic<int64_t> ok{0}, bad{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&] {
      auto client = meterd::apps::HttpClient::Create(url, std::chrono::seconds(30), ca);
      if (!client) {
        ++bad;
        return;
      }
      while (!stop.load(std::memory_order_relaxed)) {
        auto r = (*client)->Send("GET", target, "", token);
        if (r && r->status < 500) {
          ++ok;
        } else {
          ++bad;
        }
      }
    });
  }
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measuring window
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("http_bench: %s%s: %.0f requests/s over %d keep-alive connections (%lld ok, %lld failed)\n", url.c_str(),
              target.c_str(), ok / secs, connections, static_cast<long long>(ok.load()), static_cast<long long>(bad.load()));
  return bad.load() == 0 ? 0 : 1;
}
