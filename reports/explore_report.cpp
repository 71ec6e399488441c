#include "reports/explore_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reports/html_page.h"
#include "reports/json_check.h"
#include "reports/report_inputs.h"
#include "reports/run_report_files.h"

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

std::string esc(const std::string& text) { return html_escape(text); }
std::string td(const std::string& text) { return "<td>" + esc(text) + "</td>"; }
std::string td_num(const std::string& text) { return "<td class=\"num\">" + esc(text) + "</td>"; }

// Traces live in DIR/traces/; the summary names them by the path explore wrote, which
// may carry DIR itself. The page links relative to DIR.
std::string relative_href(const std::string& path) {
  if (path.empty()) return "";
  return "traces/" + std::filesystem::path(path).filename().string();
}

std::string link(const std::string& path, const std::string& label) {
  const std::string href = relative_href(path);
  if (href.empty()) return "";
  return "<a href=\"" + esc(href) + "\">" + esc(label) + "</a>";
}

std::string header(const Json& s) {
  const bool passed = s.at("verdict").get<std::string>() == "pass";
  char rate[64];
  std::snprintf(rate, sizeof(rate), "%.0f", s.value("seeds_per_minute", 0.0));
  char wall[64];
  std::snprintf(wall, sizeof(wall), "%.1f s", s.at("wall_seconds").get<double>());
  std::string html = "<h1>ckptsim exploration: " + esc(s.at("scenario").get<std::string>()) + " <span class=\"badge " +
                     (passed ? "pass\">PASS" : "fail\">FAIL") + "</span></h1>\n";
  html += "<table id=\"explore-table\">";
  if (s.contains("seeds") && s.at("seeds").is_object()) {
    html += "<tr><th>seed range</th>" + td_num(s.at("seeds").value("first", Json()).dump() + ".." +
                                               s.at("seeds").value("last", Json()).dump()) + "</tr>";
  }
  html += "<tr><th>seeds run / in shard / skipped</th>" +
          td_num(s.at("seeds_run").dump() + " / " + s.at("seeds_total").dump() + " / " + s.value("seeds_skipped", Json(0)).dump()) + "</tr>";
  html += "<tr><th>failing seeds</th>" + td_num(s.at("failures_total").dump()) + "</tr>";
  html += "<tr><th>wall time, seeds/min</th>" + td_num(std::string(wall) + ", " + rate) + "</tr>";
  html += "<tr><th>simulated events</th>" + td_num(s.value("events_total", Json(0)).dump()) + "</tr>";
  return html + "</table>\n";
}

std::string failures_section(const Json& s) {
  std::string html = "<h2 id=\"failures\">Failures by violated property</h2>\n";
  const Json& counts = s.at("failure_counts");
  if (counts.empty()) return html + "<p class=\"pass\">No seed failed.</p>\n";
  for (const auto& [property, count] : counts.items()) {
    html += "<h3 class=\"fail\" data-property=\"" + esc(property) + "\">" + esc(property) + ": " + count.dump() +
            " failing seed(s)</h3>\n<table class=\"failure-table\"><tr><th>seed</th><th>trace</th><th>shrunk trace</th>"
            "<th>shrunk from / to</th><th>replay</th></tr>\n";
    for (const Json& f : s.at("failures")) {
      if (f.at("property").get<std::string>() != property) continue;
      const std::string trace = f.at("trace").get<std::string>();
      std::string shrunk_link, sizes, replay_target = trace;
      if (f.contains("shrunk") && f.at("shrunk").is_object()) {
        const Json& shrunk = f.at("shrunk");
        const std::string shrunk_trace = shrunk.value("trace", std::string());
        shrunk_link = link(shrunk_trace, std::filesystem::path(shrunk_trace).filename().string());
        sizes = shrunk.value("before", std::string()) + " -> " + shrunk.value("after", std::string());
        if (!shrunk_trace.empty()) replay_target = shrunk_trace;
      }
      html += "<tr>" + td_num(f.at("seed").dump()) + "<td>" + link(trace, std::filesystem::path(trace).filename().string()) +
              "</td><td>" + shrunk_link + "</td>" + td(sizes) + "<td><code>ckptsim replay " + esc(replay_target) +
              "</code></td></tr>\n";
    }
    html += "</table>\n";
    const Json seeds = s.at("failures_by_property").value(property, Json::array());
    if (!seeds.empty()) html += "<p class=\"meta\">seeds: " + esc(seeds.dump()) + "</p>\n";
  }
  return html;
}

std::string map_table(const Json& map, const std::string& id, const std::string& key_title, const std::string& value_title) {
  std::string html = "<table id=\"" + id + "\"><tr><th>" + esc(key_title) + "</th><th>" + esc(value_title) + "</th></tr>\n";
  for (const auto& [key, value] : map.items()) html += "<tr>" + td(key) + td_num(value.dump()) + "</tr>\n";
  return html + "</table>\n";
}

std::string coverage_section(const Json& s) {
  std::string html = "<h2 id=\"coverage\">Coverage marks</h2>\n" +
                     map_table(s.at("coverage_marks"), "coverage-table", "mark reached", "seeds that reached it");
  const Json missing = s.value("coverage_marks_not_hit", Json::array());
  if (!missing.empty()) {
    html += "<p class=\"fail\">Not reached:";
    for (const Json& m : missing) html += " <code>" + esc(m.is_string() ? m.get<std::string>() : m.dump()) + "</code>";
    html += "</p>\n";
  }
  return html;
}

Chart rate_chart(const Json& seeds, double wall_seconds) {
  // Completion time of each seed: elapsed_ms when seeds.jsonl has it, else the running
  // sum of per-seed wall times (an upper bound when several threads ran).
  std::vector<double> done_s;
  double running_ms = 0;
  for (const Json& line : seeds) {
    running_ms += static_cast<double>(line.value("wall_ms", std::int64_t{0}));
    done_s.push_back(line.contains("elapsed_ms") ? static_cast<double>(line.at("elapsed_ms").get<std::int64_t>()) / 1000.0
                                                 : running_ms / 1000.0);
  }
  std::sort(done_s.begin(), done_s.end());
  const double span_s = std::max({wall_seconds, done_s.empty() ? 0.0 : done_s.back(), 0.001});
  const double bucket_s = std::max(0.1, span_s / 40.0);
  const auto bucket_count = static_cast<std::size_t>(span_s / bucket_s) + 1;
  std::vector<std::uint64_t> counts(bucket_count, 0);
  for (const double t : done_s) counts[std::min(bucket_count - 1, static_cast<std::size_t>(t / bucket_s))]++;
  Json rows = Json::array();
  for (std::size_t i = 0; i < bucket_count; ++i) {
    rows.push_back({{"t_s", static_cast<double>(i) * bucket_s}, {"seeds_per_s", static_cast<double>(counts[i]) / bucket_s}});
  }
  Json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
               {"width", 1000},
               {"height", 200},
               {"data", {{"values", rows}}},
               {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"point", true}}},
               {"encoding", {{"x", {{"field", "t_s"}, {"type", "quantitative"}, {"title", "wall time (s)"}}},
                             {"y", {{"field", "seeds_per_s"}, {"type", "quantitative"}, {"title", "seeds/s"}}},
                             {"tooltip", Json::array({{{"field", "t_s"}}, {{"field", "seeds_per_s"}, {"format", ".1f"}}})}}}};
  return {"chart-seed-rate", "Seeds per second over wall time", "Seeds finished in each interval of the exploration's wall time.", spec};
}

Chart outcome_chart(const Json& s) {
  Json rows = Json::array();
  const std::int64_t failures = s.at("failures_total").get<std::int64_t>();
  rows.push_back({{"outcome", "passed"}, {"seeds", s.at("seeds_run").get<std::int64_t>() - failures}});
  for (const auto& [property, count] : s.at("failure_counts").items()) rows.push_back({{"outcome", property}, {"seeds", count}});
  Json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
               {"width", 600},
               {"height", {{"step", 24}}},
               {"data", {{"values", rows}}},
               {"mark", {{"type", "bar"}}},
               {"encoding", {{"y", {{"field", "outcome"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
                             {"x", {{"field", "seeds"}, {"type", "quantitative"}, {"title", "seeds"}}},
                             {"color", {{"condition", {{"test", "datum.outcome === 'passed'"}, {"value", "#1a7f37"}}}, {"value", "#cf222e"}}},
                             {"tooltip", Json::array({{{"field", "outcome"}}, {{"field", "seeds"}}})}}}};
  return {"chart-outcomes", "Seeds by outcome", "Passing seeds and failing seeds by first violated property.", spec};
}

}  // namespace

Status validate_explore_summary_json(const Json& s) {
  const std::string root = "$";
  const std::pair<const char*, JsonKind> fields[] = {
      {"scenario", JsonKind::kString},      {"seeds_total", JsonKind::kInteger},  {"seeds_run", JsonKind::kInteger},
      {"failures_total", JsonKind::kInteger}, {"wall_seconds", JsonKind::kNumber}, {"failure_counts", JsonKind::kObject},
      {"failures_by_property", JsonKind::kObject}, {"failures", JsonKind::kArray}, {"fault_kinds", JsonKind::kObject},
      {"coverage_marks", JsonKind::kObject}, {"verdict", JsonKind::kString}};
  for (const auto& [field, kind] : fields) {
    if (Status st = check_field(s, root, field, kind); !st.is_ok()) return st;
  }
  const Json& failures = s.at("failures");
  for (std::size_t i = 0; i < failures.size(); ++i) {
    const std::string path = json_element_path("$.failures", i);
    if (Status st = check_field(failures[i], path, "seed", JsonKind::kInteger); !st.is_ok()) return st;
    if (Status st = check_field(failures[i], path, "property", JsonKind::kString); !st.is_ok()) return st;
    if (Status st = check_field(failures[i], path, "trace", JsonKind::kString); !st.is_ok()) return st;
    if (Status st = check_optional_field(failures[i], path, "shrunk", JsonKind::kObject); !st.is_ok()) return st;
  }
  return Status::ok();
}

Result<Json> parse_seed_lines(const std::string& text) {
  Json seeds = Json::array();
  std::istringstream lines(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(number);
    Json json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return Status::invalid_argument(where + ": $: expected a JSON object, the line is not valid JSON");
    if (Status st = check_field(json, "$", "seed", JsonKind::kInteger); !st.is_ok()) return Status::invalid_argument(where + ": " + st.message());
    if (Status st = check_field(json, "$", "passed", JsonKind::kBoolean); !st.is_ok()) return Status::invalid_argument(where + ": " + st.message());
    seeds.push_back(std::move(json));
  }
  return seeds;
}

std::string render_explore_report(const Json& summary, const Json& seeds, const VegaBundle& bundle) {
  std::vector<Chart> charts{rate_chart(seeds, summary.at("wall_seconds").get<double>()), outcome_chart(summary)};
  std::string body = header(summary);
  body += "<h2 id=\"charts\">Charts</h2>\n";
  for (const Chart& chart : charts) body += chart_container(chart);
  body += failures_section(summary);
  body += "<h2 id=\"fault-kinds\">Fault kinds exercised</h2>\n" + map_table(summary.at("fault_kinds"), "fault-kind-table", "fault", "faults run");
  body += coverage_section(summary);
  body += "<p class=\"meta\">Generated by ckptsim from summary.json and seeds.jsonl; self-contained, works offline.</p>\n";
  return html_page("ckptsim exploration: " + summary.at("scenario").get<std::string>(), body, charts, bundle);
}

Status write_explore_report(const std::string& dir, const VegaBundle& bundle) {
  const std::filesystem::path base(dir);
  const std::string summary_path = (base / "summary.json").string();
  Result<Json> summary = read_json_file(summary_path);
  if (!summary.is_ok()) return summary.status();
  if (Status st = validate_explore_summary_json(summary.value()); !st.is_ok()) {
    return Status::invalid_argument(summary_path + ": " + st.message());
  }
  const std::string seeds_path = (base / "seeds.jsonl").string();
  std::ifstream in(seeds_path, std::ios::binary);
  if (!in) return Status::not_found(seeds_path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  Result<Json> seeds = parse_seed_lines(text.str());
  if (!seeds.is_ok()) return Status::invalid_argument(seeds_path + ": " + seeds.status().message());
  return write_text_file((base / "explore.html").string(), render_explore_report(summary.value(), seeds.value(), bundle));
}

}  // namespace ckptsim::reports
