// report.html for one run: the verdict per checker at the top, violations with the
// events around them, run statistics, the charts (run_report_charts.h), a checkpoint
// history table in the style of Flink's web UI, faults, recoveries and coverage marks.
// Rendered only from the JSON documents of the run directory, so `ckptsim report DIR`
// regenerates exactly what `ckptsim run --out DIR` wrote.
#pragma once

#include <string>

#include "reports/report_inputs.h"
#include "reports/vega_bundle.h"

namespace ckptsim::reports {

// Precondition: `inputs` passed validate_summary_json / validate_timeseries_json.
std::string render_run_report(const RunReportInputs& inputs, const VegaBundle& bundle);

}  // namespace ckptsim::reports
