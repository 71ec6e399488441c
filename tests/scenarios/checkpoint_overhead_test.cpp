// One cell of bench/checkpoint_overhead_sweep.cpp in small: checkpointing must cost
// something, in the expected direction, in simulated time (deterministic).
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

// source(2) -hash-> count(2) -forward-> sink(2), 4 x 20 000 records at 5 000 records/s
// per partition (4 s of input).
Scenario overhead_cell(const std::string& interval, const std::string& sink_cost, const std::string& sync_per_kib) {
  const bool checkpoints = interval != "0ms";
  const nlohmann::json doc = {
      {"name", "checkpoint-overhead-cell"},
      {"seed", 42},
      {"job",
       {{"operators", nlohmann::json::array({{{"name", "source"}, {"kind", "source"}, {"parallelism", 2}},
                                             {{"name", "count"}, {"kind", "keyed-aggregate"}, {"parallelism", 2},
                                              {"cost-per-record", "5us"}},
                                             {{"name", "sink"}, {"kind", "sink"}, {"parallelism", 2},
                                              {"cost-per-record", sink_cost}}})},
        {"edges", nlohmann::json::array({{{"from", "source"}, {"to", "count"}, {"partitioning", "hash"}},
                                         {{"from", "count"}, {"to", "sink"}}})}}},
      {"input", {{"partitions", 4}, {"records-per-partition", 20000}, {"records-per-second", 5000}, {"keys", 1024}}},
      {"config",
       {{"execution.checkpointing.interval", interval},
        {"sink.delivery-guarantee", checkpoints ? "exactly-once" : "at-least-once"},
        {"ckptsim.state.sync-snapshot-cost-per-kib", sync_per_kib}}},
      {"run", {{"max-duration", "1min"}}}};
  Result<Scenario> scenario = parse_scenario(doc.dump());
  REQUIRE(scenario.is_ok());
  return scenario.value();
}

struct Measured {
  reports::RunSummary summary;
  TimeNs input_read_ns = 0;   // end of the last timeline bucket with source output
  DurationNs latency_p99_ns = 0;
};

Measured run(const Scenario& scenario) {
  RunOptions options;
  options.judge = false;
  options.record_timeline = true;
  RunOutcome outcome = run_scenario(scenario, options);
  Measured m{outcome.summary, 0, outcome.timeline.latency_p99_ns};
  for (const reports::TimelineBucket& b : outcome.timeline.buckets) {
    if (b.source_records > 0) m.input_read_ns = b.start_ns + outcome.timeline.bucket_ns;
  }
  REQUIRE(m.summary.job_finished);
  return m;
}

}  // namespace

TEST_CASE("checkpoint overhead: a large modelled state slows a backpressured job down", "[unit][overhead]") {
  // Sink: 2 x 8 000 records/s for 20 000 records/s of input. The synchronous snapshot of
  // count's state (about 15 KiB per subtask) at 20 ms per KiB stalls count for about
  // 300 ms per checkpoint, longer than the sink's buffered input lasts: the sink starves
  // and the bottleneck's lost time is never made up.
  const Measured none = run(overhead_cell("0ms", "125us", "1us"));
  const Measured heavy = run(overhead_cell("100ms", "125us", "20ms"));
  CHECK(none.summary.checkpoints_completed == 0);
  CHECK(heavy.summary.checkpoints_completed >= 3);
  CHECK(heavy.summary.records_in == none.summary.records_in);
  CHECK(heavy.input_read_ns > none.input_read_ns);
}

TEST_CASE("checkpoint overhead: exactly-once commits wait for checkpoints, so p99 latency grows with the interval",
          "[unit][overhead]") {
  const Measured none = run(overhead_cell("0ms", "1us", "1us"));
  const Measured every_500ms = run(overhead_cell("500ms", "1us", "1us"));
  CHECK(every_500ms.summary.checkpoints_completed >= 2);
  CHECK(every_500ms.latency_p99_ns > none.latency_p99_ns);
  CHECK(every_500ms.latency_p99_ns >= 400 * kMillisecond);
}
