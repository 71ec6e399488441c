// The run's event log and fingerprint (TigerBeetle's hash_log idea).
//
// Every event that changes the simulated world appends a compact record
// (time, kind, process, a, b). A running 64-bit hash over all records is the run's
// fingerprint: same scenario + seed => same fingerprint on every machine.
//
// Recording modes:
//  * hash only (default, cheap): the fingerprint plus a hash checkpoint every
//    `checkpoint_interval` records, enough to bracket the first divergence;
//  * full: every record is also kept (bounded by `max_records`), for JSON-lines output
//    and for naming the first differing event between two runs.
//
// Record kinds are small integers with names; the simulator's own kinds are
// pre-registered, layers above register theirs (in a deterministic order) by name.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/base/int128.h"
#include "protocol/base/time.h"

namespace ckptsim::sim {

using RecordKind = std::uint16_t;

// Kinds the kernel itself logs. Their numeric values are part of the fingerprint.
namespace record_kind {
inline constexpr RecordKind kTimerFired = 0;
inline constexpr RecordKind kTimerDropped = 1;      // owner crashed before it fired
inline constexpr RecordKind kRpcDelivered = 2;
inline constexpr RecordKind kRpcDropped = 3;        // dead/stale endpoint, fault
inline constexpr RecordKind kDataDelivered = 4;
inline constexpr RecordKind kDataDropped = 5;
inline constexpr RecordKind kCreditReturned = 6;
inline constexpr RecordKind kChannelFailed = 7;
inline constexpr RecordKind kProcessCrashed = 8;
inline constexpr RecordKind kProcessRestarted = 9;
inline constexpr RecordKind kLinkChanged = 10;
inline constexpr RecordKind kProcessPaused = 11;    // a = pause end, b = 0
inline constexpr RecordKind kProcessResumed = 12;   // a = deferred events handled now
inline constexpr RecordKind kClockAdjusted = 13;    // a = step, b = drift (ppm, two's complement)
inline constexpr RecordKind kFirstUserKind = 32;
}  // namespace record_kind

struct EventRecord {
  TimeNs time_ns = 0;
  RecordKind kind = 0;
  std::uint32_t process = 0;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  bool operator==(const EventRecord&) const = default;
};

struct HashCheckpoint {
  std::uint64_t record_index = 0;  // number of records hashed so far
  std::uint64_t hash = 0;
  bool operator==(const HashCheckpoint&) const = default;
};

struct EventLogOptions {
  bool keep_records = false;
  std::uint64_t max_records = 50'000'000;           // bound on kept records
  std::uint64_t checkpoint_interval = 1u << 14;     // records between hash checkpoints
};

class EventLog {
 public:
  explicit EventLog(EventLogOptions options = {});

  void append(TimeNs time_ns, RecordKind kind, std::uint32_t process, std::uint64_t a, std::uint64_t b) {
    hash_ = mix(hash_ ^ static_cast<std::uint64_t>(time_ns), (static_cast<std::uint64_t>(kind) << 32 | process) ^ kMixB);
    hash_ = mix(hash_ ^ a, b ^ kMixC);
    ++count_;
    if (options_.keep_records && records_.size() < options_.max_records) [[unlikely]] {
      records_.push_back(EventRecord{time_ns, kind, process, a, b});
    }
    if ((count_ & (options_.checkpoint_interval - 1)) == 0) [[unlikely]] {
      checkpoints_.push_back(HashCheckpoint{count_, hash_});
    }
  }

  // Registers a named kind for layers above the kernel; same name => same kind.
  RecordKind register_kind(std::string_view name);
  std::string_view kind_name(RecordKind kind) const;

  std::uint64_t fingerprint() const { return hash_; }
  std::uint64_t record_count() const { return count_; }
  const std::vector<EventRecord>& records() const { return records_; }
  const std::vector<HashCheckpoint>& hash_checkpoints() const { return checkpoints_; }
  bool keeps_records() const { return options_.keep_records; }
  // True when records were dropped because max_records was reached.
  bool records_truncated() const { return options_.keep_records && records_.size() < count_; }

  // Writes kept records as JSON lines: {"i":..,"t_ns":..,"t":"1.000s","kind":"..","p":..,"a":..,"b":..}
  void write_json_lines(std::ostream& out) const;

 private:
  static constexpr std::uint64_t kMixB = 0x9E3779B97F4A7C15ULL;
  static constexpr std::uint64_t kMixC = 0xC2B2AE3D27D4EB4FULL;
  static std::uint64_t mix(std::uint64_t x, std::uint64_t y) {
    const Uint128 product = static_cast<Uint128>(x) * (y | 1);
    return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64) ^ (x >> 29);
  }

  EventLogOptions options_;
  std::uint64_t hash_ = 0x243F6A8885A308D3ULL;
  std::uint64_t count_ = 0;
  std::vector<EventRecord> records_;
  std::vector<HashCheckpoint> checkpoints_;
  std::vector<std::string> kind_names_;
};

// Where two logs first differ. Records are compared when both kept them; otherwise
// hash checkpoints bracket the divergence.
struct Divergence {
  std::uint64_t record_index = 0;                 // first differing record (or checkpoint bound)
  bool exact = false;                             // true when located to a single record
  std::optional<EventRecord> expected, actual;    // the differing records when exact
};
std::optional<Divergence> first_divergence(const EventLog& expected, const EventLog& actual);

std::string describe_record(const EventLog& log, const EventRecord& record);

}  // namespace ckptsim::sim
