#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "reports/chrome_trace.h"
#include "flagship_run.h"

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

Json flagship_trace() {
  const scenarios::RunOutcome& outcome = testing::flagship_outcome();
  // Through text and back: what a viewer reads must be valid JSON.
  return Json::parse(chrome_trace_json(outcome.timeline, "wordcount-tm-crash").dump());
}

TEST_CASE("chrome trace: the flagship run names a process per component and a thread per task", "[reports][unit]") {
  const Json trace = flagship_trace();
  REQUIRE(trace.contains("traceEvents"));
  std::set<std::string> processes, threads;
  for (const Json& e : trace.at("traceEvents")) {
    if (e.at("ph") != "M") continue;
    if (e.at("name") == "process_name") processes.insert(e.at("args").at("name").get<std::string>());
    if (e.at("name") == "thread_name") threads.insert(e.at("args").at("name").get<std::string>());
  }
  for (const char* p : {"JobManager", "source", "count", "sink", "tm-0"}) {
    INFO(p);
    CHECK(processes.count(p) == 1);
  }
  for (const char* t : {"checkpoints", "recovery", "source[0]", "source[1]", "count[0]", "count[1]", "sink[0]", "sink[1]", "faults"}) {
    INFO(t);
    CHECK(threads.count(t) == 1);
  }
}

TEST_CASE("chrome trace: the flagship run has checkpoint, snapshot, restore and fault events", "[reports][unit]") {
  const Json trace = flagship_trace();
  std::map<std::string, int> spans, instants;
  for (const Json& e : trace.at("traceEvents")) {
    if (e.at("ph") == "X") {
      ++spans[e.at("cat").get<std::string>()];
      CHECK(e.at("dur").get<double>() >= 0.0);
      CHECK(e.at("ts").get<double>() >= 0.0);
    } else if (e.at("ph") == "i") {
      ++instants[e.at("cat").get<std::string>()];
      CHECK(e.at("s") == "t");
    }
  }
  // 17 completed checkpoints x 6 subtasks each have a sync and an async phase.
  CHECK(spans["checkpoint"] == 17);
  CHECK(spans["sync"] == 17 * 6);
  CHECK(spans["async"] == 17 * 6);
  CHECK(spans["restore"] >= 6);
  CHECK(spans["restart"] == 2);   // the TaskManager crash and the JobManager crash
  CHECK(spans["fault"] == 2);
  CHECK(instants["barrier"] == 17 * 6);
  CHECK(instants["fault"] == 2);
  CHECK(instants["commit"] >= 17 * 2);
}

TEST_CASE("chrome trace: spans on one track never partially overlap", "[reports][unit]") {
  const Json trace = flagship_trace();
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> tracks;
  for (const Json& e : trace.at("traceEvents")) {
    if (e.at("ph") != "X") continue;
    const double start = e.at("ts").get<double>();
    tracks[{e.at("pid").get<int>(), e.at("tid").get<int>()}].push_back({start, start + e.at("dur").get<double>()});
  }
  for (auto& [track, spans] : tracks) {
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) {
      INFO("pid " << track.first << " tid " << track.second << " span " << i);
      CHECK(spans[i].first >= spans[i - 1].second);
    }
  }
}

TEST_CASE("chrome trace: the same run gives the same bytes", "[reports][unit]") {
  const scenarios::RunOutcome& first = testing::flagship_outcome();
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  scenarios::RunOptions options;
  options.scenario_path = "scenarios/wordcount-tm-crash.json";
  options.record_timeline = true;
  const scenarios::RunOutcome second = scenarios::run_scenario(scenario.value(), options);
  CHECK(second.summary.fingerprint == first.summary.fingerprint);
  CHECK(chrome_trace_json(second.timeline, "x").dump() == chrome_trace_json(first.timeline, "x").dump());
  CHECK(to_json(second.timeline).dump() == to_json(first.timeline).dump());
}

}  // namespace
}  // namespace ckptsim::reports
