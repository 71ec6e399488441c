#include "faults/fault_schedule.h"

#include <algorithm>

#include "faults/fault_catalogue.h"

namespace ckptsim::faults {
namespace {

constexpr std::uint64_t kStarted = 1;
constexpr std::uint64_t kHealed = 2;
constexpr std::uint64_t kSkipped = 3;

std::uint64_t kind_index(std::string_view type) {
  const FaultKind* kind = find_fault_kind(type);
  CKPT_ASSERT(kind != nullptr, "a scheduled fault has a known kind");
  return static_cast<std::uint64_t>(kind - fault_kinds().data());
}

}  // namespace

FaultSchedule::FaultSchedule(sim::Simulation& simulation, sim::SimCluster& cluster)
    : FaultSchedule(simulation, &cluster.storage()) {}

FaultSchedule::FaultSchedule(sim::Simulation& simulation, sim::SimBlobStorage* storage)
    : simulation_(simulation), world_(simulation, storage), kind_fault_(simulation.log().register_kind("fault")) {}

FaultSchedule::~FaultSchedule() = default;

Status FaultSchedule::schedule(const std::vector<ScheduledFault>& faults) {
  if (faults.size() > kMaxFaults - faults_.size()) {
    return Status::invalid_argument("a fault schedule holds at most " + std::to_string(kMaxFaults) + " faults");
  }
  std::vector<std::unique_ptr<Fault>> made;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    Result<std::unique_ptr<Fault>> fault = make_fault(faults[i]);
    if (!fault.is_ok()) return Status::invalid_argument("fault " + std::to_string(i) + ": " + fault.status().message());
    fault.value()->set_id(static_cast<FaultId>(faults_.size() + made.size()));
    if (Status s = fault.value()->set_up(world_); !s.is_ok()) {
      return Status::invalid_argument("fault " + std::to_string(i) + " (" + faults[i].type + "): " + s.message());
    }
    made.push_back(std::move(fault).value());
  }
  for (std::unique_ptr<Fault>& fault : made) {
    faults_.push_back(std::move(fault));
    arm(*faults_.back());
  }
  return Status::ok();
}

void FaultSchedule::arm(Fault& fault) {
  fault_phase_end_ns_ = std::max(fault_phase_end_ns_, fault.end_ns());
  windows_.push_back(FaultWindow{fault.spec().type, fault.describe_target(), fault.start_ns(), fault.end_ns()});
  const DurationNs start_delay_ns = std::max<DurationNs>(0, fault.start_ns() - simulation_.now_ns());
  simulation_.schedule_global_after(start_delay_ns, [this, &fault] {
    if (!fault.start(world_)) {
      ++skipped_;
      record(fault, kSkipped);
      return;
    }
    ++injected_;
    record(fault, kStarted);
    const std::optional<TimeNs> heal_ns = fault.heal_ns();
    if (!heal_ns) return;
    simulation_.schedule_global_after(std::max<DurationNs>(0, *heal_ns - simulation_.now_ns()), [this, &fault] {
      fault.heal(world_);
      ++healed_;
      record(fault, kHealed);
    });
  });
}

void FaultSchedule::record(const Fault& fault, std::uint64_t what) {
  simulation_.record(kind_fault_, fault.id(), what, kind_index(fault.spec().type));
}

}  // namespace ckptsim::faults
