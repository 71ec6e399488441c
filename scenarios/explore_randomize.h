// Deriving the concrete scenario one exploration seed runs from a base scenario.
//
// explore() takes the derivation as a ScenarioRandomizer so that the fault generator can
// be swapped without touching the explorer. Two exist: swarm_randomizer() (the default
// of `ckptsim explore`: the fault layer's swarm generator, faults/swarm.h, over the whole
// fault catalogue plus protocol knobs) and randomize() (a small fixed mix of crashes,
// clogs and partitions, kept because its plans are easy to read).
//
// Contract of every ScenarioRandomizer:
//   - Pure and deterministic: the result depends only on (base, seed); it may be called
//     from several threads at once.
//   - The result keeps the invariants of scenario.h (in particular every fault passes
//     the loader's checks: explore re-validates it through the loader round trip and
//     reports a randomizer bug as an assertion failure).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace ckptsim::scenarios {

using ScenarioRandomizer = std::function<Scenario(const Scenario& base, std::uint64_t seed)>;

// Bounds of the faults randomize() adds.
struct RandomFaultLimits {
  std::uint32_t faults_min = 1;
  std::uint32_t faults_max = 4;
  DurationNs downtime_min_ns = 50 * kMillisecond;      // crash restart delays
  DurationNs downtime_max_ns = 2 * kSecond;
  DurationNs link_fault_min_ns = 10 * kMillisecond;    // clog and partition durations
  DurationNs link_fault_max_ns = 2 * kSecond;
};

// The fault kinds randomize() draws from, each with equal probability.
inline constexpr std::string_view kRandomizedFaultTypes[] = {"task-manager-crash", "job-manager-crash", "link-clog",
                                                             "network-partition"};

// The default randomizer: the base scenario with its faults kept and
// uniform_int(faults_min, faults_max) random faults added, drawn from the stream
// sim::Rng(seed).derive("explore-faults"). Each strikes at a uniform time within the
// input's production time (records-per-partition / records-per-second; 1 s when the
// input is not rate-limited), and every one heals: crashes restart, clogs and
// partitions end. Faults are clamped so that the last one heals at least
// run.liveness-bound before run.max-duration; when there is no such room the base
// comes back unchanged. The base's expectations are cleared: explore judges a seed by
// the oracle alone (a restart count cannot be expected of random faults).
Scenario randomize(const Scenario& base, std::uint64_t seed, const RandomFaultLimits& limits);
Scenario randomize(const Scenario& base, std::uint64_t seed);
// randomize() with the default limits, as a ScenarioRandomizer: explore's default.
ScenarioRandomizer default_randomizer();

// The time window random faults strike in, [0, window) (0: no room for faults).
DurationNs random_fault_window_ns(const Scenario& base, const RandomFaultLimits& limits);

// The swarm randomizer (faults/swarm.h): the seed decides which fault kinds of the whole
// catalogue are on, how many faults of each, when they strike and heal, and — unless
// knobs is false — the protocol knobs (checkpoint interval, timeout, max concurrent,
// min-pause, buffer timeout, credits, heartbeats), written into the scenario's job so
// the trace's canonical scenario carries them. Every fault heals inside the fault
// phase: the first three quarters of the input's production time, shortened so that
// the phase ends at least run.liveness-bound before run.max-duration; after it the job
// must finish (liveness). The base's own faults are kept and its expectations cleared.
struct SwarmRandomizeOptions {
  bool knobs = true;
  double kind_probability = 0.5;
  std::uint32_t max_faults = 12;
  std::vector<std::string> excluded_kinds;   // never drawn
};
Scenario swarm_randomize(const Scenario& base, std::uint64_t seed, const SwarmRandomizeOptions& options);
ScenarioRandomizer swarm_randomizer(SwarmRandomizeOptions options = {});
// The end of the fault phase swarm_randomize uses for this base (0: no room for faults).
TimeNs swarm_fault_phase_end_ns(const Scenario& base);

}  // namespace ckptsim::scenarios
