// Simulated processes: JobManager, TaskManagers, external systems.
//
// A process is alive or crashed and has an incarnation number that increases at every
// crash. Everything the kernel schedules on behalf of a process (timers, messages it
// sends or that are addressed to it, its channel endpoints) is stamped with the
// incarnation; when it comes due and the stamp is stale, it is dropped. This is how a
// crash loses exactly that process's volatile state, timers and in-flight messages,
// without searching the event queue.
//
// A restarted process starts empty: the kernel calls its boot function, which builds
// fresh protocol objects (recovering only from durable storage).
//
// A live process may also be paused (a stop-the-world pause, like a long garbage
// collection): the events it would handle wait in its `deferred` queue, in the order
// they came due, until the kernel resumes it (see Simulation::pause).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/env/transport.h"
#include "sim/event_queue.h"

namespace ckptsim::sim {

using RpcHandler = std::function<void(ProcessId from, RpcMessage message)>;

struct ProcessInfo {
  std::string name;
  bool alive = true;
  std::uint32_t incarnation = 0;
  RpcHandler rpc_handler;            // volatile: cleared at crash
  std::function<void()> on_crash;    // tears down the process's objects (volatile)
  std::function<void()> boot;        // durable: rebuilds the process at restart
  bool paused = false;               // handles no event until resumed
  TimeNs paused_until_ns = 0;        // when the current pause ends (meaningful while paused)
  std::deque<Event> deferred;        // events that came due during the pause, in order
};

class ProcessTable {
 public:
  ProcessId add(std::string name) {
    CKPT_ASSERT(processes_.size() < kNoProcess, "too many processes");
    ProcessInfo info;
    info.name = std::move(name);
    processes_.push_back(std::move(info));
    return static_cast<ProcessId>(processes_.size() - 1);
  }
  std::size_t size() const { return processes_.size(); }
  ProcessInfo& at(ProcessId id) {
    CKPT_ASSERT(id < processes_.size(), "unknown process id");
    return processes_[id];
  }
  const ProcessInfo& at(ProcessId id) const {
    CKPT_ASSERT(id < processes_.size(), "unknown process id");
    return processes_[id];
  }
  // True if a stamp (id, incarnation) still names the live process.
  bool is_current(ProcessId id, std::uint32_t incarnation) const {
    const ProcessInfo& p = at(id);
    return p.alive && p.incarnation == incarnation;
  }

 private:
  std::vector<ProcessInfo> processes_;
};

}  // namespace ckptsim::sim
