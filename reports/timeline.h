// What happened over simulated time in one run, as plain data for the HTML report and
// the Chrome trace: per-bucket throughput and end-to-end latency, backpressure per task,
// one entry per recovery, and the spans and instants of checkpoints, restores and faults.
//
// Invariants: buckets are contiguous, start at 0 and are `bucket_ns` wide; every
// backpressure series has one value per bucket; spans and instants are sorted by
// (time, track, name) so the output is deterministic. Everything is integer virtual time.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/base/time.h"

namespace ckptsim::reports {

struct TimelineBucket {
  TimeNs start_ns = 0;
  std::uint64_t source_records = 0;      // emitted by sources (replays after a restore count again)
  std::uint64_t sink_records = 0;        // handed to the store by sinks (pre-committed or written)
  std::uint64_t committed_records = 0;   // made visible in the store
  std::uint64_t latency_count = 0;       // committed records with a latency sample
  DurationNs latency_p50_ns = 0;         // commit time - time the record became available
  DurationNs latency_p99_ns = 0;
};

struct TaskBackpressure {
  std::string task;                               // "count[1]"
  std::vector<DurationNs> backpressured_ns;       // per bucket: time blocked on a full output queue
  DurationNs total_ns = 0;
};

// One failure and the restarts it took to run again: a restart whose tasks never all
// restored (no slots yet, failed again) belongs to the same recovery as the next one.
struct Recovery {
  std::uint32_t attempt = 0;            // deployment epoch of the first restart
  std::uint32_t restarts = 0;           // restarts until the job ran again (>= 1)
  std::string cause;                    // the fault that preceded it ("task-manager-crash tm-0"), or "unknown"
  TimeNs failure_ns = 0;                // start of that fault (the first restart's time when unknown)
  TimeNs restart_ns = 0;                // the JobManager first chose a checkpoint and redeployed
  TimeNs running_ns = 0;                // every task of the last restart restored its state (run end if never)
  DurationNs recovery_ns = 0;           // running_ns - failure_ns
  bool recovered = false;               // false: the run ended before the job ran again
  std::int64_t restored_checkpoint = -1; // by the last restart; -1: restarted empty
};

// One span or instant on a track: `process` groups tracks ("JobManager", "tm-0", the
// operator name), `thread` names the track inside it ("count[1]", "checkpoints").
struct TimelineEvent {
  std::string process;
  std::string thread;
  std::string name;
  std::string category;                 // alignment, sync, async, restore, restart, checkpoint, fault, barrier, commit
  TimeNs start_ns = 0;
  DurationNs duration_ns = -1;          // -1: an instant
  nlohmann::json args = nlohmann::json::object();
};

struct Timeline {
  DurationNs bucket_ns = 0;
  std::vector<TimelineBucket> buckets;
  std::vector<TaskBackpressure> backpressure;
  std::vector<Recovery> recoveries;
  std::vector<TimelineEvent> events;
  // (process, thread) in display order: the JobManager, then the tasks in subtask order.
  // Tracks not listed follow, sorted by name.
  std::vector<std::pair<std::string, std::string>> track_order;
  bool events_truncated = false;        // the bound on kept events was reached
  DurationNs latency_p50_ns = 0;        // over the whole run
  DurationNs latency_p99_ns = 0;
  nlohmann::json violation_events = nlohmann::json::array();   // event-log records around a violation
};

// The document written as timeseries.json (times in ns; the report reads it back).
nlohmann::json to_json(const Timeline& timeline);

}  // namespace ckptsim::reports
