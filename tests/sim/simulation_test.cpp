#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>

#include "sim/process_env.h"
#include "sim/simulation.h"

using namespace ckptsim;
using namespace ckptsim::sim;

namespace {
SimulationOptions options_with_seed(std::uint64_t seed) {
  SimulationOptions options;
  options.seed = seed;
  return options;
}
}  // namespace

TEST_CASE("kernel: timers fire in time order and a cancelled timer never fires", "[unit][kernel]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("p");
  std::vector<int> fired;
  sim.schedule_after(p, 30, [&] { fired.push_back(3); });
  const TimerId cancelled = sim.schedule_after(p, 20, [&] { fired.push_back(2); });
  sim.schedule_after(p, 10, [&] { fired.push_back(1); });
  CHECK(sim.cancel_timer(cancelled));
  CHECK_FALSE(sim.cancel_timer(cancelled));  // cancelling twice is harmless
  sim.run_until_idle();
  CHECK(fired == std::vector<int>{1, 3});
  CHECK(sim.now_ns() == 30);
  CHECK(sim.live_timers() == 0);
}

TEST_CASE("kernel: a stale timer id cannot cancel the timer that reused its slot", "[unit][kernel]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("p");
  const TimerId first = sim.schedule_after(p, 1, [] {});
  sim.run_until_idle();
  bool second_fired = false;
  sim.schedule_after(p, 1, [&] { second_fired = true; });
  CHECK_FALSE(sim.cancel_timer(first));
  sim.run_until_idle();
  CHECK(second_fired);
}

TEST_CASE("kernel: run_until stops at the limit and advances time to it", "[unit][kernel]") {
  Simulation sim(options_with_seed(1));
  int fired = 0;
  sim.schedule_global_after(5 * kMillisecond, [&] { ++fired; });
  sim.schedule_global_after(15 * kMillisecond, [&] { ++fired; });
  CHECK(sim.run_until(10 * kMillisecond) == 1);
  CHECK(sim.now_ns() == 10 * kMillisecond);
  CHECK(fired == 1);
  CHECK(sim.pending_events() == 1);
}

TEST_CASE("kernel: an RPC arrives one latency later with its payload", "[unit][kernel][rpc]") {
  SimulationOptions options = options_with_seed(1);
  options.network.rpc_latency_ns = 3 * kMillisecond;
  Simulation sim(options);
  const ProcessId a = sim.add_process("a");
  const ProcessId b = sim.add_process("b");
  TimeNs arrival_ns = -1;
  std::vector<std::uint8_t> body;
  sim.set_rpc_handler(b, [&](ProcessId from, RpcMessage message) {
    CHECK(from == a);
    arrival_ns = sim.now_ns();
    body = message.body;
  });
  REQUIRE(sim.env(a).send(b, RpcMessage{7, {1, 2, 3}}).is_ok());
  sim.run_until_idle();
  CHECK(arrival_ns == 3 * kMillisecond);
  CHECK(body == std::vector<std::uint8_t>{1, 2, 3});
}

TEST_CASE("kernel: a message sent before the receiver crashed is not delivered to its next life", "[unit][kernel][crash]") {
  Simulation sim(options_with_seed(1));
  const ProcessId a = sim.add_process("a");
  const ProcessId b = sim.add_process("b");
  int delivered = 0;
  sim.set_boot(b, [&] { sim.set_rpc_handler(b, [&](ProcessId, RpcMessage) { ++delivered; }); });
  sim.set_rpc_handler(b, [&](ProcessId, RpcMessage) { ++delivered; });
  REQUIRE(sim.send_rpc(a, b, RpcMessage{1, {}}).is_ok());
  sim.crash(b);
  sim.restart(b);
  CHECK(sim.incarnation(b) == 1);
  sim.run_until_idle();
  CHECK(delivered == 0);
  REQUIRE(sim.send_rpc(a, b, RpcMessage{2, {}}).is_ok());
  sim.run_until_idle();
  CHECK(delivered == 1);
}

TEST_CASE("kernel: crash runs the teardown and restart runs the boot function", "[unit][kernel][crash]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("p");
  int teardowns = 0;
  int boots = 0;
  sim.set_on_crash(p, [&] { ++teardowns; });
  sim.set_boot(p, [&] { ++boots; });
  sim.crash(p);
  CHECK_FALSE(sim.is_alive(p));
  sim.restart(p);
  sim.crash(p);  // teardown is volatile: it was consumed by the first crash
  sim.restart(p);
  CHECK(teardowns == 1);
  CHECK(boots == 2);
}

TEST_CASE("kernel: the RPC fault hook can drop and delay messages", "[unit][kernel][rpc]") {
  Simulation sim(options_with_seed(1));
  const ProcessId a = sim.add_process("a");
  const ProcessId b = sim.add_process("b");
  std::vector<std::pair<std::uint32_t, TimeNs>> arrivals;
  sim.set_rpc_handler(b, [&](ProcessId, RpcMessage m) { arrivals.emplace_back(m.type, sim.now_ns()); });
  sim.set_rpc_fault_hook([](ProcessId, ProcessId, const RpcMessage& m) {
    if (m.type == 1) return RpcFate{true, 0};
    if (m.type == 2) return RpcFate{false, 10 * kMillisecond};
    return RpcFate{};
  });
  for (std::uint32_t type : {1u, 2u, 3u}) REQUIRE(sim.send_rpc(a, b, RpcMessage{type, {}}).is_ok());
  sim.run_until_idle();
  REQUIRE(arrivals.size() == 2);
  CHECK(arrivals[0] == std::make_pair(3u, 1 * kMillisecond));
  CHECK(arrivals[1] == std::make_pair(2u, 11 * kMillisecond));
}

TEST_CASE("kernel: partitions drop RPCs one way only and clogging delays them", "[unit][kernel][rpc]") {
  Simulation sim(options_with_seed(1));
  const ProcessId a = sim.add_process("a");
  const ProcessId b = sim.add_process("b");
  int at_a = 0;
  std::vector<TimeNs> at_b;
  sim.set_rpc_handler(a, [&](ProcessId, RpcMessage) { ++at_a; });
  sim.set_rpc_handler(b, [&](ProcessId, RpcMessage) { at_b.push_back(sim.now_ns()); });
  sim.set_partitioned(a, b, true);
  REQUIRE(sim.send_rpc(a, b, RpcMessage{}).is_ok());
  REQUIRE(sim.send_rpc(b, a, RpcMessage{}).is_ok());
  sim.run_until_idle();
  CHECK(at_b.empty());
  CHECK(at_a == 1);
  sim.set_partitioned(a, b, false);
  sim.clog_link(a, b, sim.now_ns() + 50 * kMillisecond);
  const TimeNs sent_at = sim.now_ns();
  REQUIRE(sim.send_rpc(a, b, RpcMessage{}).is_ok());
  sim.run_until_idle();
  REQUIRE(at_b.size() == 1);
  CHECK(at_b[0] == sent_at + 50 * kMillisecond + 1 * kMillisecond);
}

TEST_CASE("kernel: a crash drops exactly that process's pending timers and messages", "[property][kernel][crash]") {
  rc::prop("exact drop set", [](std::uint64_t seed) {
    const auto process_count = *rc::gen::inRange<std::uint32_t>(2, 6);
    const auto victim = *rc::gen::inRange<std::uint32_t>(0, process_count);
    const TimeNs crash_ns = 2 * *rc::gen::inRange<std::int64_t>(0, 10'000) + 1;  // odd: never ties
    Simulation sim(options_with_seed(seed));
    for (std::uint32_t i = 0; i < process_count; ++i) sim.add_process("p" + std::to_string(i));
    std::set<int> executed;
    std::set<int> expected;
    int next_id = 0;
    for (ProcessId p = 0; p < process_count; ++p) {
      sim.set_rpc_handler(p, [&executed](ProcessId, RpcMessage m) { executed.insert(static_cast<int>(m.type)); });
    }
    const auto timers = *rc::gen::inRange(0, 40);
    for (int i = 0; i < timers; ++i) {
      const auto owner = *rc::gen::inRange<std::uint32_t>(0, process_count);
      const TimeNs at_ns = 2 * *rc::gen::inRange<std::int64_t>(0, 10'000);
      const int id = next_id++;
      sim.schedule_after(owner, at_ns, [&executed, id] { executed.insert(id); });
      if (!(owner == victim && at_ns > crash_ns)) expected.insert(id);
    }
    const auto messages = *rc::gen::inRange(0, 40);
    for (int i = 0; i < messages; ++i) {
      const auto from = *rc::gen::inRange<std::uint32_t>(0, process_count);
      const auto to = *rc::gen::inRange<std::uint32_t>(0, process_count);
      const TimeNs extra_ns = 2 * *rc::gen::inRange<std::int64_t>(0, 5'000);
      sim.set_link_extra_latency(from, to, extra_ns, 0);
      const int id = next_id++;
      RC_ASSERT(sim.send_rpc(from, to, RpcMessage{static_cast<std::uint32_t>(id), {}}).is_ok());
      const TimeNs arrival_ns = 1 * kMillisecond + extra_ns;
      if (!((from == victim || to == victim) && arrival_ns > crash_ns)) expected.insert(id);
    }
    sim.schedule_global_after(crash_ns, [&sim, victim] {
      sim.crash(victim);
      sim.schedule_global_after(1, [&sim, victim] { sim.restart(victim); });  // new life, same old stamps
    });
    sim.run_until_idle();
    RC_ASSERT(executed == expected);
  });
}

TEST_CASE("kernel: log lines carry simulated time and process and cost nothing when off", "[unit][kernel][logging]") {
  Simulation sim(options_with_seed(1));
  const ProcessId p = sim.add_process("tm-1");
  int formatted = 0;
  auto count_formatting = [&formatted] { return ++formatted; };
  CKPT_LOG(sim, info, sim.process(p).name, "not shown {}", count_formatting());
  CHECK(formatted == 0);  // arguments are not even evaluated when the level is off

  std::ostringstream out;
  sim.logger().enable(spdlog::level::debug, std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  sim.schedule_after(p, 1500 * kMicrosecond, [&] { CKPT_LOG(sim, info, sim.process(p).name, "hello {}", 42); });
  sim.run_until_idle();
  CHECK(out.str() == "[   0.001500000s] [tm-1] hello 42\n");
}
