// A small kernel-level world for fault tests: a Simulation with the processes a
// SimCluster has ("jm", "sink-store", "tm-0" .. "tm-<n-1>"), blob storage, and every
// process recording the RPCs it receives. No protocol runs: each test drives the
// processes by hand and looks at what the faults did.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "faults/fault_schedule.h"
#include "sim/process_env.h"
#include "sim/simulation.h"
#include "sim/storage/sim_blob_store.h"

namespace ckptsim::faults::testing {

struct ReceivedRpc {
  TimeNs time_ns = 0;
  ProcessId from = kNoProcess;
  ProcessId to = kNoProcess;
  std::uint32_t type = 0;
};

inline sim::SimulationOptions world_options(std::uint64_t seed) {
  sim::SimulationOptions options;
  options.seed = seed;
  options.network.rpc_latency_ns = 1 * kMillisecond;
  return options;
}

class TestWorld {
 public:
  explicit TestWorld(std::uint32_t task_managers = 2, std::uint64_t seed = 1)
      : simulation(world_options(seed)),
        jm(simulation.add_process("jm")),
        store(simulation.add_process("sink-store")) {
    for (std::uint32_t i = 0; i < task_managers; ++i) tms.push_back(simulation.add_process("tm-" + std::to_string(i)));
    storage = std::make_unique<sim::SimBlobStorage>(simulation);
    for (ProcessId p = 0; p < simulation.process_count(); ++p) {
      install_handler(p);
      simulation.set_boot(p, [this, p] { install_handler(p); });
    }
    schedule = std::make_unique<FaultSchedule>(simulation, storage.get());
  }

  // Sends an RPC of `type` from `from` to `to` now.
  void send(ProcessId from, ProcessId to, std::uint32_t type) {
    REQUIRE(simulation.env(from).send(to, RpcMessage{type, {}}).is_ok());
  }
  // Sends at a later time (a global timer does the sending).
  void send_at(TimeNs at_ns, ProcessId from, ProcessId to, std::uint32_t type) {
    simulation.schedule_global_after(at_ns - simulation.now_ns(), [this, from, to, type] {
      if (simulation.is_alive(from)) send(from, to, type);
    });
  }
  std::size_t received_by(ProcessId to) const {
    std::size_t n = 0;
    for (const ReceivedRpc& r : received) n += r.to == to ? 1 : 0;
    return n;
  }
  Status add(std::vector<ScheduledFault> faults) { return schedule->schedule(faults); }

  sim::Simulation simulation;
  ProcessId jm;
  ProcessId store;
  std::vector<ProcessId> tms;
  std::unique_ptr<sim::SimBlobStorage> storage;
  std::vector<ReceivedRpc> received;
  std::unique_ptr<FaultSchedule> schedule;   // destroyed first: uninstalls its hooks

 private:
  void install_handler(ProcessId p) {
    simulation.set_rpc_handler(p, [this, p](ProcessId from, RpcMessage message) {
      received.push_back(ReceivedRpc{simulation.now_ns(), from, p, message.type});
    });
  }
};

inline ScheduledFault lasting_fault(std::string type, TimeNs at_ns, DurationNs duration_ns, std::string target = "",
                                    std::string peer = "") {
  ScheduledFault fault;
  fault.type = std::move(type);
  fault.at_ns = at_ns;
  fault.duration_ns = duration_ns;
  fault.target = std::move(target);
  fault.peer = std::move(peer);
  return fault;
}

}  // namespace ckptsim::faults::testing
