// FaultWorld: what the faults of one schedule act on — the simulation, its processes by
// name, the optional blob storage — and the shared composers through which overlapping
// faults use one kernel hook together (links, RPC hook, storage hooks, clocks).
//
// Contract:
//  * Hooks are installed lazily, the first time a fault asks for them, so a run without
//    such faults keeps the kernel's fast paths; the destructor uninstalls what it
//    installed. The world must outlive every event its faults scheduled, and must be
//    destroyed before the simulation and the storage.
//  * Randomness comes only from streams derived from the simulation's seed
//    ("faults/rpc", "faults/storage", "faults/files"), so fault decisions never shift the workload's.
//  * Process names are the simulation's ("jm", "sink-store", "tm-<i>" in a SimCluster).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "faults/file_faults.h"
#include "faults/network_faults.h"
#include "faults/process_faults.h"
#include "faults/rpc_faults.h"
#include "faults/storage_faults.h"
#include "sim/simulation.h"
#include "sim/storage/sim_blob_store.h"

namespace ckptsim::faults {

class FaultWorld {
 public:
  // `storage` may be null: storage faults then fail their set-up.
  FaultWorld(sim::Simulation& simulation, sim::SimBlobStorage* storage);
  ~FaultWorld();
  FaultWorld(const FaultWorld&) = delete;
  FaultWorld& operator=(const FaultWorld&) = delete;

  sim::Simulation& simulation() { return simulation_; }
  // kInvalidArgument naming the known processes when there is none by that name.
  Result<ProcessId> process_named(std::string_view name) const;
  // Every process of the simulation, in id order.
  std::vector<ProcessId> processes() const;
  const std::string& name_of(ProcessId process) const { return simulation_.process(process).name; }

  LinkFaultLedger& links() { return links_; }
  ClockDriftLedger& clocks() { return clocks_; }
  // Installs the kernel's RPC fault hook on first use.
  RpcFaultInjector& rpcs();
  // Installs the storage's fault hooks on first use; kInvalidArgument without storage.
  Result<StorageFaultInjector*> storage_faults();
  // The run's real-file fault layers (sim/cluster/run_file_faults.h), set before any
  // file fault is set up; `checkpoint_root` is empty when the run has no checkpoint
  // directory. Not owned; must outlive the world.
  void set_run_files(sim::RunFileFaults* layers, std::string checkpoint_root);
  // kInvalidArgument when the run has no real files to inject faults into.
  Result<FileFaultInjector*> file_faults();

 private:
  sim::Simulation& simulation_;
  sim::SimBlobStorage* storage_;   // not owned, may be null
  LinkFaultLedger links_;
  ClockDriftLedger clocks_;
  std::unique_ptr<RpcFaultInjector> rpcs_;
  std::unique_ptr<StorageFaultInjector> storage_faults_;
  std::unique_ptr<FileFaultInjector> file_faults_;
};

}  // namespace ckptsim::faults
