// Determinism self-check (TigerBeetle's hash_log idea, FoundationDB's unseed check):
// run the same workload with the same options twice, each in a fresh Simulation with
// full event recording, and compare. When the fingerprints differ, name the first
// differing event of the two logs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/simulation.h"

namespace ckptsim::sim {

struct DeterminismReport {
  bool deterministic = false;
  std::uint64_t first_fingerprint = 0;
  std::uint64_t second_fingerprint = 0;
  std::uint64_t first_record_count = 0;
  std::uint64_t second_record_count = 0;
  std::optional<Divergence> divergence;
  std::string explanation;  // readable description of the first difference
};

using Workload = std::function<void(Simulation&)>;

DeterminismReport check_determinism(const Workload& workload, SimulationOptions options);

}  // namespace ckptsim::sim
