#include "sim/cluster/sim_cluster.h"

#include "sim/process_env.h"

namespace ckptsim::sim {
namespace {

ExecutionGraph build_graph(const JobSpec& job) {
  JobGraphBuilder builder;
  for (const OperatorSpec& op : job.operators) builder.add_operator(op);
  for (const EdgeSpec& edge : job.edges) builder.add_edge(edge);
  Result<JobGraph> graph = builder.build();
  CKPT_ASSERT(graph.is_ok(), "the scenario loader validated the job graph");
  Result<ExecutionGraph> expanded = ExecutionGraph::expand(graph.value());
  CKPT_ASSERT(expanded.is_ok(), "the scenario loader validated the job size");
  return std::move(expanded).value();
}

ChannelConfig channel_config(const NetworkSpec& network) {
  ChannelConfig config;
  config.latency_ns = network.channel_latency_ns;
  config.bandwidth_bytes_per_second = network.bandwidth_bytes_per_second;
  config.credits = network.credits_per_channel;
  return config;
}

}  // namespace

SimCluster::SimCluster(Simulation& simulation, JobSpec job, const InputLogSpec& input, ClusterObservers observers,
                       BlobStorageModel storage_model)
    : simulation_(simulation),
      job_(std::move(job)),
      input_log_(input),
      observers_(observers),
      graph_(build_graph(job_)),
      storage_(simulation, storage_model),
      data_plane_(simulation, channel_config(job_.network)),
      job_manager_process_(simulation.add_process("jm")),
      store_process_(simulation.add_process("sink-store")),
      store_(simulation, store_process_, observers.store) {
  for (std::uint32_t i = 0; i < job_.cluster.task_managers; ++i) {
    task_manager_processes_.push_back(simulation.add_process("tm-" + std::to_string(i)));
  }
  task_managers_.resize(task_manager_processes_.size());
}

SimCluster::~SimCluster() = default;

void SimCluster::start() {
  simulation_.set_boot(store_process_, [this] { store_.boot(); });
  store_.boot();
  simulation_.set_boot(job_manager_process_, [this] { boot_job_manager(); });
  boot_job_manager();
  for (std::size_t i = 0; i < task_manager_processes_.size(); ++i) {
    simulation_.set_boot(task_manager_processes_[i], [this, i] { boot_task_manager(i); });
    boot_task_manager(i);
  }
}

void SimCluster::boot_job_manager() {
  const ProcessId process = job_manager_process_;
  ProcessEnv& env = simulation_.env(process);
  JobManagerServices services{env, env, env, env, blob_view(process), job_, *graph_, task_manager_processes_,
                              observers_.runtime, observers_.checkpoints, coverage_};
  job_manager_ = std::make_unique<JobManager>(std::move(services));
  simulation_.set_rpc_handler(process, [this](ProcessId from, RpcMessage message) {
    if (job_manager_) job_manager_->on_rpc(from, std::move(message));
  });
  simulation_.set_on_crash(process, [this] {
    restarts_before_ += job_manager_ ? job_manager_->stats().restarts : 0;
    job_manager_.reset();
    if (observers_.job_manager_lost) observers_.job_manager_lost();
  });
  job_manager_->start();
}

TaskServices SimCluster::task_services(ProcessId process) {
  ProcessEnv& env = simulation_.env(process);
  return TaskServices{env, env, env, blob_view(process), data_plane_, input_log_, job_, *graph_,
                      process, job_manager_process_, store_process_, observers_.runtime, coverage_,
                      state_backends_ ? &state_backends_ : nullptr};
}

BlobStore& SimCluster::blob_view(ProcessId process) {
  BlobStore& simulated = storage_.view_for(process);
  return blob_view_decorator_ ? blob_view_decorator_(process, simulated) : simulated;
}

void SimCluster::boot_task_manager(std::size_t index) {
  const ProcessId process = task_manager_processes_[index];
  task_managers_[index] = std::make_unique<TaskManager>(task_services(process));
  simulation_.set_rpc_handler(process, [this, index](ProcessId from, RpcMessage message) {
    if (task_managers_[index]) task_managers_[index]->on_rpc(from, std::move(message));
  });
  simulation_.set_on_crash(process, [this, index] { task_managers_[index].reset(); });
}

}  // namespace ckptsim::sim
