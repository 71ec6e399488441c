// CommittedOutput: what became visible in the external store, reconstructed from the
// store's reports in RunObservations.
//
// A commit makes the transaction's most recently prepared batch visible (a commit of a
// transaction that was never prepared makes nothing visible; the sink checker reports it);
// a second commit of one transaction applies it again, exactly as the store reported. A
// direct write is visible at once. Visible batches are attributed to a sink operator by
// name; records of a sink the job does not have are counted under unknown_sink_records.
//
// Collecting is one pass over the visible records (digests and counts only); the records
// of one sink are materialised on demand by committed_records() for detailed checks.
#pragma once

#include <cstdint>
#include <vector>

#include "oracle/job_topology.h"
#include "oracle/observations.h"
#include "oracle/output_identity.h"

namespace ckptsim::oracle {

// One application of a batch: a store commit or a direct write.
struct CommitEvent {
  std::uint64_t event_index = 0;
  TimeNs time_ns = 0;
  std::uint32_t batch = kNoIndex;
  std::uint32_t transaction = kNoIndex;  // kNoIndex: a direct write
  OperatorIndex sink = kNoIndex;         // kNoIndex: not a sink of the job
  std::uint32_t sink_subtask = 0;
  CheckpointId checkpoint_id = kNoCheckpointId;  // the transaction's; 0 for a direct write
};

struct SinkTotals {
  std::uint64_t count = 0;
  std::uint64_t digest = 0;                 // wrapping sum of identity_hash
  std::uint32_t last_commit = kNoIndex;     // the last commit that made records visible
  std::vector<std::uint32_t> commits;       // into CommittedOutput::commits, in order
};

struct CommittedRecord {
  OutputIdentity identity;
  std::uint64_t agg_count = 0;
  std::uint32_t commit = 0;    // into CommittedOutput::commits
  std::uint32_t position = 0;  // within its batch
};

struct CommittedOutput {
  std::vector<CommitEvent> commits;  // in the order reported
  std::vector<SinkTotals> sinks;     // by operator index (sinks only)
  std::uint64_t unknown_sink_records = 0;
  std::uint32_t first_unknown_sink_commit = kNoIndex;  // into commits
  std::uint64_t total_records = 0;
  std::uint64_t digest = 0;  // wrapping sum of identity_hash over every visible record
};

CommittedOutput collect_committed_output(const JobTopology& topology, const RunObservations& observations);

// The visible records of `sink`, in commit order.
std::vector<CommittedRecord> committed_records(const RunObservations& observations, const CommittedOutput& output,
                                               OperatorIndex sink);

}  // namespace ckptsim::oracle
