// A simulated Flink cluster running one job: a JobManager process, N TaskManager
// processes, the external transactional store the sinks write to, durable blob storage
// for checkpoints, and the data plane. The protocol objects are created by each
// process's boot function and destroyed when it crashes, so a restarted process starts
// empty and recovers only from durable storage.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "protocol/graph/execution_graph.h"
#include "protocol/runtime/job_manager.h"
#include "protocol/runtime/task_manager.h"
#include "sim/cluster/sim_data_plane.h"
#include "sim/external/input_log.h"
#include "sim/external/transactional_store.h"
#include "sim/storage/sim_blob_store.h"

namespace ckptsim::sim {

struct ClusterObservers {
  RuntimeObserver* runtime = nullptr;
  CheckpointCoordinatorListener* checkpoints = nullptr;
  StoreObserver* store = nullptr;
  // Called when the JobManager process crashes: its coordinator and everything pending
  // in it are gone (the oracle stops counting those checkpoints as pending).
  std::function<void()> job_manager_lost;
};

class SimCluster {
 public:
  // Precondition: the job graph in `job` is valid (the scenario loader checked it).
  SimCluster(Simulation& simulation, JobSpec job, const InputLogSpec& input, ClusterObservers observers,
             BlobStorageModel storage_model = {});
  ~SimCluster();
  SimCluster(const SimCluster&) = delete;
  SimCluster& operator=(const SimCluster&) = delete;

  // Boots every process; the JobManager starts scheduling the job.
  void start();
  // Where the runtime reports coverage marks (set before start()).
  void set_coverage(CoverageSink* coverage) { coverage_ = coverage; }
  // The keyed state backend of stateful tasks (state.backend.type); empty: in-memory.
  // Set before start().
  void set_state_backend_factory(KeyedStateBackendFactory factory) { state_backends_ = std::move(factory); }
  // Replaces the BlobStore view each process uses (e.g. a decorator that also keeps the
  // bytes in real files); it receives the simulated storage's view. Set before start().
  using BlobViewDecorator = std::function<BlobStore&(ProcessId process, BlobStore& simulated)>;
  void set_blob_view_decorator(BlobViewDecorator decorator) { blob_view_decorator_ = std::move(decorator); }

  ProcessId job_manager_process() const { return job_manager_process_; }
  ProcessId sink_store_process() const { return store_process_; }
  const std::vector<ProcessId>& task_manager_processes() const { return task_manager_processes_; }
  // The live JobManager, or null while its process is down.
  const JobManager* job_manager() const { return job_manager_.get(); }
  bool job_finished() const { return job_manager_ && job_manager_->state() == JobManager::State::kFinished; }
  bool job_failed() const { return job_manager_ && job_manager_->state() == JobManager::State::kFailed; }
  std::uint32_t total_restarts() const { return restarts_before_ + (job_manager_ ? job_manager_->stats().restarts : 0); }
  const ExecutionGraph& graph() const { return *graph_; }
  const InputLog& input_log() const { return input_log_; }
  const JobSpec& job() const { return job_; }
  SimBlobStorage& storage() { return storage_; }
  const TransactionalStore& store() const { return store_; }

 private:
  void boot_job_manager();
  void boot_task_manager(std::size_t index);
  TaskServices task_services(ProcessId process);
  BlobStore& blob_view(ProcessId process);

  Simulation& simulation_;
  JobSpec job_;
  InputLog input_log_;
  ClusterObservers observers_;
  std::optional<ExecutionGraph> graph_;
  SimBlobStorage storage_;
  SimDataPlane data_plane_;
  ProcessId job_manager_process_ = kNoProcess;
  ProcessId store_process_ = kNoProcess;
  std::vector<ProcessId> task_manager_processes_;
  std::unique_ptr<JobManager> job_manager_;
  std::vector<std::unique_ptr<TaskManager>> task_managers_;
  TransactionalStore store_;
  std::uint32_t restarts_before_ = 0;   // restarts counted by JobManagers that crashed
  CoverageSink* coverage_ = nullptr;
  KeyedStateBackendFactory state_backends_;
  BlobViewDecorator blob_view_decorator_;
};

}  // namespace ckptsim::sim
