#include "reports/run_report_charts.h"

#include <algorithm>
#include <string>

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

constexpr int kChartWidth = 900;
constexpr int kChartHeight = 220;

double seconds(std::int64_t ns) { return static_cast<double>(ns) / 1e9; }
double millis(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

Json time_axis() { return {{"field", "t_s"}, {"type", "quantitative"}, {"title", "simulated time (s)"}}; }

Json base_spec(Json layers_or_mark) {
  Json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
               {"width", kChartWidth},
               {"height", kChartHeight},
               {"config", {{"font", "Helvetica, Arial, sans-serif"},
                           {"legend", {{"orient", "right"}, {"labelLimit", 320}}},
                           {"axis", {{"labelLimit", 360}}}}}};
  spec.update(layers_or_mark);
  return spec;
}

// Fault windows (shaded) and restarts (dashed rules) to lay under an over-time chart.
std::vector<Json> fault_layers(const Json& summary, const std::optional<Json>& timeseries) {
  std::vector<Json> layers;
  Json windows = Json::array();
  for (const Json& f : summary.at("faults")) {
    const std::int64_t start_ns = f.at("start_ns").get<std::int64_t>();
    // An instantaneous fault still gets a visible band (5 ms).
    const std::int64_t end_ns = std::max(f.at("end_ns").get<std::int64_t>(), start_ns + 5'000'000);
    const std::string target = f.at("target").get<std::string>();
    windows.push_back({{"t_s", seconds(start_ns)}, {"end_s", seconds(end_ns)},
                       {"fault", f.at("type").get<std::string>() + (target.empty() ? "" : " " + target)}});
  }
  if (!windows.empty()) {
    layers.push_back({{"data", {{"values", windows}}},
                      {"mark", {{"type", "rect"}, {"color", "#cf222e"}, {"opacity", 0.15}}},
                      {"encoding", {{"x", time_axis()}, {"x2", {{"field", "end_s"}}},
                                    {"tooltip", Json::array({{{"field", "fault"}, {"title", "fault"}}})}}}});
  }
  Json restarts = Json::array();
  if (timeseries) {
    for (const Json& r : timeseries->at("recoveries")) {
      restarts.push_back({{"t_s", seconds(r.at("restart_ns").get<std::int64_t>())},
                          {"restart", "restart (attempt " + std::to_string(r.at("attempt").get<std::int64_t>()) + ")"}});
    }
  }
  if (!restarts.empty()) {
    layers.push_back({{"data", {{"values", restarts}}},
                      {"mark", {{"type", "rule"}, {"color", "#8250df"}, {"strokeDash", {4, 3}}, {"strokeWidth", 1.5}}},
                      {"encoding", {{"x", time_axis()}, {"tooltip", Json::array({{{"field", "restart"}}})}}}});
  }
  return layers;
}

Chart checkpoint_chart(const Json& summary) {
  Json rows = Json::array();
  Json failed = Json::array();
  for (const Json& c : summary.at("checkpoints").at("history")) {
    const std::int64_t id = c.at("id").get<std::int64_t>();
    const std::int64_t trigger_ns = c.at("trigger_time_ns").get<std::int64_t>();
    const std::int64_t end_ns = c.at("end_time_ns").get<std::int64_t>();
    const std::string status = c.at("status").get<std::string>();
    if (status == "COMPLETED") {
      rows.push_back({{"id", id}, {"phase", "end-to-end duration"}, {"ms", millis(end_ns - trigger_ns)}});
      rows.push_back({{"id", id}, {"phase", "alignment (max)"}, {"ms", millis(c.at("alignment_ns").get<std::int64_t>())}});
      rows.push_back({{"id", id}, {"phase", "sync phase (max)"}, {"ms", millis(c.at("sync_ns").get<std::int64_t>())}});
      rows.push_back({{"id", id}, {"phase", "async phase (max)"}, {"ms", millis(c.at("async_ns").get<std::int64_t>())}});
    } else if (status == "FAILED" && end_ns >= trigger_ns) {
      failed.push_back({{"id", id}, {"ms", millis(end_ns - trigger_ns)}, {"reason", c.at("failure_reason")}});
    }
  }
  Json x = {{"field", "id"}, {"type", "quantitative"}, {"title", "checkpoint id"}, {"axis", {{"tickMinStep", 1}}}};
  Json layers = Json::array();
  layers.push_back({{"data", {{"values", rows}}},
                    {"mark", {{"type", "line"}, {"point", true}}},
                    {"encoding", {{"x", x},
                                  {"y", {{"field", "ms"}, {"type", "quantitative"}, {"title", "milliseconds"}}},
                                  {"color", {{"field", "phase"}, {"type", "nominal"}, {"title", "phase"}}},
                                  {"tooltip", Json::array({{{"field", "id"}}, {{"field", "phase"}}, {{"field", "ms"}}})}}}});
  if (!failed.empty()) {
    layers.push_back({{"data", {{"values", failed}}},
                      {"mark", {{"type", "point"}, {"shape", "cross"}, {"color", "#cf222e"}, {"size", 80}, {"filled", true}}},
                      {"encoding", {{"x", x}, {"y", {{"field", "ms"}, {"type", "quantitative"}}},
                                    {"tooltip", Json::array({{{"field", "id"}}, {{"field", "reason"}}, {{"field", "ms"}}})}}}});
  }
  return {"chart-checkpoints", "Checkpoint duration and alignment per checkpoint",
          "Completed checkpoints: end-to-end duration (trigger to completion) and the maximum over subtasks of "
          "alignment, synchronous and asynchronous phase, in ms. Red crosses: failed checkpoints (time to abort).",
          base_spec({{"layer", layers}})};
}

Chart throughput_chart(const Json& summary, const Json& timeseries) {
  const double per_second = 1e9 / static_cast<double>(std::max<std::int64_t>(1, timeseries.at("bucket_ns").get<std::int64_t>()));
  Json rows = Json::array();
  for (const Json& b : timeseries.at("buckets")) {
    const double t_s = seconds(b.at("start_ns").get<std::int64_t>());
    rows.push_back({{"t_s", t_s}, {"series", "emitted by sources"}, {"rate", b.at("source_records").get<double>() * per_second}});
    rows.push_back({{"t_s", t_s}, {"series", "written by sinks"}, {"rate", b.at("sink_records").get<double>() * per_second}});
    rows.push_back({{"t_s", t_s}, {"series", "committed"}, {"rate", b.at("committed_records").get<double>() * per_second}});
  }
  Json layers = Json::array();
  for (Json& l : fault_layers(summary, timeseries)) layers.push_back(std::move(l));
  layers.push_back({{"data", {{"values", rows}}},
                    {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
                    {"encoding", {{"x", time_axis()},
                                  {"y", {{"field", "rate"}, {"type", "quantitative"}, {"title", "records/s"}}},
                                  {"color", {{"field", "series"}, {"type", "nominal"}, {"title", "records"}}},
                                  {"tooltip", Json::array({{{"field", "t_s"}}, {{"field", "series"}}, {{"field", "rate"}, {"format", ".0f"}}})}}}});
  return {"chart-throughput", "Throughput over simulated time",
          "Records per second in each time bucket. Shaded: fault windows; dashed: restarts. Commits come in steps, at "
          "checkpoint completion (two-phase commit).",
          base_spec({{"layer", layers}})};
}

Chart latency_chart(const Json& summary, const Json& timeseries) {
  Json rows = Json::array();
  for (const Json& b : timeseries.at("buckets")) {
    if (b.at("latency_count").get<std::int64_t>() == 0) continue;
    const double t_s = seconds(b.at("start_ns").get<std::int64_t>());
    rows.push_back({{"t_s", t_s}, {"percentile", "p50"}, {"ms", millis(b.at("latency_p50_ns").get<std::int64_t>())}});
    rows.push_back({{"t_s", t_s}, {"percentile", "p99"}, {"ms", millis(b.at("latency_p99_ns").get<std::int64_t>())}});
  }
  Json layers = Json::array();
  for (Json& l : fault_layers(summary, timeseries)) layers.push_back(std::move(l));
  layers.push_back({{"data", {{"values", rows}}},
                    {"mark", {{"type", "line"}, {"point", true}}},
                    {"encoding", {{"x", time_axis()},
                                  {"y", {{"field", "ms"}, {"type", "quantitative"}, {"title", "latency (ms)"}}},
                                  {"color", {{"field", "percentile"}, {"type", "nominal"}}},
                                  {"tooltip", Json::array({{{"field", "t_s"}}, {{"field", "percentile"}}, {{"field", "ms"}, {"format", ".1f"}}})}}}});
  return {"chart-latency", "End-to-end latency over simulated time",
          "For records committed in each bucket: commit time minus the time the record became available in the input "
          "log, p50 and p99 (log-linear histogram, within 12.5%). Shaded: fault windows; dashed: restarts.",
          base_spec({{"layer", layers}})};
}

Chart backpressure_chart(const Json& timeseries) {
  const std::int64_t bucket_ns = std::max<std::int64_t>(1, timeseries.at("bucket_ns").get<std::int64_t>());
  const Json& buckets = timeseries.at("buckets");
  Json rows = Json::array();
  for (const Json& task : timeseries.at("backpressure")) {
    const Json& values = task.at("backpressured_ns");
    for (std::size_t i = 0; i < values.size() && i < buckets.size(); ++i) {
      const std::int64_t start_ns = buckets[i].at("start_ns").get<std::int64_t>();
      const double share = values[i].is_number() ? values[i].get<double>() / static_cast<double>(bucket_ns) : 0.0;
      rows.push_back({{"t_s", seconds(start_ns)}, {"end_s", seconds(start_ns + bucket_ns)},
                      {"task", task.at("task")}, {"percent", std::min(100.0, 100.0 * share)}});
    }
  }
  Json spec = {{"data", {{"values", rows}}},
               // Opacity, not a color scale: 0% must be exactly the page background.
               {"mark", {{"type", "rect"}, {"color", "#cf222e"}}},
               {"encoding", {{"x", time_axis()}, {"x2", {{"field", "end_s"}}},
                             {"y", {{"field", "task"}, {"type", "nominal"}, {"title", "task"}, {"sort", nullptr}}},
                             {"opacity", {{"field", "percent"}, {"type", "quantitative"}, {"title", "% backpressured"},
                                          {"scale", {{"domain", {0, 100}}, {"range", {0, 1}}}}}},
                             {"tooltip", Json::array({{{"field", "task"}}, {{"field", "t_s"}}, {{"field", "percent"}, {"format", ".1f"}}})}}}};
  Json full = base_spec(spec);
  full["height"] = {{"step", 18}};
  return {"chart-backpressure", "Backpressure per task",
          "Share of each time bucket the task could not process because an output queue was full (no credit "
          "downstream), as Flink's backPressuredTimeMsPerSecond.",
          full};
}

Chart recovery_chart(const Json& timeseries) {
  Json rows = Json::array();
  for (const Json& r : timeseries.at("recoveries")) {
    const std::string label = "attempt " + std::to_string(r.at("attempt").get<std::int64_t>()) + ": " + r.at("cause").get<std::string>();
    const std::int64_t failure_ns = r.at("failure_ns").get<std::int64_t>();
    const std::int64_t restart_ns = r.at("restart_ns").get<std::int64_t>();
    const std::int64_t running_ns = r.at("running_ns").get<std::int64_t>();
    rows.push_back({{"failure", label}, {"phase", "1 detection and restart delay"}, {"ms", millis(restart_ns - failure_ns)}});
    rows.push_back({{"failure", label}, {"phase", "2 redeploy(s) and restore"}, {"ms", millis(running_ns - restart_ns)}});
  }
  Json spec = {{"data", {{"values", rows}}},
               {"mark", {{"type", "bar"}}},
               {"encoding", {{"y", {{"field", "failure"}, {"type", "nominal"}, {"title", "failure"}, {"sort", nullptr}}},
                             {"x", {{"field", "ms"}, {"type", "quantitative"}, {"stack", "zero"}, {"title", "recovery time (ms)"}}},
                             {"color", {{"field", "phase"}, {"type", "nominal"}}},
                             {"order", {{"field", "phase"}}},
                             {"tooltip", Json::array({{{"field", "failure"}}, {{"field", "phase"}}, {{"field", "ms"}, {"format", ".1f"}}})}}}};
  Json full = base_spec(spec);
  full["height"] = {{"step", 28}};
  return {"chart-recovery", "Recovery time per failure",
          "From the fault that caused the restart to every task of the job restoring its state: failure detection and "
          "the restart strategy's delay, then redeploying (again, while slots are missing) and restoring.",
          full};
}

}  // namespace

std::vector<Chart> run_report_charts(const Json& summary, const std::optional<Json>& timeseries) {
  std::vector<Chart> charts;
  charts.push_back(checkpoint_chart(summary));
  if (!timeseries) return charts;
  charts.push_back(throughput_chart(summary, *timeseries));
  charts.push_back(latency_chart(summary, *timeseries));
  if (!timeseries->at("backpressure").empty() && !timeseries->at("buckets").empty()) charts.push_back(backpressure_chart(*timeseries));
  if (!timeseries->at("recoveries").empty()) charts.push_back(recovery_chart(*timeseries));
  return charts;
}

}  // namespace ckptsim::reports
