#include "scenarios/explore_randomize.h"

#include <algorithm>
#include <string>
#include <vector>

#include "faults/swarm.h"
#include "scenarios/scenario_faults.h"
#include "sim/random.h"

namespace ckptsim::scenarios {
namespace {

DurationNs draw_duration(sim::Rng& rng, DurationNs min_ns, DurationNs max_ns) {
  CKPT_ASSERT(min_ns <= max_ns, "empty duration range");
  // Millisecond grid: the canonical form prints such durations compactly.
  const std::int64_t min_ms = std::max<std::int64_t>(1, min_ns / kMillisecond);
  const std::int64_t max_ms = std::max(min_ms, max_ns / kMillisecond);
  return rng.uniform_int(min_ms, max_ms) * kMillisecond;
}

// Every process a link fault may name: "jm", "sink-store" and the task managers.
std::vector<std::string> link_endpoints(const Scenario& base) {
  std::vector<std::string> names = {std::string(kJobManagerProcess), std::string(kSinkStoreProcess)};
  for (std::uint32_t i = 0; i < base.job.cluster.task_managers; ++i) names.push_back(task_manager_process(i));
  return names;
}

std::string pick(sim::Rng& rng, const std::vector<std::string>& names) {
  CKPT_ASSERT(!names.empty(), "nothing to pick from");
  return names[rng.uniform_below(names.size())];
}

// Two distinct processes.
std::pair<std::string, std::string> pick_pair(sim::Rng& rng, const std::vector<std::string>& names) {
  CKPT_ASSERT(names.size() >= 2, "a link needs two processes");
  const std::uint64_t first = rng.uniform_below(names.size());
  const std::uint64_t offset = 1 + rng.uniform_below(names.size() - 1);
  return {names[first], names[(first + offset) % names.size()]};
}

FaultSpec random_fault(sim::Rng& rng, const Scenario& base, DurationNs window_ns, const RandomFaultLimits& limits) {
  const std::vector<std::string> endpoints = link_endpoints(base);
  FaultSpec fault;
  fault.type = std::string(kRandomizedFaultTypes[rng.uniform_below(std::size(kRandomizedFaultTypes))]);
  fault.at_ns = draw_duration(rng, kMillisecond, window_ns);
  if (fault.type == "task-manager-crash") {
    fault.target = task_manager_process(static_cast<std::uint32_t>(rng.uniform_below(base.job.cluster.task_managers)));
    fault.restart_after_ns = draw_duration(rng, limits.downtime_min_ns, limits.downtime_max_ns);
  } else if (fault.type == "job-manager-crash") {
    fault.restart_after_ns = draw_duration(rng, limits.downtime_min_ns, limits.downtime_max_ns);
  } else if (fault.type == "link-clog") {
    fault.duration_ns = draw_duration(rng, limits.link_fault_min_ns, limits.link_fault_max_ns);
    // Half of the clogs hold back every link of the target, half one link.
    if (rng.one_in(2)) {
      fault.target = pick(rng, endpoints);
    } else {
      std::tie(fault.target, fault.peer) = pick_pair(rng, endpoints);
    }
  } else {
    CKPT_ASSERT(fault.type == "network-partition", "randomize: a fault kind without a generator");
    fault.duration_ns = draw_duration(rng, limits.link_fault_min_ns, limits.link_fault_max_ns);
    std::tie(fault.target, fault.peer) = pick_pair(rng, endpoints);
  }
  return fault;
}

DurationNs input_production_ns(const InputLogSpec& input) {
  if (input.records_per_second == 0) return kSecond;
  const auto seconds_x1000 = input.records_per_partition * 1000 / input.records_per_second;
  return std::max<DurationNs>(kMillisecond, static_cast<DurationNs>(seconds_x1000) * kMillisecond);
}

}  // namespace

DurationNs random_fault_window_ns(const Scenario& base, const RandomFaultLimits& limits) {
  const DurationNs longest_fault_ns = std::max(limits.downtime_max_ns, limits.link_fault_max_ns);
  const DurationNs room_ns = base.run.max_duration_ns - base.run.liveness_bound_ns - longest_fault_ns;
  if (room_ns <= kMillisecond || base.job.cluster.task_managers == 0) return 0;
  return std::min(input_production_ns(base.input), room_ns);
}

Scenario randomize(const Scenario& base, std::uint64_t seed, const RandomFaultLimits& limits) {
  CKPT_ASSERT(limits.faults_min <= limits.faults_max, "randomize: faults_min > faults_max");
  CKPT_ASSERT(limits.downtime_min_ns <= limits.downtime_max_ns, "randomize: empty downtime range");
  CKPT_ASSERT(limits.link_fault_min_ns <= limits.link_fault_max_ns, "randomize: empty link fault range");
  Scenario scenario = base;
  scenario.expect = {};
  const DurationNs window_ns = random_fault_window_ns(base, limits);
  if (window_ns == 0) return scenario;
  sim::Rng rng = sim::Rng(seed).derive("explore-faults");
  const auto count = static_cast<std::uint32_t>(rng.uniform_int(limits.faults_min, limits.faults_max));
  std::vector<FaultSpec> added;
  for (std::uint32_t i = 0; i < count; ++i) added.push_back(random_fault(rng, base, window_ns, limits));
  std::stable_sort(added.begin(), added.end(), [](const FaultSpec& a, const FaultSpec& b) { return a.at_ns < b.at_ns; });
  scenario.faults.insert(scenario.faults.end(), added.begin(), added.end());
  return scenario;
}

Scenario randomize(const Scenario& base, std::uint64_t seed) { return randomize(base, seed, RandomFaultLimits{}); }

TimeNs swarm_fault_phase_end_ns(const Scenario& base) {
  const DurationNs production_ns = input_production_ns(base.input);
  const TimeNs latest_end_ns = base.run.max_duration_ns - base.run.liveness_bound_ns;
  const TimeNs end_ns = std::min<TimeNs>(production_ns / 4 * 3, latest_end_ns);
  if (end_ns <= 10 * kMillisecond || base.job.cluster.task_managers == 0) return 0;
  return end_ns;
}

Scenario swarm_randomize(const Scenario& base, std::uint64_t seed, const SwarmRandomizeOptions& options) {
  Scenario scenario = base;
  scenario.expect = {};
  const TimeNs phase_end_ns = swarm_fault_phase_end_ns(base);
  if (phase_end_ns == 0) return scenario;
  faults::SwarmInputs inputs;
  inputs.task_managers = base.job.cluster.task_managers;
  inputs.run_length_ns = input_production_ns(base.input);
  inputs.has_checkpoint_files = base.extra_config.contains("execution.checkpointing.dir");
  const auto backend = base.extra_config.find("state.backend.type");
  inputs.has_rocksdb = backend != base.extra_config.end() && backend->second == "rocksdb";
  faults::SwarmOptions swarm;
  swarm.fault_phase_end_ns = phase_end_ns;
  swarm.kind_probability = options.kind_probability;
  swarm.max_faults = options.max_faults;
  swarm.excluded_kinds = options.excluded_kinds;
  // Downtimes and fault lengths fit the phase: a crash drawn late still restarts in it.
  swarm.max_downtime_ns = std::min(swarm.max_downtime_ns, phase_end_ns / 2);
  swarm.max_fault_duration_ns = std::min(swarm.max_fault_duration_ns, phase_end_ns / 2);
  swarm.min_downtime_ns = std::min(swarm.min_downtime_ns, swarm.max_downtime_ns);
  swarm.min_fault_duration_ns = std::min(swarm.min_fault_duration_ns, swarm.max_fault_duration_ns);
  const faults::SwarmPlan plan = faults::generate_swarm(inputs, swarm, seed);
  for (const faults::ScheduledFault& fault : plan.faults) scenario.faults.push_back(from_scheduled_fault(fault));
  std::stable_sort(scenario.faults.begin(), scenario.faults.end(),
                   [](const FaultSpec& a, const FaultSpec& b) { return a.at_ns < b.at_ns; });
  if (options.knobs) faults::apply_knobs(plan.knobs, scenario.job);
  return scenario;
}

ScenarioRandomizer swarm_randomizer(SwarmRandomizeOptions options) {
  return [options = std::move(options)](const Scenario& base, std::uint64_t seed) {
    return swarm_randomize(base, seed, options);
  };
}

ScenarioRandomizer default_randomizer() {
  return [](const Scenario& base, std::uint64_t seed) { return randomize(base, seed); };
}

}  // namespace ckptsim::scenarios
