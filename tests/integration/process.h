// SPDX-License-Identifier: Apache-2.0
#pragma once
// Starting meterd and metersim as real processes on loopback, for integration tests.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apps/http_client.h"

extern char** environ;

namespace meterd::testing {

inline std::string BinDir() { return std::string(METERD_BINARY_DIR) + "/src/apps"; }

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process with stdout and stderr in `log`.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::filesystem::path& log,
          const std::vector<std::string>& env_extra = {}) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
    for (const auto& e : env_extra) env_store.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }
  bool started() const { return pid_ > 0; }
  // Blocks until the process exits; its exit code, or 128+signal.
  int Wait() {
    if (exited_) return code_;
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code_;
  }
  int Stop(int sig = SIGTERM) {
    if (!exited_) kill(pid_, sig);
    return Wait();
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

// Waits until `log` contains "listening on http://127.0.0.1:PORT/" and returns the URL, or ""
// after `timeout`. Polls the log: the process tells us when it is ready.
inline std::string WaitForListening(const std::filesystem::path& log, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string marker = "listening on http://";
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = ReadFile(log);
    size_t at = text.find(marker);
    if (at != std::string::npos) {
      size_t end = text.find('/', at + marker.size());
      if (end != std::string::npos) return "http://" + text.substr(at + marker.size(), end - at - marker.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {};
}

}  // namespace meterd::testing
