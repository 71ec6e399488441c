// The `ckptsim` command line: each sub-command registers itself on the CLI11 app.
// Exit codes everywhere: 0 success (every checker held), 1 a violation or a
// nondeterminism was found, 2 bad input (the message names what was expected).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ckptsim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitBadInput = 2;

// Each register_* adds a sub-command whose callback stores its exit code in `exit_code`.
void register_kernel_commands(CLI::App& app, int& exit_code);
void register_scenario_commands(CLI::App& app, int& exit_code);
void register_explore_commands(CLI::App& app, int& exit_code);
void register_report_commands(CLI::App& app, int& exit_code);

}  // namespace ckptsim::tools
