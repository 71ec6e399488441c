// Judging a run of about a million committed records stays well under a second: the
// checkers sort flat vectors and never iterate hash maps to decide what to report.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "oracle/checkers.h"
#include "perfect_run.h"

namespace ckptsim::oracle {
namespace {

TEST_CASE("oracle: judging a million committed records is fast", "[unit][oracle]") {
  const OracleConfig config =
      testing::make_config(testing::aggregate_pipeline_job(), testing::small_input(99, 4, 250'000, 1000));
  testing::PerfectRunOptions options;
  options.checkpoints = 20;
  options.fail_at_checkpoint = 7;
  const RunObservations observations = testing::perfect_run(config, options);
  const auto start = std::chrono::steady_clock::now();
  const Verdict verdict = judge(config, observations);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("judged %llu committed records in %.3f s\n", static_cast<unsigned long long>(verdict.committed_records),
              seconds);
  INFO(testing::describe(verdict));
  CHECK(verdict.passed());
  CHECK(verdict.committed_records == 1'000'000);
  // Generous: the target is well under a second in a Release build; sanitizer builds are slower.
  CHECK(seconds < 10.0);
}

}  // namespace
}  // namespace ckptsim::oracle
