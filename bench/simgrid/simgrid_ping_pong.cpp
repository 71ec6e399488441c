// The ckptsim kernel against SimGrid (S4U) on the same ping-pong workload, in one
// process, back to back: message deliveries per wall-clock second on each side, and the
// ratio ours / SimGrid (target: >= 10).
//
// The workload, identical on both sides: N processes (actors) in a ring, each starting
// one token towards its successor; whoever receives a token passes it on. Every delivery
// is one event. Each side runs exactly N * K deliveries (K = events / N), every message
// takes the same constant latency, so all N tokens move in lockstep on both sides.
//  * ours: sim::workloads::run_ping_pong (RPCs with the default 1 ms latency, no
//    bandwidth model, event log and fingerprint on, as in kernel_bench PingPong).
//  * SimGrid: one actor per host; actor i receives from mailbox i and forwards with a
//    detached put to mailbox i+1 (8-byte payload), K receives per actor. The network
//    model is SimGrid's Constant model (every communication takes the same time, no
//    links, no bandwidth sharing: the closest to ours) unless --model=default is given:
//    then SimGrid's default model (LV08) on a star zone, one 1 ms / 10 Gbps link per
//    host, which adds bandwidth-sharing work our workload does not do.
// Both sides include their setup (processes or actors) in the timing; with the default
// 1 M events it is a small share. Each (N, side) pair runs --repetitions times,
// alternating sides; the table shows medians, the ratio is the median of the
// per-repetition ratios (robust to load changing during the run).
//
// Usage: simgrid_ping_pong [--events=1000000] [--repetitions=5] [--model=constant|default]
//                          [SimGrid options such as --cfg=contexts/factory:ucontext]
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>
#include <xbt/config.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/assert.h"
#include "sim/allocator_tuning.h"
#include "sim/simulation.h"
#include "sim/workloads/ping_pong.h"

namespace {

namespace sg4 = simgrid::s4u;
using WallClock = std::chrono::steady_clock;

constexpr std::uint32_t kActorCounts[] = {2, 64, 1024};
constexpr std::uint32_t kMaxActors = 1024;
constexpr std::uint64_t kPayloadBytes = 8;

struct Options {
  std::uint64_t events = 1'000'000;
  int repetitions = 5;
  bool constant_model = true;
};

struct Token {
  std::uint64_t hops = 0;
};

// Removes this program's options from argv (SimGrid's Engine parses the rest).
Options parse_options(int& argc, char** argv) {
  Options options;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--events=")) {
      options.events = std::strtoull(argv[i] + 9, nullptr, 10);
    } else if (arg.starts_with("--repetitions=")) {
      options.repetitions = std::atoi(argv[i] + 14);
    } else if (arg == "--model=constant") {
      options.constant_model = true;
    } else if (arg == "--model=default") {
      options.constant_model = false;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  CKPT_ASSERT(options.events >= kMaxActors, "at least one delivery per actor");
  CKPT_ASSERT(options.repetitions >= 1, "at least one repetition");
  return options;
}

// kMaxActors hosts; actor i of any run lives on host i.
std::vector<sg4::Host*> build_platform(bool constant_model) {
  std::vector<sg4::Host*> hosts;
  if (constant_model) {
    auto* zone = sg4::create_empty_zone("ring");  // the Constant model has no links or routes
    for (std::uint32_t i = 0; i < kMaxActors; ++i) hosts.push_back(zone->create_host("h" + std::to_string(i), 1e9));
    zone->seal();
    return hosts;
  }
  auto* zone = sg4::create_star_zone("ring");
  for (std::uint32_t i = 0; i < kMaxActors; ++i) {
    sg4::Host* host = zone->create_host("h" + std::to_string(i), 1e9);
    const sg4::Link* link = zone->create_split_duplex_link("l" + std::to_string(i), 10e9)->set_latency(1e-3)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {{link, sg4::LinkInRoute::Direction::UP}}, true);
    hosts.push_back(host);
  }
  zone->seal();
  return hosts;
}

// Seconds for one SimGrid ring of `actors` actors, `receives` deliveries each.
double run_simgrid_ring(const sg4::Engine& engine, const std::vector<sg4::Host*>& hosts, std::uint32_t actors,
                        std::uint64_t receives, std::uint64_t& delivered) {
  std::vector<Token> tokens(actors);
  const auto start = WallClock::now();
  for (std::uint32_t i = 0; i < actors; ++i) {
    sg4::Mailbox* in = sg4::Mailbox::by_name("m" + std::to_string(i));
    sg4::Mailbox* out = sg4::Mailbox::by_name("m" + std::to_string((i + 1) % actors));
    Token* own = &tokens[i];
    sg4::Actor::create("a" + std::to_string(i), hosts[i], [in, out, own, receives, &delivered] {
      out->put_init(own, kPayloadBytes)->detach();
      for (std::uint64_t k = 0; k < receives; ++k) {
        Token* token = in->get<Token>();
        ++token->hops;
        ++delivered;
        // The successor takes exactly `receives` tokens: the first send plus all but
        // the last forward.
        if (k + 1 < receives) out->put_init(token, kPayloadBytes)->detach();
      }
    });
  }
  engine.run();
  return std::chrono::duration<double>(WallClock::now() - start).count();
}

// Seconds for the same ring on our kernel.
double run_our_ring(std::uint32_t processes, std::uint64_t events, std::uint64_t& delivered) {
  const auto start = WallClock::now();
  ckptsim::sim::Simulation simulation(ckptsim::sim::SimulationOptions{42, {}, {}});
  delivered += ckptsim::sim::workloads::run_ping_pong(simulation, {processes, events});
  const double seconds = std::chrono::duration<double>(WallClock::now() - start).count();
  CKPT_ASSERT(simulation.fingerprint() != 0, "the run was recorded");
  return seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  ckptsim::sim::configure_allocator_for_simulation();
  const Options options = parse_options(argc, argv);
  sg4::Engine engine(&argc, argv);
  if (options.constant_model) sg4::Engine::set_config("network/model:Constant");
  const std::vector<sg4::Host*> hosts = build_platform(options.constant_model);

  std::printf("ping-pong ring, %llu deliveries per run, %d repetitions; SimGrid %d.%d, %s network model, %s contexts\n\n",
              static_cast<unsigned long long>(options.events), options.repetitions, SIMGRID_VERSION_MAJOR,
              SIMGRID_VERSION_MINOR, options.constant_model ? "Constant" : "default (LV08, star zone)",
              simgrid::config::get_value<std::string>("contexts/factory").c_str());
  std::printf("| N | ours (M deliveries/s) | SimGrid (M deliveries/s) | ours / SimGrid |\n");
  std::printf("|---|---|---|---|\n");
  for (const std::uint32_t actors : kActorCounts) {
    const std::uint64_t receives = options.events / actors;
    const std::uint64_t events = receives * actors;
    std::vector<double> ours_rate;
    std::vector<double> simgrid_rate;
    std::vector<double> ratio;
    for (int rep = 0; rep < options.repetitions; ++rep) {
      std::uint64_t ours_delivered = 0;
      std::uint64_t simgrid_delivered = 0;
      const double ours_s = run_our_ring(actors, events, ours_delivered);
      const double simgrid_s = run_simgrid_ring(engine, hosts, actors, receives, simgrid_delivered);
      CKPT_ASSERT(ours_delivered == events, "our ring ran every delivery");
      CKPT_ASSERT(simgrid_delivered == events, "the SimGrid ring ran every delivery");
      ours_rate.push_back(static_cast<double>(events) / ours_s);
      simgrid_rate.push_back(static_cast<double>(events) / simgrid_s);
      ratio.push_back(simgrid_s / ours_s);
    }
    std::printf("| %u | %.2f | %.2f | %.1fx |\n", actors, median(ours_rate) / 1e6, median(simgrid_rate) / 1e6,
                median(ratio));
    std::fflush(stdout);
  }
  return 0;
}
