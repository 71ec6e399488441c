// Swarm: the flagship scenario explored over a bounded number of seeds, each with its
// own random crashes, clogs and partitions; every seed must keep every property. The
// budget comes from CKPTSIM_SWARM_SEEDS (default 50; `make test` sets 200). The input is
// a tenth of the flagship's so that 200 seeds stay well within two minutes on 2 cores.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>

#include "scenarios/explore.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

std::uint64_t swarm_seeds() {
  const char* text = std::getenv("CKPTSIM_SWARM_SEEDS");
  if (text == nullptr || *text == '\0') return 50;
  const std::uint64_t seeds = std::strtoull(text, nullptr, 10);
  return seeds == 0 ? 50 : std::min<std::uint64_t>(seeds, 100'000);
}

}  // namespace

TEST_CASE("swarm: the flagship keeps exactly-once under random crashes, clogs and partitions", "[swarm][explore]") {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  ExploreOptions options;
  options.base = scenario.value();
  options.base.input.records_per_partition = 2500;
  options.scenario_path = "scenarios/wordcount-tm-crash.json";
  options.seeds = {1, swarm_seeds()};
  options.jobs = 2;
  options.shrink.runs_max = 60;
  options.shrink_failures_max = 3;
  Result<ExploreResult> result = explore(options);
  REQUIRE(result.is_ok());
  std::ostringstream summary;
  print_explore_summary(options, result.value(), summary);
  INFO(summary.str());
  CHECK(result.value().seeds_run == swarm_seeds());
  CHECK(result.value().passed());
  // Every kind of random fault was exercised.
  for (const std::string_view type : kRandomizedFaultTypes) CHECK(result.value().fault_kinds.contains(std::string(type)));
}
