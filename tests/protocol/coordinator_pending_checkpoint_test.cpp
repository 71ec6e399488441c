// PendingCheckpoint: acknowledgements per task attempt, abort and finalize.
#include <catch2/catch.hpp>

#include "protocol/checkpoint/pending_checkpoint.h"
#include "tests/protocol/coordinator_test_env.h"

namespace ckptsim {
namespace {

using testing::make_metrics;
using testing::make_state;
using testing::tasks_with_attempt;

TaskAcknowledgeResult ack(PendingCheckpoint& checkpoint, TaskRef task) {
  return checkpoint.acknowledge(task, make_state(checkpoint.id(), task), make_metrics(task));
}

TEST_CASE("coordinator pending: all acks make the checkpoint fully acknowledged", "[unit][coordinator]") {
  PendingCheckpoint checkpoint(7, 100, tasks_with_attempt(3, 1));
  CHECK(checkpoint.state() == PendingCheckpointState::kPending);
  CHECK(ack(checkpoint, {0, 1}) == TaskAcknowledgeResult::kSuccess);
  CHECK(ack(checkpoint, {2, 1}) == TaskAcknowledgeResult::kSuccess);
  CHECK_FALSE(checkpoint.is_fully_acknowledged());
  CHECK(ack(checkpoint, {1, 1}) == TaskAcknowledgeResult::kSuccess);
  CHECK(checkpoint.is_fully_acknowledged());

  const CompletedCheckpoint completed = checkpoint.finalize(250);
  CHECK(checkpoint.state() == PendingCheckpointState::kFinalized);
  CHECK(completed.id == 7);
  CHECK(completed.trigger_time_ns == 100);
  CHECK(completed.completion_time_ns == 250);
  REQUIRE(completed.states.size() == 3);
  CHECK(completed.states.at(1) == make_state(7, {1, 1}));
  CHECK(completed.metrics.at(2) == make_metrics({2, 1}));
}

TEST_CASE("coordinator pending: duplicate ack from the same attempt is kDuplicate", "[unit][coordinator]") {
  PendingCheckpoint checkpoint(1, 0, tasks_with_attempt(2, 0));
  CHECK(ack(checkpoint, {0, 0}) == TaskAcknowledgeResult::kSuccess);
  CHECK(ack(checkpoint, {0, 0}) == TaskAcknowledgeResult::kDuplicate);
  CHECK(checkpoint.num_acknowledged() == 1);
  CHECK_FALSE(checkpoint.is_fully_acknowledged());
}

TEST_CASE("coordinator pending: stale ack from an old attempt is kUnknown and not counted", "[unit][coordinator]") {
  PendingCheckpoint checkpoint(3, 0, tasks_with_attempt(2, 5));
  CHECK(ack(checkpoint, {0, 4}) == TaskAcknowledgeResult::kUnknown);
  CHECK(ack(checkpoint, {1, 6}) == TaskAcknowledgeResult::kUnknown);
  CHECK(ack(checkpoint, {9, 5}) == TaskAcknowledgeResult::kUnknown);
  CHECK(checkpoint.num_acknowledged() == 0);
  CHECK(checkpoint.involves({0, 5}));
  CHECK_FALSE(checkpoint.involves({0, 4}));
}

TEST_CASE("coordinator pending: sparse, unsorted subtasks are matched by subtask and attempt",
          "[unit][coordinator]") {
  PendingCheckpoint checkpoint(6, 0, {TaskRef{10, 2}, TaskRef{3, 1}, TaskRef{7, 4}});
  CHECK(ack(checkpoint, {5, 1}) == TaskAcknowledgeResult::kUnknown);   // between two awaited subtasks
  CHECK(ack(checkpoint, {11, 2}) == TaskAcknowledgeResult::kUnknown);  // above every one
  CHECK(ack(checkpoint, {7, 3}) == TaskAcknowledgeResult::kUnknown);   // stale attempt
  CHECK(ack(checkpoint, {10, 2}) == TaskAcknowledgeResult::kSuccess);
  CHECK(ack(checkpoint, {3, 1}) == TaskAcknowledgeResult::kSuccess);
  CHECK(ack(checkpoint, {3, 1}) == TaskAcknowledgeResult::kDuplicate);
  CHECK(checkpoint.has_acknowledged({10, 2}));
  CHECK_FALSE(checkpoint.has_acknowledged({7, 4}));
  CHECK(checkpoint.involves({7, 4}));
  CHECK_FALSE(checkpoint.involves({7, 3}));
  CHECK(ack(checkpoint, {7, 4}) == TaskAcknowledgeResult::kSuccess);
  REQUIRE(checkpoint.is_fully_acknowledged());

  const CompletedCheckpoint completed = checkpoint.finalize(1);
  std::vector<std::uint32_t> order;
  for (const auto& [subtask, state] : completed.states) order.push_back(subtask);
  CHECK(order == std::vector<std::uint32_t>{3, 7, 10});
  CHECK(completed.states.at(7) == make_state(6, {7, 4}));
  CHECK(completed.metrics.at(10) == make_metrics({10, 2}));
}

TEST_CASE("coordinator pending: a rejected ack leaves its state with the caller", "[unit][coordinator]") {
  PendingCheckpoint checkpoint(2, 0, tasks_with_attempt(2, 1));
  SubtaskStateHandle stale = make_state(2, {0, 0});
  CHECK(checkpoint.acknowledge({0, 0}, std::move(stale), make_metrics({0, 0})) == TaskAcknowledgeResult::kUnknown);
  CHECK(stale == make_state(2, {0, 0}));
  CHECK(ack(checkpoint, {0, 1}) == TaskAcknowledgeResult::kSuccess);
  SubtaskStateHandle duplicate = make_state(2, {0, 1});
  CHECK(checkpoint.acknowledge({0, 1}, std::move(duplicate), make_metrics({0, 1})) ==
        TaskAcknowledgeResult::kDuplicate);
  CHECK(duplicate == make_state(2, {0, 1}));
  SubtaskStateHandle accepted = make_state(2, {1, 1});
  CHECK(checkpoint.acknowledge({1, 1}, std::move(accepted), make_metrics({1, 1})) == TaskAcknowledgeResult::kSuccess);
  CHECK(checkpoint.finalize(0).states.at(1) == make_state(2, {1, 1}));
}

TEST_CASE("coordinator pending: acks after abort are kDiscarded and abort releases acked state",
          "[unit][coordinator]") {
  PendingCheckpoint checkpoint(4, 0, tasks_with_attempt(3, 0));
  ack(checkpoint, {0, 0});
  ack(checkpoint, {2, 0});
  std::set<std::string> blobs;
  checkpoint.collect_blob_names(blobs);
  CHECK(blobs.size() == 2);

  const std::vector<SubtaskStateHandle> released = checkpoint.abort(CheckpointFailureReason::kCheckpointExpired);
  CHECK(released.size() == 2);
  CHECK(checkpoint.state() == PendingCheckpointState::kAborted);
  CHECK(checkpoint.abort_reason() == CheckpointFailureReason::kCheckpointExpired);
  CHECK(ack(checkpoint, {1, 0}) == TaskAcknowledgeResult::kDiscarded);
  blobs.clear();
  checkpoint.collect_blob_names(blobs);
  CHECK(blobs.empty());
}

TEST_CASE("coordinator pending: acks after finalize are kDiscarded", "[unit][coordinator]") {
  PendingCheckpoint checkpoint(5, 0, tasks_with_attempt(1, 0));
  ack(checkpoint, {0, 0});
  checkpoint.finalize(1);
  CHECK(ack(checkpoint, {0, 0}) == TaskAcknowledgeResult::kDiscarded);
}

TEST_CASE("coordinator pending: result and state names are stable", "[unit][coordinator]") {
  CHECK(std::string(name(TaskAcknowledgeResult::kUnknown)) == "UNKNOWN");
  CHECK(std::string(name(PendingCheckpointState::kFinalized)) == "finalized");
}

}  // namespace
}  // namespace ckptsim
