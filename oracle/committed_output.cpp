#include "oracle/committed_output.h"

#include <utility>

#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

class CommittedOutputBuilder {
 public:
  CommittedOutputBuilder(const JobTopology& topology, const RunObservations& observations)
      : observations_(observations) {
    output_.sinks.resize(topology.operators().size());
    last_prepared_.assign(observations.transactions.size(), kNoIndex);
    for (const std::string& name : observations.sink_operator_names) {
      const auto index = topology.find(name);
      const bool is_sink = index.has_value() && topology.op(*index).kind == OperatorKind::kSink;
      sink_of_name_.push_back(is_sink ? *index : kNoIndex);
      name_hash_.push_back(sink_name_hash(name));
    }
  }

  CommittedOutput build() {
    for (const ObservedEvent& event : observations_.events) {
      switch (event.kind) {
        case ObservedKind::kStorePrepared:
          last_prepared_[event.transaction] = event.batch;
          break;
        case ObservedKind::kStoreCommitted:
          if (last_prepared_[event.transaction] != kNoIndex) apply(event, last_prepared_[event.transaction]);
          break;
        case ObservedKind::kStoreDirectWrite:
          apply(event, event.batch);
          break;
        default:
          break;
      }
    }
    return std::move(output_);
  }

 private:
  void apply(const ObservedEvent& event, std::uint32_t batch_index) {
    const RecordBatch& batch = observations_.batches[batch_index];
    CKPT_ASSERT(batch.sink_operator < sink_of_name_.size(), "a batch names an interned sink");
    CommitEvent commit;
    commit.event_index = event.event_index;
    commit.time_ns = event.time_ns;
    commit.batch = batch_index;
    commit.transaction = batch.transaction;
    commit.sink = sink_of_name_[batch.sink_operator];
    commit.sink_subtask = batch.sink_subtask;
    if (batch.transaction != kNoIndex) commit.checkpoint_id = observations_.transactions[batch.transaction].checkpoint_id;
    const auto commit_index = static_cast<std::uint32_t>(output_.commits.size());
    output_.commits.push_back(commit);
    std::uint64_t digest = 0;
    const std::uint64_t name_hash = name_hash_[batch.sink_operator];
    for (const Record& record : observations_.batch_records(batch_index)) {
      digest += identity_hash(name_hash, identity_of(record));
    }
    output_.digest += digest;
    output_.total_records += batch.count;
    if (commit.sink == kNoIndex) {
      output_.unknown_sink_records += batch.count;
      if (batch.count > 0 && output_.first_unknown_sink_commit == kNoIndex) {
        output_.first_unknown_sink_commit = commit_index;
      }
      return;
    }
    SinkTotals& totals = output_.sinks[commit.sink];
    totals.count += batch.count;
    totals.digest += digest;
    totals.commits.push_back(commit_index);
    if (batch.count > 0) totals.last_commit = commit_index;
  }

  const RunObservations& observations_;
  CommittedOutput output_;
  std::vector<std::uint32_t> last_prepared_;  // by transaction: its latest batch
  std::vector<OperatorIndex> sink_of_name_;   // by sink_operator_names index
  std::vector<std::uint64_t> name_hash_;      // by sink_operator_names index
};

}  // namespace

CommittedOutput collect_committed_output(const JobTopology& topology, const RunObservations& observations) {
  return CommittedOutputBuilder(topology, observations).build();
}

std::vector<CommittedRecord> committed_records(const RunObservations& observations, const CommittedOutput& output,
                                               OperatorIndex sink) {
  CKPT_ASSERT(sink < output.sinks.size(), "sink index out of range");
  const SinkTotals& totals = output.sinks[sink];
  std::vector<CommittedRecord> records;
  records.reserve(totals.count);
  for (std::uint32_t commit : totals.commits) {
    const std::span<const Record> batch = observations.batch_records(output.commits[commit].batch);
    for (std::size_t position = 0; position < batch.size(); ++position) {
      records.push_back(CommittedRecord{identity_of(batch[position]), batch[position].agg_count, commit,
                                        static_cast<std::uint32_t>(position)});
    }
  }
  return records;
}

}  // namespace ckptsim::oracle
