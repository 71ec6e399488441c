// `ckptsim explore`, `ckptsim replay` and `ckptsim shrink`: thin wrappers over
// scenarios/explore.h, scenarios/replay.h and scenarios/shrink.h.
//
// Exit codes: explore 0 every seed passed, 1 a seed failed; replay 0 the trace's run now
// passes, 1 it reproduced or diverged; shrink 0 the trace no longer fails, 1 a shrunk
// failing trace was written; all of them 2 on bad input.
//
// Wall-clock time is read here (progress, rates) and in explore's time budget only; it
// never feeds back into a simulation.
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "faults/swarm.h"
#include "reports/explore_report.h"
#include "reports/vega_bundle.h"
#include "scenarios/explore.h"
#include "scenarios/fault_types_doc.h"
#include "scenarios/replay.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/shrink.h"
#include "tools/commands.h"

namespace ckptsim::tools {
namespace {

struct ExploreCommandOptions {
  std::string scenario_path;
  std::string seeds = "1..100";
  std::uint32_t jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string shard = "0/1";
  std::string out_dir = "out/explore";
  std::string time_budget;
  bool no_shrink = false;
  std::uint32_t shrink_runs = 200;
  std::uint32_t shrink_max = 20;
  std::uint64_t trace_events = 200'000;
  bool quiet = false;
  std::string faults = "swarm";            // swarm | basic
  bool no_knobs = false;
  std::vector<std::string> exclude_kinds;
};

std::string format_eta(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const auto s = static_cast<std::uint64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof(text), "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(text, sizeof(text), "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof(text), "%" PRIu64 "s", s);
  }
  return text;
}

// Redraws one line with \r on a terminal; prints plain lines otherwise.
void report_progress(const scenarios::ExploreProgress& p, bool terminal) {
  const double rate = p.elapsed_s > 0 ? static_cast<double>(p.seeds_done) / p.elapsed_s : 0.0;
  const double eta = rate > 0 ? static_cast<double>(p.seeds_total - p.seeds_done) / rate : -1.0;
  if (!terminal) {
    std::fprintf(stderr, "explore: %" PRIu64 "/%" PRIu64 " seeds, %" PRIu64 " failed, %.1f seeds/s, ETA %s\n",
                 p.seeds_done, p.seeds_total, p.failures, rate, format_eta(eta).c_str());
    return;
  }
  constexpr int kBarWidth = 30;
  const double fraction = p.seeds_total > 0 ? static_cast<double>(p.seeds_done) / static_cast<double>(p.seeds_total) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kBarWidth, '.');
  std::fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " seeds  %" PRIu64 " failed  %.1f seeds/s  ETA %-8s", bar.c_str(),
               p.seeds_done, p.seeds_total, p.failures, rate, p.finished ? "done" : format_eta(eta).c_str());
  if (p.finished) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

Result<scenarios::ExploreOptions> explore_options(const ExploreCommandOptions& command) {
  scenarios::ExploreOptions options;
  Result<scenarios::Scenario> scenario = scenarios::load_scenario_file(command.scenario_path);
  if (!scenario.is_ok()) return Status::invalid_argument(command.scenario_path + ": " + scenario.status().message());
  options.base = std::move(scenario).value();
  options.scenario_path = command.scenario_path;
  Result<scenarios::SeedRange> seeds = scenarios::parse_seed_range(command.seeds);
  if (!seeds.is_ok()) return seeds.status();
  options.seeds = seeds.value();
  Result<scenarios::Shard> shard = scenarios::parse_shard(command.shard);
  if (!shard.is_ok()) return shard.status();
  options.shard = shard.value();
  if (!command.time_budget.empty()) {
    Result<DurationNs> budget = parse_duration(command.time_budget);
    if (!budget.is_ok()) return Status::invalid_argument("--time-budget: " + budget.status().message());
    options.time_budget_ns = budget.value();
  }
  if (command.faults == "swarm") {
    for (const std::string& kind : command.exclude_kinds) {
      const auto kinds = faults::swarm_fault_kinds();
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        return Status::invalid_argument("--exclude-kind: '" + kind + "' is not a fault kind the swarm draws");
      }
    }
    scenarios::SwarmRandomizeOptions swarm;
    swarm.knobs = !command.no_knobs;
    swarm.excluded_kinds = command.exclude_kinds;
    options.randomizer = scenarios::swarm_randomizer(swarm);
  } else if (command.faults == "basic") {
    if (command.no_knobs || !command.exclude_kinds.empty()) {
      return Status::invalid_argument("--no-knobs and --exclude-kind apply to --faults swarm only");
    }
    options.randomizer = scenarios::default_randomizer();
  } else {
    return Status::invalid_argument("--faults: expected 'swarm' or 'basic', got '" + command.faults + "'");
  }
  options.jobs = command.jobs;
  options.out_dir = command.out_dir;
  options.shrink_failures = !command.no_shrink;
  options.shrink_failures_max = command.shrink_max;
  options.shrink.runs_max = command.shrink_runs;
  options.trace_events_max = command.trace_events;
  return options;
}

// explore.html next to seeds.jsonl and summary.json (reports/explore_report.h).
Status write_explore_html(const std::string& out_dir) {
  Result<reports::VegaBundle> vega = reports::load_vega_bundle(reports::default_vega_dir());
  if (!vega.is_ok()) return vega.status();
  return reports::write_explore_report(out_dir, vega.value());
}

int explore_command(const ExploreCommandOptions& command) {
  Result<scenarios::ExploreOptions> options = explore_options(command);
  if (!options.is_ok()) {
    std::cerr << options.status().message() << "\n";
    return kExitBadInput;
  }
  const bool terminal = isatty(STDERR_FILENO) != 0;
  if (!command.quiet) {
    options.value().progress_interval_ms = terminal ? 200 : 5000;
    options.value().progress = [terminal](const scenarios::ExploreProgress& p) { report_progress(p, terminal); };
  }
  Result<scenarios::ExploreResult> result = scenarios::explore(options.value());
  if (!result.is_ok()) {
    std::cerr << result.status().message() << "\n";
    return kExitBadInput;
  }
  scenarios::print_explore_summary(options.value(), result.value(), std::cout);
  std::cout << "results    " << (std::filesystem::path(command.out_dir) / "seeds.jsonl").string() << ", "
            << (std::filesystem::path(command.out_dir) / "summary.json").string() << "\n";
  if (!command.out_dir.empty()) {
    const Status written = write_explore_html(command.out_dir);
    if (!written.is_ok()) {
      std::cerr << "cannot write explore.html: " << written.message() << "\n";
      return kExitBadInput;
    }
    std::cout << "report     " << (std::filesystem::path(command.out_dir) / "explore.html").string() << "\n";
  }
  return result.value().passed() ? kExitOk : kExitViolation;
}

struct ReplayCommandOptions {
  std::string trace_path;
  std::uint64_t events_around = 20;
  bool events = false;
};

int replay_command(const ReplayCommandOptions& command) {
  Result<scenarios::Trace> trace = scenarios::load_trace_file(command.trace_path);
  if (!trace.is_ok()) {
    std::cerr << command.trace_path << ": " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  scenarios::ReplayOptions options;
  options.keep_events = command.events;
  options.events_around = command.events_around;
  const scenarios::ReplayResult result = scenarios::replay(trace.value(), options);
  std::cout << "replay     " << command.trace_path << " (seed " << trace.value().seed << ", scenario '"
            << trace.value().scenario.name << "')\n";
  std::cout << scenarios::describe_replay(trace.value(), result) << "\n";
  if (command.events) {
    const std::uint64_t center =
        result.violation.has_value() ? result.violation->event_index : trace.value().violation.event_index;
    std::cout << "events around #" << center << " (" << command.events_around << " before and after):\n";
    for (const std::string& line :
         scenarios::describe_events_around(result.outcome, center, command.events_around, command.events_around)) {
      std::cout << line << "\n";
    }
  }
  return result.verdict == scenarios::ReplayVerdict::kPassed ? kExitOk : kExitViolation;
}

struct ShrinkCommandOptions {
  std::string trace_path;
  std::string out_path;
  std::uint32_t runs = 200;
  std::uint64_t trace_events = 200'000;
};

std::string default_min_path(const std::string& trace_path) {
  std::filesystem::path path(trace_path);
  const std::string stem = path.stem().string();
  return (path.parent_path() / (stem + ".min.json")).string();
}

int shrink_command(const ShrinkCommandOptions& command) {
  Result<scenarios::Trace> trace = scenarios::load_trace_file(command.trace_path);
  if (!trace.is_ok()) {
    std::cerr << command.trace_path << ": " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  scenarios::ShrinkOptions options;
  options.runs_max = command.runs;
  options.trace_events_max = command.trace_events;
  options.on_step = [](const std::string& step) { std::cerr << "  shrink: " << step << "\n"; };
  const scenarios::ShrinkResult result = scenarios::shrink(trace.value(), options);
  if (!result.reproduced) {
    std::cout << "shrink     the trace no longer violates " << trace.value().violation.property
              << "; nothing to shrink (replay it to see what changed)\n";
    return kExitOk;
  }
  const std::string out = command.out_path.empty() ? default_min_path(command.trace_path) : command.out_path;
  if (Status s = scenarios::write_trace_file(result.trace, out); !s.is_ok()) {
    std::cerr << s.message() << "\n";
    return kExitBadInput;
  }
  std::cout << "shrink     " << trace.value().violation.property << " still fails after " << result.steps.size()
            << " simplifications in " << result.runs << " runs\n"
            << "  before   " << scenarios::describe_size(result.before) << "\n"
            << "  after    " << scenarios::describe_size(result.after) << "\n"
            << "  trace    " << out << "\n  replay   ckptsim replay " << out << "\n";
  return kExitViolation;
}

void register_explore(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ExploreCommandOptions>();
  CLI::App* explore = app.add_subcommand("explore", "Run a scenario over many seeds with random faults; trace and shrink failures");
  explore->add_option("scenario", options->scenario_path, "base scenario JSON file")->required();
  explore->add_option("--seeds", options->seeds, "seed range A..B (inclusive) or one seed")->capture_default_str();
  explore->add_option("--jobs,-j", options->jobs, "worker threads (default: the number of cores)")->check(CLI::Range(1u, 1024u));
  explore->add_option("--shard", options->shard, "run only seeds s with s % N == I")->capture_default_str();
  explore->add_option("--out", options->out_dir, "output directory: seeds.jsonl, summary.json, traces/")->capture_default_str();
  explore->add_option("--time-budget", options->time_budget, "stop starting seeds after this wall time, e.g. 10m");
  explore->add_flag("--no-shrink", options->no_shrink, "do not shrink failing seeds");
  explore->add_option("--shrink-runs", options->shrink_runs, "simulation runs per shrink")->capture_default_str()->check(CLI::Range(1u, 100000u));
  explore->add_option("--shrink-max", options->shrink_max, "failing seeds shrunk at most (the first found)")->capture_default_str();
  explore->add_option("--trace-events", options->trace_events, "events kept in each trace file (0: none)")->capture_default_str();
  explore->add_flag("--quiet,-q", options->quiet, "no progress output");
  explore->add_option("--faults", options->faults,
                      "fault generator: swarm (every fault kind of the catalogue, random protocol knobs) or basic "
                      "(crashes, clogs, partitions)")->capture_default_str();
  explore->add_flag("--no-knobs", options->no_knobs, "swarm: keep the scenario's protocol settings");
  explore->add_option("--exclude-kind", options->exclude_kinds, "swarm: never draw this fault kind (repeatable)");
  explore->callback([options, &exit_code] { exit_code = explore_command(*options); });
}

void register_replay_and_shrink(CLI::App& app, int& exit_code) {
  auto replay_options = std::make_shared<ReplayCommandOptions>();
  CLI::App* replay = app.add_subcommand("replay", "Re-run a trace: reproduce its violation or say where the run diverges");
  replay->add_option("trace", replay_options->trace_path, "trace JSON file")->required();
  CLI::Option* events = replay->add_option("--events", replay_options->events_around,
                                           "print the event log around the violation, N events before and after")
                            ->expected(0, 1)
                            ->default_str("20");
  replay->callback([replay_options, events, &exit_code] {
    replay_options->events = events->count() > 0;
    exit_code = replay_command(*replay_options);
  });

  auto shrink_options = std::make_shared<ShrinkCommandOptions>();
  CLI::App* shrink = app.add_subcommand("shrink", "Reduce a failing trace while the same property still fails");
  shrink->add_option("trace", shrink_options->trace_path, "trace JSON file")->required();
  shrink->add_option("--out", shrink_options->out_path, "where to write the shrunk trace (default: TRACE.min.json)");
  shrink->add_option("--runs", shrink_options->runs, "simulation runs at most")->capture_default_str()->check(CLI::Range(1u, 100000u));
  shrink->add_option("--trace-events", shrink_options->trace_events, "events kept in the shrunk trace (0: none)")->capture_default_str();
  shrink->callback([shrink_options, &exit_code] { exit_code = shrink_command(*shrink_options); });
}

}  // namespace

// `ckptsim fault-types`: the fault reference of docs/scenario-format.md, from the table.
void register_fault_types(CLI::App& app, int& exit_code) {
  CLI::App* command = app.add_subcommand("fault-types", "print the reference of every fault type, as Markdown");
  command->callback([&exit_code] {
    std::cout << scenarios::fault_types_markdown();
    exit_code = kExitOk;
  });
}

void register_explore_commands(CLI::App& app, int& exit_code) {
  register_explore(app, exit_code);
  register_replay_and_shrink(app, exit_code);
  register_fault_types(app, exit_code);
}

}  // namespace ckptsim::tools
