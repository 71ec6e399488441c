#include <catch2/catch.hpp>

#include "reports/latency_histogram.h"
#include "flagship_run.h"

namespace ckptsim::reports {
namespace {

TEST_CASE("latency histogram: percentiles are within 12.5% of the exact values", "[reports][unit]") {
  LatencyHistogram h;
  for (DurationNs v = 1; v <= 10'000; ++v) h.add(v * 1000);
  CHECK(h.count() == 10'000);
  const auto p50 = static_cast<double>(h.percentile_ns(500));
  const auto p99 = static_cast<double>(h.percentile_ns(990));
  CHECK(p50 == Approx(5'000'000.0).epsilon(0.125));
  CHECK(p99 == Approx(9'900'000.0).epsilon(0.125));
  CHECK(LatencyHistogram{}.percentile_ns(500) == 0);
}

TEST_CASE("latency histogram: small values are exact and merging adds counts", "[reports][unit]") {
  LatencyHistogram a, b;
  a.add(3, 10);
  b.add(5, 10);
  a.merge(b);
  CHECK(a.count() == 20);
  CHECK(a.percentile_ns(500) == 3);
  CHECK(a.percentile_ns(1000) == 5);
}

TEST_CASE("timeline: the flagship's throughput counts every record", "[reports][unit]") {
  const Timeline& t = testing::flagship_outcome().timeline;
  REQUIRE(!t.buckets.empty());
  std::uint64_t source = 0, committed = 0, latency_samples = 0;
  for (std::size_t i = 0; i < t.buckets.size(); ++i) {
    CHECK(t.buckets[i].start_ns == static_cast<TimeNs>(i) * t.bucket_ns);
    source += t.buckets[i].source_records;
    committed += t.buckets[i].committed_records;
    latency_samples += t.buckets[i].latency_count;
  }
  // Exactly once: 100000 records committed once each; sources replay after restores.
  CHECK(committed == 100'000);
  CHECK(latency_samples == 100'000);
  CHECK(source >= 100'000);
  CHECK(t.latency_p50_ns > 0);
  CHECK(t.latency_p99_ns >= t.latency_p50_ns);
  REQUIRE(t.backpressure.size() == 6);
  for (const TaskBackpressure& b : t.backpressure) CHECK(b.backpressured_ns.size() == t.buckets.size());
}

TEST_CASE("timeline: the flagship's two faults give two recoveries", "[reports][unit]") {
  const Timeline& t = testing::flagship_outcome().timeline;
  REQUIRE(t.recoveries.size() == 2);
  CHECK(t.recoveries[0].cause == "task-manager-crash tm-0");
  CHECK(t.recoveries[0].failure_ns == 1'200'000'000);
  CHECK(t.recoveries[1].cause.rfind("job-manager-crash", 0) == 0);
  CHECK(t.recoveries[1].failure_ns == 2'000'000'000);
  for (const Recovery& r : t.recoveries) {
    CHECK(r.recovered);
    CHECK(r.restarts >= 1);
    CHECK(r.failure_ns <= r.restart_ns);
    CHECK(r.restart_ns <= r.running_ns);
    CHECK(r.recovery_ns == r.running_ns - r.failure_ns);
  }
}

}  // namespace
}  // namespace ckptsim::reports
