// The simulated checkpoint storage's model from the scenario (ckptsim.storage.* keys):
// parsed and round-tripped, refused out of range with the JSON path, and actually used
// by the run (slower uploads make checkpoints take longer, in virtual time only).
#include <catch2/catch.hpp>

#include <string>

#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

nlohmann::json library_json(const std::string& path) {
  Result<Scenario> base = load_scenario_file(path);
  CKPT_ASSERT(base.is_ok(), "the library scenario loads");
  return scenario_to_json(base.value());
}

Result<Scenario> with_config(nlohmann::json json, const nlohmann::json& config) {
  for (const auto& [key, value] : config.items()) json["config"][key] = value;
  return parse_scenario(json.dump());
}

}  // namespace

TEST_CASE("storage model keys: parsed into the scenario, defaults are the simulator's, round-trip", "[unit][scenario]") {
  const nlohmann::json base = library_json("scenarios/wordcount-tm-crash.json");
  const Result<Scenario> defaults = parse_scenario(base.dump());
  REQUIRE(defaults.is_ok());
  CHECK(defaults.value().storage.latency_ns == sim::BlobStorageModel{}.latency_ns);
  CHECK(defaults.value().storage.write_bytes_per_second == sim::BlobStorageModel{}.write_bytes_per_second);
  CHECK(defaults.value().storage.read_bytes_per_second == sim::BlobStorageModel{}.read_bytes_per_second);

  const Result<Scenario> slow = with_config(base, {{"ckptsim.storage.latency", "20ms"},
                                                   {"ckptsim.storage.write-bytes-per-second", 1000000},
                                                   {"ckptsim.storage.read-bytes-per-second", "2000000"}});
  REQUIRE(slow.is_ok());
  CHECK(slow.value().storage.latency_ns == 20 * kMillisecond);
  CHECK(slow.value().storage.write_bytes_per_second == 1'000'000);
  CHECK(slow.value().storage.read_bytes_per_second == 2'000'000);
  const nlohmann::json canonical = scenario_to_json(slow.value());
  const Result<Scenario> again = parse_scenario(canonical.dump());
  REQUIRE(again.is_ok());
  CHECK(scenario_to_json(again.value()) == canonical);
}

TEST_CASE("storage model keys: a bandwidth of zero is refused at its JSON path", "[unit][scenario]") {
  const Result<Scenario> zero =
      with_config(library_json("scenarios/wordcount-tm-crash.json"), {{"ckptsim.storage.write-bytes-per-second", 0}});
  REQUIRE_FALSE(zero.is_ok());
  CHECK_THAT(zero.status().message(), Catch::Contains("$.config['ckptsim.storage.write-bytes-per-second']"));
  CHECK_THAT(zero.status().message(), Catch::Contains("expected an integer in [1,"));
}

TEST_CASE("storage model keys: slower uploads make checkpoints take longer in virtual time", "[unit][scenario-run]") {
  const nlohmann::json base = library_json("scenarios/many-short-checkpoints.json");
  const Result<Scenario> fast = parse_scenario(base.dump());
  // The default latency alone is 5 ms per put; 200 ms is far above any alignment or
  // sync-phase time of this scenario.
  const Result<Scenario> slow = with_config(base, {{"ckptsim.storage.latency", "200ms"}});
  REQUIRE(fast.is_ok());
  REQUIRE(slow.is_ok());
  const RunOutcome fast_run = run_scenario(fast.value(), RunOptions{});
  const RunOutcome slow_run = run_scenario(slow.value(), RunOptions{});
  CHECK(fast_run.summary.violations.empty());
  CHECK(slow_run.summary.violations.empty());
  REQUIRE(fast_run.summary.checkpoint_duration.count > 0);
  REQUIRE(slow_run.summary.checkpoint_duration.count > 0);
  CHECK(fast_run.summary.checkpoint_duration.p50_ns < 200 * kMillisecond);
  CHECK(slow_run.summary.checkpoint_duration.p50_ns >= 200 * kMillisecond);
}
