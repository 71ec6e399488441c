#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <vector>

#include "fault_test_world.h"
#include "sim/process_clock.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;
using sim::ClockAdjustment;
using sim::ProcessClock;

TEST_CASE("clock: an unskewed process sees the simulation's time and timers", "[unit][faults]") {
  TestWorld w;
  sim::ProcessEnv& env = w.simulation.env(w.tms[0]);
  CHECK(env.clock().is_identity());
  TimeNs fired_ns = -1;
  env.schedule_after(7 * kMillisecond, [&] { fired_ns = w.simulation.now_ns(); });
  w.simulation.run_until_idle();
  CHECK(fired_ns == 7 * kMillisecond);
  CHECK(env.now_ns() == w.simulation.now_ns());
}

TEST_CASE("clock: a fast clock fires timers earlier in real time, exactly ceil(d * 1e6 / (1e6 + drift))",
          "[unit][faults]") {
  TestWorld w;
  sim::ProcessEnv& env = w.simulation.env(w.tms[0]);
  env.adjust_clock(ClockAdjustment{0, 100'000});  // 10% fast
  TimeNs fired_real_ns = -1;
  TimeNs fired_local_ns = -1;
  env.schedule_after(100 * kMillisecond, [&] {
    fired_real_ns = w.simulation.now_ns();
    fired_local_ns = env.now_ns();
  });
  w.simulation.run_until_idle();
  CHECK(fired_real_ns == 90'909'091);                 // ceil(100e6 / 1.1)
  CHECK(fired_local_ns == 100'000'000);               // floor(90'909'091 * 1.1)
  CHECK(env.now_ns() == w.simulation.now_ns() * 11 / 10);
}

TEST_CASE("clock: a slow clock fires timers later in real time", "[unit][faults]") {
  TestWorld w;
  sim::ProcessEnv& env = w.simulation.env(w.tms[0]);
  env.adjust_clock(ClockAdjustment{0, -500'000});  // half speed
  TimeNs fired_real_ns = -1;
  env.schedule_after(10 * kMillisecond, [&] { fired_real_ns = w.simulation.now_ns(); });
  w.simulation.run_until_idle();
  CHECK(fired_real_ns == 20 * kMillisecond);
  CHECK(env.now_ns() == 10 * kMillisecond);
}

TEST_CASE("clock: a step moves now_ns forward but not a timer's real delay", "[unit][faults]") {
  TestWorld w;
  sim::ProcessEnv& env = w.simulation.env(w.tms[0]);
  w.simulation.run_until(5 * kMillisecond);
  TimeNs fired_real_ns = -1;
  env.schedule_after(10 * kMillisecond, [&] { fired_real_ns = w.simulation.now_ns(); });
  env.adjust_clock(ClockAdjustment{1 * kSecond, 0});
  CHECK(env.now_ns() == 1 * kSecond + 5 * kMillisecond);
  w.simulation.run_until_idle();
  CHECK(fired_real_ns == 15 * kMillisecond);  // pending timers keep their real due time
  CHECK(env.now_ns() == 1 * kSecond + 15 * kMillisecond);
}

TEST_CASE("clock: the clock-skew fault drifts while it lasts and keeps the offset after it heals", "[unit][faults]") {
  TestWorld w;
  ScheduledFault skew = lasting_fault("clock-skew", 100 * kMillisecond, 200 * kMillisecond, "tm-1");
  skew.params = {{"step", "50ms"}, {"drift-ppm", "-250000"}};
  REQUIRE(w.add({skew}).is_ok());
  sim::ProcessEnv& env = w.simulation.env(w.tms[1]);
  w.simulation.run_until(100 * kMillisecond);
  CHECK(env.now_ns() == 150 * kMillisecond);   // stepped at the start
  w.simulation.run_until(200 * kMillisecond);
  CHECK(env.now_ns() == 225 * kMillisecond);   // 100 ms real at 3/4 speed
  w.simulation.run_until(400 * kMillisecond);
  // Healed at 300 ms with local 300 ms (150 + 200 * 3/4); then real speed again.
  CHECK(env.clock().drift_ppm() == 0);
  CHECK(env.now_ns() == 400 * kMillisecond);
  CHECK(w.simulation.env(w.tms[0]).now_ns() == 400 * kMillisecond);  // other processes untouched
}

TEST_CASE("clock: overlapping clock faults on one process add their drifts", "[unit][faults]") {
  TestWorld w;
  ScheduledFault a = lasting_fault("clock-skew", 0, 100 * kMillisecond, "jm");
  a.params = {{"drift-ppm", "100000"}};
  ScheduledFault b = lasting_fault("clock-skew", 50 * kMillisecond, 100 * kMillisecond, "jm");
  b.params = {{"drift-ppm", "200000"}};
  REQUIRE(w.add({a, b}).is_ok());
  sim::ProcessEnv& env = w.simulation.env(w.jm);
  w.simulation.run_until(60 * kMillisecond);
  CHECK(env.clock().drift_ppm() == 300'000);
  w.simulation.run_until(120 * kMillisecond);
  CHECK(env.clock().drift_ppm() == 200'000);
  w.simulation.run_until(200 * kMillisecond);
  CHECK(env.clock().drift_ppm() == 0);
}

TEST_CASE("clock: local time is monotonic and timers never fire early, for any adjustments", "[property][faults]") {
  rc::prop("monotonic clock, timers not early", [] {
    ProcessClock clock;
    TimeNs real_ns = 0;
    TimeNs last_local_ns = clock.local_ns(0);
    const auto steps = *rc::gen::inRange<int>(1, 40);
    for (int i = 0; i < steps; ++i) {
      real_ns += *rc::gen::inRange<std::int64_t>(0, 10 * kSecond);
      const TimeNs local_ns = clock.local_ns(real_ns);
      RC_ASSERT(local_ns >= last_local_ns);
      last_local_ns = local_ns;
      // A timer for local delay d fires when the local clock advanced at least d and at
      // most d + 2 ns (the first real instant at which it holds, up to rounding).
      const DurationNs delay_ns = *rc::gen::inRange<std::int64_t>(0, 100 * kSecond);
      const DurationNs real_delay_ns = clock.real_delay_ns(delay_ns, kTimeNever - real_ns);
      const DurationNs advanced_ns = clock.local_ns(real_ns + real_delay_ns) - local_ns;
      RC_ASSERT(advanced_ns >= delay_ns);
      RC_ASSERT(advanced_ns <= delay_ns + 2);
      if (*rc::gen::arbitrary<bool>()) {
        const ClockAdjustment adjustment{
            *rc::gen::inRange<std::int64_t>(0, 1 * kSecond),
            *rc::gen::inRange<std::int64_t>(ProcessClock::kMinDriftPpm, ProcessClock::kMaxDriftPpm + 1)};
        clock.adjust(real_ns, adjustment);
        RC_ASSERT(clock.local_ns(real_ns) == local_ns + adjustment.step_ns);
        last_local_ns = clock.local_ns(real_ns);
      }
    }
  });
}
