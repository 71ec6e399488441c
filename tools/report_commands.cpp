// `ckptsim report DIR`: regenerates DIR/report.html from DIR/summary.json and
// DIR/timeseries.json (what `ckptsim run --out DIR` wrote), or DIR/explore.html from
// DIR/summary.json and DIR/seeds.jsonl when DIR holds an exploration.
//
// Exits 0 when the page was written, 2 on bad input: a missing or malformed file (the
// message names the file and the JSON path) or missing chart libraries.
#include <filesystem>
#include <iostream>
#include <memory>

#include "reports/explore_report.h"
#include "reports/run_report_files.h"
#include "reports/vega_bundle.h"
#include "tools/commands.h"

namespace ckptsim::tools {
namespace {

int report_command(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << dir << ": not a directory (expected the --out directory of `ckptsim run` or `ckptsim explore`)\n";
    return kExitBadInput;
  }
  Result<reports::VegaBundle> vega = reports::load_vega_bundle(reports::default_vega_dir());
  if (!vega.is_ok()) {
    std::cerr << "cannot write the report: " << vega.status().message() << "\n";
    return kExitBadInput;
  }
  const bool exploration = std::filesystem::exists(std::filesystem::path(dir) / "seeds.jsonl");
  const Status written = exploration ? reports::write_explore_report(dir, vega.value())
                                     : reports::regenerate_run_report(dir, vega.value());
  if (!written.is_ok()) {
    std::cerr << written.message() << "\n";
    return kExitBadInput;
  }
  std::cout << (std::filesystem::path(dir) / (exploration ? "explore.html" : "report.html")).string() << "\n";
  return kExitOk;
}

}  // namespace

void register_report_commands(CLI::App& app, int& exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* report = app.add_subcommand("report", "Regenerate DIR/report.html (or DIR/explore.html) from the JSON in DIR");
  report->add_option("dir", *dir, "the --out directory of `ckptsim run` or `ckptsim explore`")->required();
  report->callback([dir, &exit_code] { exit_code = report_command(*dir); });
}

}  // namespace ckptsim::tools
