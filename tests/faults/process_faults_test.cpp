#include <catch2/catch.hpp>

#include "fault_test_world.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

ScheduledFault crash_fault(std::string type, TimeNs at_ns, DurationNs restart_after_ns, std::string target = "") {
  ScheduledFault fault;
  fault.type = std::move(type);
  fault.at_ns = at_ns;
  fault.restart_after_ns = restart_after_ns;
  fault.target = std::move(target);
  return fault;
}

}  // namespace

TEST_CASE("process faults: a task manager crashes and restarts empty after its downtime", "[unit][faults]") {
  TestWorld w;
  int booted = 0;
  w.simulation.set_boot(w.tms[1], [&] { ++booted; });
  int timer_fired = 0;
  w.simulation.schedule_after(w.tms[1], 20 * kMillisecond, [&] { ++timer_fired; });
  REQUIRE(w.add({crash_fault("task-manager-crash", 10 * kMillisecond, 30 * kMillisecond, "tm-1")}).is_ok());
  w.simulation.run_until(15 * kMillisecond);
  CHECK_FALSE(w.simulation.is_alive(w.tms[1]));
  w.simulation.run_until_idle();
  CHECK(w.simulation.is_alive(w.tms[1]));
  CHECK(booted == 1);
  CHECK(timer_fired == 0);  // the timer died with the first incarnation
  CHECK(w.simulation.incarnation(w.tms[1]) == 1);
  CHECK(w.schedule->fault_phase_end_ns() == 40 * kMillisecond);
  CHECK(w.schedule->faults_injected() == 1);
  CHECK(w.schedule->faults_healed() == 1);
}

TEST_CASE("process faults: a crash without restart leaves the process down and ends the phase at the crash",
          "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({crash_fault("task-manager-crash", 10 * kMillisecond, -1, "tm-0")}).is_ok());
  w.simulation.run_until_idle();
  CHECK_FALSE(w.simulation.is_alive(w.tms[0]));
  CHECK(w.schedule->fault_phase_end_ns() == 10 * kMillisecond);
  CHECK(w.schedule->windows().at(0).end_ns == 10 * kMillisecond);
}

TEST_CASE("process faults: job manager and sink store crashes hit their implied process", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({crash_fault("job-manager-crash", 10 * kMillisecond, 5 * kMillisecond),
                 crash_fault("sink-store-crash", 12 * kMillisecond, 5 * kMillisecond)})
              .is_ok());
  w.simulation.run_until(13 * kMillisecond);
  CHECK_FALSE(w.simulation.is_alive(w.jm));
  CHECK_FALSE(w.simulation.is_alive(w.store));
  w.simulation.run_until_idle();
  CHECK(w.simulation.is_alive(w.jm));
  CHECK(w.simulation.is_alive(w.store));
  CHECK(w.schedule->windows().at(0).target == "jm");
  CHECK(w.schedule->windows().at(1).target == "sink-store");
}

TEST_CASE("process faults: a crash of a process already down is skipped; the first restart stands",
          "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({crash_fault("task-manager-crash", 10 * kMillisecond, 50 * kMillisecond, "tm-0"),
                 crash_fault("task-manager-crash", 20 * kMillisecond, 100 * kMillisecond, "tm-0")})
              .is_ok());
  w.simulation.run_until(61 * kMillisecond);
  CHECK(w.simulation.is_alive(w.tms[0]));
  w.simulation.run_until_idle();
  CHECK(w.simulation.is_alive(w.tms[0]));
  CHECK(w.simulation.incarnation(w.tms[0]) == 1);
  CHECK(w.schedule->faults_injected() == 1);
  CHECK(w.schedule->faults_skipped() == 1);
}

TEST_CASE("process faults: a paused process's peers see silence, then its backlog", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({lasting_fault("process-pause", 10 * kMillisecond, 100 * kMillisecond, "jm")}).is_ok());
  w.send_at(20 * kMillisecond, w.tms[0], w.jm, 1);
  w.send_at(30 * kMillisecond, w.tms[1], w.jm, 2);
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].time_ns == 110 * kMillisecond);
  CHECK(w.received[0].type == 1);
  CHECK(w.received[1].time_ns == 110 * kMillisecond);
  CHECK(w.received[1].type == 2);
}
