#include "reports/run_report.h"

#include <cinttypes>
#include <cstdio>

#include "protocol/base/time.h"
#include "reports/html_page.h"
#include "reports/run_report_charts.h"

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

std::string str(const Json& json, const char* field) { return json.at(field).get<std::string>(); }
std::int64_t num(const Json& json, const char* field) { return json.at(field).get<std::int64_t>(); }
std::string esc(const std::string& text) { return html_escape(text); }

std::string bytes_text(std::int64_t bytes) {
  char buffer[32];
  if (bytes < 1024) {
    std::snprintf(buffer, sizeof(buffer), "%" PRId64 " B", bytes);
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buffer, sizeof(buffer), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  }
  return buffer;
}

// Durations for people: "850ns", "12us", "17.1ms", "2.52s".
std::string human_duration(std::int64_t ns) {
  char buffer[32];
  const double value = static_cast<double>(ns);
  if (ns < 0) return "-";
  if (ns < 1'000) {
    std::snprintf(buffer, sizeof(buffer), "%" PRId64 "ns", ns);
  } else if (ns < 1'000'000) {
    std::snprintf(buffer, sizeof(buffer), "%.0fus", value / 1e3);
  } else if (ns < 1'000'000'000) {
    std::snprintf(buffer, sizeof(buffer), "%.1fms", value / 1e6);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.3fs", value / 1e9);
  }
  return buffer;
}

// Simulated time of day: seconds with millisecond precision.
std::string human_time(std::int64_t ns) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3fs", static_cast<double>(ns) / 1e9);
  return buffer;
}

std::string td(const std::string& text) { return "<td>" + esc(text) + "</td>"; }
std::string td_num(const std::string& text) { return "<td class=\"num\">" + esc(text) + "</td>"; }

std::string header(const Json& s) {
  const bool passed = str(s, "verdict") == "pass";
  std::string html = "<h1>ckptsim run report: " + esc(str(s, "scenario")) + " <span class=\"badge " +
                     (passed ? "pass\">PASS" : "fail\">FAIL") + "</span></h1>\n";
  html += "<p class=\"meta\">seed " + std::to_string(num(s, "seed")) + " &middot; fingerprint <code>" +
          esc(str(s, "fingerprint")) + "</code> &middot; " + esc(format_time(num(s, "simulated_ns"))) +
          " simulated &middot; reproduce: <code>" + esc(str(s, "reproduce")) + "</code></p>\n";
  return html;
}

std::string verdict_table(const Json& s) {
  std::string html = "<h2 id=\"verdict\">Verdict per checker</h2>\n<table id=\"verdict-table\"><tr><th>property</th>"
                     "<th>status</th><th>checked</th><th>violations</th><th>note</th></tr>\n";
  for (const Json& c : s.at("checkers")) {
    const std::string status = str(c, "status");
    const std::string css = status == "pass" ? "pass" : status == "FAIL" ? "fail" : "skipped";
    html += "<tr data-property=\"" + esc(str(c, "property")) + "\">" + td(str(c, "property")) + "<td class=\"" + css +
            "\">" + esc(status) + "</td>" + td_num(std::to_string(num(c, "checked"))) +
            td_num(std::to_string(num(c, "violations"))) + td(c.value("note", std::string())) + "</tr>\n";
  }
  html += "</table>\n";
  const Json failures = s.value("expectation_failures", Json::array());
  for (const Json& f : failures) {
    if (f.is_string()) html += "<p class=\"fail\">expectation not met: " + esc(f.get<std::string>()) + "</p>\n";
  }
  return html;
}

std::string events_around(const Json& events, std::int64_t event_index) {
  if (!events.is_array() || events.empty()) {
    return "<p class=\"meta\">The event log around it was not recorded (see timeseries.json).</p>\n";
  }
  std::string html = "<table class=\"events\"><tr><th>event</th><th>time</th><th>kind</th><th>process</th>"
                     "<th>a</th><th>b</th></tr>\n";
  for (const Json& e : events) {
    if (!e.is_object()) continue;
    const std::int64_t i = e.value("i", std::int64_t{-1});
    html += std::string(i == event_index ? "<tr class=\"highlight\">" : "<tr>") + td_num(std::to_string(i)) +
            td(e.value("t", std::string())) + td(e.value("kind", std::string())) + td(e.value("process", std::string())) +
            td_num(e.contains("a") ? e.at("a").dump() : "") + td_num(e.contains("b") ? e.at("b").dump() : "") + "</tr>\n";
  }
  return html + "</table>\n";
}

std::string violations_section(const Json& s, const std::optional<Json>& timeseries) {
  const Json& violations = s.at("violations");
  if (violations.empty()) return "";
  std::string html = "<h2 id=\"violations\">Violations</h2>\n";
  const Json events = timeseries ? timeseries->value("violation_events", Json::array()) : Json::array();
  bool first = true;
  for (const Json& v : violations) {
    html += "<div class=\"violation\"><p><b class=\"fail\">" + esc(str(v, "property")) + "</b> at " +
            esc(format_time(num(v, "time_ns"))) + ", event " + std::to_string(num(v, "event_index")) + "</p><p>" +
            esc(str(v, "explanation")) + "</p>";
    // The events kept are those around the first violation (the one that stopped the run).
    if (first) html += "<p class=\"meta\">Events around it:</p>" + events_around(events, num(v, "event_index"));
    html += "</div>\n";
    first = false;
  }
  return html;
}

std::string run_table(const Json& s, const std::optional<Json>& timeseries) {
  const Json& c = s.at("checkpoints");
  std::string job = s.at("job_finished").get<bool>() ? "FINISHED" : s.value("job_failed", false) ? "FAILED" : "NOT FINISHED";
  std::string html = "<h2>Run</h2>\n<table id=\"run-table\">";
  html += "<tr><th>job</th>" + td(job) + "</tr>";
  html += "<tr><th>restarts</th>" + td_num(std::to_string(num(s, "restarts"))) + "</tr>";
  html += "<tr><th>records in / committed / duplicates</th>" +
          td_num(std::to_string(num(s, "records_in")) + " / " + std::to_string(num(s, "records_out")) + " / " +
                 std::to_string(num(s, "duplicates"))) + "</tr>";
  html += "<tr><th>checkpoints triggered / completed / failed</th>" +
          td_num(std::to_string(num(c, "triggered")) + " / " + std::to_string(num(c, "completed")) + " / " +
                 std::to_string(num(c, "failed"))) + "</tr>";
  if (timeseries) {
    html += "<tr><th>end-to-end latency p50 / p99</th>" +
            td_num(human_duration(num(*timeseries, "latency_p50_ns")) + " / " +
                   human_duration(num(*timeseries, "latency_p99_ns"))) + "</tr>";
  }
  html += "<tr><th>events</th>" + td_num(std::to_string(s.value("events", std::int64_t{0}))) + "</tr>";
  return html + "</table>\n";
}

std::string checkpoint_table(const Json& s) {
  std::string html =
      "<h2 id=\"checkpoints\">Checkpoint history</h2>\n<table id=\"checkpoint-table\"><tr><th>ID</th><th>Status</th>"
      "<th>Acknowledged</th><th>Trigger Time</th><th>End to End Duration</th><th>Alignment Duration</th>"
      "<th>Sync Duration</th><th>Async Duration</th><th>Checkpointed Data Size</th><th>Processed In-flight Data</th>"
      "<th>Failure Reason</th></tr>\n";
  for (const Json& c : s.at("checkpoints").at("history")) {
    const std::string status = str(c, "status");
    const std::int64_t end_ns = num(c, "end_time_ns");
    const std::string duration = end_ns < 0 ? "-" : human_duration(end_ns - num(c, "trigger_time_ns"));
    html += std::string(status == "FAILED" ? "<tr class=\"failed\"" : "<tr") + " data-checkpoint=\"" +
            std::to_string(num(c, "id")) + "\">" + td_num(std::to_string(num(c, "id"))) + td(status) +
            td_num(std::to_string(num(c, "acknowledged")) + "/" + std::to_string(num(c, "total_subtasks"))) +
            td_num(human_time(num(c, "trigger_time_ns"))) + td_num(duration) +
            td_num(human_duration(num(c, "alignment_ns"))) + td_num(human_duration(num(c, "sync_ns"))) +
            td_num(human_duration(num(c, "async_ns"))) + td_num(bytes_text(num(c, "state_size_bytes"))) +
            td_num(bytes_text(num(c, "in_flight_bytes"))) + td(str(c, "failure_reason")) + "</tr>\n";
  }
  return html + "</table>\n";
}

std::string faults_and_recoveries(const Json& s, const std::optional<Json>& timeseries) {
  std::string html = "<h2 id=\"faults\">Faults and recoveries</h2>\n";
  if (s.at("faults").empty()) {
    html += "<p class=\"meta\">No faults were injected.</p>\n";
  } else {
    html += "<table id=\"fault-table\"><tr><th>fault</th><th>target</th><th>start</th><th>end</th></tr>\n";
    for (const Json& f : s.at("faults")) {
      html += "<tr>" + td(str(f, "type")) + td(str(f, "target")) + td_num(human_time(num(f, "start_ns"))) +
              td_num(human_time(num(f, "end_ns"))) + "</tr>\n";
    }
    html += "</table>\n";
  }
  if (timeseries && !timeseries->at("recoveries").empty()) {
    html += "<table id=\"recovery-table\"><tr><th>first attempt</th><th>restarts</th><th>cause</th><th>failure</th>"
            "<th>first restart</th><th>running again</th><th>recovery time</th><th>restored from</th></tr>\n";
    for (const Json& r : timeseries->at("recoveries")) {
      const std::int64_t restored = num(r, "restored_checkpoint");
      const bool recovered = r.value("recovered", true);
      html += "<tr>" + td_num(std::to_string(num(r, "attempt"))) + td_num(std::to_string(num(r, "restarts"))) +
              td(str(r, "cause")) + td_num(human_time(num(r, "failure_ns"))) + td_num(human_time(num(r, "restart_ns"))) +
              td_num(recovered ? human_time(num(r, "running_ns")) : "not before the run ended") +
              td_num(human_duration(num(r, "recovery_ns"))) +
              td(restored < 0 ? "nothing (empty)" : "checkpoint " + std::to_string(restored)) + "</tr>\n";
    }
    html += "</table>\n";
  }
  return html;
}

std::string coverage_section(const Json& s) {
  const Json marks = s.value("coverage_marks", Json::object());
  if (!marks.is_object() || marks.empty()) return "";
  std::string html = "<h2>Coverage marks reached</h2>\n<table id=\"coverage-table\"><tr><th>mark</th><th>hits</th></tr>\n";
  for (const auto& [mark, hits] : marks.items()) html += "<tr>" + td(mark) + td_num(hits.dump()) + "</tr>\n";
  return html + "</table>\n";
}

}  // namespace

std::string render_run_report(const RunReportInputs& inputs, const VegaBundle& bundle) {
  const Json& s = inputs.summary;
  const std::vector<Chart> charts = run_report_charts(s, inputs.timeseries);
  std::string body = header(s) + verdict_table(s) + violations_section(s, inputs.timeseries) + run_table(s, inputs.timeseries);
  body += "<h2 id=\"charts\">Charts</h2>\n";
  if (!inputs.timeseries) {
    body += "<p class=\"meta\">No timeseries.json next to summary.json: only the checkpoint chart is shown.</p>\n";
  }
  for (const Chart& chart : charts) body += chart_container(chart);
  body += checkpoint_table(s) + faults_and_recoveries(s, inputs.timeseries) + coverage_section(s);
  body += "<p class=\"meta\">Generated by ckptsim from summary.json and timeseries.json; self-contained, works offline.</p>\n";
  return html_page("ckptsim report: " + str(s, "scenario") + " (" + str(s, "verdict") + ")", body, charts, bundle);
}

}  // namespace ckptsim::reports
