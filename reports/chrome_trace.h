// trace.chrome.json: a run's Timeline in the Trace Event Format (JSON object form), for
// Perfetto and chrome://tracing. Each TimelineEvent process becomes a pid and each of its
// threads a tid, named by "process_name"/"thread_name" metadata events; spans are complete
// ("X") events, instants are "i" events with thread scope. Timestamps are microseconds of
// virtual time (ns / 1000). Spans that overlap on one track go to extra lanes ("name #2")
// so every track nests properly. Deterministic: same timeline, same bytes.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/timeline.h"

namespace ckptsim::reports {

nlohmann::json chrome_trace_json(const Timeline& timeline, const std::string& run_name);

}  // namespace ckptsim::reports
