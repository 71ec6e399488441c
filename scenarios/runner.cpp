#include "scenarios/runner.h"

#include <algorithm>
#include <map>
#include <optional>

#include "faults/fault_catalogue.h"
#include "faults/fault_schedule.h"
#include "oracle/checkers.h"
#include "oracle/observations.h"
#include "reports/runtime_observer_tee.h"
#include "reports/timeline_recorder.h"
#include "scenarios/scenario_config.h"
#include "sim/cluster/run_state_backends.h"
#include "sim/cluster/sim_cluster.h"
#include "sim/process_env.h"

namespace ckptsim::scenarios {
namespace {

// Forwards the store's reports to the oracle's recorder (and the report's timeline).
class StoreToRecorder final : public sim::StoreObserver {
 public:
  StoreToRecorder(oracle::ObservationRecorder& recorder, reports::TimelineRecorder* timeline)
      : recorder_(recorder), timeline_(timeline) {}
  void on_store_prepared(const std::string& txn, std::uint32_t sink_subtask, CheckpointId id,
                         const std::vector<Record>& records) override {
    recorder_.on_store_prepared(txn, sink_subtask, id, records);
    if (timeline_ != nullptr) timeline_->on_store_prepared(txn, records);
  }
  void on_store_committed(const std::string& txn) override {
    recorder_.on_store_committed(txn);
    if (timeline_ != nullptr) timeline_->on_store_committed(txn);
  }
  void on_store_commit_repeated(const std::string& txn) override { recorder_.on_store_commit_repeated(txn); }
  void on_store_aborted(const std::string& txn) override {
    recorder_.on_store_aborted(txn);
    if (timeline_ != nullptr) timeline_->on_store_aborted(txn);
  }
  void on_store_direct_write(const std::string& sink_operator, std::uint32_t sink_subtask,
                             const std::vector<Record>& records) override {
    recorder_.on_store_direct_write(sink_operator, sink_subtask, records);
    if (timeline_ != nullptr) timeline_->on_store_direct_write(records);
  }

 private:
  oracle::ObservationRecorder& recorder_;
  reports::TimelineRecorder* timeline_;
};

// Collects the checkpoint history for the summary and forwards to the recorder.
class CheckpointHistory final : public CheckpointCoordinatorListener {
 public:
  CheckpointHistory(const sim::Simulation& simulation, CheckpointCoordinatorListener& next, std::uint32_t subtasks)
      : simulation_(simulation), next_(next), subtasks_(subtasks) {}
  void on_triggered(CheckpointId id, TimeNs trigger_time_ns) override {
    reports::CheckpointRecord& r = records_[id];
    r.id = id;
    r.status = "PENDING";
    r.trigger_time_ns = trigger_time_ns;
    r.total_subtasks = subtasks_;
    next_.on_triggered(id, trigger_time_ns);
  }
  void on_completed(const CompletedCheckpoint& checkpoint) override {
    reports::CheckpointRecord& r = records_[checkpoint.id];
    r.id = checkpoint.id;
    r.status = "COMPLETED";
    r.trigger_time_ns = checkpoint.trigger_time_ns;
    r.end_time_ns = checkpoint.completion_time_ns;
    r.total_subtasks = subtasks_;
    r.acknowledged = static_cast<std::uint32_t>(checkpoint.states.size());
    for (const auto& [subtask, m] : checkpoint.metrics) {
      r.alignment_ns = std::max(r.alignment_ns, m.alignment_ns);
      r.sync_ns = std::max(r.sync_ns, m.sync_ns);
      r.async_ns = std::max(r.async_ns, m.async_ns);
      r.state_size_bytes += m.state_size_bytes;
      r.in_flight_bytes += m.in_flight_bytes;
    }
    next_.on_completed(checkpoint);
  }
  void on_aborted(CheckpointId id, CheckpointFailureReason reason) override {
    reports::CheckpointRecord& r = records_[id];
    r.id = id;
    r.status = "FAILED";
    r.failure_reason = name(reason);
    r.end_time_ns = simulation_.now_ns();
    next_.on_aborted(id, reason);
  }
  void on_subsumed(CheckpointId id) override { next_.on_subsumed(id); }
  void on_request_dropped(CheckpointFailureReason reason) override { next_.on_request_dropped(reason); }
  const std::map<CheckpointId, reports::CheckpointRecord>& records() const { return records_; }

 private:
  const sim::Simulation& simulation_;
  CheckpointCoordinatorListener& next_;
  std::uint32_t subtasks_;
  std::map<CheckpointId, reports::CheckpointRecord> records_;
};

// Counts coverage marks (rare protocol paths) for the summary.
class CoverageCounter final : public CoverageSink {
 public:
  void hit(std::string_view mark) override { ++counts_[std::string(mark)]; }
  const std::map<std::string, std::uint64_t>& counts() const { return counts_; }

 private:
  std::map<std::string, std::uint64_t> counts_;
};

std::vector<faults::ScheduledFault> to_scheduled(const std::vector<FaultSpec>& faults) {
  std::vector<faults::ScheduledFault> scheduled;
  for (const FaultSpec& f : faults) {
    scheduled.push_back(faults::ScheduledFault{f.type, f.at_ns, f.duration_ns, f.restart_after_ns, f.target, f.peer, f.params});
  }
  return scheduled;
}

void fill_checkpoint_stats(const CheckpointHistory& history, reports::RunSummary& summary) {
  std::vector<DurationNs> durations, alignments;
  for (const auto& [id, r] : history.records()) {
    summary.checkpoints.push_back(r);
    ++summary.checkpoints_triggered;
    if (r.status == "COMPLETED") {
      ++summary.checkpoints_completed;
      durations.push_back(r.end_time_ns - r.trigger_time_ns);
      alignments.push_back(r.alignment_ns);
    } else if (r.status == "FAILED") {
      ++summary.checkpoints_failed;
    }
  }
  summary.checkpoint_duration = reports::percentiles_of(durations);
  summary.alignment = reports::percentiles_of(alignments);
}

void check_expectations(const Scenario& scenario, reports::RunSummary& summary) {
  const Expectations& e = scenario.expect;
  if (e.verdict_pass && *e.verdict_pass != summary.verdict_passed()) {
    summary.expectation_failures.push_back(std::string("verdict: expected ") + (*e.verdict_pass ? "pass" : "fail"));
  }
  if (e.min_completed_checkpoints && summary.checkpoints_completed < *e.min_completed_checkpoints) {
    summary.expectation_failures.push_back("min-completed-checkpoints: expected at least " +
                                           std::to_string(*e.min_completed_checkpoints) + ", got " +
                                           std::to_string(summary.checkpoints_completed));
  }
  if (e.restarts && summary.restarts != *e.restarts) {
    summary.expectation_failures.push_back("restarts: expected " + std::to_string(*e.restarts) + ", got " +
                                           std::to_string(summary.restarts));
  }
  if (e.min_restarts && summary.restarts < *e.min_restarts) {
    summary.expectation_failures.push_back("min-restarts: expected at least " + std::to_string(*e.min_restarts) +
                                           ", got " + std::to_string(summary.restarts));
  }
}

// Everything a finished run reports, gathered from the world it ran in.
struct FinishedRun {
  const Scenario& scenario;
  const RunOptions& options;
  std::uint64_t seed;
  const sim::Simulation& simulation;
  const sim::SimCluster& cluster;
  const faults::FaultSchedule& schedule;
  const CheckpointHistory& history;
  const CoverageCounter& coverage;
  const oracle::Verdict& verdict;
};

void fill_summary(const FinishedRun& run, reports::RunSummary& s) {
  s.scenario_name = run.scenario.name;
  s.scenario_path = run.options.scenario_path;
  s.seed = run.seed;
  s.fingerprint = run.simulation.fingerprint();
  s.events = run.simulation.log().record_count();
  s.simulated_ns = run.simulation.now_ns();
  s.job_finished = run.cluster.job_finished();
  s.job_failed = run.cluster.job_failed();
  s.restarts = run.cluster.total_restarts();
  s.records_in = run.cluster.input_log().total_records();
  s.records_out = run.verdict.committed_records;
  s.duplicates = run.verdict.duplicates;
  s.committed_output_digest = run.verdict.committed_output_digest;
  s.reference_output_digest = run.verdict.reference_output_digest;
  s.checkers = run.verdict.results;
  s.violations = run.verdict.violations;
  s.faults = run.schedule.windows();
  fill_checkpoint_stats(run.history, s);
  s.coverage_marks = run.coverage.counts();
  check_expectations(run.scenario, s);
  s.reproduce = "ckptsim run " +
                (run.options.scenario_path.empty() ? std::string("SCENARIO.json") : run.options.scenario_path) +
                " --seed " + std::to_string(run.seed);
}

void fill_file_fault_counts(sim::RunStateBackends& backends, faults::FaultSchedule& schedule, FileFaultCounts& counts) {
  const sim::FileMirrorCounters& mirror = backends.file_counters();
  counts.mirror_failed_writes = mirror.failed_writes;
  counts.mirror_refused_reads = mirror.refused_reads;
  counts.mirror_lost_acknowledged = mirror.lost_acknowledged;
  sim::RunFileFaults* layers = backends.file_faults();
  if (layers == nullptr) return;
  const sim::FileFaultCounters& files = layers->checkpoint_files().counters();
  counts.file_injected_failures = files.injected_failures;
  counts.file_torn_appends = files.torn_appends;
  counts.file_frozen_rejections = files.frozen_rejections;
  counts.file_power_losses = files.power_losses;
  counts.file_bit_flips = files.bit_flips;
  if (Result<faults::FileFaultInjector*> injector = schedule.world().file_faults(); injector.is_ok()) {
    counts.bit_flips_repaired = injector.value()->counters().bit_flips_repaired;
  }
  if (layers->has_rocksdb()) {
    counts.rocksdb_injected_failures = layers->rocksdb_files().counters().injected_failures;
    counts.rocksdb_armed_snapshots = layers->rocksdb_counters().armed_snapshots;
    counts.rocksdb_failed_flushes = layers->rocksdb_counters().failed_flushes;
  }
}

void fill_event_log(const sim::EventLog& log, bool keep_event_log, RunOutcome& outcome) {
  if (keep_event_log) {
    outcome.event_records = log.records();
    outcome.event_records_truncated = log.records_truncated();
  }
  outcome.hash_checkpoints = log.hash_checkpoints();
  for (sim::RecordKind k = 0; k < 256; ++k) {
    const std::string_view kind_name = log.kind_name(k);
    if (kind_name == "unknown") break;
    outcome.event_kind_names.emplace_back(kind_name);
  }
}

std::uint32_t total_subtasks(const Scenario& scenario) {
  std::uint32_t n = 0;
  for (const OperatorSpec& op : scenario.job.operators) n += op.parallelism;
  return n;
}

void attach_timeline(const sim::SimCluster& cluster, reports::TimelineRecorder& timeline) {
  const ExecutionGraph& graph = cluster.graph();
  std::vector<reports::TimelineTask> tasks;
  for (SubtaskIndex i = 0; i < graph.subtask_count(); ++i) {
    const ExecutionSubtask& subtask = graph.subtask(i);
    const std::string& op = graph.job().vertex(subtask.id.operator_id).name;
    tasks.push_back({op, op + "[" + std::to_string(subtask.id.subtask_index) + "]"});
  }
  const sim::InputLog& input = cluster.input_log();
  timeline.attach_job(std::move(tasks), [&input](std::uint64_t offset) { return input.available_at_ns(offset); });
}

}  // namespace

RunOutcome run_scenario(const Scenario& scenario, const RunOptions& options) {
  const std::uint64_t seed = options.seed.value_or(scenario.seed);
  sim::SimulationOptions sim_options;
  sim_options.seed = seed;
  sim_options.log.keep_records = options.keep_event_log;
  sim_options.log.max_records = options.max_kept_events;
  sim::Simulation simulation(sim_options);

  oracle::ObservationRecorder recorder([&simulation] { return simulation.now_ns(); },
                                       [&simulation] { return simulation.log().record_count(); });
  // Reports only: the timeline listens next to the oracle and never changes the run.
  std::optional<reports::TimelineRecorder> timeline;
  std::optional<reports::RuntimeObserverTee> runtime_tee;
  if (options.record_timeline) {
    timeline.emplace(reports::TimelineRecorderOptions{[&simulation] { return simulation.now_ns(); }, &recorder});
    runtime_tee.emplace(recorder, *timeline);
  }
  RuntimeObserver* runtime_observer = runtime_tee ? static_cast<RuntimeObserver*>(&*runtime_tee) : &recorder;
  CheckpointCoordinatorListener* after_history =
      timeline ? static_cast<CheckpointCoordinatorListener*>(&*timeline) : &recorder;
  StoreToRecorder store_observer(recorder, timeline ? &*timeline : nullptr);
  // Every input record reaches each sink about once; replays after failures add some.
  recorder.reserve_records(static_cast<std::size_t>(scenario.input.partitions * scenario.input.records_per_partition) * 5 / 4);
  sim::InputLogSpec input = scenario.input;
  input.seed ^= seed;  // the input is part of what a seed varies
  CheckpointHistory history(simulation, *after_history, total_subtasks(scenario));
  // Declared before the cluster: its files and backends must outlive every task.
  // Runs with real-file faults route their files through the fault layers.
  const bool file_faults = std::any_of(scenario.faults.begin(), scenario.faults.end(), [](const FaultSpec& fault) {
    return faults::file_need(fault.type) != faults::FileNeed::kNone;
  });
  std::optional<std::uint64_t> file_fault_seed;
  if (file_faults) file_fault_seed = simulation.derive_rng("faults/file-layers").seed();
  const sim::StateBackendChoice backend_choice = state_backend_choice(scenario);
  sim::RunStateBackends state_backends(backend_choice, file_fault_seed);
  JobSpec job = scenario.job;
  job.checkpointing.incremental = backend_choice.kind == sim::StateBackendKind::kRocksDb && backend_choice.incremental;
  sim::SimCluster cluster(simulation, job, input, sim::ClusterObservers{runtime_observer, &history, &store_observer,
                                                                                         [&recorder] { recorder.on_coordinator_reset(); }},
                          scenario.storage);
  state_backends.attach(cluster);
  if (timeline) attach_timeline(cluster, *timeline);
  recorder.set_coordinator_clock(
      [&simulation, &cluster] { return simulation.env(cluster.job_manager_process()).now_ns(); });
  faults::FaultSchedule schedule(simulation, cluster);
  schedule.world().set_run_files(state_backends.file_faults(), state_backends.checkpoint_root());
  const Status scheduled = schedule.schedule(to_scheduled(scenario.faults));
  CKPT_ASSERT(scheduled.is_ok(), "the scenario loader validated the faults");
  simulation.schedule_global_after(schedule.fault_phase_end_ns(),
                                   [&recorder, &schedule] { recorder.on_fault_phase_ended(schedule.fault_phase_end_ns()); });
  CoverageCounter coverage;
  cluster.set_coverage(&coverage);
  if (options.tamper) options.tamper(simulation, cluster);
  cluster.start();

  const TimeNs deadline_ns = scenario.run.max_duration_ns;
  while (!cluster.job_finished() && !cluster.job_failed() && simulation.now_ns() <= deadline_ns && simulation.step()) {
  }
  recorder.on_run_ended();

  oracle::OracleConfig config{scenario.job, input, scenario.run.liveness_bound_ns, true};
  const oracle::Verdict verdict = options.judge ? oracle::judge(config, recorder.observations()) : oracle::Verdict{};

  RunOutcome outcome;
  fill_summary(FinishedRun{scenario, options, seed, simulation, cluster, schedule, history, coverage, verdict},
               outcome.summary);
  fill_event_log(simulation.log(), options.keep_event_log, outcome);
  fill_file_fault_counts(state_backends, schedule, outcome.file_faults);
  if (timeline) outcome.timeline = timeline->finish(simulation.now_ns(), outcome.summary.faults);
  for (std::size_t p = 0; p < simulation.process_count(); ++p) {
    outcome.process_names.push_back(simulation.process(static_cast<ProcessId>(p)).name);
  }
  if (options.inspect) options.inspect(simulation, cluster, state_backends);
  return outcome;
}

}  // namespace ckptsim::scenarios
