// CheckpointFailureManager: tolerable-failed-checkpoints counting.
#include <catch2/catch.hpp>

#include <vector>

#include "protocol/checkpoint/checkpoint_failure_manager.h"

namespace ckptsim {
namespace {

struct FailJobRecorder {
  std::vector<CheckpointFailureReason> calls;
  CheckpointFailureManager::FailJobCallback callback() {
    return [this](CheckpointFailureReason reason) { calls.push_back(reason); };
  }
};

constexpr auto kExpired = CheckpointFailureReason::kCheckpointExpired;
constexpr auto kDeclined = CheckpointFailureReason::kCheckpointDeclined;

TEST_CASE("coordinator failure manager: zero tolerable failures fails the job on the first counted failure",
          "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(0, recorder.callback());
  CHECK_FALSE(manager.handle_failure(1, CheckpointFailureReason::kCheckpointSubsumed));
  CHECK(recorder.calls.empty());
  CHECK(manager.handle_failure(2, kExpired));
  REQUIRE(recorder.calls.size() == 1);
  CHECK(recorder.calls[0] == kExpired);
}

TEST_CASE("coordinator failure manager: the same checkpoint failing twice counts once", "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(1, recorder.callback());
  manager.handle_failure(5, kDeclined);
  manager.handle_failure(5, kExpired);
  manager.handle_failure(5, kDeclined);
  CHECK(manager.consecutive_failures() == 1);
  CHECK(recorder.calls.empty());
}

TEST_CASE("coordinator failure manager: a success resets the counter", "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(2, recorder.callback());
  manager.handle_failure(1, kExpired);
  manager.handle_failure(2, kExpired);
  CHECK(manager.consecutive_failures() == 2);
  manager.handle_success(3);
  CHECK(manager.consecutive_failures() == 0);
  manager.handle_failure(4, kExpired);
  manager.handle_failure(5, kExpired);
  CHECK(recorder.calls.empty());
  manager.handle_failure(6, kExpired);
  CHECK(recorder.calls.size() == 1);
}

TEST_CASE("coordinator failure manager: failures older than the last success do not count", "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(0, recorder.callback());
  manager.handle_success(10);
  CHECK_FALSE(manager.handle_failure(9, kExpired));
  CHECK_FALSE(manager.handle_failure(10, kExpired));
  CHECK(manager.consecutive_failures() == 0);
  CHECK(recorder.calls.empty());
  // An older success does not move the mark back.
  manager.handle_success(4);
  CHECK_FALSE(manager.handle_failure(8, kExpired));
}

TEST_CASE("coordinator failure manager: exceeding the threshold calls fail_job once per crossing",
          "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(2, recorder.callback());
  CHECK_FALSE(manager.handle_failure(1, kExpired));
  CHECK_FALSE(manager.handle_failure(2, kDeclined));
  CHECK(manager.handle_failure(3, kExpired));
  CHECK(recorder.calls.size() == 1);
  // The counter restarts after the job failed; ids already counted stay counted.
  CHECK_FALSE(manager.handle_failure(3, kExpired));
  CHECK_FALSE(manager.handle_failure(4, kExpired));
  CHECK(recorder.calls.size() == 1);
  CHECK(manager.jobs_failed() == 1);
}

TEST_CASE("coordinator failure manager: failures without an id count each time", "[unit][coordinator]") {
  FailJobRecorder recorder;
  CheckpointFailureManager manager(1, recorder.callback());
  manager.handle_failure(std::nullopt, CheckpointFailureReason::kIoException);
  CHECK(manager.consecutive_failures() == 1);
  manager.handle_failure(std::nullopt, CheckpointFailureReason::kMinimumTimeBetweenCheckpoints);
  CHECK(manager.consecutive_failures() == 1);
  manager.handle_failure(std::nullopt, CheckpointFailureReason::kIoException);
  CHECK(recorder.calls.size() == 1);
}

}  // namespace
}  // namespace ckptsim
