// output.no_loss, output.no_duplicates and output.unexpected: each sink's committed
// multiset of output identities against the reference execution's.
//
// Fast path, linear and allocation-free: a sink whose committed count and digest equal the
// reference's holds exactly the reference multiset (a 64-bit multiset hash; a difference
// escaping it needs a hash collision). Otherwise the exact check groups both sides by
// lineage in linear time and compares each lineage's identities with multiplicity, naming
// the lineage, the expected and the actual multiplicity.
#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"
#include "oracle/lineage_order.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

// Compares one sink's committed multiset with the reference, lineage by lineage.
class SinkMultisetCheck {
 public:
  SinkMultisetCheck(const JudgeContext& context, OperatorIndex sink, ViolationLog& log, OutputTally& tally)
      : context_(context), sink_(sink), log_(log), tally_(tally), sink_name_(quoted(context.topology.op(sink).name)),
        finished_(job_finish(context.observations).has_value()), end_(run_end(context.observations)) {}

  void run(const std::vector<CommittedRecord>& committed, const std::vector<Record>& expected) {
    const sim::InputLogSpec& input = context_.config.input;
    const std::uint64_t slots = lineage_slot_count(input);
    const auto committed_slot = [&](std::size_t i) {
      return lineage_slot(input, committed[i].identity.partition, committed[i].identity.offset);
    };
    const auto expected_slot = [&](std::size_t i) { return lineage_slot(input, expected[i].partition, expected[i].offset); };
    const std::vector<std::uint32_t> actual_order = order_by_slot(committed.size(), slots, committed_slot);
    const std::vector<std::uint32_t> expected_order = order_by_slot(expected.size(), slots, expected_slot);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < actual_order.size() || j < expected_order.size()) {
      const std::uint64_t slot_i = i < actual_order.size() ? committed_slot(actual_order[i]) : slots;
      const std::uint64_t slot_j = j < expected_order.size() ? expected_slot(expected_order[j]) : slots;
      const std::uint64_t slot = std::min(slot_i, slot_j);
      actual_.clear();
      expected_.clear();
      for (; i < actual_order.size() && committed_slot(actual_order[i]) == slot; ++i) actual_.push_back(committed[actual_order[i]]);
      for (; j < expected_order.size() && expected_slot(expected_order[j]) == slot; ++j) {
        expected_.push_back(identity_of(expected[expected_order[j]]));
      }
      compare_lineage();
    }
    log_.count_checked(kOutputUnexpected, committed.size());
    if (context_.exactly_once) log_.count_checked(kOutputNoDuplicates, committed.size());
    if (finished_) log_.count_checked(kOutputNoLoss, expected.size());
  }

 private:
  // Compares the identities of one lineage (a handful: one per path that reaches the sink).
  void compare_lineage() {
    std::sort(actual_.begin(), actual_.end(), [](const CommittedRecord& a, const CommittedRecord& b) {
      return std::tie(a.identity, a.commit, a.position) < std::tie(b.identity, b.commit, b.position);
    });
    std::sort(expected_.begin(), expected_.end());
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < actual_.size() || j < expected_.size()) {
      const bool unexpected = j == expected_.size() || (i < actual_.size() && actual_[i].identity < expected_[j]);
      const OutputIdentity identity = unexpected ? actual_[i].identity : expected_[j];
      const std::size_t first = i;
      while (i < actual_.size() && actual_[i].identity == identity) ++i;
      std::uint64_t multiplicity = 0;
      while (j < expected_.size() && expected_[j] == identity) {
        ++multiplicity;
        ++j;
      }
      if (unexpected) {
        report_unexpected(first, i - first);
      } else {
        judge_identity(identity, multiplicity, first, i - first);
      }
    }
  }

  const CommitEvent& commit_of(std::size_t index) const { return context_.committed.commits[actual_[index].commit]; }

  void report_unexpected(std::size_t first, std::size_t count) {
    const CommitEvent& commit = commit_of(first);
    log_.report_lazy(kOutputUnexpected, commit.time_ns, commit.event_index, [&] {
      return "sink " + sink_name_ + " committed " + describe(actual_[first].identity) + " " + std::to_string(count) +
             " times; the reference never produces it";
    });
  }

  void judge_identity(const OutputIdentity& identity, std::uint64_t multiplicity, std::size_t first, std::size_t count) {
    tally_.expected_records += multiplicity;
    const auto explain = [&] {
      return "sink " + sink_name_ + ": lineage " + describe(identity) + " committed " + std::to_string(count) +
             " times, expected " + std::to_string(multiplicity);
    };
    if (count < multiplicity) {
      tally_.complete = false;
      if (finished_) log_.report_lazy(kOutputNoLoss, end_.time_ns, end_.event_index, explain);
      return;
    }
    const std::uint32_t completing = actual_[first + multiplicity - 1].commit;
    if (tally_.completing_commit == kNoIndex || completing > tally_.completing_commit) tally_.completing_commit = completing;
    if (count == multiplicity) return;
    tally_.duplicates += count - multiplicity;
    if (!context_.exactly_once) return;
    const CommitEvent& commit = commit_of(first + multiplicity);
    log_.report_lazy(kOutputNoDuplicates, commit.time_ns, commit.event_index, explain);
  }

  const JudgeContext& context_;
  OperatorIndex sink_;
  ViolationLog& log_;
  OutputTally& tally_;
  std::string sink_name_;
  bool finished_;
  RunPoint end_;
  std::vector<CommittedRecord> actual_;   // scratch: one lineage
  std::vector<OutputIdentity> expected_;  // scratch: one lineage
};

void report_unknown_sinks(const JudgeContext& context, ViolationLog& log) {
  const CommittedOutput& committed = context.committed;
  if (committed.unknown_sink_records == 0) return;
  const CommitEvent& commit = committed.commits[committed.first_unknown_sink_commit];
  const RecordBatch& batch = context.observations.batches[commit.batch];
  const std::string& name = context.observations.sink_operator_names[batch.sink_operator];
  const std::string where = name.empty() ? "transaction " + quoted(context.observations.transactions[batch.transaction].name) +
                                               " (its name is not <sink>/<subtask>/<checkpoint>)"
                                         : quoted(name) + ", which is not a sink of the job";
  log.report(kOutputUnexpected, commit.time_ns, commit.event_index,
             std::to_string(committed.unknown_sink_records) + " records committed to " + where);
}

// The reference's sink records, computed with a second pass over the input only when some
// sink's committed multiset differs from the reference.
class ReferenceSinkRecords {
 public:
  explicit ReferenceSinkRecords(const JudgeContext& context) : context_(context) {}

  const std::vector<Record>& of(OperatorIndex sink) {
    if (context_.reference_execution.keeps_sink_records()) return context_.reference_execution.sink_records(sink);
    if (!execution_.has_value()) {
      execution_.emplace(context_.topology, context_.input, /*keep_sink_records=*/true);
      execution_->run_to_end();
    }
    return execution_->sink_records(sink);
  }

 private:
  const JudgeContext& context_;
  std::optional<ReferenceExecution> execution_;
};

void count_exact_sink(const JudgeContext& context, const SinkTotals& totals, bool finished, ViolationLog& log,
                      OutputTally& tally) {
  tally.expected_records += totals.count;
  if (totals.last_commit != kNoIndex &&
      (tally.completing_commit == kNoIndex || totals.last_commit > tally.completing_commit)) {
    tally.completing_commit = totals.last_commit;
  }
  log.count_checked(kOutputUnexpected, totals.count);
  if (context.exactly_once) log.count_checked(kOutputNoDuplicates, totals.count);
  if (finished) log.count_checked(kOutputNoLoss, totals.count);
}

}  // namespace

void check_output(const JudgeContext& context, ViolationLog& log, OutputTally& tally) {
  tally = OutputTally{};
  tally.complete = true;
  report_unknown_sinks(context, log);
  ReferenceSinkRecords reference_records(context);
  const bool finished = job_finish(context.observations).has_value();
  for (OperatorIndex sink : context.topology.of_kind(OperatorKind::kSink)) {
    const SinkTotals& totals = context.committed.sinks[sink];
    const bool exact = totals.count == context.reference.output_counts[sink] &&
                       totals.digest == context.reference.output_digests[sink];
    if (exact) {
      count_exact_sink(context, totals, finished, log, tally);
    } else {
      SinkMultisetCheck(context, sink, log, tally)
          .run(committed_records(context.observations, context.committed, sink), reference_records.of(sink));
    }
    if (!context.exactly_once) continue;
    const std::string name = quoted(context.topology.op(sink).name);
    if (const std::optional<OperatorIndex> aggregate = context.topology.counting_aggregate_for(sink)) {
      check_aggregate_counts(context, sink, *aggregate, log);
    } else {
      log.add_note(kOutputAggregateCounts, "sink " + name + " is not fed by a single keyed aggregate");
    }
    if (context.topology.order_checkable(sink)) {
      check_output_order(context, sink, log);
    } else {
      log.add_note(kOutputOrder, "sink " + name + " is reached through rebalance, or through filtered fan-in");
    }
  }
  if (!context.exactly_once) {
    log.add_note(kOutputAggregateCounts, "at-least-once output: not checked");
    log.add_note(kOutputOrder, "at-least-once output: not checked");
    log.add_note(kOutputNoDuplicates, "at-least-once output: " + std::to_string(tally.duplicates) + " duplicates counted");
  }
  if (!finished) log.add_note(kOutputNoLoss, "the job did not finish: completeness is judged by liveness.finish");
}

}  // namespace ckptsim::oracle
