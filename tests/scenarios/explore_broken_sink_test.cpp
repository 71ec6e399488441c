// A deliberately broken protocol variant, defined only for tests
// (tests/scenarios/broken_sink_tamper.h): a two-phase-commit sink that commits at
// pre-commit time.
//
// These tests show that explore catches it, that its traces replay to the same
// violation at the same event (the tamper is passed to replay too), that a changed run
// is reported as a divergence at the right place, and that shrinking makes it smaller.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "protocol/runtime/messages.h"
#include "scenarios/explore.h"
#include "scenarios/replay.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/shrink.h"
#include "scenarios/trace.h"
#include "sim/cluster/sim_cluster.h"
#include "sim/simulation.h"
#include "tests/scenarios/broken_sink_tamper.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

using test_support::commit_at_precommit;

// The flagship with a tenth of its input by default: fast enough for many runs.
Scenario small_flagship(std::uint64_t records_per_partition = 2500) {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  Scenario s = scenario.value();
  s.input.records_per_partition = records_per_partition;
  return s;
}

std::string temp_dir(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("ckptsim-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(path);
  return path.string();
}

bool is_two_phase_commit_property(const std::string& property) {
  return property == "sink.commit_without_completed_checkpoint" || property.starts_with("output.") ||
         property.starts_with("sink.");
}

// One failing seed of the broken variant, run directly, as a trace with events.
// `swarm`: explore's default fault plans; else the basic randomizer's (fewer faults, so
// the broken sink's first violation comes later in a longer run).
Trace broken_trace(std::uint64_t seed, std::uint64_t records_per_partition = 2500, bool swarm = true) {
  const Scenario small = small_flagship(records_per_partition);
  const Scenario concrete = swarm ? swarm_randomize(small, seed, SwarmRandomizeOptions{}) : randomize(small, seed);
  RunOptions run;
  run.seed = seed;
  run.keep_event_log = true;
  run.tamper = commit_at_precommit();
  const RunOutcome outcome = run_scenario(concrete, run);
  REQUIRE_FALSE(outcome.summary.violations.empty());
  return make_trace(concrete, seed, outcome, outcome.summary.violations.front().property, kTraceEventsMax);
}

}  // namespace

TEST_CASE("explore: a sink that commits at pre-commit time is caught on every seed", "[unit][explore]") {
  ExploreOptions options;
  options.base = small_flagship();
  options.scenario_path = "scenarios/wordcount-tm-crash.json";
  options.seeds = {1, 20};
  options.jobs = 2;
  options.out_dir = temp_dir("explore-broken");
  options.run.tamper = commit_at_precommit();
  options.shrink_failures = false;
  options.trace_events_max = 0;
  Result<ExploreResult> result = explore(options);
  REQUIRE(result.is_ok());
  const ExploreResult& r = result.value();
  CHECK(r.seeds_run == 20);
  CHECK(r.failures_total == 20);
  REQUIRE(r.failures.size() == 20);
  for (const SeedFailure& failure : r.failures) {
    INFO("seed " << failure.seed << " failed " << failure.property);
    CHECK(is_two_phase_commit_property(failure.property));
    CHECK(std::filesystem::exists(failure.trace_path));
    CHECK_FALSE(failure.nondeterministic);
  }
  CHECK(r.failures_by_property.contains("sink.commit_without_completed_checkpoint"));
  CHECK(std::filesystem::exists(std::filesystem::path(options.out_dir) / "seeds.jsonl"));
  std::filesystem::remove_all(options.out_dir);
}

TEST_CASE("replay: a trace of the broken sink reproduces the same violation at the same event", "[unit][replay]") {
  const std::string dir = temp_dir("replay-broken");
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/seed-7.json";
  REQUIRE(write_trace_file(broken_trace(7), path).is_ok());
  Result<Trace> trace = load_trace_file(path);
  REQUIRE(trace.is_ok());

  ReplayOptions options;
  options.run.tamper = commit_at_precommit();
  options.keep_events = true;
  options.events_around = 5;
  const ReplayResult result = replay(trace.value(), options);
  INFO(describe_replay(trace.value(), result));
  CHECK(result.verdict == ReplayVerdict::kReproduced);
  REQUIRE(result.violation.has_value());
  CHECK(result.violation->property == trace.value().violation.property);
  CHECK(result.violation->event_index == trace.value().violation.event_index);
  CHECK(result.same_event_log);
  const auto lines = describe_events_around(result.outcome, result.violation->event_index, 5, 5);
  CHECK(lines.size() == 11);
  CHECK(lines[5].starts_with("->"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("replay: without the broken sink the trace's run passes (the bug is fixed)", "[unit][replay]") {
  const Trace trace = broken_trace(3);
  const ReplayResult result = replay(trace, ReplayOptions{});
  INFO(describe_replay(trace, result));
  CHECK(result.verdict == ReplayVerdict::kPassed);
  CHECK_FALSE(result.same_event_log);
}

TEST_CASE("replay: a run that differs is reported at its first divergent checkpoint and event", "[unit][replay]") {
  Trace trace = broken_trace(5, 25000, false);
  REQUIRE(trace.events.has_value());
  REQUIRE(trace.hash_checkpoints.size() >= 2);
  // Pretend the recording build logged something else at record 20000 (after the first
  // hash checkpoint at 16384, before the second at 32768).
  const std::uint64_t changed = 20000;
  REQUIRE(trace.events->records.size() > changed);
  trace.events->records[changed].a += 1;
  trace.hash_checkpoints[1].hash ^= 1;
  trace.fingerprint ^= 1;
  ReplayOptions options;
  options.run.tamper = commit_at_precommit();
  const ReplayResult result = replay(trace, options);
  INFO(describe_replay(trace, result));
  CHECK(result.verdict == ReplayVerdict::kDiverged);
  REQUIRE(result.divergence.has_value());
  CHECK(result.divergence->after_record == trace.hash_checkpoints[0].record_index);
  CHECK(result.divergence->until_record == trace.hash_checkpoints[1].record_index);
  REQUIRE(result.first_difference.has_value());
  CHECK(result.first_difference->index == changed);
  CHECK(describe_replay(trace, result).find("first differing event #20000") != std::string::npos);
}

TEST_CASE("shrink: the broken sink's failure shrinks to fewer faults and records and still replays", "[unit][shrink]") {
  const Trace trace = broken_trace(11);
  ShrinkOptions options;
  options.run.tamper = commit_at_precommit();
  options.runs_max = 80;
  options.trace_events_max = 1000;
  const ShrinkResult result = shrink(trace, options);
  REQUIRE(result.reproduced);
  INFO("before: " << describe_size(result.before) << "\nafter: " << describe_size(result.after));
  CHECK(result.runs <= 80);
  CHECK(result.after.faults < result.before.faults);
  CHECK(result.after.records < result.before.records);
  CHECK(result.after.events < result.before.events);
  WARN("before: " << describe_size(result.before) << "\nafter: " << describe_size(result.after) << "\nsteps: " << result.steps.size() << " runs " << result.runs);
  CHECK(result.trace.violation.property == trace.violation.property);
  CHECK_FALSE(result.steps.empty());

  // The shrunk trace survives its file format and replays to its own violation.
  Result<Trace> reloaded = parse_trace(trace_to_json(result.trace).dump());
  REQUIRE(reloaded.is_ok());
  ReplayOptions replay_options;
  replay_options.run.tamper = commit_at_precommit();
  const ReplayResult replayed = replay(reloaded.value(), replay_options);
  INFO(describe_replay(reloaded.value(), replayed));
  CHECK(replayed.verdict == ReplayVerdict::kReproduced);
}

TEST_CASE("shrink: a trace that no longer fails is left alone", "[unit][shrink]") {
  const Trace trace = broken_trace(2);
  ShrinkOptions options;  // no tamper: the protocol is correct again
  options.runs_max = 10;
  const ShrinkResult result = shrink(trace, options);
  CHECK_FALSE(result.reproduced);
  CHECK(result.runs == 1);
  CHECK(result.steps.empty());
  CHECK(trace_to_json(result.trace) == trace_to_json(trace));
}

TEST_CASE("shrink: the broken sink's swarm failures shrink to at most 3 faults and a few percent of their events",
          "[unit][shrink]") {
  // The figure the README quotes: median ratio of shrunk to original events over 10 seeds.
  std::vector<double> ratios;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Trace trace = broken_trace(seed);
    ShrinkOptions options;
    options.run.tamper = commit_at_precommit();
    options.runs_max = 100;
    options.trace_events_max = 0;
    const ShrinkResult result = shrink(trace, options);
    REQUIRE(result.reproduced);
    INFO("seed " << seed << " before: " << describe_size(result.before) << " after: " << describe_size(result.after));
    CHECK(result.after.faults <= 3);
    CHECK(result.trace.violation.property == trace.violation.property);
    ratios.push_back(static_cast<double>(result.after.events) / static_cast<double>(result.before.events));
  }
  std::sort(ratios.begin(), ratios.end());
  const double median = (ratios[4] + ratios[5]) / 2;
  WARN("median shrunk/original events over 10 swarm seeds: " << median << " (min " << ratios.front() << ", max "
                                                               << ratios.back() << ")");
  CHECK(median < 0.05);
}
