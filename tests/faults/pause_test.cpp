#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fault_test_world.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

// What one process handled, and when.
struct Handled {
  TimeNs time_ns = 0;
  std::string what;
  bool operator==(const Handled&) const = default;
};

}  // namespace

TEST_CASE("pause: a paused process handles nothing until it resumes, then everything in order", "[unit][faults]") {
  TestWorld w;
  const ProcessId p = w.tms[0];
  const ProcessId q = w.tms[1];
  std::vector<Handled> handled;
  w.simulation.schedule_after(p, 10 * kMillisecond, [&] { handled.push_back({w.simulation.now_ns(), "p timer 10"}); });
  w.simulation.schedule_after(p, 20 * kMillisecond, [&] { handled.push_back({w.simulation.now_ns(), "p timer 20"}); });
  w.simulation.schedule_after(p, 30 * kMillisecond, [&] { handled.push_back({w.simulation.now_ns(), "p timer 30"}); });
  w.simulation.schedule_after(q, 12 * kMillisecond, [&] { handled.push_back({w.simulation.now_ns(), "q timer 12"}); });
  w.simulation.set_rpc_handler(p, [&](ProcessId, RpcMessage message) {
    handled.push_back({w.simulation.now_ns(), "p rpc " + std::to_string(message.type)});
  });
  w.send_at(14 * kMillisecond, q, p, 7);  // arrives at 15 ms, during the pause
  REQUIRE(w.add({lasting_fault("process-pause", 5 * kMillisecond, 20 * kMillisecond, "tm-0")}).is_ok());

  w.simulation.run_until(24 * kMillisecond);
  CHECK(w.simulation.is_paused(p));
  CHECK(w.simulation.deferred_events(p) == 3);
  w.simulation.run_until_idle();
  const std::vector<Handled> expected = {
      {12 * kMillisecond, "q timer 12"},  // others keep running
      {25 * kMillisecond, "p timer 10"},  // everything that came due, at the resume, in order
      {25 * kMillisecond, "p rpc 7"},
      {25 * kMillisecond, "p timer 20"},
      {30 * kMillisecond, "p timer 30"},  // later events at their own time
  };
  CHECK(handled == expected);
  CHECK_FALSE(w.simulation.is_paused(p));
  CHECK(w.schedule->windows().at(0).end_ns == 25 * kMillisecond);
}

TEST_CASE("pause: a longer pause extends a shorter one and a shorter one changes nothing", "[unit][faults]") {
  TestWorld w;
  const ProcessId p = w.tms[0];
  TimeNs fired_ns = -1;
  w.simulation.schedule_after(p, 1 * kMillisecond, [&] { fired_ns = w.simulation.now_ns(); });
  w.simulation.pause(p, 10 * kMillisecond);
  w.simulation.pause(p, 30 * kMillisecond);
  w.simulation.pause(p, 20 * kMillisecond);
  w.simulation.run_until_idle();
  CHECK(fired_ns == 30 * kMillisecond);
}

TEST_CASE("pause: a crash ends the pause and what waited is lost with the incarnation", "[unit][faults]") {
  TestWorld w;
  const ProcessId p = w.tms[0];
  int fired = 0;
  w.simulation.schedule_after(p, 1 * kMillisecond, [&] { ++fired; });
  w.send_at(1 * kMillisecond, w.jm, p, 3);
  REQUIRE(w.add({lasting_fault("process-pause", 0, 50 * kMillisecond, "tm-0")}).is_ok());
  ScheduledFault crash;
  crash.type = "task-manager-crash";
  crash.at_ns = 10 * kMillisecond;
  crash.target = "tm-0";
  crash.restart_after_ns = 5 * kMillisecond;
  REQUIRE(w.add({crash}).is_ok());
  w.simulation.run_until_idle();
  CHECK(fired == 0);
  CHECK(w.received_by(p) == 0);
  CHECK(w.simulation.is_alive(p));
  CHECK_FALSE(w.simulation.is_paused(p));
  // The restarted process runs normally.
  w.send(w.jm, p, 4);
  w.simulation.run_until_idle();
  CHECK(w.received_by(p) == 1);
}

TEST_CASE("pause: data and credits wait for the paused end of a channel", "[unit][faults]") {
  TestWorld w;
  const ProcessId sender = w.tms[0];
  const ProcessId receiver = w.tms[1];
  sim::ChannelNetwork& net = w.simulation.channels();
  const ChannelId ch = net.open(sender, receiver, sim::ChannelConfig{100 * kMicrosecond, 0, 1});
  std::vector<TimeNs> readable;
  std::vector<TimeNs> writable;
  net.set_on_readable(ch, [&] {
    readable.push_back(w.simulation.now_ns());
    (void)net.reader(ch).take();
  });
  net.set_on_writable(ch, [&] { writable.push_back(w.simulation.now_ns()); });
  REQUIRE(net.writer(ch).try_send(NetworkBuffer{0, 1, {1, 2, 3}}).is_ok());
  w.simulation.pause(receiver, 10 * kMillisecond);
  w.simulation.run_until(5 * kMillisecond);
  w.simulation.pause(sender, 20 * kMillisecond);
  w.simulation.run_until_idle();
  CHECK(readable == std::vector<TimeNs>{10 * kMillisecond});
  CHECK(writable == std::vector<TimeNs>{20 * kMillisecond});  // the credit came back at 10.1 ms
  CHECK(net.check_invariants(ch));
}

TEST_CASE("pause: a storage operation of a paused process completes when it resumes", "[unit][faults]") {
  TestWorld w;
  const ProcessId p = w.tms[0];
  TimeNs done_ns = -1;
  w.storage->view_for(p).put("chk-1/data", Bytes(100, 1), [&](Status s) {
    CHECK(s.is_ok());
    done_ns = w.simulation.now_ns();
  });
  w.simulation.pause(p, 50 * kMillisecond);
  w.simulation.run_until(49 * kMillisecond);
  CHECK_FALSE(w.storage->contains("chk-1/data"));  // the upload is the paused process's work
  w.simulation.run_until_idle();
  CHECK(done_ns == 50 * kMillisecond);
  CHECK(w.storage->contains("chk-1/data"));
}

// A non-reactive workload: timers of several processes and RPCs between them, all
// scheduled up front at odd microseconds; one process is paused over an even window.
// Property: the paused process handles exactly the same events in exactly the same
// order; each is handled at max(its time, the resume) if it came due during the pause,
// at its own time otherwise; every other process is untouched.
TEST_CASE("pause: the paused process sees the same events in the same order, shifted to the resume", "[property][faults]") {
  rc::prop("pause preserves order", [] {
    const auto event_count = *rc::gen::inRange<std::size_t>(1, 60);
    const auto pause_start_us = 2 * *rc::gen::inRange<std::int64_t>(0, 50);
    const auto pause_length_us = 2 * *rc::gen::inRange<std::int64_t>(1, 50);
    struct Planned {
      std::int64_t time_us;
      bool rpc;
      std::size_t owner;
    };
    std::vector<Planned> plan;
    for (std::size_t i = 0; i < event_count; ++i) {
      plan.push_back(Planned{2 * *rc::gen::inRange<std::int64_t>(0, 120) + 3, *rc::gen::arbitrary<bool>(),
                             *rc::gen::inRange<std::size_t>(0, 3)});
    }
    const auto run = [&](bool paused) {
      sim::SimulationOptions options = world_options(1);
      options.network.rpc_latency_ns = 2 * kMicrosecond;  // even: arrivals stay at odd microseconds
      sim::Simulation simulation(options);
      std::vector<ProcessId> ps;
      for (int i = 0; i < 3; ++i) ps.push_back(simulation.add_process("p" + std::to_string(i)));
      std::vector<std::vector<std::pair<TimeNs, std::size_t>>> handled(3);
      for (std::size_t owner = 0; owner < 3; ++owner) {
        simulation.set_rpc_handler(ps[owner], [&, owner](ProcessId, RpcMessage m) {
          handled[owner].emplace_back(simulation.now_ns(), m.type);
        });
      }
      for (std::size_t i = 0; i < plan.size(); ++i) {
        const Planned& e = plan[i];
        const ProcessId owner = ps[e.owner];
        if (e.rpc) {
          // Sent one latency earlier by a process that is never paused (a paused one cannot send).
          const ProcessId from = ps[e.owner == 1 ? 2 : 1];
          simulation.schedule_global_after((e.time_us - 2) * kMicrosecond, [&simulation, from, owner, i] {
            REQUIRE(simulation.send_rpc(from, owner, RpcMessage{static_cast<std::uint32_t>(i), {}}).is_ok());
          });
        } else {
          simulation.schedule_after(owner, e.time_us * kMicrosecond, [&, i, o = e.owner] {
            handled[o].emplace_back(simulation.now_ns(), i);
          });
        }
      }
      if (paused) {
        simulation.schedule_global_after(pause_start_us * kMicrosecond, [&] {
          simulation.pause(ps[0], (pause_start_us + pause_length_us) * kMicrosecond);
        });
      }
      simulation.run_until_idle();
      return handled;
    };
    const auto plain = run(false);
    const auto with_pause = run(true);
    const TimeNs start_ns = pause_start_us * kMicrosecond;
    const TimeNs resume_ns = (pause_start_us + pause_length_us) * kMicrosecond;
    RC_ASSERT(with_pause[1] == plain[1]);
    RC_ASSERT(with_pause[2] == plain[2]);
    RC_ASSERT(with_pause[0].size() == plain[0].size());
    for (std::size_t i = 0; i < plain[0].size(); ++i) {
      const auto [time_ns, label] = plain[0][i];
      const TimeNs expected_ns = time_ns > start_ns && time_ns < resume_ns ? resume_ns : time_ns;
      RC_ASSERT(with_pause[0][i].second == label);
      RC_ASSERT(with_pause[0][i].first == expected_ns);
    }
  });
}
