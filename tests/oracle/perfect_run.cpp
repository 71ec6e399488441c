#include "perfect_run.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "oracle/job_topology.h"
#include "oracle/key_routing.h"
#include "oracle/reference_execution.h"
#include "protocol/base/assert.h"
#include "sim/random.h"

namespace ckptsim::oracle::testing {
namespace {

OperatorSpec make_op(std::string name, OperatorKind kind, std::uint32_t parallelism) {
  return OperatorSpec{std::move(name), kind, parallelism, 0};
}

EdgeSpec make_edge(std::string from, std::string to, Partitioning partitioning) {
  return EdgeSpec{std::move(from), std::move(to), partitioning, false};
}

JobSpec with_checkpointing(JobSpec job) {
  job.checkpointing.interval_ns = 100 * kMillisecond;
  job.checkpointing.max_concurrent_checkpoints = 1;
  return job;
}

// Emits the observations of a correct run, checkpoint by checkpoint.
class PerfectRunGenerator {
 public:
  PerfectRunGenerator(const OracleConfig& config, const PerfectRunOptions& options)
      : topology_(JobTopology::from_spec(config.job)), input_(config.input), options_(options),
        recorder_([this] { return now_; }, [this] { return index_; }),
        execution_(topology_, input_, /*keep_sink_records=*/true),
        sources_(topology_.of_kind(OperatorKind::kSource)),
        committed_upto_(topology_.operators().size(), 0),
        last_completed_(topology_.subtask_count()) {
    CKPT_ASSERT(options.checkpoints >= 1, "a perfect run takes at least one checkpoint");
  }

  RunObservations run() {
    CheckpointId id = 1;
    for (std::uint32_t k = 1; k <= options_.checkpoints; ++k) {
      const InputPrefix prefix = prefix_for(k);
      if (options_.fail_at_checkpoint == id) take_checkpoint(id++, prefix, /*fails=*/true);
      take_checkpoint(id++, prefix, /*fails=*/false);
    }
    finish();
    return recorder_.take();
  }

 private:
  void step() {
    now_ += options_.step_ns;
    ++index_;
  }

  InputPrefix prefix_for(std::uint32_t k) const {
    InputPrefix prefix = InputPrefix::empty(topology_, input_.spec());
    for (auto& offsets : prefix.next_offsets) {
      for (auto& offset : offsets) offset = input_.spec().records_per_partition * k / options_.checkpoints;
    }
    return prefix;
  }

  std::string txn_name(OperatorIndex sink, std::uint32_t subtask, CheckpointId id) const {
    return make_transaction_name(topology_.op(sink).name, subtask, id);
  }

  OperatorStateView view(OperatorIndex index, std::uint32_t subtask, std::vector<std::string> pending) const {
    const TopologyOperator& op = topology_.op(index);
    OperatorStateView v;
    v.operator_name = op.name;
    v.kind = op.kind;
    v.subtask_index = subtask;
    if (op.kind == OperatorKind::kSource) {
      const auto ordinal = static_cast<std::size_t>(std::find(sources_.begin(), sources_.end(), index) - sources_.begin());
      for (std::uint32_t p = subtask; p < input_.spec().partitions; p += op.parallelism) {
        v.source_next_offsets.emplace_back(p, execution_.position().next_offsets[ordinal][p]);
      }
    }
    if (op.kind == OperatorKind::kKeyedAggregate) {
      for (const auto& [key, value] : execution_.aggregate_state(index)) {
        if (oracle_owner_subtask(key, op.max_parallelism, op.parallelism) != subtask) continue;
        v.keyed_aggregates.push_back(KeyedAggregateEntry{key, value.count, value.sum});
      }
      std::sort(v.keyed_aggregates.begin(), v.keyed_aggregates.end(),
                [](const KeyedAggregateEntry& a, const KeyedAggregateEntry& b) { return a.key < b.key; });
    }
    if (op.kind == OperatorKind::kSink) v.pending_transactions = std::move(pending);
    return v;
  }

  void prepare_transactions(CheckpointId id) {
    for (OperatorIndex sink : topology_.of_kind(OperatorKind::kSink)) {
      const TopologyOperator& op = topology_.op(sink);
      const std::vector<Record>& all = execution_.sink_records(sink);
      std::vector<std::vector<Record>> per_subtask(op.parallelism);
      for (std::size_t i = committed_upto_[sink]; i < all.size(); ++i) {
        per_subtask[oracle_owner_subtask(all[i].key, op.max_parallelism, op.parallelism)].push_back(all[i]);
      }
      for (std::uint32_t s = 0; s < op.parallelism; ++s) {
        step();
        recorder_.on_store_prepared(txn_name(sink, s, id), s, id, per_subtask[s]);
      }
    }
  }

  std::vector<OperatorStateView> snapshot(CheckpointId id) {
    std::vector<OperatorStateView> views;
    for (OperatorIndex index = 0; index < topology_.operators().size(); ++index) {
      for (std::uint32_t s = 0; s < topology_.op(index).parallelism; ++s) {
        views.push_back(view(index, s, {txn_name(index, s, id)}));
        step();
        recorder_.on_snapshot_captured(TaskRef{topology_.op(index).first_subtask + s, attempt_}, id, views.back());
      }
    }
    return views;
  }

  void take_checkpoint(CheckpointId id, const InputPrefix& prefix, bool fails) {
    step();
    const TimeNs trigger_ns = now_;
    recorder_.on_triggered(id, trigger_ns);
    execution_.advance_to(prefix);
    prepare_transactions(id);
    std::vector<OperatorStateView> views = snapshot(id);
    if (fails) {
      fail_and_restore(id);
      return;
    }
    step();
    recorder_.on_completed(CompletedCheckpoint{id, trigger_ns, now_, {}, {}});
    commit_all(id);
    for (OperatorIndex sink : topology_.of_kind(OperatorKind::kSink)) {
      committed_upto_[sink] = execution_.sink_records(sink).size();
    }
    last_completed_ = std::move(views);
    last_completed_id_ = id;
  }

  void commit_all(CheckpointId id) {
    std::vector<std::pair<OperatorIndex, std::uint32_t>> txns;
    for (OperatorIndex sink : topology_.of_kind(OperatorKind::kSink)) {
      for (std::uint32_t s = 0; s < topology_.op(sink).parallelism; ++s) txns.emplace_back(sink, s);
    }
    sim::Rng rng(options_.commit_order_seed * 1000003 + static_cast<std::uint64_t>(id));
    for (std::size_t i = txns.size(); i > 1; --i) std::swap(txns[i - 1], txns[rng.uniform_below(i)]);
    for (const auto& [sink, s] : txns) {
      step();
      recorder_.on_commit_requested(TaskRef{topology_.op(sink).first_subtask + s, attempt_}, id, txn_name(sink, s, id));
      step();
      recorder_.on_store_committed(txn_name(sink, s, id));
    }
  }

  void fail_and_restore(CheckpointId id) {
    step();
    recorder_.on_aborted(id, CheckpointFailureReason::kJobFailover);
    for (OperatorIndex sink : topology_.of_kind(OperatorKind::kSink)) {
      for (std::uint32_t s = 0; s < topology_.op(sink).parallelism; ++s) {
        step();
        recorder_.on_store_aborted(txn_name(sink, s, id));
      }
    }
    ++attempt_;
    step();
    recorder_.on_job_restore(last_completed_id_, attempt_);
    std::uint32_t dense = 0;
    for (OperatorIndex index = 0; index < topology_.operators().size(); ++index) {
      for (std::uint32_t s = 0; s < topology_.op(index).parallelism; ++s, ++dense) {
        const OperatorStateView restored =
            last_completed_id_ == kNoCheckpointId ? view_empty(index, s) : last_completed_[dense];
        step();
        recorder_.on_task_restored(TaskRef{dense, attempt_}, last_completed_id_, restored);
        if (topology_.op(index).kind != OperatorKind::kSink || last_completed_id_ == kNoCheckpointId) continue;
        // Recover-and-commit: the restored pending transaction was committed already.
        step();
        recorder_.on_commit_requested(TaskRef{dense, attempt_}, last_completed_id_, txn_name(index, s, last_completed_id_));
        step();
        recorder_.on_store_commit_repeated(txn_name(index, s, last_completed_id_));
      }
    }
  }

  OperatorStateView view_empty(OperatorIndex index, std::uint32_t subtask) const {
    OperatorStateView v;
    v.operator_name = topology_.op(index).name;
    v.kind = topology_.op(index).kind;
    v.subtask_index = subtask;
    return v;
  }

  void finish() {
    for (OperatorIndex index = 0; index < topology_.operators().size(); ++index) {
      for (std::uint32_t s = 0; s < topology_.op(index).parallelism; ++s) {
        step();
        recorder_.on_task_finished(TaskRef{topology_.op(index).first_subtask + s, attempt_}, view(index, s, {}));
      }
    }
    step();
    recorder_.on_job_completed_all_input();
    step();
    recorder_.on_job_finished();
    step();
    recorder_.on_run_ended();
  }

  JobTopology topology_;
  sim::InputLog input_;
  PerfectRunOptions options_;
  TimeNs now_ = 0;
  std::uint64_t index_ = 0;
  ObservationRecorder recorder_;
  ReferenceExecution execution_;
  std::vector<OperatorIndex> sources_;
  std::vector<std::size_t> committed_upto_;  // by operator: sink records already committed
  std::vector<OperatorStateView> last_completed_;  // by dense subtask
  CheckpointId last_completed_id_ = kNoCheckpointId;
  std::uint32_t attempt_ = 0;
};

}  // namespace

JobSpec aggregate_pipeline_job() {
  JobSpec job;
  job.operators = {make_op("source", OperatorKind::kSource, 2), make_op("agg", OperatorKind::kKeyedAggregate, 2),
                   make_op("sink", OperatorKind::kSink, 2)};
  job.edges = {make_edge("source", "agg", Partitioning::kHashByKey), make_edge("agg", "sink", Partitioning::kForward)};
  return with_checkpointing(std::move(job));
}

JobSpec diamond_job(bool same_map_params) {
  JobSpec job;
  job.operators = {make_op("source", OperatorKind::kSource, 2), make_op("left", OperatorKind::kMap, 2),
                   make_op("right", OperatorKind::kMap, 2), make_op("sink", OperatorKind::kSink, 2)};
  job.edges = {make_edge("source", "left", Partitioning::kForward), make_edge("source", "right", Partitioning::kForward),
               make_edge("left", "sink", Partitioning::kHashByKey), make_edge("right", "sink", Partitioning::kHashByKey)};
  if (!same_map_params) job.params["right"] = OperatorParams{kMicrosecond, 5, 2, 0};
  return with_checkpointing(std::move(job));
}

JobSpec filter_job(std::int64_t modulus) {
  JobSpec job;
  job.operators = {make_op("source", OperatorKind::kSource, 2), make_op("filter", OperatorKind::kFilter, 2),
                   make_op("agg", OperatorKind::kKeyedAggregate, 2), make_op("sink", OperatorKind::kSink, 2)};
  job.edges = {make_edge("source", "filter", Partitioning::kForward), make_edge("filter", "agg", Partitioning::kHashByKey),
               make_edge("agg", "sink", Partitioning::kForward)};
  job.params["filter"] = OperatorParams{kMicrosecond, 3, 1, modulus};
  return with_checkpointing(std::move(job));
}

JobSpec broadcast_job() {
  JobSpec job;
  job.operators = {make_op("source", OperatorKind::kSource, 1), make_op("map", OperatorKind::kMap, 3),
                   make_op("sink", OperatorKind::kSink, 3)};
  job.edges = {make_edge("source", "map", Partitioning::kBroadcast), make_edge("map", "sink", Partitioning::kForward)};
  return with_checkpointing(std::move(job));
}

JobSpec sequence_checker_job() {
  JobSpec job;
  job.operators = {make_op("source", OperatorKind::kSource, 2), make_op("checker", OperatorKind::kSequenceChecker, 2),
                   make_op("sink", OperatorKind::kSink, 3)};
  job.edges = {make_edge("source", "checker", Partitioning::kHashByKey),
               make_edge("checker", "sink", Partitioning::kRebalance)};
  return with_checkpointing(std::move(job));
}

sim::InputLogSpec small_input(std::uint64_t seed, std::uint32_t partitions, std::uint64_t records, std::uint64_t keys) {
  sim::InputLogSpec input;
  input.seed = seed;
  input.partitions = partitions;
  input.records_per_partition = records;
  input.key_count = keys;
  return input;
}

OracleConfig make_config(JobSpec job, sim::InputLogSpec input) {
  OracleConfig config;
  config.job = std::move(job);
  config.input = input;
  config.liveness_bound_ns = kMinute;
  return config;
}

RunObservations perfect_run(const OracleConfig& config, const PerfectRunOptions& options) {
  return PerfectRunGenerator(config, options).run();
}

std::vector<Record> batch_copy(const RunObservations& observations, std::uint32_t batch) {
  const std::span<const Record> records = observations.batch_records(batch);
  return std::vector<Record>(records.begin(), records.end());
}

void rewrite_batch(RunObservations& observations, std::uint32_t batch, const std::vector<Record>& records) {
  RecordBatch& b = observations.batches.at(batch);
  b.begin = observations.records.size();
  b.count = records.size();
  observations.records.insert(observations.records.end(), records.begin(), records.end());
}

std::uint32_t find_store_event(const RunObservations& observations, ObservedKind kind, const std::string& name) {
  for (std::uint32_t i = 0; i < observations.events.size(); ++i) {
    const ObservedEvent& event = observations.events[i];
    if (event.kind == kind && observations.transactions.at(event.transaction).name == name) return i;
  }
  CKPT_UNREACHABLE("no such store event");
}

std::uint32_t find_event(const RunObservations& observations, ObservedKind kind, std::uint32_t nth) {
  for (std::uint32_t i = 0; i < observations.events.size(); ++i) {
    if (observations.events[i].kind == kind && nth-- == 0) return i;
  }
  CKPT_UNREACHABLE("no such event");
}

void move_event_after(RunObservations& observations, std::uint32_t from, std::uint32_t after) {
  CKPT_ASSERT(from < after && after < observations.events.size(), "move an event forward");
  auto& events = observations.events;
  std::rotate(events.begin() + from, events.begin() + from + 1, events.begin() + after + 1);
  events[after].time_ns = events[after - 1].time_ns;
  events[after].event_index = events[after - 1].event_index;
}

bool has_violation(const Verdict& verdict, std::string_view property) {
  return std::any_of(verdict.violations.begin(), verdict.violations.end(),
                     [&](const Violation& v) { return v.property == property; });
}

std::string describe(const Verdict& verdict) {
  std::ostringstream out;
  for (const Violation& violation : verdict.violations) out << to_string(violation) << "\n";
  return out.str();
}

}  // namespace ckptsim::oracle::testing
