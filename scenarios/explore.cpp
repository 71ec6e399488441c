#include "scenarios/explore.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "reports/run_summary.h"
#include "scenarios/scenario_loader.h"

namespace ckptsim::scenarios {
namespace {

using Clock = std::chrono::steady_clock;  // wall clock: budget and rates only, never a simulation input

constexpr std::size_t kSeedsPerPropertyKeptMax = 100;

// What one seed produced, handed from a worker to the shared result.
struct SeedReport {
  std::uint64_t seed = 0;
  bool passed = true;
  std::uint64_t fingerprint = 0;
  std::string property;
  std::uint64_t events = 0;
  double wall_ms = 0.0;                   // the run alone (not its trace or shrinking)
  std::vector<std::string> fault_types;
  std::vector<std::string> coverage_marks;
  std::optional<SeedFailure> failure;
};

std::string trace_file(const std::string& out_dir, std::uint64_t seed, bool shrunk) {
  const std::string name = "seed-" + std::to_string(seed) + (shrunk ? ".min.json" : ".json");
  return (std::filesystem::path(out_dir) / "traces" / name).string();
}

Trace without_events(Trace trace) {
  trace.events.reset();
  return trace;
}

// Re-runs a failing seed with its event log (bounded) for the trace file; the same
// scenario and seed must give the same fingerprint.
Trace record_trace(const ExploreOptions& options, const Scenario& concrete, std::uint64_t seed,
                   const RunOutcome& outcome, bool& nondeterministic) {
  const std::string property = outcome.summary.violations.front().property;
  if (options.trace_events_max == 0 || options.out_dir.empty()) {
    return make_trace(concrete, seed, outcome, property, 0);
  }
  RunOptions run = options.run;
  run.seed = seed;
  run.keep_event_log = true;
  run.max_kept_events = std::min(options.trace_events_max, kTraceEventsMax);
  const RunOutcome with_events = run_scenario(concrete, run);
  nondeterministic = with_events.summary.fingerprint != outcome.summary.fingerprint;
  if (nondeterministic || !first_violation_of(with_events.summary, property).has_value()) {
    return make_trace(concrete, seed, outcome, property, 0);
  }
  return make_trace(concrete, seed, with_events, property, options.trace_events_max);
}

void shrink_failure(const ExploreOptions& options, SeedFailure& failure, const Trace& trace) {
  ShrinkOptions shrink_options = options.shrink;
  shrink_options.run = options.run;
  shrink_options.trace_events_max = options.out_dir.empty() ? 0 : options.trace_events_max;
  ShrinkResult shrunk = shrink(trace, shrink_options);
  if (shrunk.reproduced && !options.out_dir.empty()) {
    failure.shrunk_path = trace_file(options.out_dir, failure.seed, true);
    if (!write_trace_file(shrunk.trace, failure.shrunk_path).is_ok()) failure.shrunk_path.clear();
  }
  shrunk.trace = without_events(std::move(shrunk.trace));
  failure.shrunk = std::move(shrunk);
}

SeedFailure handle_failure(const ExploreOptions& options, const Scenario& concrete, std::uint64_t seed,
                           const RunOutcome& outcome, bool shrink_it) {
  SeedFailure failure;
  failure.seed = seed;
  failure.property = outcome.summary.violations.front().property;
  const Trace trace = record_trace(options, concrete, seed, outcome, failure.nondeterministic);
  if (!options.out_dir.empty()) {
    failure.trace_path = trace_file(options.out_dir, seed, false);
    if (!write_trace_file(trace, failure.trace_path).is_ok()) failure.trace_path.clear();
  }
  if (shrink_it && !failure.nondeterministic) shrink_failure(options, failure, trace);
  failure.trace = without_events(trace);
  return failure;
}

// Shared state of one exploration: the seed cursor, the aggregated result, seeds.jsonl.
class ExploreRun {
 public:
  ExploreRun(const ExploreOptions& options, ShardSeeds seeds, std::ofstream* jsonl)
      : options_(options), seeds_(seeds), jsonl_(jsonl), start_(Clock::now()) {
    result_.seeds_total = seeds.size;
  }

  void work() {
    while (true) {
      if (options_.time_budget_ns > 0 && elapsed_ns() >= options_.time_budget_ns) return;
      const std::uint64_t i = next_.fetch_add(1);
      if (i >= seeds_.size) return;
      record(run_seed(seeds_.at(i)));
    }
  }

  // Waits until every worker finished, reporting progress meanwhile.
  void wait_reporting(std::vector<std::thread>& workers) {
    std::unique_lock lock(mutex_);
    const auto interval = std::chrono::milliseconds(std::max<std::uint32_t>(options_.progress_interval_ms, 10));
    while (active_ > 0) {
      if (changed_.wait_for(lock, interval, [this] { return active_ == 0; })) break;
      if (!options_.progress || active_ == 0) continue;
      const ExploreProgress progress = progress_locked(false);
      lock.unlock();  // the callback may be slow (a terminal); workers keep recording
      options_.progress(progress);
      lock.lock();
    }
    lock.unlock();
    for (std::thread& worker : workers) worker.join();
    if (options_.progress) options_.progress(progress_locked(true));
  }

  void worker_done() {
    const std::lock_guard lock(mutex_);
    --active_;
    changed_.notify_all();
  }
  void set_active(std::uint32_t workers) { active_ = workers; }

  ExploreResult finish() {
    result_.wall_s = elapsed_ns() / 1e9;
    result_.seeds_skipped = result_.seeds_total - result_.seeds_run;
    std::sort(result_.failures.begin(), result_.failures.end(),
              [](const SeedFailure& a, const SeedFailure& b) { return a.seed < b.seed; });
    for (auto& [property, seeds] : result_.failures_by_property) std::sort(seeds.begin(), seeds.end());
    return std::move(result_);
  }

 private:
  double elapsed_ns() const { return std::chrono::duration<double, std::nano>(Clock::now() - start_).count(); }

  SeedReport run_seed(std::uint64_t seed) {
    const auto seed_start = Clock::now();
    const Scenario concrete = options_.randomizer(options_.base, seed);
    CKPT_ASSERT(scenario_from_json(scenario_to_json(concrete)).is_ok(), "the randomizer produced an invalid scenario");
    RunOptions run = options_.run;
    run.seed = seed;
    run.keep_event_log = false;
    const RunOutcome outcome = run_scenario(concrete, run);
    SeedReport report;
    report.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - seed_start).count();
    report.seed = seed;
    report.passed = outcome.summary.violations.empty();
    report.fingerprint = outcome.summary.fingerprint;
    report.events = outcome.summary.events;
    for (const FaultSpec& f : concrete.faults) report.fault_types.push_back(f.type);
    for (const auto& [mark, hits] : outcome.summary.coverage_marks) report.coverage_marks.push_back(mark);
    if (!report.passed) {
      report.property = outcome.summary.violations.front().property;
      const bool shrink_it = options_.shrink_failures && shrinks_started_.fetch_add(1) < options_.shrink_failures_max;
      report.failure = handle_failure(options_, concrete, seed, outcome, shrink_it);
    }
    return report;
  }

  void record(SeedReport report) {
    const std::lock_guard lock(mutex_);
    ++result_.seeds_run;
    result_.events_total += report.events;
    for (const std::string& type : report.fault_types) ++result_.fault_kinds[type];
    for (const std::string& mark : report.coverage_marks) ++result_.coverage_marks[mark];
    if (jsonl_ != nullptr) write_jsonl_locked(report);
    if (!report.passed) {
      ++result_.failures_total;
      ++result_.failure_counts[report.property];
      std::vector<std::uint64_t>& seeds = result_.failures_by_property[report.property];
      if (seeds.size() < kSeedsPerPropertyKeptMax) seeds.push_back(report.seed);
      if (result_.failures.size() < kFailuresKeptMax) result_.failures.push_back(std::move(*report.failure));
    }
  }

  void write_jsonl_locked(const SeedReport& report) {
    nlohmann::json line = {{"seed", report.seed},
                           {"passed", report.passed},
                           {"fingerprint", reports::hex64(report.fingerprint)},
                           {"property", report.passed ? nlohmann::json() : nlohmann::json(report.property)},
                           {"events", report.events},
                           {"faults", report.fault_types.size()},
                           {"wall_ms", static_cast<std::int64_t>(report.wall_ms + 0.5)},
                           {"elapsed_ms", static_cast<std::int64_t>(elapsed_ns() / 1e6)}};   // explore.html's rate chart
    if (report.failure.has_value() && !report.failure->trace_path.empty()) line["trace"] = report.failure->trace_path;
    *jsonl_ << line.dump() << "\n";
    jsonl_->flush();
  }

  ExploreProgress progress_locked(bool finished) const {
    return ExploreProgress{result_.seeds_total, result_.seeds_run, result_.failures_total, elapsed_ns() / 1e9, finished};
  }

  const ExploreOptions& options_;
  const ShardSeeds seeds_;
  std::ofstream* jsonl_;
  const Clock::time_point start_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::uint32_t> shrinks_started_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint32_t active_ = 0;
  ExploreResult result_;
};

Status prepare_out_dir(const std::string& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(out_dir) / "traces", error);
  if (error) return Status::io_error("cannot create output directory '" + out_dir + "': " + error.message());
  return Status::ok();
}

}  // namespace

Result<ExploreResult> explore(const ExploreOptions& options) {
  if (options.jobs == 0) return Status::invalid_argument("--jobs: expected at least 1 thread, got 0");
  if (options.seeds.first > options.seeds.last) return Status::invalid_argument("--seeds: an empty seed range");
  if (options.shard.count == 0 || options.shard.index >= options.shard.count) {
    return Status::invalid_argument("--shard: expected I/N with 0 <= I < N");
  }
  CKPT_ASSERT(static_cast<bool>(options.randomizer), "explore needs a randomizer");
  std::ofstream jsonl;
  if (!options.out_dir.empty()) {
    if (Status s = prepare_out_dir(options.out_dir); !s.is_ok()) return s;
    const std::string path = (std::filesystem::path(options.out_dir) / "seeds.jsonl").string();
    jsonl.open(path, std::ios::trunc);
    if (!jsonl) return Status::io_error("cannot create '" + path + "'");
  }
  const ShardSeeds seeds = shard_seeds(options.seeds, options.shard);
  ExploreRun run(options, seeds, options.out_dir.empty() ? nullptr : &jsonl);
  const auto workers_count = static_cast<std::uint32_t>(std::min<std::uint64_t>(options.jobs, std::max<std::uint64_t>(seeds.size, 1)));
  run.set_active(workers_count);
  std::vector<std::thread> workers;
  for (std::uint32_t i = 0; i < workers_count; ++i) {
    workers.emplace_back([&run] {
      run.work();
      run.worker_done();
    });
  }
  run.wait_reporting(workers);
  ExploreResult result = run.finish();
  if (!options.out_dir.empty()) {
    std::ofstream summary(std::filesystem::path(options.out_dir) / "summary.json", std::ios::trunc);
    summary << explore_summary_json(options, result).dump(2) << "\n";
  }
  return result;
}

}  // namespace ckptsim::scenarios
