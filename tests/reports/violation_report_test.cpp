// A deliberately broken sink (it commits at pre-commit time, through the kernel's RPC
// hook; the same test-only variant as tests/scenarios/explore_broken_sink_test.cpp)
// makes the oracle report a violation; the report shows it with the events around it.
#include <catch2/catch.hpp>

#include "reports/report_inputs.h"
#include "reports/run_report.h"
#include "reports/run_report_files.h"
#include "flagship_run.h"
#include "tests/scenarios/broken_sink_tamper.h"

namespace ckptsim::reports {
namespace {

using test_support::commit_at_precommit;

TEST_CASE("report: a broken sink's violation is shown with the event log around it", "[reports][unit]") {
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  scenarios::Scenario small = scenario.value();
  small.input.records_per_partition = 2500;
  scenarios::RunOptions options;
  options.tamper = commit_at_precommit();
  options.record_timeline = true;
  options.keep_event_log = true;
  scenarios::RunOutcome outcome = scenarios::run_scenario(small, options);
  REQUIRE(!outcome.summary.violations.empty());
  const oracle::Violation& violation = outcome.summary.violations.front();
  outcome.timeline.violation_events = events_around_json(outcome.event_records, outcome.event_kind_names,
                                                         outcome.process_names, violation.event_index, 20, 10);
  REQUIRE(outcome.timeline.violation_events.size() == 31);
  CHECK(outcome.timeline.violation_events[20].at("i") == violation.event_index);

  const RunReportInputs inputs{to_json(outcome.summary), to_json(outcome.timeline)};
  REQUIRE(validate_summary_json(inputs.summary).is_ok());
  REQUIRE(validate_timeseries_json(*inputs.timeseries).is_ok());
  const std::string html = render_run_report(inputs, testing::fake_vega_bundle());
  CHECK(html.find("<span class=\"badge fail\">FAIL</span>") != std::string::npos);
  CHECK(html.find("<b class=\"fail\">" + violation.property + "</b>") != std::string::npos);
  CHECK(html.find("<tr class=\"highlight\"><td class=\"num\">" + std::to_string(violation.event_index) + "</td>") !=
        std::string::npos);
}

}  // namespace
}  // namespace ckptsim::reports
