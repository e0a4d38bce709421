// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "codec/mbus/secondary_address.h"
#include "core/error.h"
#include "core/time.h"
#include "device/mbus_meter_sim.h"

// A simulated M-Bus-to-Ethernet converter with a wired M-Bus behind it, as the transparent
// converters in the field work: a TCP server carrying raw EN 13757-2 telegrams both ways. Every
// telegram from the master reaches every slave; the slaves it addresses answer, and the
// converter sends back what the bus carries: nothing (timeout), one answer, or, when several
// slaves answer at once (a collision), the wired-AND of their bytes, each skewed by one more bit
// (docs/headend-mbus.md), which is never a valid telegram.
//
// One thread serves the listening socket and every connection with poll(); meters are plain
// objects, so a bus of 250 costs a few hundred kilobytes. Addressing (EN 13757-2/-3):
//   1..250, 0   the slave(s) with that primary address
//   FD          the slave(s) selected by SND_UD CI 52h (secondary address, with wildcards)
//   FE          every slave, and all of them answer
//   FF          every slave, none answers
//
// Threading: every public method is safe to call from any thread while the server runs; the
// meters are guarded by one mutex, which the server holds while it answers one telegram.
namespace meterd::device {

struct MbusBusStats {
  uint64_t telegrams = 0;   // valid telegrams from the master
  uint64_t answers = 0;     // telegrams sent back with exactly one slave answering
  uint64_t collisions = 0;  // times more than one slave answered
  uint64_t silent = 0;      // telegrams nobody answered
  uint64_t faults = 0;      // answers corrupted by InjectFaults
};

// A line fault to put on a slave's next answers, to exercise the master's retries.
enum class MbusFault : uint8_t {
  kBadChecksum,  // the checksum byte inverted
  kTruncated,    // only the first half of the telegram arrives
  kLate,         // the answer arrives `delay` late (a slow converter, host or meter)
};

class MbusBusSim {
 public:
  // The bus clock starts at `start`; registers move only when AdvanceTo is called.
  explicit MbusBusSim(core::Instant start);
  ~MbusBusSim();  // Stop()s
  MbusBusSim(const MbusBusSim&) = delete;
  MbusBusSim& operator=(const MbusBusSim&) = delete;

  // Before or after Start. Fails for a primary address above 250 or an id above 99999999.
  // Several meters may share a primary address or id: that is a misconfigured bus, and
  // addressing them gives a collision, as it would on a wire.
  core::Result<void> AddMeter(const MbusMeterConfig& config);
  size_t size() const;

  // Listens on 127.0.0.1:`port` (0: an ephemeral port) and starts the server thread. Clients
  // can connect as soon as this returns. Returns the port.
  core::Result<uint16_t> Start(uint16_t port = 0);
  // Closes the listener and every connection and joins the thread. Idempotent.
  void Stop();
  uint16_t port() const { return port_; }

  // Every meter's registers grow to `t`.
  void AdvanceTo(core::Instant t);

  // The registers of the first meter with that primary address / identification number: what
  // its next answer will report.
  std::optional<MbusMeterRegisters> Registers(uint8_t primary_address) const;
  std::optional<MbusMeterRegisters> RegistersById(uint32_t id) const;
  std::vector<codec::mbus::SecondaryAddress> SecondaryAddresses() const;
  void SetErrorFlags(uint8_t primary_address, uint16_t flags);
  // The next `count` answers of the meter(s) at `primary_address` arrive damaged or late. A late
  // answer delays whatever the converter sends for that telegram (a collision included).
  void InjectFaults(uint8_t primary_address, int count, MbusFault fault,
                    std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  MbusBusStats stats() const;

  // What the converter sends back for one telegram from the master (empty: silence), at once
  // (kLate faults apply only to the server). The server calls this for each telegram it reads;
  // tests and benches may call it without a socket.
  std::vector<uint8_t> Handle(std::span<const uint8_t> telegram);

 private:
  struct Slave {
    MbusMeterSim meter;
    int faults_left = 0;
    MbusFault fault = MbusFault::kBadChecksum;
    std::chrono::milliseconds delay{0};
  };
  struct Answer {
    std::vector<uint8_t> bytes;
    std::chrono::milliseconds delay{0};
  };
  struct Connection;

  Answer HandleTelegram(std::span<const uint8_t> telegram);  // locks mu_
  Answer Combine(std::vector<std::pair<Slave*, std::vector<uint8_t>>>& answers);
  void Serve();

  mutable std::mutex mu_;
  core::Instant now_;                           // GUARDED_BY(mu_)
  std::vector<std::unique_ptr<Slave>> slaves_;  // GUARDED_BY(mu_)
  MbusBusStats stats_;                          // GUARDED_BY(mu_)

  // Server: owned by the thread between Start and Stop.
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() wakes the poll loop
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace meterd::device
