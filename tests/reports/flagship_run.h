// The flagship scenario run once per test binary with its timeline recorded, shared by
// the report tests (a run is deterministic, so sharing it changes nothing).
#pragma once

#include <catch2/catch.hpp>

#include "reports/run_summary.h"
#include "reports/vega_bundle.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace ckptsim::reports::testing {

inline const scenarios::RunOutcome& flagship_outcome() {
  static const scenarios::RunOutcome outcome = [] {
    Result<scenarios::Scenario> scenario = scenarios::load_scenario_file("scenarios/wordcount-tm-crash.json");
    REQUIRE(scenario.is_ok());
    scenarios::RunOptions options;
    options.scenario_path = "scenarios/wordcount-tm-crash.json";
    options.record_timeline = true;
    return scenarios::run_scenario(scenario.value(), options);
  }();
  return outcome;
}

// Stand-ins for the chart libraries: the HTML tests check structure, not rendering.
inline VegaBundle fake_vega_bundle() { return {"/* vega */", "/* vega-lite */", "/* vega-embed */"}; }

}  // namespace ckptsim::reports::testing
