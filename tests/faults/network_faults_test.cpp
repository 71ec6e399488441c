#include <catch2/catch.hpp>

#include <vector>

#include "fault_test_world.h"

using namespace ckptsim;
using namespace ckptsim::faults;
using namespace ckptsim::faults::testing;

namespace {

constexpr std::uint32_t kType = 9;

NetworkBuffer buffer_of(std::size_t bytes) { return NetworkBuffer{0, 1, std::vector<std::uint8_t>(bytes, 0)}; }

}  // namespace

TEST_CASE("network faults: a one-way partition loses target -> peer and keeps peer -> target", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({lasting_fault("network-partition-oneway", 0, 100 * kMillisecond, "tm-0", "jm")}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, kType);
  w.send_at(10 * kMillisecond, w.jm, w.tms[0], kType);
  w.send_at(200 * kMillisecond, w.tms[0], w.jm, kType);  // after the heal
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].to == w.tms[0]);
  CHECK(w.received[0].time_ns == 11 * kMillisecond);
  CHECK(w.received[1].to == w.jm);
  CHECK(w.received[1].time_ns == 201 * kMillisecond);
}

TEST_CASE("network faults: a symmetric partition loses both directions until it heals", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({lasting_fault("network-partition", 0, 100 * kMillisecond, "tm-0", "tm-1")}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.tms[1], kType);
  w.send_at(10 * kMillisecond, w.tms[1], w.tms[0], kType);
  w.send_at(10 * kMillisecond, w.tms[1], w.jm, kType);  // not part of the partition
  w.send_at(150 * kMillisecond, w.tms[1], w.tms[0], kType);
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].to == w.jm);
  CHECK(w.received[1].time_ns == 151 * kMillisecond);
}

TEST_CASE("network faults: an isolated process reaches no one while the others still talk", "[unit][faults]") {
  TestWorld w(3);
  REQUIRE(w.add({lasting_fault("network-isolate", 0, 100 * kMillisecond, "tm-1")}).is_ok());
  for (const ProcessId other : {w.jm, w.store, w.tms[0], w.tms[2]}) {
    w.send_at(10 * kMillisecond, w.tms[1], other, kType);
    w.send_at(10 * kMillisecond, other, w.tms[1], kType);
  }
  w.send_at(10 * kMillisecond, w.tms[0], w.tms[2], kType);
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 1);
  CHECK(w.received[0].to == w.tms[2]);
}

TEST_CASE("network faults: a split cuts the group from the rest, not within either side", "[unit][faults]") {
  TestWorld w(2);
  ScheduledFault split = lasting_fault("network-split", 0, 100 * kMillisecond);
  split.params = {{"group", "jm,tm-0"}};
  REQUIRE(w.add({split}).is_ok());
  w.send_at(10 * kMillisecond, w.jm, w.tms[0], kType);     // inside the group
  w.send_at(10 * kMillisecond, w.tms[1], w.store, kType);  // inside the rest
  w.send_at(10 * kMillisecond, w.jm, w.tms[1], kType);     // across
  w.send_at(10 * kMillisecond, w.store, w.tms[0], kType);  // across
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].to == w.tms[0]);
  CHECK(w.received[1].to == w.store);
  CHECK(w.schedule->windows().at(0).target == "jm,tm-0 | rest");
}

TEST_CASE("network faults: a split of every process is refused", "[unit][faults]") {
  TestWorld w(1);
  ScheduledFault split = lasting_fault("network-split", 0, 100 * kMillisecond);
  split.params = {{"group", "jm,tm-0,sink-store"}};
  CHECK(w.add({split}).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("network faults: overlapping partitions of one link heal only when both ended", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({lasting_fault("network-partition", 0, 100 * kMillisecond, "tm-0", "tm-1"),
                 lasting_fault("network-isolate", 50 * kMillisecond, 100 * kMillisecond, "tm-1")})
              .is_ok());
  w.send_at(120 * kMillisecond, w.tms[0], w.tms[1], kType);  // first healed, second still on
  w.send_at(160 * kMillisecond, w.tms[0], w.tms[1], kType);
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 1);
  CHECK(w.received[0].time_ns == 161 * kMillisecond);
}

TEST_CASE("network faults: added latency delays messages both ways by the latency plus at most the jitter",
          "[unit][faults]") {
  TestWorld w;
  ScheduledFault latency = lasting_fault("network-latency", 0, 100 * kMillisecond, "tm-0", "jm");
  latency.params = {{"latency", "20ms"}, {"jitter", "5ms"}};
  REQUIRE(w.add({latency}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, kType);
  w.send_at(10 * kMillisecond, w.jm, w.tms[0], kType);
  w.send_at(10 * kMillisecond, w.tms[1], w.jm, kType);   // another link: unchanged
  w.send_at(200 * kMillisecond, w.tms[0], w.jm, kType);  // healed
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 4);
  CHECK(w.received[0].time_ns == 11 * kMillisecond);
  CHECK(w.received[0].from == w.tms[1]);
  for (int i = 1; i <= 2; ++i) {
    CHECK(w.received[i].time_ns >= 31 * kMillisecond);
    CHECK(w.received[i].time_ns <= 36 * kMillisecond);
  }
  CHECK(w.received[3].time_ns == 201 * kMillisecond);
}

TEST_CASE("network faults: a slow link caps data channels and delays RPCs by their size", "[unit][faults]") {
  TestWorld w;
  ScheduledFault slow = lasting_fault("network-slow-link", 0, 100 * kMillisecond, "tm-0", "tm-1");
  slow.params = {{"bandwidth", "1000000"}};  // 1 MB/s: 1000 bytes take 1 ms
  REQUIRE(w.add({slow}).is_ok());
  w.simulation.run_until(1 * kMillisecond);
  sim::ChannelNetwork& net = w.simulation.channels();
  const ChannelId ch = net.open(w.tms[0], w.tms[1], sim::ChannelConfig{100 * kMicrosecond, 0, 4});
  std::vector<TimeNs> arrivals;
  net.set_on_readable(ch, [&] { arrivals.push_back(w.simulation.now_ns()); });
  REQUIRE(net.writer(ch).try_send(buffer_of(1000)).is_ok());
  REQUIRE(net.writer(ch).try_send(buffer_of(1000)).is_ok());
  REQUIRE(w.simulation.env(w.tms[1]).send(w.tms[0], RpcMessage{kType, std::vector<std::uint8_t>(2000, 0)}).is_ok());
  w.simulation.run_until_idle();
  CHECK(arrivals == std::vector<TimeNs>{2100 * kMicrosecond, 3100 * kMicrosecond});
  REQUIRE(w.received.size() == 1);
  CHECK(w.received[0].time_ns == 4 * kMillisecond);  // 1 ms latency + 2 ms on the capped link
}

TEST_CASE("network faults: a clog holds a process's messages and then delivers them in order", "[unit][faults]") {
  TestWorld w;
  REQUIRE(w.add({lasting_fault("link-clog", 0, 50 * kMillisecond, "tm-0")}).is_ok());
  w.send_at(10 * kMillisecond, w.tms[0], w.jm, 1);
  w.send_at(20 * kMillisecond, w.tms[0], w.jm, 2);
  w.simulation.run_until_idle();
  REQUIRE(w.received.size() == 2);
  CHECK(w.received[0].type == 1);
  CHECK(w.received[1].type == 2);
  CHECK(w.received[0].time_ns >= 50 * kMillisecond);
}

TEST_CASE("network faults: a connection cut fails the data channels on both ends at once", "[unit][faults]") {
  TestWorld w;
  ScheduledFault cut;
  cut.type = "connection-cut";
  cut.at_ns = 5 * kMillisecond;
  cut.target = "tm-0";
  cut.peer = "tm-1";
  REQUIRE(w.add({cut}).is_ok());
  sim::ChannelNetwork& net = w.simulation.channels();
  const ChannelId ch = net.open(w.tms[0], w.tms[1], sim::ChannelConfig{100 * kMicrosecond, 0, 2});
  const ChannelId other = net.open(w.tms[0], w.jm, sim::ChannelConfig{100 * kMicrosecond, 0, 2});
  int failures = 0;
  net.set_on_failed(ch, true, [&](Status) { ++failures; });
  net.set_on_failed(ch, false, [&](Status) { ++failures; });
  w.simulation.run_until_idle();
  CHECK(failures == 2);
  CHECK_FALSE(net.is_open(ch));
  CHECK(net.is_open(other));
  CHECK(w.schedule->fault_phase_end_ns() == 5 * kMillisecond);  // instant: ends where it starts
}
