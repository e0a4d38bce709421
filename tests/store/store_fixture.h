// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace meterd::store::testing {

// A fresh temporary directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "meterd-store-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    if (made == nullptr) std::abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline core::Instant T(const char* rfc3339) { return *core::ParseInstant(rfc3339); }
inline core::LocalDay Day(const char* text) { return *core::ParseDay(text); }

inline MeterRecord Meter(const std::string& id, core::Medium medium = core::Medium::kWater,
                         const std::string& zone = "UTC") {
  MeterRecord m;
  m.id = id;
  m.medium = medium;
  m.device = "dev-" + id;
  m.time_zone = zone;
  return m;
}

inline DeviceRecord Device(const std::string& id, const std::string& meter, core::Medium medium = core::Medium::kWater) {
  DeviceRecord d;
  d.id = id;
  d.meter = meter;
  d.medium = medium;
  d.pulse_weight = core::Quantity{10, -3, core::Unit::kM3};
  d.token_hash = "ab" + id;
  d.created = T("2026-01-01T00:00:00Z");
  return d;
}

inline SlotWrite Slot(const std::string& meter, core::LocalDay day, int32_t slot, int64_t value, int8_t scale = -3,
                      MergeMode mode = MergeMode::kAdd, core::Quality quality = core::Quality::kValid) {
  SlotWrite w;
  w.meter = meter;
  w.channel = core::Channel::kVolume;
  w.day = day;
  w.slots_per_day = 96;
  w.interval_s = 900;
  w.slot = slot;
  w.value = core::Quantity{value, scale, core::Unit::kM3};
  w.quality = quality;
  w.mode = mode;
  return w;
}

// Opens a store on a fresh file, failing the test if it cannot.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto s = OpenSqliteStore(SqliteOptions{dir_.File("meterd.db")});
    ASSERT_TRUE(s) << s.error().ToString();
    store_ = std::move(*s);
  }
  void AddMeter(const std::string& id, core::Medium medium = core::Medium::kWater, const std::string& zone = "UTC") {
    auto r = store_->PutDevice(Device("dev-" + id, id, medium), Meter(id, medium, zone));
    ASSERT_TRUE(r) << r.error().ToString();
  }
  void CommitOk(std::vector<IngestWrite> writes) {
    auto r = store_->Commit(writes);
    ASSERT_TRUE(r) << r.error().ToString();
  }
  static IngestWrite WithSlots(std::vector<SlotWrite> slots, std::string source = "device") {
    IngestWrite w;
    w.slots = std::move(slots);
    w.source = std::move(source);
    return w;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace meterd::store::testing
