// The simplifications shrink() tries: each pass proposes candidate scenarios, each
// strictly smaller than the current one in one measure (fewer faults, fewer records,
// lower parallelism, earlier or shorter faults, a shorter run), so that greedy
// shrinking reaches a fixed point.
//
// Candidates are proposals only: they may break the loader's rules (a fault naming a
// removed task manager is dropped with it, but a forward edge between operators of
// different parallelism, say, is left for the loader's round trip to reject). One
// static rule is applied here: task managers * slots must hold every subtask, since a
// job that cannot be scheduled fails liveness for a reason of its own.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace ckptsim::scenarios {

struct ShrinkCandidate {
  Scenario scenario;
  std::string description;   // "drop fault 2 (task-manager-crash at 1.2s)"
};

struct ShrinkPass {
  std::string_view name;
  std::vector<ShrinkCandidate> (*propose)(const Scenario& current, std::string_view property);
};

// Every pass, in the order shrink() applies them.
std::span<const ShrinkPass> shrink_passes();

}  // namespace ckptsim::scenarios
