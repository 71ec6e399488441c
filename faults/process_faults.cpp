#include "faults/process_faults.h"

#include <algorithm>
#include <string>

#include "faults/fault_world.h"
#include "sim/process_env.h"

namespace ckptsim::faults {

// --- ClockDriftLedger ---

void ClockDriftLedger::add(FaultId id, ProcessId process, DurationNs step_ns, std::int64_t drift_ppm) {
  CKPT_ASSERT(drifts_[process].emplace(id, drift_ppm).second, "a fault drifts a clock once");
  apply(process, step_ns);
}

void ClockDriftLedger::remove(FaultId id, ProcessId process) {
  CKPT_ASSERT(drifts_[process].erase(id) == 1, "only a drift that was added is removed");
  apply(process, 0);
}

void ClockDriftLedger::apply(ProcessId process, DurationNs step_ns) {
  std::int64_t drift_ppm = 0;
  for (const auto& [id, drift] : drifts_[process]) drift_ppm += drift;  // each is bounded, so is their sum
  drift_ppm = std::clamp(drift_ppm, sim::ProcessClock::kMinDriftPpm, sim::ProcessClock::kMaxDriftPpm);
  simulation_.env(process).adjust_clock(sim::ClockAdjustment{step_ns, drift_ppm});
}

namespace {

// The process a crash fault hits: implied by the type, or the target.
std::string crash_target(const ScheduledFault& spec) {
  if (spec.type == "job-manager-crash") return "jm";
  if (spec.type == "sink-store-crash") return "sink-store";
  return spec.target;
}

// task-manager-crash, job-manager-crash, sink-store-crash.
class CrashFault final : public Fault {
 public:
  using Fault::Fault;
  Status set_up(FaultWorld& world) override {
    Result<ProcessId> process = world.process_named(crash_target(spec()));
    if (!process.is_ok()) return process.status();
    process_ = process.value();
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    if (!world.simulation().is_alive(process_)) return false;  // already down: the earlier crash stands
    world.simulation().crash(process_);
    return true;
  }
  void heal(FaultWorld& world) override {
    if (!world.simulation().is_alive(process_)) world.simulation().restart(process_);
  }
  std::optional<TimeNs> heal_ns() const override {
    if (spec().restart_after_ns < 0) return std::nullopt;
    return spec().at_ns + spec().restart_after_ns;
  }
  std::string describe_target() const override { return crash_target(spec()); }

 private:
  ProcessId process_ = kNoProcess;
};

// process-pause: the kernel defers everything the process would handle until the end.
class PauseFault final : public Fault {
 public:
  using Fault::Fault;
  Status set_up(FaultWorld& world) override {
    Result<ProcessId> process = world.process_named(spec().target);
    if (!process.is_ok()) return process.status();
    process_ = process.value();
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    if (!world.simulation().is_alive(process_)) return false;  // a down process has nothing to pause
    world.simulation().pause(process_, *heal_ns());
    return true;
  }

 private:
  ProcessId process_ = kNoProcess;
};

// clock-skew: steps the target's clock forward and makes it drift until the heal.
class ClockSkewFault final : public Fault {
 public:
  ClockSkewFault(ScheduledFault spec, DurationNs step_ns, std::int64_t drift_ppm)
      : Fault(std::move(spec)), step_ns_(step_ns), drift_ppm_(drift_ppm) {}
  Status set_up(FaultWorld& world) override {
    Result<ProcessId> process = world.process_named(spec().target);
    if (!process.is_ok()) return process.status();
    process_ = process.value();
    return Status::ok();
  }
  bool start(FaultWorld& world) override {
    world.clocks().add(id(), process_, step_ns_, drift_ppm_);
    return true;
  }
  void heal(FaultWorld& world) override { world.clocks().remove(id(), process_); }

 private:
  DurationNs step_ns_;
  std::int64_t drift_ppm_;
  ProcessId process_ = kNoProcess;
};

constexpr DurationNs kMaxRestartDelayNs = 365 * kDay;
constexpr DurationNs kMaxClockStepNs = 1 * kDay;

}  // namespace

std::unique_ptr<Fault> make_crash_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_no_duration(spec, reader);
  if (spec.restart_after_ns < -1 || spec.restart_after_ns > kMaxRestartDelayNs) {
    reader.fail("restart-after", "expected a delay in [0, 365d] or never (-1), got " +
                                     std::to_string(spec.restart_after_ns) + "ns");
  }
  if (spec.type == "task-manager-crash") {
    check_process_field(reader, "target", spec.target, true);
    if (!spec.target.starts_with("tm-")) reader.fail("target", "expected a task manager \"tm-<i>\", got \"" + spec.target + "\"");
  } else {
    check_unused_field(reader, "target", spec.target);
  }
  check_unused_field(reader, "peer", spec.peer);
  return std::make_unique<CrashFault>(spec);
}

std::unique_ptr<Fault> make_pause_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_process_field(reader, "target", spec.target, true);
  check_unused_field(reader, "peer", spec.peer);
  return std::make_unique<PauseFault>(spec);
}

std::unique_ptr<Fault> make_clock_skew_fault(const ScheduledFault& spec, ParamReader& reader) {
  check_lasting(spec, reader);
  check_process_field(reader, "target", spec.target, true);
  check_unused_field(reader, "peer", spec.peer);
  const DurationNs step_ns = reader.duration("step", 0, 0, kMaxClockStepNs);
  const std::int64_t drift_ppm =
      reader.integer("drift-ppm", 0, sim::ProcessClock::kMinDriftPpm, sim::ProcessClock::kMaxDriftPpm);
  return std::make_unique<ClockSkewFault>(spec, step_ns, drift_ppm);
}

}  // namespace ckptsim::faults
