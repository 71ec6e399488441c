#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <set>
#include <string>

#include "faults/fault_catalogue.h"
#include "faults/swarm.h"
#include "fault_test_world.h"
#include "protocol/checkpoint/checkpoint_coordinator_config.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

SwarmInputs inputs_for(std::uint32_t task_managers) {
  SwarmInputs inputs;
  inputs.task_managers = task_managers;
  inputs.run_length_ns = 4 * kSecond;
  return inputs;
}

// Heals that the fault schedule performs: every started fault except instant ones.
std::size_t instant_faults(const std::vector<ScheduledFault>& faults) {
  return static_cast<std::size_t>(
      std::count_if(faults.begin(), faults.end(), [](const ScheduledFault& f) { return f.type == "connection-cut"; }));
}

}  // namespace

TEST_CASE("swarm: the same seed gives the same plan and knobs", "[property][faults]") {
  rc::prop("deterministic", [](std::uint64_t seed) {
    const auto task_managers = *rc::gen::inRange<std::uint32_t>(1, 6);
    const SwarmPlan a = generate_swarm(inputs_for(task_managers), SwarmOptions{}, seed);
    const SwarmPlan b = generate_swarm(inputs_for(task_managers), SwarmOptions{}, seed);
    RC_ASSERT(a.faults == b.faults);
    RC_ASSERT(a.enabled_kinds == b.enabled_kinds);
    RC_ASSERT(a.knobs == b.knobs);
    RC_ASSERT(a.fault_phase_end_ns == b.fault_phase_end_ns);
    RC_ASSERT(generate_swarm_faults(inputs_for(task_managers), seed) == a.faults);
    RC_ASSERT(generate_swarm_knobs(seed) == a.knobs);
  });
}

TEST_CASE("swarm: different seeds give different plans and switch different kinds on", "[unit][faults]") {
  std::set<std::vector<std::string>> kind_sets;
  std::set<std::string> kinds_seen;
  std::size_t distinct = 0;
  std::vector<ScheduledFault> previous;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    SwarmInputs inputs = inputs_for(3);
    inputs.has_checkpoint_files = true;  // the real-file kinds too
    inputs.has_rocksdb = true;
    const SwarmPlan plan = generate_swarm(inputs, SwarmOptions{}, seed);
    kind_sets.insert(plan.enabled_kinds);
    kinds_seen.insert(plan.enabled_kinds.begin(), plan.enabled_kinds.end());
    distinct += plan.faults != previous ? 1 : 0;
    previous = plan.faults;
  }
  CHECK(distinct == 200);
  CHECK(kind_sets.size() > 150);
  // Every kind is reachable, the rocksdb-* kinds included (a broken backend fails its
  // task, which the failover replaces).
  std::set<std::string> reachable;
  for (const std::string_view kind : swarm_fault_kinds()) reachable.emplace(kind);
  CHECK(kinds_seen == reachable);
}

TEST_CASE("swarm: every fault is well-formed, inside the fault phase, and healed by its end", "[property][faults]") {
  rc::prop("faults heal by the end of the phase", [](std::uint64_t seed) {
    const auto task_managers = *rc::gen::inRange<std::uint32_t>(1, 5);
    SwarmOptions options;
    options.fault_phase_start_ns = *rc::gen::inRange<std::int64_t>(0, 500) * kMillisecond;
    options.fault_phase_end_ns = options.fault_phase_start_ns + *rc::gen::inRange<std::int64_t>(1, 4000) * kMillisecond;
    const SwarmPlan plan = generate_swarm(inputs_for(task_managers), options, seed);
    RC_ASSERT(plan.fault_phase_end_ns == options.fault_phase_end_ns);
    RC_ASSERT(plan.faults.size() <= options.max_faults);
    for (const ScheduledFault& fault : plan.faults) {
      RC_ASSERT(!check_fault(fault).has_value());
      RC_ASSERT(fault.at_ns >= options.fault_phase_start_ns);
      RC_ASSERT(fault.at_ns + fault.duration_ns <= plan.fault_phase_end_ns);
      RC_ASSERT(fault.restart_after_ns != -1 || fault.type.find("crash") == std::string::npos);
      RC_ASSERT(fault.at_ns + std::max<DurationNs>(fault.restart_after_ns, 0) <= plan.fault_phase_end_ns);
    }
    // Applied to a world with the same processes, everything is whole again at the end.
    TestWorld w(task_managers, seed);
    RC_ASSERT(w.add(plan.faults).is_ok());
    RC_ASSERT(w.schedule->fault_phase_end_ns() <= plan.fault_phase_end_ns);
    w.simulation.run_until(plan.fault_phase_end_ns);
    RC_ASSERT(w.schedule->faults_injected() + w.schedule->faults_skipped() == plan.faults.size());
    RC_ASSERT(w.schedule->faults_healed() == w.schedule->faults_injected() - instant_faults(plan.faults));
    for (ProcessId a = 0; a < w.simulation.process_count(); ++a) {
      RC_ASSERT(w.simulation.is_alive(a));
      RC_ASSERT(!w.simulation.is_paused(a));
      RC_ASSERT(w.simulation.env(a).clock().drift_ppm() == 0);
      for (ProcessId b = 0; b < w.simulation.process_count(); ++b) {
        RC_ASSERT(!w.simulation.links().partitioned(a, b));
        RC_ASSERT(w.simulation.links().bandwidth_cap(a, b) == 0u);
        RC_ASSERT(w.simulation.message_delay_ns(a, b, 0) == 0);
      }
    }
    RC_ASSERT(w.storage->model().capacity_bytes == 0u);
  });
}

TEST_CASE("swarm: knobs are settings Flink accepts", "[property][faults]") {
  rc::prop("valid knobs", [](std::uint64_t seed) {
    const SwarmKnobs knobs = generate_swarm_knobs(seed);
    JobSpec job;
    job.checkpointing.interval_ns = 100 * kMillisecond;
    apply_knobs(knobs, job);
    RC_ASSERT(validate(job.checkpointing).is_ok());
    RC_ASSERT(job.checkpointing.interval_ns >= 10 * kMillisecond);
    RC_ASSERT(job.checkpointing.interval_ns <= 500 * kMillisecond);
    RC_ASSERT(job.checkpointing.timeout_ns >= 1 * kSecond);
    RC_ASSERT(job.checkpointing.max_concurrent_checkpoints >= 1);
    RC_ASSERT(job.checkpointing.max_concurrent_checkpoints <= 4);
    RC_ASSERT(job.network.buffer_timeout_ns == 0 || job.network.buffer_timeout_ns >= 1 * kMillisecond);
    RC_ASSERT(job.network.buffer_timeout_ns <= 200 * kMillisecond);
    RC_ASSERT(job.checkpointing.min_pause_ns >= 0);
    RC_ASSERT(job.checkpointing.min_pause_ns <= job.checkpointing.interval_ns);
    RC_ASSERT(job.network.credits_per_channel >= 1u);
    RC_ASSERT(job.network.credits_per_channel <= 8u);
    RC_ASSERT(job.cluster.heartbeat_interval_ns >= 100 * kMillisecond);
    RC_ASSERT(job.cluster.heartbeat_timeout_ns >= 2 * job.cluster.heartbeat_interval_ns);
    RC_ASSERT(knobs_as_config(knobs).size() == 8u);
  });
}

TEST_CASE("swarm: knobs leave disabled checkpointing disabled", "[unit][faults]") {
  JobSpec job;
  job.checkpointing_enabled = false;
  job.checkpointing.interval_ns = 0;
  const SwarmKnobs knobs = generate_swarm_knobs(7);
  apply_knobs(knobs, job);
  CHECK(job.checkpointing.interval_ns == 0);
  CHECK(job.network.credits_per_channel == knobs.credits_per_channel);
  CHECK(knobs_as_config(knobs).at("heartbeat.interval") == format_duration(knobs.heartbeat_interval_ns));
}

TEST_CASE("swarm: turning one kind off does not change the faults of the others", "[unit][faults]") {
  SwarmOptions all;
  all.max_faults = 1000;  // no budget: each kind draws alone
  all.kind_probability = 1.0;
  SwarmOptions without = all;
  without.excluded_kinds = {"network-partition"};
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SwarmPlan a = generate_swarm(inputs_for(2), all, seed);
    const SwarmPlan b = generate_swarm(inputs_for(2), without, seed);
    std::vector<ScheduledFault> a_rest;
    for (const ScheduledFault& f : a.faults) {
      if (f.type != "network-partition") a_rest.push_back(f);
    }
    CHECK(a_rest == b.faults);
    CHECK(std::count(b.enabled_kinds.begin(), b.enabled_kinds.end(), "network-partition") == 0);
    CHECK(a.knobs == b.knobs);
  }
}

TEST_CASE("swarm: kinds the cluster cannot host are never drawn, and a phase without room has no faults",
          "[unit][faults]") {
  SwarmInputs inputs = inputs_for(1);
  inputs.has_sink_store = false;
  inputs.has_storage = false;
  SwarmOptions options;
  options.kind_probability = 1.0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    for (const ScheduledFault& f : generate_swarm(inputs, options, seed).faults) {
      CHECK(f.type.rfind("storage-", 0) == std::string::npos);
      CHECK(f.type.rfind("sink-", 0) == std::string::npos);
      CHECK(f.target != "sink-store");
      CHECK(f.peer != "sink-store");
    }
  }
  SwarmOptions empty_phase;
  empty_phase.fault_phase_start_ns = 1 * kSecond;
  empty_phase.fault_phase_end_ns = 1 * kSecond;
  CHECK(generate_swarm(inputs_for(2), empty_phase, 3).faults.empty());
  CHECK(swarm_fault_phase_end_ns(inputs_for(2), SwarmOptions{}) == 3 * kSecond);
}

TEST_CASE("swarm: every swarm kind is a catalogue kind", "[unit][faults]") {
  for (const std::string_view kind : swarm_fault_kinds()) {
    INFO(kind);
    CHECK(find_fault_kind(kind) != nullptr);
  }
}
