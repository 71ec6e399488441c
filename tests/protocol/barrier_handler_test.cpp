#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <deque>
#include <map>
#include <vector>

#include "protocol/runtime/barrier_handler.h"

using namespace ckptsim;
using Kind = BarrierAction::Kind;

TEST_CASE("aligned handler: a channel is blocked after its barrier until all barriers arrived", "[unit][barrier]") {
  AlignedBarrierHandler handler(3);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 1, 100, actions);
  CHECK(actions.empty());
  CHECK(handler.is_blocked(0));
  CHECK_FALSE(handler.is_blocked(1));
  handler.on_barrier(2, 1, 150, actions);
  CHECK(actions.empty());
  handler.on_barrier(1, 1, 400, actions);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::kTriggerCheckpoint);
  CHECK(actions[0].id == 1);
  CHECK(actions[0].alignment_ns == 300);
  for (std::uint32_t c = 0; c < 3; ++c) CHECK_FALSE(handler.is_blocked(c));
}

TEST_CASE("aligned handler: a higher barrier id cancels the current alignment", "[unit][barrier]") {
  AlignedBarrierHandler handler(2);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 1, 0, actions);
  handler.on_barrier(1, 2, 10, actions);  // channel 1 never saw barrier 1 (e.g. it was lost with a failed upstream)
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::kAbortCheckpoint);
  CHECK(actions[0].id == 1);
  CHECK(actions[0].reason == CheckpointFailureReason::kCheckpointDeclinedSubsumed);
  CHECK(handler.aligning_checkpoint() == 2);
  CHECK_FALSE(handler.is_blocked(0));
  CHECK(handler.is_blocked(1));
  handler.on_barrier(0, 2, 20, actions);
  REQUIRE(actions.size() == 2);
  CHECK(actions[1].kind == Kind::kTriggerCheckpoint);
  CHECK(actions[1].id == 2);
}

TEST_CASE("aligned handler: stale barriers are ignored", "[unit][barrier]") {
  AlignedBarrierHandler handler(1, 5);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 5, 0, actions);
  handler.on_barrier(0, 3, 0, actions);
  CHECK(actions.empty());
  CHECK_FALSE(handler.is_blocked(0));
}

TEST_CASE("aligned handler: a cancel marker aborts the alignment and unblocks", "[unit][barrier]") {
  AlignedBarrierHandler handler(2);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 4, 0, actions);
  handler.on_cancel_barrier(1, 4, actions);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::kAbortCheckpoint);
  CHECK(actions[0].reason == CheckpointFailureReason::kCheckpointDeclinedOnCancellationBarrier);
  CHECK_FALSE(handler.is_blocked(0));
  handler.on_barrier(1, 4, 0, actions);  // the late barrier of the cancelled checkpoint
  CHECK(actions.size() == 1);
}

TEST_CASE("aligned handler: end of partition during alignment counts as aligned", "[unit][barrier]") {
  AlignedBarrierHandler handler(2);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 1, 0, actions);
  handler.on_end_of_partition(1, 50, actions);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::kTriggerCheckpoint);
}

TEST_CASE("aligned handler: a coordinator abort stops the alignment", "[unit][barrier]") {
  AlignedBarrierHandler handler(2);
  std::vector<BarrierAction> actions;
  handler.on_barrier(0, 7, 0, actions);
  handler.on_checkpoint_aborted(7, actions);
  REQUIRE(actions.size() == 1);
  CHECK_FALSE(handler.is_blocked(0));
  handler.on_barrier(1, 7, 0, actions);
  CHECK(actions.size() == 1);
}

TEST_CASE("at-least-once tracker: never blocks and triggers when all barriers are in", "[unit][barrier]") {
  AtLeastOnceBarrierTracker tracker(2);
  std::vector<BarrierAction> actions;
  tracker.on_barrier(0, 1, 0, actions);
  CHECK_FALSE(tracker.is_blocked(0));
  tracker.on_barrier(0, 2, 5, actions);
  tracker.on_barrier(1, 2, 9, actions);
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].kind == Kind::kAbortCheckpoint);
  CHECK(actions[0].id == 1);
  CHECK(actions[1].kind == Kind::kTriggerCheckpoint);
  CHECK(actions[1].id == 2);
  CHECK(actions[1].alignment_ns == 4);
}

// Model: each channel carries records and barriers 1..k in order. A random scheduler
// takes the next item from a random unblocked channel. Whenever checkpoint n triggers,
// the records taken so far must be exactly those before barrier n on every channel:
// the snapshot is a consistent cut.
TEST_CASE("aligned handler: every triggered checkpoint is a consistent cut", "[property][barrier]") {
  rc::prop("consistent cut", [] {
    const auto channels = *rc::gen::inRange<std::uint32_t>(1, 5);
    const auto checkpoints = *rc::gen::inRange<int>(1, 5);
    struct Item { bool barrier; CheckpointId id; };
    std::vector<std::deque<Item>> queues(channels);
    std::vector<std::map<CheckpointId, int>> records_before(channels);
    for (std::uint32_t c = 0; c < channels; ++c) {
      int records = 0;
      for (CheckpointId id = 1; id <= checkpoints; ++id) {
        const auto n = *rc::gen::inRange(0, 4);
        for (int i = 0; i < n; ++i) queues[c].push_back(Item{false, 0});
        records += n;
        records_before[c][id] = records;
        queues[c].push_back(Item{true, id});
      }
    }
    AlignedBarrierHandler handler(channels);
    std::vector<int> taken(channels, 0);
    std::vector<BarrierAction> actions;
    int triggered = 0;
    for (int step = 0; step < 1000; ++step) {
      std::vector<std::uint32_t> ready;
      for (std::uint32_t c = 0; c < channels; ++c) {
        if (!queues[c].empty() && !handler.is_blocked(c)) ready.push_back(c);
      }
      if (ready.empty()) break;
      const std::uint32_t c = ready[*rc::gen::inRange<std::size_t>(0, ready.size())];
      const Item item = queues[c].front();
      queues[c].pop_front();
      if (!item.barrier) {
        ++taken[c];
        continue;
      }
      actions.clear();
      handler.on_barrier(c, item.id, step, actions);
      for (const BarrierAction& a : actions) {
        RC_ASSERT(a.kind == Kind::kTriggerCheckpoint);
        for (std::uint32_t other = 0; other < channels; ++other) RC_ASSERT(taken[other] == records_before[other][a.id]);
        ++triggered;
      }
    }
    RC_ASSERT(triggered == checkpoints);
  });
}
