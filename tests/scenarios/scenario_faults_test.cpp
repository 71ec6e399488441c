// The scenario format's fault table (scenarios/scenario_faults.h) and the fault layer's
// catalogue (faults/fault_catalogue.h) name the same types, and what the loader accepts
// the fault layer schedules: swarm plans survive the scenario JSON round trip.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <set>
#include <string>

#include "faults/fault_catalogue.h"
#include "faults/swarm.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_faults.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

const FaultContext kContext{3, 10 * kMinute};

Result<FaultSpec> read(const Json& json) { return read_fault(json, "$.faults[0]", kContext); }

}  // namespace

TEST_CASE("scenario faults: the scenario table and the fault catalogue name the same types", "[unit][scenario]") {
  std::set<std::string_view> table;
  for (const FaultTypeInfo& type : fault_types()) table.insert(type.type);
  std::set<std::string_view> catalogue;
  for (const faults::FaultKind& kind : faults::fault_kinds()) catalogue.insert(kind.type);
  CHECK(table == catalogue);
}

TEST_CASE("scenario faults: a new fault type reads with its defaults and prints back the same", "[unit][scenario]") {
  const Result<FaultSpec> loss = read(Json::parse(R"({"type": "rpc-loss", "at": "1s", "duration": "200ms"})"));
  REQUIRE(loss.is_ok());
  CHECK(loss.value().params.at("messages") == "checkpoint");
  CHECK(loss.value().params.at("probability") == "1");
  const Json printed = fault_to_json(loss.value());
  CHECK(printed["probability"] == Json(1.0));
  const Result<FaultSpec> again = read(printed);
  REQUIRE(again.is_ok());
  CHECK(to_scheduled_fault(again.value()) == to_scheduled_fault(loss.value()));

  const Result<FaultSpec> skew =
      read(Json::parse(R"({"type": "clock-skew", "at": "1s", "duration": "2s", "target": "tm-2", "drift-ppm": -50000})"));
  REQUIRE(skew.is_ok());
  CHECK(skew.value().params.at("drift-ppm") == "-50000");
  CHECK(skew.value().params.at("step") == "0ms");
  CHECK(fault_to_json(skew.value())["drift-ppm"] == Json(-50000));
}

TEST_CASE("scenario faults: the fault layer's finer checks are reported at the field's path", "[unit][scenario]") {
  const Result<FaultSpec> bad_message =
      read(Json::parse(R"({"type": "rpc-delay", "at": "1s", "duration": "1s", "delay": "5ms", "messages": "trigerr"})"));
  REQUIRE_FALSE(bad_message.is_ok());
  CHECK(bad_message.status().message().rfind("$.faults[0].messages: expected comma-separated message names", 0) == 0);

  const Result<FaultSpec> bad_probability =
      read(Json::parse(R"({"type": "storage-corrupt-read", "at": "1s", "duration": "1s", "probability": 2})"));
  REQUIRE_FALSE(bad_probability.is_ok());
  CHECK(bad_probability.status().message().rfind("$.faults[0].probability:", 0) == 0);

  const Result<FaultSpec> bad_drift =
      read(Json::parse(R"({"type": "clock-skew", "at": "1s", "duration": "1s", "target": "jm", "drift-ppm": -1000000})"));
  REQUIRE_FALSE(bad_drift.is_ok());
  CHECK(bad_drift.status().message().rfind("$.faults[0].drift-ppm:", 0) == 0);

  const Result<FaultSpec> whole_cluster =
      read(Json::parse(R"({"type": "network-split", "at": "1s", "duration": "1s", "group": "jm,sink-store,tm-0,tm-1,tm-2"})"));
  REQUIRE_FALSE(whole_cluster.is_ok());
  CHECK(whole_cluster.status().message().rfind("$.faults[0].group:", 0) == 0);

  const Result<FaultSpec> unknown_member =
      read(Json::parse(R"({"type": "network-split", "at": "1s", "duration": "1s", "group": "jm,tm-7"})"));
  REQUIRE_FALSE(unknown_member.is_ok());
  CHECK(unknown_member.status().message().find("tm-7") != std::string::npos);
}

TEST_CASE("scenario faults: swarm plans survive the scenario JSON round trip unchanged", "[property][scenario]") {
  rc::prop("round trip", [](std::uint64_t seed) {
    faults::SwarmInputs inputs;
    inputs.task_managers = kContext.task_managers;
    const faults::SwarmPlan plan = faults::generate_swarm(inputs, faults::SwarmOptions{}, seed);
    for (const faults::ScheduledFault& fault : plan.faults) {
      const Json json = fault_to_json(from_scheduled_fault(fault));
      const Result<FaultSpec> read_back = read(Json::parse(json.dump()));
      RC_ASSERT(read_back.is_ok());
      RC_ASSERT(to_scheduled_fault(read_back.value()) == fault);
    }
  });
}

// End to end: the flagship under swarm fault plans (every kind may be on), judged by the
// oracle. Safety throughout, and liveness after the fault phase.
TEST_CASE("scenario faults: the flagship keeps exactly-once under swarm fault plans", "[swarm][scenario]") {
  const Result<Scenario> base = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(base.is_ok());
  faults::SwarmInputs inputs;
  inputs.task_managers = base.value().job.cluster.task_managers;
  faults::SwarmOptions options;
  options.fault_phase_end_ns = 2 * kSecond;  // the input takes 2.5 s to produce
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    Scenario scenario = base.value();
    scenario.expect = {};
    scenario.faults.clear();
    const faults::SwarmPlan plan = faults::generate_swarm(inputs, options, seed);
    for (const faults::ScheduledFault& fault : plan.faults) scenario.faults.push_back(from_scheduled_fault(fault));
    const RunOutcome outcome = run_scenario(scenario, RunOptions{seed, false, "swarm"});
    std::string violations;
    for (const auto& v : outcome.summary.violations) violations += v.property + ": " + v.explanation + "\n";
    INFO("seed " << seed << ", " << plan.faults.size() << " faults\n" << violations);
    CHECK(outcome.summary.passed());
    CHECK(outcome.summary.job_finished);
  }
}
