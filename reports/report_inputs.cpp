#include "reports/report_inputs.h"

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

#include "reports/json_check.h"

namespace ckptsim::reports {
namespace {

using Fields = std::initializer_list<std::pair<const char*, JsonKind>>;

constexpr JsonKind S = JsonKind::kString;
constexpr JsonKind I = JsonKind::kInteger;
constexpr JsonKind B = JsonKind::kBoolean;
constexpr JsonKind A = JsonKind::kArray;
constexpr JsonKind O = JsonKind::kObject;

Status check_fields(const nlohmann::json& json, const std::string& path, Fields fields) {
  for (const auto& [field, kind] : fields) {
    if (Status s = check_field(json, path, field, kind); !s.is_ok()) return s;
  }
  return Status::ok();
}

// Every element of the array at json[field] is an object with `fields`.
Status check_array_of(const nlohmann::json& json, const std::string& path, const char* field, Fields fields) {
  if (Status s = check_field(json, path, field, A); !s.is_ok()) return s;
  const std::string array_path = json_child_path(path, field);
  const nlohmann::json& array = json.at(field);
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (Status s = check_fields(array[i], json_element_path(array_path, i), fields); !s.is_ok()) return s;
  }
  return Status::ok();
}

}  // namespace

Status validate_summary_json(const nlohmann::json& summary) {
  const std::string root = "$";
  if (Status s = check_fields(summary, root, {{"scenario", S}, {"seed", I}, {"fingerprint", S}, {"verdict", S},
                                              {"passed", B}, {"simulated_ns", I}, {"job_finished", B},
                                              {"restarts", I}, {"records_in", I}, {"records_out", I},
                                              {"duplicates", I}, {"reproduce", S}, {"checkpoints", O}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(summary, root, "checkers",
                                {{"property", S}, {"status", S}, {"checked", I}, {"violations", I}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(summary, root, "violations",
                                {{"property", S}, {"time_ns", I}, {"event_index", I}, {"explanation", S}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(summary, root, "faults", {{"type", S}, {"target", S}, {"start_ns", I}, {"end_ns", I}});
      !s.is_ok()) {
    return s;
  }
  const nlohmann::json& checkpoints = summary.at("checkpoints");
  const std::string checkpoints_path = "$.checkpoints";
  if (Status s = check_fields(checkpoints, checkpoints_path, {{"triggered", I}, {"completed", I}, {"failed", I}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(checkpoints, checkpoints_path, "history",
                                {{"id", I}, {"status", S}, {"failure_reason", S}, {"trigger_time_ns", I},
                                 {"end_time_ns", I}, {"alignment_ns", I}, {"sync_ns", I}, {"async_ns", I},
                                 {"state_size_bytes", I}, {"in_flight_bytes", I}, {"acknowledged", I},
                                 {"total_subtasks", I}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_optional_field(summary, root, "expectation_failures", A); !s.is_ok()) return s;
  return check_optional_field(summary, root, "coverage_marks", O);
}

Status validate_timeseries_json(const nlohmann::json& timeseries) {
  const std::string root = "$";
  if (Status s = check_fields(timeseries, root, {{"bucket_ns", I}, {"latency_p50_ns", I}, {"latency_p99_ns", I}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(timeseries, root, "buckets",
                                {{"start_ns", I}, {"source_records", I}, {"sink_records", I}, {"committed_records", I},
                                 {"latency_count", I}, {"latency_p50_ns", I}, {"latency_p99_ns", I}});
      !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(timeseries, root, "backpressure", {{"task", S}, {"backpressured_ns", A}}); !s.is_ok()) {
    return s;
  }
  if (Status s = check_array_of(timeseries, root, "recoveries",
                                {{"attempt", I}, {"restarts", I}, {"cause", S}, {"failure_ns", I}, {"restart_ns", I}, {"running_ns", I},
                                 {"recovery_ns", I}, {"restored_checkpoint", I}});
      !s.is_ok()) {
    return s;
  }
  return check_optional_field(timeseries, root, "violation_events", A);
}

Result<nlohmann::json> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& error) {
    // Bad input, not control flow: the parser's message names the byte where it failed.
    return Status::invalid_argument(path + ": $: expected a JSON document, the file is not valid JSON (" +
                                    std::string(error.what()) + ")");
  }
}

Result<RunReportInputs> read_run_directory(const std::string& dir) {
  RunReportInputs inputs;
  const std::string summary_path = (std::filesystem::path(dir) / "summary.json").string();
  Result<nlohmann::json> summary = read_json_file(summary_path);
  if (!summary.is_ok()) return summary.status();
  if (Status s = validate_summary_json(summary.value()); !s.is_ok()) {
    return Status::invalid_argument(summary_path + ": " + s.message());
  }
  inputs.summary = std::move(summary).value();
  const std::string timeseries_path = (std::filesystem::path(dir) / "timeseries.json").string();
  if (std::filesystem::exists(timeseries_path)) {
    Result<nlohmann::json> timeseries = read_json_file(timeseries_path);
    if (!timeseries.is_ok()) return timeseries.status();
    if (Status s = validate_timeseries_json(timeseries.value()); !s.is_ok()) {
      return Status::invalid_argument(timeseries_path + ": " + s.message());
    }
    inputs.timeseries = std::move(timeseries).value();
  }
  return inputs;
}

}  // namespace ckptsim::reports
