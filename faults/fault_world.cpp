#include "faults/fault_world.h"

namespace ckptsim::faults {

FaultWorld::FaultWorld(sim::Simulation& simulation, sim::SimBlobStorage* storage)
    : simulation_(simulation), storage_(storage), links_(simulation), clocks_(simulation) {}

FaultWorld::~FaultWorld() {
  if (rpcs_) simulation_.set_rpc_fault_hook(nullptr);
  if (storage_faults_ && storage_->faults() == storage_faults_.get()) storage_->set_faults(nullptr);
}

Result<ProcessId> FaultWorld::process_named(std::string_view name) const {
  std::string known;
  for (ProcessId id = 0; id < simulation_.process_count(); ++id) {
    const std::string& candidate = simulation_.process(id).name;
    if (candidate == name) return id;
    known += (known.empty() ? "" : ", ") + candidate;
  }
  return Status::invalid_argument("unknown process '" + std::string(name) + "' (known: " + known + ")");
}

std::vector<ProcessId> FaultWorld::processes() const {
  std::vector<ProcessId> all;
  for (ProcessId id = 0; id < simulation_.process_count(); ++id) all.push_back(id);
  return all;
}

RpcFaultInjector& FaultWorld::rpcs() {
  if (!rpcs_) {
    rpcs_ = std::make_unique<RpcFaultInjector>(simulation_.derive_rng("faults/rpc"));
    simulation_.set_rpc_fault_hook([injector = rpcs_.get()](ProcessId from, ProcessId to, const RpcMessage& message) {
      return injector->decide(from, to, message);
    });
  }
  return *rpcs_;
}

Result<StorageFaultInjector*> FaultWorld::storage_faults() {
  if (storage_ == nullptr) return Status::invalid_argument("this world has no blob storage to inject faults into");
  if (!storage_faults_) {
    CKPT_ASSERT(storage_->faults() == nullptr, "the storage's fault hooks belong to one fault world");
    storage_faults_ = std::make_unique<StorageFaultInjector>(*storage_, simulation_.derive_rng("faults/storage"));
    storage_->set_faults(storage_faults_.get());
  }
  return storage_faults_.get();
}

}  // namespace ckptsim::faults

namespace ckptsim::faults {

void FaultWorld::set_run_files(sim::RunFileFaults* layers, std::string checkpoint_root) {
  CKPT_ASSERT(file_faults_ == nullptr, "the run's files are set before any file fault uses them");
  if (layers == nullptr) return;
  file_faults_ = std::make_unique<FileFaultInjector>(*layers, std::move(checkpoint_root),
                                                     simulation_.derive_rng("faults/files"));
}

Result<FileFaultInjector*> FaultWorld::file_faults() {
  if (file_faults_ == nullptr) {
    return Status::invalid_argument(
        "this run has no real files to inject faults into (execution.checkpointing.dir, state.backend.type: rocksdb)");
  }
  return file_faults_.get();
}

}  // namespace ckptsim::faults
