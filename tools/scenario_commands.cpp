// `ckptsim run` and `ckptsim validate`: load a scenario, check it, run it, judge it.
//
// run exits 0 when every checker held (and the scenario's expectations were met),
// 1 on a violation, 2 on bad input (the message names the JSON path).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "reports/run_report_files.h"
#include "reports/run_summary.h"
#include "reports/vega_bundle.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/commands.h"

namespace ckptsim::tools {
namespace {

struct RunCommandOptions {
  std::string scenario_path;
  std::optional<std::uint64_t> seed;
  std::string out_dir;
  bool json = false;
  std::string events_path;   // write the event log as JSON lines
};

// report.html, timeseries.json and trace.chrome.json. For a violation the report shows
// the event log around it: when the run did not keep its events, the same (deterministic)
// run is repeated once with them.
Status write_reports(const scenarios::Scenario& scenario, scenarios::RunOptions run_options, const nlohmann::json& json,
                     scenarios::RunOutcome& outcome, const std::string& out_dir, const reports::VegaBundle& vega) {
  const std::vector<oracle::Violation>& violations = outcome.summary.violations;
  if (!violations.empty()) {
    const std::uint64_t index = violations.front().event_index;
    if (outcome.event_records.empty()) {
      run_options.keep_event_log = true;
      run_options.max_kept_events = index + 64;
      run_options.record_timeline = false;
      const scenarios::RunOutcome with_events = scenarios::run_scenario(scenario, run_options);
      outcome.timeline.violation_events = reports::events_around_json(
          with_events.event_records, with_events.event_kind_names, with_events.process_names, index, 20, 10);
    } else {
      outcome.timeline.violation_events = reports::events_around_json(
          outcome.event_records, outcome.event_kind_names, outcome.process_names, index, 20, 10);
    }
  }
  return reports::write_run_report_files(out_dir, json, outcome.timeline, vega);
}

int run_command(const RunCommandOptions& options) {
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file(options.scenario_path);
  if (!scenario.is_ok()) {
    std::cerr << options.scenario_path << ": " << scenario.status().message() << "\n";
    return kExitBadInput;
  }
  if (!options.out_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(options.out_dir, error);
    if (error) {
      std::cerr << "cannot create output directory '" << options.out_dir << "': " << error.message() << "\n";
      return kExitBadInput;
    }
  }
  // The report inlines the chart libraries: find them before spending time on the run.
  std::optional<reports::VegaBundle> vega;
  if (!options.out_dir.empty()) {
    Result<reports::VegaBundle> bundle = reports::load_vega_bundle(reports::default_vega_dir());
    if (!bundle.is_ok()) {
      std::cerr << "cannot write report.html: " << bundle.status().message() << "\n";
      return kExitBadInput;
    }
    vega = std::move(bundle).value();
  }
  scenarios::RunOptions run_options;
  run_options.seed = options.seed;
  run_options.scenario_path = options.scenario_path;
  run_options.keep_event_log = !options.events_path.empty();
  run_options.record_timeline = !options.out_dir.empty();
  const auto wall_start = std::chrono::steady_clock::now();  // reporting only
  scenarios::RunOutcome outcome = scenarios::run_scenario(scenario.value(), run_options);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const reports::RunSummary& summary = outcome.summary;
  nlohmann::json json = reports::to_json(summary);
  json["wall_seconds"] = wall_s;
  if (options.json) {
    std::cout << json.dump(2) << "\n";
  } else {
    reports::print_summary(summary, std::cout);
    std::printf("speed      %.2f s wall, %.1fx simulated/wall, %.2f M records/s\n", wall_s,
                static_cast<double>(summary.simulated_ns) / 1e9 / wall_s,
                static_cast<double>(summary.records_in) / wall_s / 1e6);
  }
  if (!options.events_path.empty()) {
    std::ofstream events(options.events_path);
    for (std::size_t i = 0; i < outcome.event_records.size(); ++i) {
      const sim::EventRecord& r = outcome.event_records[i];
      const std::string kind = r.kind < outcome.event_kind_names.size() ? outcome.event_kind_names[r.kind] : "unknown";
      events << "{\"i\":" << i << ",\"t\":\"" << format_time(r.time_ns) << "\",\"kind\":\"" << kind
             << "\",\"p\":" << r.process << ",\"a\":" << r.a << ",\"b\":" << r.b << "}\n";
    }
  }
  if (!options.out_dir.empty()) {
    std::ofstream file(std::filesystem::path(options.out_dir) / "summary.json");
    file << json.dump(2) << "\n";
    if (!options.json) std::cout << "summary    " << (std::filesystem::path(options.out_dir) / "summary.json").string() << "\n";
    const Status written = write_reports(scenario.value(), run_options, json, outcome, options.out_dir, *vega);
    if (!written.is_ok()) {
      std::cerr << written.message() << "\n";
      return kExitBadInput;
    }
    if (!options.json) std::cout << "report     " << (std::filesystem::path(options.out_dir) / "report.html").string() << "\n";
  }
  return summary.passed() ? kExitOk : kExitViolation;
}

int validate_command(const std::string& path) {
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file(path);
  if (!scenario.is_ok()) {
    std::cerr << path << ": " << scenario.status().message() << "\n";
    return kExitBadInput;
  }
  std::cout << path << ": valid scenario '" << scenario.value().name << "' (" << scenario.value().job.operators.size()
            << " operators, " << scenario.value().faults.size() << " faults)\n";
  return kExitOk;
}

}  // namespace

void register_scenario_commands(CLI::App& app, int& exit_code) {
  auto run_options = std::make_shared<RunCommandOptions>();
  CLI::App* run = app.add_subcommand("run", "Run a scenario, judge it with the oracle, print the verdict");
  run->add_option("scenario", run_options->scenario_path, "scenario JSON file")->required();
  run->add_option("--seed", run_options->seed, "seed (default: the scenario's)");
  run->add_option("--out", run_options->out_dir, "directory for summary.json, report.html, timeseries.json, trace.chrome.json");
  run->add_flag("--json", run_options->json, "print the machine-readable summary instead");
  run->add_option("--events", run_options->events_path, "write the full event log as JSON lines to this file");
  run->callback([run_options, &exit_code] { exit_code = run_command(*run_options); });

  auto validate_path = std::make_shared<std::string>();
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file without running it");
  validate->add_option("scenario", *validate_path, "scenario JSON file")->required();
  validate->callback([validate_path, &exit_code] { exit_code = validate_command(*validate_path); });
}

}  // namespace ckptsim::tools
