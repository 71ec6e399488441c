#include <catch2/catch.hpp>

#include <map>

#include "sim/cluster/sim_cluster.h"

using namespace ckptsim;
using namespace ckptsim::sim;

namespace {

// Counts what becomes visible in the store; enough for end-to-end smoke checks here
// (the full judgement is the oracle's, tested in tests/oracle and tests/scenarios).
class CountingStore final : public StoreObserver {
 public:
  void on_store_prepared(const std::string& txn, std::uint32_t, CheckpointId, const std::vector<Record>& records) override {
    prepared[txn] = records.size();
  }
  void on_store_committed(const std::string& txn) override { committed += prepared[txn]; }
  void on_store_commit_repeated(const std::string&) override { ++repeated; }
  void on_store_aborted(const std::string&) override { ++aborted; }
  void on_store_direct_write(const std::string&, std::uint32_t, const std::vector<Record>& records) override {
    committed += records.size();
  }
  std::map<std::string, std::size_t> prepared;
  std::size_t committed = 0;
  std::size_t repeated = 0;
  std::size_t aborted = 0;
};

JobSpec word_count_job() {
  JobSpec job;
  job.operators = {{"source", OperatorKind::kSource, 2, 0},
                   {"count", OperatorKind::kKeyedAggregate, 2, 0},
                   {"sink", OperatorKind::kSink, 2, 0}};
  job.edges = {{"source", "count", Partitioning::kHashByKey, false}, {"count", "sink", Partitioning::kForward, false}};
  job.checkpointing.interval_ns = 100 * kMillisecond;
  job.cluster.task_managers = 2;
  return job;
}

InputLogSpec small_input() {
  InputLogSpec input;
  input.seed = 3;
  input.partitions = 4;
  input.records_per_partition = 2000;
  input.records_per_second = 10'000;
  input.key_count = 50;
  return input;
}

}  // namespace

TEST_CASE("cluster: a failure-free job commits every record exactly once and finishes", "[unit][cluster]") {
  Simulation simulation(SimulationOptions{11, {}, {}});
  CountingStore store;
  SimCluster cluster(simulation, word_count_job(), small_input(), ClusterObservers{nullptr, nullptr, &store, nullptr});
  cluster.start();
  while (!cluster.job_finished() && simulation.now_ns() < 30 * kSecond && simulation.step()) {
  }
  REQUIRE(cluster.job_finished());
  CHECK(store.committed == 4 * 2000);
  CHECK(store.repeated == 0);
  CHECK(cluster.total_restarts() == 0);
  CHECK(cluster.job_manager()->coordinator().latest_completed() != nullptr);
}

TEST_CASE("cluster: after a TaskManager crash the job recovers and still commits everything once", "[unit][cluster]") {
  Simulation simulation(SimulationOptions{12, {}, {}});
  CountingStore store;
  SimCluster cluster(simulation, word_count_job(), small_input(), ClusterObservers{nullptr, nullptr, &store, nullptr});
  cluster.start();
  const ProcessId victim = cluster.task_manager_processes()[0];
  simulation.schedule_global_after(90 * kMillisecond + 123, [&] {
    simulation.crash(victim);
    simulation.schedule_global_after(500 * kMillisecond, [&] { simulation.restart(victim); });
  });
  while (!cluster.job_finished() && simulation.now_ns() < 60 * kSecond && simulation.step()) {
  }
  REQUIRE(cluster.job_finished());
  CHECK(cluster.total_restarts() >= 1);
  CHECK(store.committed == 4 * 2000);
}
