#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <vector>

#include "sim/event_queue.h"

using namespace ckptsim;
using namespace ckptsim::sim;

TEST_CASE("event queue: events at the same time leave in insertion order", "[unit][kernel]") {
  EventQueue queue;
  queue.push(10, EventKind::kTimer, 1);
  queue.push(5, EventKind::kTimer, 2);
  queue.push(10, EventKind::kTimer, 3);
  queue.push(5, EventKind::kTimer, 4);
  std::vector<std::uint32_t> order;
  while (!queue.empty()) order.push_back(queue.pop().slot);
  CHECK(order == std::vector<std::uint32_t>{2, 4, 1, 3});
}

TEST_CASE("event queue: pops are ordered by (time, sequence) for any insertion pattern", "[property][kernel]") {
  rc::prop("sorted and stable", [](const std::vector<std::uint8_t>& times) {
    EventQueue queue;
    std::vector<std::pair<TimeNs, std::uint32_t>> expected;
    for (std::uint32_t i = 0; i < times.size(); ++i) {
      queue.push(times[i] % 16, EventKind::kTimer, i);
      expected.emplace_back(times[i] % 16, i);
    }
    std::stable_sort(expected.begin(), expected.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [time, slot] : expected) {
      const Event e = queue.pop();
      RC_ASSERT(e.time_ns == time);
      RC_ASSERT(e.slot == slot);
    }
    RC_ASSERT(queue.empty());
  });
}
