#include "reports/run_report_files.h"

#include <filesystem>
#include <fstream>

#include "reports/chrome_trace.h"
#include "reports/report_inputs.h"
#include "reports/run_report.h"

namespace ckptsim::reports {

Status write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::io_error("cannot create '" + path + "'");
  out << text;
  out.flush();
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

Status write_run_report_files(const std::string& dir, const nlohmann::json& summary_json, const Timeline& timeline,
                              const VegaBundle& bundle) {
  const std::filesystem::path base(dir);
  RunReportInputs inputs{summary_json, to_json(timeline)};
  if (Status s = write_text_file((base / "timeseries.json").string(), inputs.timeseries->dump(1) + "\n"); !s.is_ok()) return s;
  const std::string run_name = summary_json.value("scenario", std::string("run")) + " seed " +
                               std::to_string(summary_json.value("seed", std::uint64_t{0}));
  if (Status s = write_text_file((base / "trace.chrome.json").string(), chrome_trace_json(timeline, run_name).dump() + "\n");
      !s.is_ok()) {
    return s;
  }
  return write_text_file((base / "report.html").string(), render_run_report(inputs, bundle));
}

Status regenerate_run_report(const std::string& dir, const VegaBundle& bundle) {
  Result<RunReportInputs> inputs = read_run_directory(dir);
  if (!inputs.is_ok()) return inputs.status();
  return write_text_file((std::filesystem::path(dir) / "report.html").string(), render_run_report(inputs.value(), bundle));
}

nlohmann::json events_around_json(const std::vector<sim::EventRecord>& records, const std::vector<std::string>& kind_names,
                                  const std::vector<std::string>& process_names, std::uint64_t index,
                                  std::uint64_t before, std::uint64_t after) {
  nlohmann::json events = nlohmann::json::array();
  if (records.empty()) return events;
  const std::uint64_t first = index > before ? index - before : 0;
  const std::uint64_t last = std::min<std::uint64_t>(records.size() - 1, index + after);
  for (std::uint64_t i = first; i <= last && i < records.size(); ++i) {
    const sim::EventRecord& r = records[i];
    events.push_back({{"i", i},
                      {"t_ns", r.time_ns},
                      {"t", format_time(r.time_ns)},
                      {"kind", r.kind < kind_names.size() ? kind_names[r.kind] : "kind " + std::to_string(r.kind)},
                      {"process", r.process < process_names.size() ? process_names[r.process] : std::to_string(r.process)},
                      {"a", r.a},
                      {"b", r.b}});
  }
  return events;
}

}  // namespace ckptsim::reports
