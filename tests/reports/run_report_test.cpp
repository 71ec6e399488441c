#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "reports/report_inputs.h"
#include "reports/run_report.h"
#include "reports/run_report_files.h"
#include "flagship_run.h"

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

RunReportInputs flagship_inputs() {
  const scenarios::RunOutcome& outcome = testing::flagship_outcome();
  return RunReportInputs{to_json(outcome.summary), to_json(outcome.timeline)};
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("report: recording the timeline does not change the run", "[reports][unit]") {
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  const scenarios::RunOutcome plain = scenarios::run_scenario(scenario.value(), scenarios::RunOptions{});
  CHECK(plain.summary.fingerprint == testing::flagship_outcome().summary.fingerprint);
  CHECK(plain.summary.events == testing::flagship_outcome().summary.events);
}

TEST_CASE("report: the flagship's summary and timeseries pass validation", "[reports][unit]") {
  const RunReportInputs inputs = flagship_inputs();
  CHECK(validate_summary_json(inputs.summary).is_ok());
  CHECK(validate_timeseries_json(*inputs.timeseries).is_ok());
}

TEST_CASE("report: report.html shows the verdict of every checker at the top", "[reports][unit]") {
  const RunReportInputs inputs = flagship_inputs();
  const std::string html = render_run_report(inputs, testing::fake_vega_bundle());
  CHECK(html.find("<span class=\"badge pass\">PASS</span>") != std::string::npos);
  const std::size_t verdict_at = html.find("id=\"verdict-table\"");
  const std::size_t history_at = html.find("id=\"checkpoint-table\"");
  REQUIRE(verdict_at != std::string::npos);
  REQUIRE(history_at != std::string::npos);
  CHECK(verdict_at < history_at);
  for (const oracle::CheckerResult& c : testing::flagship_outcome().summary.checkers) {
    INFO(c.property);
    CHECK(html.find("<tr data-property=\"" + c.property + "\">") != std::string::npos);
  }
}

TEST_CASE("report: report.html has one checkpoint table row per checkpoint", "[reports][unit]") {
  const RunReportInputs inputs = flagship_inputs();
  const std::string html = render_run_report(inputs, testing::fake_vega_bundle());
  const auto& checkpoints = testing::flagship_outcome().summary.checkpoints;
  REQUIRE(checkpoints.size() == 17);
  CHECK(occurrences(html, " data-checkpoint=\"") == checkpoints.size());
  for (const CheckpointRecord& c : checkpoints) {
    INFO(c.id);
    CHECK(html.find("<tr data-checkpoint=\"" + std::to_string(c.id) + "\"><td class=\"num\">" + std::to_string(c.id) +
                    "</td><td>COMPLETED</td><td class=\"num\">6/6</td>") != std::string::npos);
  }
}

TEST_CASE("report: report.html inlines the libraries and a chart for each series", "[reports][unit]") {
  const std::string html = render_run_report(flagship_inputs(), testing::fake_vega_bundle());
  CHECK(html.find("/* vega-lite */") != std::string::npos);
  for (const char* id : {"chart-checkpoints", "chart-throughput", "chart-latency", "chart-backpressure", "chart-recovery"}) {
    INFO(id);
    CHECK(html.find("<div id=\"" + std::string(id) + "\"") != std::string::npos);
  }
  // Offline: nothing is loaded from elsewhere.
  CHECK(html.find("<script src") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
}

TEST_CASE("report: a violation is shown with its property, explanation and the events around it", "[reports][unit]") {
  RunReportInputs inputs = flagship_inputs();
  inputs.summary["verdict"] = "fail";
  inputs.summary["violations"] = Json::array({{{"property", "sink.double_commit"}, {"time_ns", 1500000000},
                                               {"time", "1.5s"}, {"event_index", 1234},
                                               {"explanation", "transaction <t-1> committed twice"}}});
  (*inputs.timeseries)["violation_events"] = Json::array({{{"i", 1233}, {"t", "1.499s"}, {"kind", "rpc_delivered"}, {"process", "store"}, {"a", 1}, {"b", 2}},
                                                         {{"i", 1234}, {"t", "1.5s"}, {"kind", "store_commit"}, {"process", "store"}, {"a", 3}, {"b", 4}}});
  REQUIRE(validate_summary_json(inputs.summary).is_ok());
  const std::string html = render_run_report(inputs, testing::fake_vega_bundle());
  CHECK(html.find("<span class=\"badge fail\">FAIL</span>") != std::string::npos);
  CHECK(html.find("<b class=\"fail\">sink.double_commit</b>") != std::string::npos);
  CHECK(html.find("transaction &lt;t-1&gt; committed twice") != std::string::npos);
  CHECK(html.find("<tr class=\"highlight\"><td class=\"num\">1234</td>") != std::string::npos);
}

// A scratch directory under the system temp dir, removed at the end of the test.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("ckptsim-report-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  void write(const std::string& file, const std::string& text) const { std::ofstream(path / file) << text; }
};

TEST_CASE("report: regenerating from a directory writes report.html", "[reports][unit]") {
  const ScratchDir dir("regenerate");
  const RunReportInputs inputs = flagship_inputs();
  REQUIRE(write_run_report_files(dir.path.string(), inputs.summary, testing::flagship_outcome().timeline,
                                 testing::fake_vega_bundle()).is_ok());
  dir.write("summary.json", inputs.summary.dump());
  std::filesystem::remove(dir.path / "report.html");
  REQUIRE(regenerate_run_report(dir.path.string(), testing::fake_vega_bundle()).is_ok());
  CHECK(std::filesystem::file_size(dir.path / "report.html") > 1000);
  CHECK(std::filesystem::exists(dir.path / "trace.chrome.json"));
}

TEST_CASE("report: a malformed summary.json is rejected with the file and the JSON path", "[reports][unit]") {
  const ScratchDir dir("malformed");
  const std::string summary_path = (dir.path / "summary.json").string();
  SECTION("a field of the wrong type") {
    Json summary = flagship_inputs().summary;
    summary["checkpoints"]["history"][2]["id"] = "three";
    dir.write("summary.json", summary.dump());
    const Status status = regenerate_run_report(dir.path.string(), testing::fake_vega_bundle());
    REQUIRE(!status.is_ok());
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == summary_path + ": $.checkpoints.history[2].id: expected an integer, got \"three\"");
  }
  SECTION("a missing field") {
    Json summary = flagship_inputs().summary;
    summary.erase("checkers");
    dir.write("summary.json", summary.dump());
    const Status status = regenerate_run_report(dir.path.string(), testing::fake_vega_bundle());
    REQUIRE(!status.is_ok());
    CHECK(status.message() == summary_path + ": $.checkers: expected an array, got nothing (missing)");
  }
  SECTION("not JSON at all") {
    dir.write("summary.json", "{\"scenario\": ");
    const Status status = regenerate_run_report(dir.path.string(), testing::fake_vega_bundle());
    REQUIRE(!status.is_ok());
    CHECK(status.message().rfind(summary_path + ": $: expected a JSON document", 0) == 0);
  }
  CHECK(!std::filesystem::exists(dir.path / "report.html"));
}

TEST_CASE("report: missing chart libraries are an error naming the file", "[reports][unit]") {
  const Result<VegaBundle> bundle = load_vega_bundle("/nonexistent/vega");
  REQUIRE(!bundle.is_ok());
  CHECK(bundle.status().code() == StatusCode::kNotFound);
  CHECK(bundle.status().message().find("/nonexistent/vega/node_modules/vega/build/vega.min.js") != std::string::npos);
  CHECK(bundle.status().message().find("scripts/fetch-vega") != std::string::npos);
}

TEST_CASE("report: inlined scripts cannot close their script element", "[reports][unit]") {
  CHECK(inline_script("var a = '</script>';\n//# sourceMappingURL=x.map\n") == "var a = '<\\/script>';\n");
}

}  // namespace
}  // namespace ckptsim::reports
