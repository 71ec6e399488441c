#include "scenarios/shrink.h"

#include <optional>

#include "scenarios/scenario_loader.h"
#include "scenarios/shrink_candidates.h"

namespace ckptsim::scenarios {
namespace {

// Runs candidates against the trace's property within the run budget.
class ShrinkSearch {
 public:
  ShrinkSearch(const Trace& trace, const ShrinkOptions& options) : trace_(trace), options_(options) {
    CKPT_ASSERT(options.runs_max >= 1, "shrink needs at least one run");
  }

  bool budget_left() const { return runs_ < options_.runs_max; }
  std::uint32_t runs() const { return runs_; }

  // The outcome of running `scenario` when it violates the property, otherwise nullopt.
  std::optional<RunOutcome> fails(const Scenario& scenario) {
    CKPT_ASSERT(budget_left(), "shrink ran past its budget");
    ++runs_;
    RunOptions run = options_.run;
    run.seed = trace_.seed;
    run.keep_event_log = false;
    RunOutcome outcome = run_scenario(scenario, run);
    if (!first_violation_of(outcome.summary, trace_.violation.property).has_value()) return std::nullopt;
    return outcome;
  }

 private:
  const Trace& trace_;
  const ShrinkOptions& options_;
  std::uint32_t runs_ = 0;
};

// The loader's round trip: the canonical candidate when it is a valid scenario.
std::optional<Scenario> validated(const Scenario& candidate) {
  Result<Scenario> reloaded = scenario_from_json(scenario_to_json(candidate));
  if (!reloaded.is_ok()) return std::nullopt;
  return std::move(reloaded).value();
}

struct Current {
  Scenario scenario;
  RunOutcome outcome;
};

// Applies one pass until none of its candidates fails any more. True when it shrank.
bool apply_pass(const ShrinkPass& pass, const std::string& property, ShrinkSearch& search, Current& current,
                ShrinkResult& result, const ShrinkOptions& options) {
  bool shrank = false;
  bool accepted = true;
  while (accepted && search.budget_left()) {
    accepted = false;
    for (ShrinkCandidate& candidate : pass.propose(current.scenario, property)) {
      if (!search.budget_left()) break;
      std::optional<Scenario> valid = validated(candidate.scenario);
      if (!valid.has_value()) continue;
      std::optional<RunOutcome> outcome = search.fails(*valid);
      if (!outcome.has_value()) continue;
      current = Current{std::move(*valid), std::move(*outcome)};
      result.steps.push_back(candidate.description);
      if (options.on_step) options.on_step(candidate.description);
      accepted = shrank = true;
      break;
    }
  }
  return shrank;
}

// The shrunk trace, from a final run that keeps events when asked (same seed and
// scenario as the accepted run, so the same event log).
Trace final_trace(const Current& current, const Trace& original, const ShrinkOptions& options) {
  if (options.trace_events_max == 0) {
    return make_trace(current.scenario, original.seed, current.outcome, original.violation.property, 0);
  }
  RunOptions run = options.run;
  run.seed = original.seed;
  run.keep_event_log = true;
  run.max_kept_events = std::min(options.trace_events_max, kTraceEventsMax);
  const RunOutcome with_events = run_scenario(current.scenario, run);
  CKPT_ASSERT(with_events.summary.fingerprint == current.outcome.summary.fingerprint,
              "a re-run of the same scenario and seed gave another event log (nondeterminism)");
  return make_trace(current.scenario, original.seed, with_events, original.violation.property, options.trace_events_max);
}

}  // namespace

ScenarioSize size_of(const Scenario& scenario, std::uint64_t events) {
  ScenarioSize size;
  size.faults = scenario.faults.size();
  size.partitions = scenario.input.partitions;
  size.records = scenario.input.records_per_partition * scenario.input.partitions;
  for (const OperatorSpec& op : scenario.job.operators) size.parallelism += op.parallelism;
  size.task_managers = scenario.job.cluster.task_managers;
  size.max_duration_ns = scenario.run.max_duration_ns;
  size.events = events;
  return size;
}

std::string describe_size(const ScenarioSize& size) {
  return std::to_string(size.faults) + " faults, " + std::to_string(size.records) + " records (" +
         std::to_string(size.partitions) + " partitions), parallelism " + std::to_string(size.parallelism) + ", " +
         std::to_string(size.task_managers) + " TMs, run " + format_duration(size.max_duration_ns) + ", " +
         std::to_string(size.events) + " events";
}

ShrinkResult shrink(const Trace& trace, const ShrinkOptions& options) {
  ShrinkResult result;
  result.trace = trace;
  result.before = size_of(trace.scenario, trace.events_total);
  result.after = result.before;
  ShrinkSearch search(trace, options);
  std::optional<RunOutcome> initial = search.fails(trace.scenario);
  result.runs = search.runs();
  if (!initial.has_value()) return result;
  result.reproduced = true;

  Current current{trace.scenario, std::move(*initial)};
  const std::string property = trace.violation.property;
  bool progress = true;
  while (progress && search.budget_left()) {
    progress = false;
    for (const ShrinkPass& pass : shrink_passes()) {
      if (apply_pass(pass, property, search, current, result, options)) progress = true;
    }
  }
  result.runs = search.runs();
  result.trace = final_trace(current, trace, options);
  result.after = size_of(current.scenario, current.outcome.summary.events);
  return result;
}

}  // namespace ckptsim::scenarios
