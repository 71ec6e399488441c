// The Vega-Lite charts of report.html, built from summary.json and timeseries.json
// (already validated, see report_inputs.h) with their data inline:
//   checkpoints   end-to-end duration, alignment, sync and async phase per checkpoint id
//   throughput    records/s emitted by sources, written by sinks, committed, over time
//   latency       end-to-end latency p50/p99 of committed records per time bucket
//   backpressure  share of each bucket a task was blocked on a full output queue
//   recovery      time from each failure to the job running again, by phase
// Over-time charts shade fault windows and mark restarts with dashed rules (Jepsen style).
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/html_page.h"

namespace ckptsim::reports {

std::vector<Chart> run_report_charts(const nlohmann::json& summary, const std::optional<nlohmann::json>& timeseries);

}  // namespace ckptsim::reports
