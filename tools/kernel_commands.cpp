// Kernel-level sub-commands: `kernel-demo` (a protocol-free workload that shows the
// simulator at work) and `selfcheck` (runs a workload twice and compares fingerprints).
//
// Wall-clock time is read here, in the tool, only to report the event rate; it never
// feeds back into a simulation.
#include <chrono>
#include <cinttypes>
#include <cstdio>

#include "sim/determinism_check.h"
#include "sim/workloads/ping_pong.h"
#include "tools/commands.h"

namespace ckptsim::tools {
namespace {

struct KernelDemoOptions {
  std::uint64_t seed = 1;
  std::uint32_t processes = 64;
  std::uint64_t events = 5'000'000;
};

// Channels with backpressure, a crash and a restart: the kernel's busiest paths.
sim::Workload mixed_kernel_workload() {
  return [](sim::Simulation& simulation) {
    sim::workloads::ChannelMeshOptions mesh;
    mesh.producers = 4;
    mesh.consumers = 4;
    mesh.run_for_ns = 200 * kMillisecond;
    mesh.crash_consumer_at_ns = 80 * kMillisecond;
    sim::workloads::run_channel_mesh(simulation, mesh);
  };
}

int run_kernel_demo(const KernelDemoOptions& options) {
  std::printf("ckptsim kernel demo (seed %" PRIu64 ")\n", options.seed);

  sim::Simulation ping(sim::SimulationOptions{options.seed, {}, {}});
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t ping_events =
      sim::workloads::run_ping_pong(ping, {options.processes, options.events});
  const double ping_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  ping-pong, %u processes: %" PRIu64 " events, simulated %s, fingerprint %016" PRIx64
              ", %.1f M events/s (wall)\n",
              options.processes, ping_events, format_time(ping.now_ns()).c_str(), ping.fingerprint(),
              static_cast<double>(ping_events) / ping_s / 1e6);

  sim::Simulation mesh_sim(sim::SimulationOptions{options.seed, {}, {}});
  sim::workloads::ChannelMeshOptions mesh;
  mesh.run_for_ns = 500 * kMillisecond;
  mesh.crash_consumer_at_ns = 200 * kMillisecond;
  const auto mesh_start = std::chrono::steady_clock::now();
  const auto result = sim::workloads::run_channel_mesh(mesh_sim, mesh);
  const double mesh_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - mesh_start).count();
  std::printf("  channel mesh 4x4 with backpressure, consumer-0 crashes at 200ms and restarts at 250ms:\n"
              "    %" PRIu64 " buffers sent, %" PRIu64 " consumed, %" PRIu64 " backpressure stalls, %" PRIu64
              " channel failures seen\n    %" PRIu64 " events, fingerprint %016" PRIx64 ", %.1f M events/s (wall)\n",
              result.buffers_sent, result.buffers_consumed, result.backpressure_stalls, result.channel_failures_seen,
              mesh_sim.events_processed(), mesh_sim.fingerprint(),
              static_cast<double>(mesh_sim.events_processed()) / mesh_s / 1e6);

  const sim::DeterminismReport check = sim::check_determinism(mixed_kernel_workload(),
                                                              sim::SimulationOptions{options.seed, {}, {}});
  std::printf("  determinism self-check: %s\n", check.explanation.c_str());
  std::printf("  reproduce: ckptsim kernel-demo --seed %" PRIu64 "\n", options.seed);
  return check.deterministic ? kExitOk : kExitViolation;
}

int run_selfcheck(std::uint64_t seed, const std::string& workload_name) {
  sim::Workload workload;
  if (workload_name == "ping-pong") {
    workload = [](sim::Simulation& s) { sim::workloads::run_ping_pong(s, {64, 200'000}); };
  } else if (workload_name == "timer-storm") {
    workload = [](sim::Simulation& s) { sim::workloads::run_timer_storm(s, {}); };
  } else {
    workload = mixed_kernel_workload();
  }
  const sim::DeterminismReport report = sim::check_determinism(workload, sim::SimulationOptions{seed, {}, {}});
  std::printf("selfcheck %s seed %" PRIu64 ": fingerprints %016" PRIx64 " / %016" PRIx64 ": %s\n",
              workload_name.c_str(), seed, report.first_fingerprint, report.second_fingerprint,
              report.explanation.c_str());
  return report.deterministic ? kExitOk : kExitViolation;
}

}  // namespace

void register_kernel_commands(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<KernelDemoOptions>();
  CLI::App* demo = app.add_subcommand("kernel-demo", "Run protocol-free kernel workloads; print seed, fingerprint, event rate");
  demo->add_option("--seed", options->seed, "root seed");
  demo->add_option("--processes", options->processes, "ping-pong ring size")->check(CLI::Range(2u, 1u << 20));
  demo->add_option("--events", options->events, "ping-pong events");
  demo->callback([options, &exit_code] { exit_code = run_kernel_demo(*options); });

  auto seed = std::make_shared<std::uint64_t>(1);
  auto workload = std::make_shared<std::string>("channel-mesh");
  CLI::App* selfcheck = app.add_subcommand("selfcheck", "Run a kernel workload twice and compare event-log fingerprints");
  selfcheck->add_option("--seed", *seed, "root seed");
  selfcheck->add_option("--workload", *workload, "ping-pong | timer-storm | channel-mesh")
      ->check(CLI::IsMember({"ping-pong", "timer-storm", "channel-mesh"}));
  selfcheck->callback([seed, workload, &exit_code] { exit_code = run_selfcheck(*seed, *workload); });
}

}  // namespace ckptsim::tools
