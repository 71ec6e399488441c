#include <catch2/catch.hpp>

#include "reports/explore_report.h"
#include "flagship_run.h"

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

Json explore_summary() {
  return {{"scenario", "wordcount-tm-crash"}, {"seeds", {{"first", 1}, {"last", 4}}}, {"seeds_total", 4},
          {"seeds_run", 4}, {"seeds_skipped", 0}, {"failures_total", 1}, {"wall_seconds", 0.5},
          {"seeds_per_minute", 480.0}, {"events_total", 1000},
          {"failure_counts", {{"sink.double_commit", 1}}},
          {"failures_by_property", {{"sink.double_commit", {3}}}},
          {"failures", Json::array({{{"seed", 3}, {"property", "sink.double_commit"}, {"trace", "out/x/traces/seed-3.json"},
                                     {"shrunk", {{"trace", "out/x/traces/seed-3.min.json"}, {"before", "2 faults"}, {"after", "0 faults"}}}}})},
          {"fault_kinds", {{"task-manager-crash", 5}}},
          {"coverage_marks", {{"cancel marker", 2}}},
          {"coverage_marks_not_hit", {"stale barrier"}},
          {"verdict", "fail"}};
}

TEST_CASE("explore report: failures are grouped by property with relative trace links", "[reports][unit]") {
  const Json summary = explore_summary();
  REQUIRE(validate_explore_summary_json(summary).is_ok());
  Result<Json> seeds = parse_seed_lines("{\"seed\":1,\"passed\":true,\"wall_ms\":100,\"elapsed_ms\":100}\n"
                                        "{\"seed\":3,\"passed\":false,\"wall_ms\":100,\"elapsed_ms\":200}\n");
  REQUIRE(seeds.is_ok());
  const std::string html = render_explore_report(summary, seeds.value(), testing::fake_vega_bundle());
  CHECK(html.find("<h3 class=\"fail\" data-property=\"sink.double_commit\">") != std::string::npos);
  CHECK(html.find("<a href=\"traces/seed-3.json\">seed-3.json</a>") != std::string::npos);
  CHECK(html.find("<a href=\"traces/seed-3.min.json\">seed-3.min.json</a>") != std::string::npos);
  CHECK(html.find("task-manager-crash") != std::string::npos);
  CHECK(html.find("<code>stale barrier</code>") != std::string::npos);
  CHECK(html.find("<div id=\"chart-seed-rate\"") != std::string::npos);
}

TEST_CASE("explore report: a bad seeds.jsonl line is named", "[reports][unit]") {
  Result<Json> seeds = parse_seed_lines("{\"seed\":1,\"passed\":true}\n{\"seed\":\"two\",\"passed\":true}\n");
  REQUIRE(!seeds.is_ok());
  CHECK(seeds.status().message() == "line 2: $.seed: expected an integer, got \"two\"");
  Json summary = explore_summary();
  summary["failures"][0].erase("property");
  CHECK(validate_explore_summary_json(summary).message() == "$.failures[0].property: expected a string, got nothing (missing)");
}

}  // namespace
}  // namespace ckptsim::reports
