// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec/mbus/frame.h"
#include "codec/mbus/requests.h"
#include "codec/mbus/secondary_address.h"
#include "codec/mbus/variable_data.h"
#include "core/error.h"

// The wired M-Bus master (EN 13757-2 link layer, EN 13757-3 application layer) talking to an
// M-Bus-to-Ethernet converter over TCP: the converter forwards raw telegrams to the bus and
// the slaves' answers back, byte for byte. docs/headend-mbus.md describes the behaviour:
// retries, the FCB, collisions versus silence, the secondary-address scan.
//
// Threading: a master is used by one thread at a time; the bus is half duplex, so there is
// nothing to gain from more. Errors are core::Error: kUnavailable for silence (no answer in
// any try), kCorruption for garbled answers (a collision, or noise), kInvalidArgument for an
// answer that is a valid telegram of the wrong kind or does not decode, kConflict when a
// readout's telegrams come from different meters, kInternal for socket failures.
namespace meterd::headend {

struct MbusMasterOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::chrono::milliseconds connect_timeout{3000};
  // How long an answer may take to begin. A slave answers within 11..330 bit times plus 50 ms
  // (EN 13757-2 §5.5): 0.2 s at 2400 Bd; the converter and the network add their delay.
  std::chrono::milliseconds answer_timeout{500};
  // The longest pause inside an answer (converters forward a telegram in pieces); also how long
  // the line must stay quiet after garbage before the master sends again.
  std::chrono::milliseconds byte_gap{50};
  int tries = 3;            // per request, the first included (EN 13757-2 recommends retries)
  bool reset_links = true;  // SND_NKE to a primary address before its first REQ_UD2
  int max_telegrams = 16;   // of one readout ("more records follow")
};

struct MbusMasterStats {
  uint64_t requests = 0;  // telegrams sent, retries included
  uint64_t retries = 0;
  uint64_t timeouts = 0;      // tries without any answer
  uint64_t garbled = 0;       // tries whose answer was not a valid telegram
  uint64_t late_answers = 0;  // answers that came after their timeout, found before the next request
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
};

// One readout of one meter: the records of all its telegrams.
struct MbusReadout {
  codec::mbus::SecondaryAddress secondary_address;  // from the header: no wildcards
  uint8_t primary_address = 0;                      // the A field of the answer
  // The first telegram's header (its access number) and the records of every telegram in
  // order; the DIF 1Fh marker records are dropped and more_records_follow is false. Record
  // offsets count from the start of their own telegram.
  codec::mbus::VariableData data;
  std::vector<std::vector<uint8_t>> telegrams;  // the RSP_UDs as received
};

struct MbusScanResult {
  std::vector<MbusReadout> meters;     // sorted by secondary address, each once
  std::vector<std::string> conflicts;  // ids (8 digits) two or more slaves answered to
  std::vector<core::Error> errors;     // meters that answered the select but not the read
  uint64_t requests = 0;               // telegrams the scan sent, retries and readouts included
  uint64_t selects = 0;
  uint64_t collisions = 0;  // selects answered by garbage
  uint64_t silent = 0;      // selects nobody answered
  uint64_t reprobes = 0;    // silent selects asked again because their answer came late
};

enum class MbusAnswerKind : uint8_t { kAck, kFrame, kSilence, kGarbled };

// What came back for one telegram.
struct MbusAnswer {
  MbusAnswerKind kind = MbusAnswerKind::kSilence;
  codec::mbus::Frame frame;    // kAck, kFrame
  std::vector<uint8_t> bytes;  // everything received
  std::string problem;         // kGarbled: why the bytes are no telegram
};

class MbusMaster {
 public:
  // Connects to the converter; the socket is a member, closed by the destructor.
  static core::Result<std::unique_ptr<MbusMaster>> Connect(const MbusMasterOptions& options);
  ~MbusMaster();
  MbusMaster(const MbusMaster&) = delete;
  MbusMaster& operator=(const MbusMaster&) = delete;

  // SND_NKE; expects E5. Resets the FCB kept for a primary address.
  core::Result<void> SndNke(uint8_t address);

  // REQ_UD2 to a primary address (1..250, 0, or FEh broadcast), following "more records
  // follow" with further REQ_UD2s, the FCB toggled each time.
  core::Result<MbusReadout> ReadPrimary(uint8_t address);

  // SND_UD select (CI 52h) to FDh, then the same readout at FDh. Wildcards are allowed; the one
  // meter they select is read. Fails with kConflict if the answer's header does not match.
  core::Result<MbusReadout> ReadSecondary(const codec::mbus::SecondaryAddress& address);

  // Every meter on the bus by the wildcard tree search over the identification number
  // (manufacturer, version and medium wildcarded), each read once when found. A silent select
  // costs answer_timeout, so the scan sends each select once (`select_tries`). A select whose
  // answer turns up after its timeout (the next request finds it waiting), and the parent of a
  // collision below which fewer than two meters turned up, are asked again at the end with the
  // timeout doubled (up to 4 rounds, 16 x): a busy converter or host slows the scan down but
  // does not lose meters.
  core::Result<MbusScanResult> ScanSecondary(int select_tries = 1);

  // One telegram out, whatever comes back in, no retry. Fails only when the socket does.
  core::Result<MbusAnswer> Exchange(const codec::mbus::Frame& request);

  const MbusMasterStats& stats() const { return stats_; }
  const MbusMasterOptions& options() const { return options_; }

 private:
  enum class Expect : uint8_t { kAck, kRspUd };
  MbusMaster(const MbusMasterOptions& options, int fd);

  // Exchange with retries until the expected answer; the request is repeated unchanged (same
  // FCB), so a slave whose answer was lost repeats it.
  core::Result<MbusAnswer> Transact(const codec::mbus::Frame& request, Expect expect, int tries,
                                    const std::string& context);
  core::Result<MbusReadout> ReadTelegrams(uint8_t address, codec::mbus::FcbSequence& fcb, const std::string& context);
  core::Result<MbusAnswer> ReadAnswer();
  core::Result<void> WaitQuiet(MbusAnswer& answer);
  size_t Drain();  // bytes discarded
  // After the last select of a pass: waits one answer_timeout for a late answer.
  void SettleLateAnswers();
  // Descends the tree below `mask` (digits left of `position` fixed).
  core::Result<void> Probe(uint32_t id_digits, int position, int select_tries, MbusScanResult& result);

  struct Branch {
    uint32_t id_digits = 0;
    int position = 0;
    friend auto operator<=>(const Branch&, const Branch&) = default;
  };

  MbusMasterOptions options_;
  int fd_ = -1;
  MbusMasterStats stats_;
  std::map<uint8_t, codec::mbus::FcbSequence> fcb_;  // per primary address
  std::set<uint8_t> reset_;                          // primary addresses sent SND_NKE
  std::chrono::milliseconds AnswerTimeout() const { return options_.answer_timeout * timeout_scale_; }

  static constexpr int kReprobeRounds = 4;
  bool last_failure_silent_ = false;  // the last Transact failed because nobody answered
  int timeout_scale_ = 1;             // x answer_timeout: doubled in each round of a scan's re-asking
  uint64_t scan_seen_ = 0;            // meters read (or pairs in conflict) so far in this scan
  // Scan: the select just found silent, and the silent selects whose answer came late.
  std::optional<Branch> last_silent_select_;
  std::vector<Branch> suspects_;
};

// "primary address 5", "broadcast FE", "secondary address 12345678FFFFFFFF".
std::string MbusAddressName(uint8_t address);

}  // namespace meterd::headend
