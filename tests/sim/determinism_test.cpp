#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <sstream>
#include <thread>

#include "sim/determinism_check.h"
#include "sim/workloads/ping_pong.h"

using namespace ckptsim;
using namespace ckptsim::sim;

namespace {
Workload mixed_workload() {
  return [](Simulation& sim) {
    workloads::ChannelMeshOptions mesh;
    mesh.producers = 3;
    mesh.consumers = 2;
    mesh.run_for_ns = 30 * kMillisecond;
    mesh.crash_consumer_at_ns = 10 * kMillisecond;
    workloads::run_channel_mesh(sim, mesh);
  };
}
}  // namespace

TEST_CASE("determinism: the same seed gives the same fingerprint", "[property][determinism]") {
  rc::prop("mesh with crash", [](std::uint64_t seed) {
    const DeterminismReport report = check_determinism(mixed_workload(), SimulationOptions{seed, {}, {}});
    RC_ASSERT(report.deterministic);
    RC_ASSERT(report.first_fingerprint == report.second_fingerprint);
    RC_ASSERT(report.first_record_count > 0);
  });
}

TEST_CASE("determinism: different seeds give different timer-storm fingerprints", "[unit][determinism]") {
  Simulation a(SimulationOptions{1, {}, {}});
  Simulation b(SimulationOptions{2, {}, {}});
  workloads::run_timer_storm(a, {4, 8, kMillisecond, 10'000});
  workloads::run_timer_storm(b, {4, 8, kMillisecond, 10'000});
  CHECK(a.fingerprint() != b.fingerprint());
}

TEST_CASE("determinism: the self-check names the first differing event", "[unit][determinism]") {
  int run = 0;
  // A deliberately nondeterministic workload: the second run sends one extra message.
  const Workload flaky = [&run](Simulation& sim) {
    const ProcessId a = sim.add_process("a");
    const ProcessId b = sim.add_process("b");
    sim.set_rpc_handler(b, [](ProcessId, RpcMessage) {});
    for (std::uint32_t i = 0; i < 5; ++i) (void)sim.send_rpc(a, b, RpcMessage{i, {}});
    if (run++ == 1) (void)sim.send_rpc(a, b, RpcMessage{77, {}});
    sim.run_until_idle();
  };
  const DeterminismReport report = check_determinism(flaky, SimulationOptions{3, {}, {}});
  REQUIRE_FALSE(report.deterministic);
  REQUIRE(report.divergence.has_value());
  CHECK(report.divergence->exact);
  CHECK(report.divergence->record_index == 5);
  CHECK_THAT(report.explanation, Catch::Contains("#5"));
  CHECK_THAT(report.explanation, Catch::Contains("rpc_delivered"));
}

TEST_CASE("determinism: simulations in parallel threads share nothing", "[unit][determinism]") {
  // Run four simulations at once; each must match its sequential twin exactly.
  std::uint64_t sequential[4];
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    Simulation sim(SimulationOptions{seed, {}, {}});
    mixed_workload()(sim);
    sequential[seed] = sim.fingerprint();
  }
  std::uint64_t parallel[4] = {};
  std::vector<std::thread> threads;
  for (std::uint64_t seed = 0; seed < 4; ++seed) {
    threads.emplace_back([seed, &parallel] {
      Simulation sim(SimulationOptions{seed, {}, {}});
      mixed_workload()(sim);
      parallel[seed] = sim.fingerprint();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) CHECK(parallel[i] == sequential[i]);
}

TEST_CASE("event log: kept records are written as JSON lines with readable time", "[unit][determinism]") {
  SimulationOptions options{5, {}, {}};
  options.log.keep_records = true;
  Simulation sim(options);
  const ProcessId a = sim.add_process("a");
  sim.schedule_after(a, 2 * kMillisecond, [] {});
  sim.run_until_idle();
  std::ostringstream out;
  sim.log().write_json_lines(out);
  CHECK(out.str() == "{\"i\":0,\"t_ns\":2000000,\"t\":\"0.002000000s\",\"kind\":\"timer_fired\",\"p\":0,\"a\":0,\"b\":0}\n");
  const RecordKind custom = sim.log().register_kind("checkpoint_completed");
  CHECK(sim.log().register_kind("checkpoint_completed") == custom);
  CHECK(sim.log().kind_name(custom) == "checkpoint_completed");
}
