#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "fault_test_world.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

// Puts `bytes` bytes under `name` from `caller` at `at_ns` and records the outcome.
struct PutOutcome {
  std::optional<Status> status;
  TimeNs time_ns = -1;
};

void put_at(TestWorld& w, TimeNs at_ns, ProcessId caller, std::string name, std::size_t bytes, PutOutcome& outcome) {
  w.simulation.schedule_global_after(at_ns - w.simulation.now_ns(), [&w, caller, name, bytes, &outcome] {
    w.storage->view_for(caller).put(name, Bytes(bytes, 7), [&w, &outcome](Status s) {
      outcome.status = std::move(s);
      outcome.time_ns = w.simulation.now_ns();
    });
  });
}

}  // namespace

TEST_CASE("storage faults: writes fail while the fault lasts and succeed after", "[unit][faults]") {
  TestWorld w;
  ScheduledFault fail = lasting_fault("storage-write-failure", 0, 100 * kMillisecond);
  fail.params = {{"error", "io-error"}};
  REQUIRE(w.add({fail}).is_ok());
  PutOutcome during, after;
  put_at(w, 10 * kMillisecond, w.tms[0], "job/chk-1/a", 10, during);
  put_at(w, 150 * kMillisecond, w.tms[0], "job/chk-2/a", 10, after);
  w.simulation.run_until_idle();
  REQUIRE(during.status.has_value());
  CHECK(during.status->code() == StatusCode::kIoError);
  CHECK_FALSE(w.storage->contains("job/chk-1/a"));
  REQUIRE(after.status.has_value());
  CHECK(after.status->is_ok());
  CHECK(w.storage->contains("job/chk-2/a"));
}

TEST_CASE("storage faults: a prefix limits which blobs a fault touches", "[unit][faults]") {
  TestWorld w;
  ScheduledFault fail = lasting_fault("storage-write-failure", 0, 100 * kMillisecond);
  fail.params = {{"prefix", "job/chk-"}};
  REQUIRE(w.add({fail}).is_ok());
  PutOutcome data, epoch;
  put_at(w, 10 * kMillisecond, w.tms[0], "job/chk-1/a", 10, data);
  put_at(w, 10 * kMillisecond, w.jm, "job/jm-epoch", 8, epoch);
  w.simulation.run_until_idle();
  CHECK(data.status->code() == StatusCode::kUnavailable);
  CHECK(epoch.status->is_ok());
}

TEST_CASE("storage faults: slow writes take the added delay", "[unit][faults]") {
  TestWorld w;
  ScheduledFault slow = lasting_fault("storage-slow-write", 0, 100 * kMillisecond);
  slow.params = {{"delay", "40ms"}};
  REQUIRE(w.add({slow}).is_ok());
  PutOutcome slowed, normal;
  put_at(w, 10 * kMillisecond, w.tms[0], "a", 0, slowed);
  put_at(w, 200 * kMillisecond, w.tms[0], "b", 0, normal);
  w.simulation.run_until_idle();
  const DurationNs base_ns = w.storage->put_duration_ns(0);
  CHECK(slowed.time_ns == 10 * kMillisecond + base_ns + 40 * kMillisecond);
  CHECK(normal.time_ns == 200 * kMillisecond + base_ns);
}

TEST_CASE("storage faults: a corrupted read yields kCorruption, caught by the checksum", "[unit][faults]") {
  TestWorld w;
  PutOutcome stored;
  put_at(w, 0, w.tms[0], "job/chk-1/a", 64, stored);
  REQUIRE(w.add({lasting_fault("storage-corrupt-read", 50 * kMillisecond, 100 * kMillisecond)}).is_ok());
  std::optional<Result<Bytes>> during, after;
  w.simulation.schedule_global_after(60 * kMillisecond, [&] {
    w.storage->view_for(w.tms[1]).get("job/chk-1/a", [&](Result<Bytes> r) { during = std::move(r); });
  });
  w.simulation.schedule_global_after(200 * kMillisecond, [&] {
    w.storage->view_for(w.tms[1]).get("job/chk-1/a", [&](Result<Bytes> r) { after = std::move(r); });
  });
  w.simulation.run_until_idle();
  REQUIRE(during.has_value());
  REQUIRE_FALSE(during->is_ok());
  CHECK(during->status().code() == StatusCode::kCorruption);
  REQUIRE(after.has_value());
  REQUIRE(after->is_ok());
  CHECK(after->value() == Bytes(64, 7));  // the stored bytes were never touched
}

TEST_CASE("storage faults: full storage refuses writes beyond its free room until it heals", "[unit][faults]") {
  TestWorld w;
  PutOutcome first;
  put_at(w, 0, w.tms[0], "a", 1000, first);
  ScheduledFault full = lasting_fault("storage-full", 50 * kMillisecond, 100 * kMillisecond);
  full.params = {{"free-bytes", "100"}};
  REQUIRE(w.add({full}).is_ok());
  PutOutcome small, big, later;
  put_at(w, 60 * kMillisecond, w.tms[0], "b", 100, small);
  put_at(w, 80 * kMillisecond, w.tms[0], "c", 1, big);
  put_at(w, 200 * kMillisecond, w.tms[0], "d", 5000, later);
  w.simulation.run_until_idle();
  CHECK(small.status->is_ok());
  CHECK(big.status->code() == StatusCode::kResourceExhausted);
  CHECK(later.status->is_ok());
  CHECK(w.storage->model().capacity_bytes == 0);  // back to unlimited
}

TEST_CASE("storage faults: a write in progress is lost when its caller crashes (unsynced data)", "[unit][faults]") {
  TestWorld w;
  PutOutcome lost;
  put_at(w, 0, w.tms[0], "job/chk-1/a", 1'000'000, lost);  // 5 ms latency + 5 ms at 200 MB/s
  ScheduledFault crash;
  crash.type = "task-manager-crash";
  crash.at_ns = 2 * kMillisecond;
  crash.target = "tm-0";
  crash.restart_after_ns = 1 * kMillisecond;
  REQUIRE(w.add({crash}).is_ok());
  w.simulation.run_until_idle();
  CHECK_FALSE(lost.status.has_value());  // nobody is told
  CHECK_FALSE(w.storage->contains("job/chk-1/a"));
  CHECK(w.storage->counters().puts_lost == 1);
}

TEST_CASE("storage faults: without storage a storage fault is refused at set-up", "[unit][faults]") {
  sim::Simulation simulation(world_options(1));
  simulation.add_process("jm");
  FaultSchedule schedule(simulation, nullptr);
  CHECK(schedule.schedule({lasting_fault("storage-full", 0, 1 * kSecond)}).code() == StatusCode::kInvalidArgument);
  CHECK(schedule.windows().empty());
}
