// The unit of the fault catalogue: one fault is a pluggable object with three steps,
// acting on the simulated world only through the kernel's hooks (crash/restart/pause,
// link conditions, the RPC fault hook, the blob storage's fault hooks, process clocks).
// The protocol never knows.
//
//   set_up(world)  once, when the fault is scheduled: resolves process names and
//                  registers the hooks it needs; a Status for what the world lacks.
//   start(world)   at `at_ns`: the fault strikes. Returns false when it could not take
//                  effect (its target is already down); it is then never healed.
//   heal(world)    at heal_ns(), when the fault has one and started: undoes start.
//
// A fault's parameters are checked when it is made (fault_catalogue.h: make_fault), so
// an object that exists is well-formed; set_up only checks it against the world.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "protocol/base/status.h"
#include "protocol/base/time.h"

namespace ckptsim::faults {

class FaultWorld;

// A fault's number within its schedule; keys every contribution it makes to a shared
// hook, so that its heal removes exactly what its start added.
using FaultId = std::uint32_t;

// One fault of a plan, as scenarios and the swarm generator describe it. Plain values;
// which fields a type uses is in the catalogue (docs/fault-catalogue.md).
struct ScheduledFault {
  std::string type;
  TimeNs at_ns = 0;
  DurationNs duration_ns = 0;
  DurationNs restart_after_ns = -1;  // -1: never
  std::string target;
  std::string peer;
  std::map<std::string, std::string> params;   // type-specific, canonical text (scenario FaultSpec::params)
  bool operator==(const ScheduledFault&) const = default;
};

// What is wrong with a fault's fields: which field, and why.
struct FaultProblem {
  std::string field;     // "at", "duration", "restart-after", "target", "peer" or a param name
  std::string message;   // "expected ..., got ..."
};

class Fault {
 public:
  explicit Fault(ScheduledFault spec) : spec_(std::move(spec)) {}
  virtual ~Fault() = default;
  Fault(const Fault&) = delete;
  Fault& operator=(const Fault&) = delete;

  virtual Status set_up(FaultWorld& world) = 0;
  virtual bool start(FaultWorld& world) = 0;
  virtual void heal(FaultWorld& /*world*/) {}

  // When the fault is over: crashes restart, lasting faults end; nullopt for a crash
  // without restart (the process stays down) and for instant faults, which end at
  // start_ns(). Faults whose end the kernel applies by itself (a clog's end time, a
  // pause's resume) still report it here; their heal() does nothing.
  virtual std::optional<TimeNs> heal_ns() const;
  // Who the fault hits, for reports ("tm-0", "tm-0 | jm", "jm,tm-1 | rest").
  virtual std::string describe_target() const { return spec_.target; }

  const ScheduledFault& spec() const { return spec_; }
  FaultId id() const { return id_; }
  void set_id(FaultId id) { id_ = id; }
  TimeNs start_ns() const { return spec_.at_ns; }
  // When the fault phase can end as far as this fault is concerned.
  TimeNs end_ns() const { return heal_ns().value_or(spec_.at_ns); }

 private:
  ScheduledFault spec_;
  FaultId id_ = 0;
};

}  // namespace ckptsim::faults
