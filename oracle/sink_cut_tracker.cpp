#include "oracle/sink_cut_tracker.h"

#include <algorithm>

#include "oracle/output_identity.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {

SinkCutTracker::SinkCutTracker(const JobTopology& topology, const RunObservations& observations)
    : topology_(topology), observations_(observations) {
  std::vector<std::uint64_t> name_hash;
  for (const std::string& name : observations.sink_operator_names) {
    const auto index = topology.find(name);
    const bool is_sink = index.has_value() && topology.op(*index).kind == OperatorKind::kSink;
    sink_of_name_.push_back(is_sink ? *index : kNoIndex);
    name_hash.push_back(sink_name_hash(name));
  }
  const std::size_t transactions = observations.transactions.size();
  last_batch_.assign(transactions, kNoIndex);
  transaction_digest_.assign(transactions, 0);
  transaction_count_.assign(transactions, 0);
  committed_.assign(transactions, false);
  committed_digest_.assign(topology.subtask_count(), 0);
  committed_count_.assign(topology.subtask_count(), 0);
  // Content is resolved over the whole run: a prepare may be reported after the snapshot
  // that lists its transaction as pending (the store hears of it over the network).
  for (const ObservedEvent& event : observations.events) {
    if (event.kind == ObservedKind::kStorePrepared) last_batch_[event.transaction] = event.batch;
  }
  for (std::uint32_t txn = 0; txn < transactions; ++txn) {
    by_name_.emplace(observations.transactions[txn].name, txn);
    if (last_batch_[txn] == kNoIndex) continue;
    const std::uint64_t hash = name_hash[observations.batches[last_batch_[txn]].sink_operator];
    for (const Record& record : observations.batch_records(last_batch_[txn])) {
      transaction_digest_[txn] += identity_hash(hash, identity_of(record));
    }
    transaction_count_[txn] = observations.batches[last_batch_[txn]].count;
  }
}

std::uint32_t SinkCutTracker::dense_of(std::uint32_t transaction) const {
  const TransactionInfo& info = observations_.transactions[transaction];
  const OperatorIndex sink = sink_of_name_[info.sink_operator];
  if (sink == kNoIndex || info.sink_subtask >= topology_.op(sink).parallelism) return kNoIndex;
  return topology_.op(sink).first_subtask + info.sink_subtask;
}

std::optional<std::uint32_t> SinkCutTracker::transaction_named(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

void SinkCutTracker::observe(const ObservedEvent& event) {
  const bool commits = event.kind == ObservedKind::kStoreCommitted || event.kind == ObservedKind::kCommitRequested;
  if (!commits || committed_[event.transaction]) return;
  committed_[event.transaction] = true;
  const std::uint32_t dense = dense_of(event.transaction);
  if (dense == kNoIndex) return;
  committed_digest_[dense] += transaction_digest_[event.transaction];
  committed_count_[dense] += transaction_count_[event.transaction];
}

SinkCutPart SinkCutTracker::summarise(std::uint32_t dense, const OperatorStateView& view) const {
  CKPT_ASSERT(dense < committed_digest_.size(), "dense subtask out of range");
  SinkCutPart part{committed_digest_[dense], committed_count_[dense], std::nullopt};
  std::vector<std::uint32_t> counted;  // pending lists are short; a repeat counts once
  for (const std::string& name : view.pending_transactions) {
    const std::optional<std::uint32_t> txn = transaction_named(name);
    if (!txn.has_value() || last_batch_[*txn] == kNoIndex) {
      if (!part.unknown_pending.has_value()) part.unknown_pending = name;
      continue;
    }
    if (committed_[*txn] || std::find(counted.begin(), counted.end(), *txn) != counted.end()) continue;
    counted.push_back(*txn);
    part.digest += transaction_digest_[*txn];
    part.count += transaction_count_[*txn];
  }
  return part;
}

std::vector<Record> SinkCutTracker::records_of(std::uint32_t capture_position) const {
  CKPT_ASSERT(capture_position < observations_.events.size(), "capture position out of range");
  const ObservedEvent& capture = observations_.events[capture_position];
  const OperatorStateView& view = observations_.views[capture.view];
  const auto sink = topology_.find(view.operator_name);
  CKPT_ASSERT(sink.has_value(), "records_of takes a located sink snapshot");
  const std::uint32_t dense = topology_.op(*sink).first_subtask + view.subtask_index;
  std::vector<bool> included(observations_.transactions.size(), false);
  for (std::uint32_t i = 0; i < capture_position; ++i) {
    const ObservedEvent& event = observations_.events[i];
    const bool commits = event.kind == ObservedKind::kStoreCommitted || event.kind == ObservedKind::kCommitRequested;
    if (commits && dense_of(event.transaction) == dense) included[event.transaction] = true;
  }
  for (const std::string& name : view.pending_transactions) {
    if (auto txn = transaction_named(name)) included[*txn] = true;
  }
  std::vector<Record> records;
  for (std::uint32_t txn = 0; txn < included.size(); ++txn) {
    if (!included[txn] || last_batch_[txn] == kNoIndex) continue;
    const std::span<const Record> batch = observations_.batch_records(last_batch_[txn]);
    records.insert(records.end(), batch.begin(), batch.end());
  }
  return records;
}

}  // namespace ckptsim::oracle
