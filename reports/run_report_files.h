// The report files of a run directory, next to summary.json:
//   timeseries.json    the Timeline (timeline.h), for charts and for `ckptsim report`
//   trace.chrome.json  the Timeline as a Chrome/Perfetto trace (chrome_trace.h)
//   report.html        the self-contained HTML report (run_report.h)
// Writing fails with a Status naming the file; nothing here exits the process.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/base/status.h"
#include "reports/timeline.h"
#include "reports/vega_bundle.h"
#include "sim/event_log.h"

namespace ckptsim::reports {

Status write_text_file(const std::string& path, const std::string& text);

// Writes timeseries.json, trace.chrome.json and report.html into `dir` (which exists and
// already holds summary.json with `summary_json`).
Status write_run_report_files(const std::string& dir, const nlohmann::json& summary_json, const Timeline& timeline,
                              const VegaBundle& bundle);

// Re-renders DIR/report.html from DIR/summary.json and DIR/timeseries.json. Malformed
// input is a kInvalidArgument naming the file and the JSON path.
Status regenerate_run_report(const std::string& dir, const VegaBundle& bundle);

// Event-log records [index - before, index + after] as JSON objects
// {"i","t_ns","t","kind","process","a","b"}, for the violation part of the report.
nlohmann::json events_around_json(const std::vector<sim::EventRecord>& records, const std::vector<std::string>& kind_names,
                                  const std::vector<std::string>& process_names, std::uint64_t index,
                                  std::uint64_t before, std::uint64_t after);

}  // namespace ckptsim::reports
