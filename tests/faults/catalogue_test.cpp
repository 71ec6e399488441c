#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "faults/fault_catalogue.h"
#include "fault_test_world.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

TEST_CASE("catalogue: every kind is unique, documented and makes its faults", "[unit][faults]") {
  std::set<std::string_view> seen;
  for (const FaultKind& kind : fault_kinds()) {
    INFO(kind.type);
    CHECK(seen.insert(kind.type).second);
    CHECK(find_fault_kind(kind.type) == &kind);
    CHECK_FALSE(kind.summary.empty());
    CHECK(kind.make != nullptr);
    CHECK(std::string(category_name(kind.category)).size() > 0);
  }
  CHECK(fault_kinds().size() == 28);  // 21 + the seven real-file kinds
  CHECK(find_fault_kind("no-such-fault") == nullptr);
}

TEST_CASE("catalogue: check_fault names the field that is wrong", "[unit][faults]") {
  ScheduledFault unknown;
  unknown.type = "meteor-strike";
  CHECK(check_fault(unknown)->field == "type");

  ScheduledFault no_duration = lasting_fault("network-partition", 0, 0, "tm-0", "tm-1");
  CHECK(check_fault(no_duration)->field == "duration");

  ScheduledFault no_peer = lasting_fault("network-partition", 0, kSecond, "tm-0");
  CHECK(check_fault(no_peer)->field == "peer");

  ScheduledFault same_peer = lasting_fault("network-latency", 0, kSecond, "tm-0", "tm-0");
  same_peer.params = {{"latency", "1ms"}};
  CHECK(check_fault(same_peer)->field == "peer");

  ScheduledFault missing_param = lasting_fault("network-latency", 0, kSecond, "tm-0");
  CHECK(check_fault(missing_param)->field == "latency");

  ScheduledFault extra_param = lasting_fault("process-pause", 0, kSecond, "tm-0");
  extra_param.params = {{"speed", "fast"}};
  const std::optional<FaultProblem> extra = check_fault(extra_param);
  REQUIRE(extra.has_value());
  CHECK(extra->field == "speed");

  ScheduledFault bad_probability = lasting_fault("rpc-loss", 0, kSecond);
  bad_probability.params = {{"probability", "1.5"}};
  CHECK(check_fault(bad_probability)->field == "probability");

  ScheduledFault bad_drift = lasting_fault("clock-skew", 0, kSecond, "jm");
  bad_drift.params = {{"drift-ppm", "-2000000"}};
  CHECK(check_fault(bad_drift)->field == "drift-ppm");

  ScheduledFault bad_choice = lasting_fault("sink-commit-failure", 0, kSecond);
  bad_choice.params = {{"direction", "sideways"}};
  CHECK(check_fault(bad_choice)->field == "direction");

  ScheduledFault tm_crash;
  tm_crash.type = "task-manager-crash";
  tm_crash.target = "jm";
  CHECK(check_fault(tm_crash)->field == "target");

  ScheduledFault good = lasting_fault("rpc-delay", 0, kSecond);
  good.params = {{"delay", "5ms"}, {"messages", "trigger,ack"}};
  CHECK_FALSE(check_fault(good).has_value());
  REQUIRE(make_fault(good).is_ok());
  const Result<std::unique_ptr<Fault>> bad = make_fault(bad_choice);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("sink-commit-failure fault, direction:") == 0);
}

TEST_CASE("catalogue: a schedule is all or nothing", "[unit][faults]") {
  TestWorld w;
  const Status s = w.add({lasting_fault("process-pause", 0, kSecond, "tm-0"),
                          lasting_fault("process-pause", 0, kSecond, "tm-9")});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("tm-9") != std::string::npos);
  CHECK(w.schedule->windows().empty());
  w.simulation.run_until_idle();
  CHECK_FALSE(w.simulation.is_paused(w.tms[0]));
}

TEST_CASE("catalogue: the fault phase ends when the last fault heals and every start and heal is logged",
          "[unit][faults]") {
  TestWorld w;
  ScheduledFault crash;
  crash.type = "job-manager-crash";
  crash.at_ns = 10 * kMillisecond;
  crash.restart_after_ns = 500 * kMillisecond;
  REQUIRE(w.add({lasting_fault("link-clog", 0, 200 * kMillisecond, "tm-0"), crash}).is_ok());
  CHECK(w.schedule->fault_phase_end_ns() == 510 * kMillisecond);
  REQUIRE(w.schedule->windows().size() == 2);
  CHECK(w.schedule->windows()[0].type == "link-clog");
  CHECK(w.schedule->windows()[0].end_ns == 200 * kMillisecond);
  w.simulation.run_until_idle();
  CHECK(w.schedule->faults_injected() == 2);
  CHECK(w.schedule->faults_healed() == 2);
}

TEST_CASE("catalogue: faults of one plan give the same fingerprint on every run", "[unit][faults]") {
  const auto fingerprint = [](std::uint64_t seed) {
    TestWorld w(2, seed);
    ScheduledFault loss = lasting_fault("rpc-loss", 0, 100 * kMillisecond);
    loss.params = {{"messages", "all"}, {"probability", "0.5"}};
    ScheduledFault latency = lasting_fault("network-latency", 0, 100 * kMillisecond, "tm-0");
    latency.params = {{"latency", "1ms"}, {"jitter", "3ms"}};
    REQUIRE(w.add({loss, latency}).is_ok());
    for (int i = 0; i < 50; ++i) w.send_at(i * kMillisecond, w.tms[i % 2], w.jm, 1);
    w.simulation.run_until_idle();
    return w.simulation.fingerprint();
  };
  CHECK(fingerprint(5) == fingerprint(5));
  CHECK(fingerprint(5) != fingerprint(6));
}
