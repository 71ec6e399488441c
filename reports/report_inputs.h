// Reading the run directory that `ckptsim run --out DIR` wrote, for `ckptsim report DIR`:
// DIR/summary.json (required) and DIR/timeseries.json (optional). Each document is
// parsed and checked field by field before anything is rendered, so a malformed file is
// a kInvalidArgument Status "<file>: <JSONPath>: expected ..., got ..." and never a crash.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "protocol/base/status.h"

namespace ckptsim::reports {

struct RunReportInputs {
  nlohmann::json summary;
  std::optional<nlohmann::json> timeseries;   // absent when DIR/timeseries.json does not exist
};

Status validate_summary_json(const nlohmann::json& summary);
Status validate_timeseries_json(const nlohmann::json& timeseries);
// Reads and checks one JSON file; messages start with the file's path.
Result<nlohmann::json> read_json_file(const std::string& path);
Result<RunReportInputs> read_run_directory(const std::string& dir);

}  // namespace ckptsim::reports
