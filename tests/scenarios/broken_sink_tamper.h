// A deliberately broken protocol variant for tests only: a two-phase-commit sink that
// commits at pre-commit time. Installed through RunOptions::tamper (a test-only seam):
// a kernel RPC hook that, whenever a sink sends kStorePrepare to the store, has the same
// sink send kStoreCommit for that transaction right after it (from a zero-delay timer of
// the sink's process, so the commit leaves after the prepare and arrives after it). The
// commit then happens before the checkpoint completes, which the oracle must catch.
#pragma once

#include <utility>

#include "protocol/runtime/messages.h"
#include "scenarios/runner.h"
#include "sim/cluster/sim_cluster.h"
#include "sim/simulation.h"

namespace ckptsim::test_support {

inline scenarios::RunTamper commit_at_precommit() {
  return [](sim::Simulation& simulation, sim::SimCluster& cluster) {
    const ProcessId store = cluster.sink_store_process();
    simulation.set_rpc_fault_hook([&simulation, store](ProcessId from, ProcessId to, const RpcMessage& message) {
      if (to != store || message.type != static_cast<std::uint32_t>(MessageType::kStorePrepare)) return sim::RpcFate{};
      Result<StoreRequest> request = decode_store_request(message);
      if (!request.is_ok()) return sim::RpcFate{};
      StoreRequest commit = std::move(request).value();
      commit.records.clear();
      simulation.schedule_after(from, 0, [&simulation, from, store, commit] {
        (void)simulation.send_rpc(from, store, encode(MessageType::kStoreCommit, commit));
      });
      return sim::RpcFate{};
    });
  };
}

}  // namespace ckptsim::test_support
