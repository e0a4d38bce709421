// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/reading.h"
#include "headend/poll_scheduler.h"
#include "headend/poll_targets.h"

namespace meterd::headend {

// The core medium of an M-Bus medium code (EN 13757-3 table 3), if we meter it.
std::optional<core::Medium> MediumOfMbus(uint8_t code);

// An M-Bus converter: finds its meters by secondary-address scan (first round, then once a
// day, and when a known meter stops answering) and/or reads its listed primary addresses; each
// meter's main register (energy or volume) goes to the sink.
std::shared_ptr<PollSource> MakeMbusSource(MbusTargetSpec spec);

// Modbus TCP meters, each read with the register map `<models_dir>/modbus/<model>.toml`; the
// import active energy register goes to the sink.
std::shared_ptr<PollSource> MakeModbusSource(std::vector<ModbusTargetSpec> specs, std::string models_dir);

// The targets file, re-read when it changes (by modification time and size). A file that does
// not parse keeps the previous sources and is logged; nothing is half-applied.
class TargetsFile {
 public:
  TargetsFile(std::string path, std::string models_dir) : path_(std::move(path)), models_dir_(std::move(models_dir)) {}
  std::vector<std::shared_ptr<PollSource>> Sources();
  const std::string& last_error() const { return last_error_; }

 private:
  std::string path_;
  std::string models_dir_;
  std::mutex mu_;
  std::optional<std::filesystem::file_time_type> mtime_;
  uintmax_t size_ = 0;
  std::vector<std::shared_ptr<PollSource>> sources_;
  std::string last_error_;
};

}  // namespace meterd::headend
