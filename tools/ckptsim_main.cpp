// ckptsim: run, check and explore checkpoint-protocol simulations.
#include <cstdio>
#include <exception>

#include "sim/allocator_tuning.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  ckptsim::sim::configure_allocator_for_simulation();
  CLI::App app{"ckptsim: deterministic simulation testing of stream-processing checkpoint protocols"};
  app.require_subcommand(1);
  int exit_code = ckptsim::tools::kExitOk;
  ckptsim::tools::register_kernel_commands(app, exit_code);
  ckptsim::tools::register_scenario_commands(app, exit_code);
  ckptsim::tools::register_explore_commands(app, exit_code);
  ckptsim::tools::register_report_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int cli_code = app.exit(error);
    // --help is not an error; every real parse error is bad input.
    return cli_code == 0 ? 0 : ckptsim::tools::kExitBadInput;
  }
  return exit_code;
}
