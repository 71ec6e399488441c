#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>
#include <vector>

#include "sim/simulation.h"

using namespace ckptsim;
using namespace ckptsim::sim;

namespace {

NetworkBuffer buffer_with(std::uint64_t tag, std::size_t bytes = 16) {
  return NetworkBuffer{0, tag, std::vector<std::uint8_t>(bytes, 0)};
}

struct TwoProcesses {
  Simulation sim{SimulationOptions{7, {}, {}}};
  ProcessId sender = sim.add_process("sender");
  ProcessId receiver = sim.add_process("receiver");
};

}  // namespace

TEST_CASE("channels: a sender without credit is backpressured until the receiver consumes", "[unit][channel]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{100 * kMicrosecond, 0, 2});
  int writable = 0;
  net.set_on_writable(ch, [&] { ++writable; });
  CHECK(net.writer(ch).try_send(buffer_with(1)).is_ok());
  CHECK(net.writer(ch).try_send(buffer_with(2)).is_ok());
  const Status third = net.writer(ch).try_send(buffer_with(3));
  CHECK(third.code() == StatusCode::kBackpressured);
  w.sim.run_until_idle();
  REQUIRE(net.reader(ch).has_buffer());
  CHECK(net.reader(ch).take().tag == 1);
  CHECK_FALSE(net.writer(ch).has_credit());  // the credit is still travelling back
  w.sim.run_until_idle();
  CHECK(writable == 1);
  CHECK(net.writer(ch).has_credit());
  CHECK(net.check_invariants(ch));
}

TEST_CASE("channels: bandwidth serializes buffers on the link", "[unit][channel]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  // 1000 bytes at 1 MB/s = 1 ms on the wire, plus 100 us latency.
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{100 * kMicrosecond, 1'000'000, 4});
  std::vector<TimeNs> arrivals;
  net.set_on_readable(ch, [&] { arrivals.push_back(w.sim.now_ns()); });
  REQUIRE(net.writer(ch).try_send(buffer_with(1, 1000)).is_ok());
  REQUIRE(net.writer(ch).try_send(buffer_with(2, 1000)).is_ok());
  w.sim.run_until_idle();
  CHECK(arrivals == std::vector<TimeNs>{1100 * kMicrosecond, 2100 * kMicrosecond});
}

TEST_CASE("channels: a priority event overtakes queued data buffers without credit", "[unit][channel]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{100 * kMicrosecond, 0, 2});
  REQUIRE(net.writer(ch).try_send(buffer_with(1)).is_ok());
  REQUIRE(net.writer(ch).try_send(buffer_with(2)).is_ok());
  w.sim.run_until_idle();
  REQUIRE(net.writer(ch).send_priority(NetworkBuffer{9, 99, {}}).is_ok());
  w.sim.run_until_idle();
  CHECK(net.reader(ch).take().tag == 99);
  CHECK(net.reader(ch).take().tag == 1);
  CHECK(net.reader(ch).take().tag == 2);
}

TEST_CASE("channels: a partition holds data and releases it in order when healed", "[unit][channel]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{100 * kMicrosecond, 0, 4});
  w.sim.set_partitioned(w.sender, w.receiver, true);
  for (std::uint64_t tag = 1; tag <= 3; ++tag) REQUIRE(net.writer(ch).try_send(buffer_with(tag)).is_ok());
  w.sim.run_until(10 * kMillisecond);
  CHECK_FALSE(net.reader(ch).has_buffer());
  CHECK(net.check_invariants(ch));
  w.sim.set_partitioned(w.sender, w.receiver, false);
  w.sim.run_until_idle();
  for (std::uint64_t tag = 1; tag <= 3; ++tag) CHECK(net.reader(ch).take().tag == tag);
}

TEST_CASE("channels: a crashed receiver fails the channel and the sender is told", "[unit][channel][crash]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{});
  std::vector<Status> sender_failures;
  bool receiver_told = false;
  net.set_on_failed(ch, true, [&](Status s) { sender_failures.push_back(s); });
  net.set_on_failed(ch, false, [&](Status) { receiver_told = true; });
  REQUIRE(net.writer(ch).try_send(buffer_with(1)).is_ok());
  w.sim.crash(w.receiver);
  w.sim.run_until_idle();
  REQUIRE(sender_failures.size() == 1);
  CHECK(sender_failures[0].code() == StatusCode::kUnavailable);
  CHECK_FALSE(receiver_told);  // the dead end learns nothing: its objects are gone
  CHECK_FALSE(net.is_open(ch));
  CHECK(net.writer(ch).try_send(buffer_with(2)).code() == StatusCode::kUnavailable);
}

TEST_CASE("channels: cutting a connection fails both ends", "[unit][channel]") {
  TwoProcesses w;
  ChannelNetwork& net = w.sim.channels();
  const ChannelId ch = net.open(w.sender, w.receiver, ChannelConfig{});
  int told = 0;
  net.set_on_failed(ch, true, [&](Status) { ++told; });
  net.set_on_failed(ch, false, [&](Status) { ++told; });
  w.sim.cut_connections(w.receiver, w.sender);
  w.sim.run_until_idle();
  CHECK(told == 2);
}

// Random traffic on random channels with random consumption, partitions and clogs:
// every channel delivers its buffers exactly once, in send order, and never holds
// more buffers than its credits.
TEST_CASE("channels: FIFO and the credit bound hold under random traffic and link faults", "[property][channel]") {
  rc::prop("fifo and bounded", [](std::uint64_t seed) {
    Simulation sim(SimulationOptions{seed, {}, {}});
    const auto process_count = *rc::gen::inRange<std::uint32_t>(2, 5);
    for (std::uint32_t i = 0; i < process_count; ++i) sim.add_process("p" + std::to_string(i));
    const auto channel_count = *rc::gen::inRange<std::uint32_t>(1, 6);
    std::vector<ChannelId> channels;
    std::vector<std::uint32_t> credits;
    for (std::uint32_t i = 0; i < channel_count; ++i) {
      const auto from = *rc::gen::inRange<std::uint32_t>(0, process_count);
      auto to = *rc::gen::inRange<std::uint32_t>(0, process_count - 1);
      if (to >= from) ++to;
      const auto credit = *rc::gen::inRange<std::uint32_t>(1, 5);
      const auto bandwidth = *rc::gen::element<std::uint64_t>(0, 1'000'000, 100'000'000);
      channels.push_back(sim.channels().open(from, to, ChannelConfig{*rc::gen::inRange<DurationNs>(0, 2'000'000), bandwidth, credit}));
      credits.push_back(credit);
    }
    std::map<ChannelId, std::uint64_t> next_to_send, next_expected;
    const auto steps = *rc::gen::inRange(1, 300);
    for (int step = 0; step < steps; ++step) {
      const auto action = *rc::gen::inRange(0, 10);
      const std::size_t c = *rc::gen::inRange<std::size_t>(0, channels.size());
      const ChannelId ch = channels[c];
      ChannelNetwork& net = sim.channels();
      if (action < 4) {
        const Status s = net.writer(ch).try_send(buffer_with(next_to_send[ch], *rc::gen::inRange<std::size_t>(0, 4000)));
        if (s.is_ok()) ++next_to_send[ch];
        else RC_ASSERT(s.code() == StatusCode::kBackpressured);
      } else if (action < 7) {
        if (net.reader(ch).has_buffer()) {
          const NetworkBuffer b = net.reader(ch).take();
          RC_ASSERT(b.tag == next_expected[ch]);
          ++next_expected[ch];
        }
      } else if (action == 7) {
        const ProcessId s = net.sender_of(ch), r = net.receiver_of(ch);
        sim.set_partitioned(s, r, !sim.links().partitioned(s, r));
      } else if (action == 8) {
        sim.clog_link(net.sender_of(ch), net.receiver_of(ch), sim.now_ns() + *rc::gen::inRange<DurationNs>(0, 5'000'000));
      } else {
        sim.run_until(sim.now_ns() + *rc::gen::inRange<DurationNs>(0, 3'000'000));
      }
      for (std::size_t i = 0; i < channels.size(); ++i) {
        RC_ASSERT(net.check_invariants(channels[i]));
        RC_ASSERT(net.data_buffers_held(channels[i]) <= credits[i]);
      }
    }
    // Heal everything, then drain: every buffer sent arrives, in order.
    for (const ChannelId ch : channels) sim.set_partitioned(sim.channels().sender_of(ch), sim.channels().receiver_of(ch), false);
    for (int round = 0; round < 1000; ++round) {
      sim.run_until_idle();
      bool any = false;
      for (const ChannelId ch : channels) {
        while (sim.channels().reader(ch).has_buffer()) {
          RC_ASSERT(sim.channels().reader(ch).take().tag == next_expected[ch]);
          ++next_expected[ch];
          any = true;
        }
      }
      if (!any) break;
    }
    for (const ChannelId ch : channels) RC_ASSERT(next_expected[ch] == next_to_send[ch]);
  });
}
