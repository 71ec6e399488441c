#include "scenarios/shrink_candidates.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace ckptsim::scenarios {
namespace {

// Distinct values below `current`, at least 1, biggest step first: 1, current/2, current-1.
std::vector<std::uint64_t> smaller_counts(std::uint64_t current) {
  std::vector<std::uint64_t> values;
  for (const std::uint64_t v : {std::uint64_t{1}, current / 2, current - 1}) {
    if (v >= 1 && v < current && std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

std::string describe_fault(const FaultSpec& fault) {
  std::string text = fault.type + " at " + format_duration(fault.at_ns);
  if (!fault.target.empty()) text += " on " + fault.target;
  if (!fault.peer.empty()) text += "/" + fault.peer;
  return text;
}

std::uint64_t subtasks(const Scenario& s) {
  std::uint64_t n = 0;
  for (const OperatorSpec& op : s.job.operators) n += op.parallelism;
  return n;
}

bool schedulable(const Scenario& s) {
  return static_cast<std::uint64_t>(s.job.cluster.task_managers) * s.job.cluster.slots_per_task_manager >= subtasks(s);
}

std::vector<ShrinkCandidate> drop_single_faults(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  // Last first: later faults are more often incidental to an earlier failure.
  for (std::size_t i = current.faults.size(); i-- > 0;) {
    ShrinkCandidate c{current, "drop fault " + std::to_string(i) + " (" + describe_fault(current.faults[i]) + ")"};
    c.scenario.faults.erase(c.scenario.faults.begin() + static_cast<std::ptrdiff_t>(i));
    candidates.push_back(std::move(c));
  }
  return candidates;
}

std::vector<ShrinkCandidate> drop_fault_halves(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  const std::size_t n = current.faults.size();
  if (n < 3) return candidates;  // halves of one or two faults are single faults
  const auto half = static_cast<std::ptrdiff_t>(n / 2);
  ShrinkCandidate first{current, "drop the first " + std::to_string(half) + " faults"};
  first.scenario.faults.erase(first.scenario.faults.begin(), first.scenario.faults.begin() + half);
  ShrinkCandidate second{current, "drop the last " + std::to_string(n - static_cast<std::size_t>(half)) + " faults"};
  second.scenario.faults.erase(second.scenario.faults.begin() + half, second.scenario.faults.end());
  candidates.push_back(std::move(first));
  candidates.push_back(std::move(second));
  return candidates;
}

std::vector<ShrinkCandidate> fewer_records(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  const std::uint64_t rpp = current.input.records_per_partition;
  for (const std::uint64_t v : {rpp / 16, rpp / 2}) {
    if (v < 1 || v >= rpp) continue;
    ShrinkCandidate c{current, "records per partition " + std::to_string(rpp) + " -> " + std::to_string(v)};
    c.scenario.input.records_per_partition = v;
    candidates.push_back(std::move(c));
  }
  return candidates;
}

std::vector<ShrinkCandidate> fewer_partitions(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  for (const std::uint64_t v : smaller_counts(current.input.partitions)) {
    ShrinkCandidate c{current, "partitions " + std::to_string(current.input.partitions) + " -> " + std::to_string(v)};
    c.scenario.input.partitions = static_cast<std::uint32_t>(v);
    candidates.push_back(std::move(c));
  }
  return candidates;
}

// Operators joined by forward edges must keep equal parallelism: one group per
// connected component of the forward edges, by the index of its first operator.
std::vector<std::vector<std::size_t>> forward_groups(const JobSpec& job) {
  std::vector<std::size_t> parent(job.operators.size());
  std::iota(parent.begin(), parent.end(), 0);
  const auto find = [&parent](std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < job.operators.size(); ++i) index[job.operators[i].name] = i;
  for (const EdgeSpec& e : job.edges) {
    if (e.partitioning != Partitioning::kForward || !index.contains(e.from) || !index.contains(e.to)) continue;
    parent[find(index[e.from])] = find(index[e.to]);
  }
  std::map<std::size_t, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < job.operators.size(); ++i) groups[find(i)].push_back(i);
  std::vector<std::vector<std::size_t>> result;
  for (auto& [root, members] : groups) result.push_back(std::move(members));
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<ShrinkCandidate> lower_parallelism(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  for (const std::vector<std::size_t>& group : forward_groups(current.job)) {
    std::uint32_t parallelism = 0;
    std::string names;
    for (const std::size_t i : group) {
      parallelism = std::max(parallelism, current.job.operators[i].parallelism);
      names += (names.empty() ? "" : "+") + current.job.operators[i].name;
    }
    for (const std::uint64_t v : smaller_counts(parallelism)) {
      ShrinkCandidate c{current, "parallelism of " + names + " " + std::to_string(parallelism) + " -> " + std::to_string(v)};
      for (const std::size_t i : group) c.scenario.job.operators[i].parallelism = static_cast<std::uint32_t>(v);
      candidates.push_back(std::move(c));
    }
  }
  return candidates;
}

// True when the fault names a task manager at or beyond `count`.
bool names_removed_task_manager(const FaultSpec& fault, std::uint32_t count) {
  for (const std::string* name : {&fault.target, &fault.peer}) {
    const std::optional<std::uint32_t> index = parse_task_manager_process(*name);
    if (index.has_value() && *index >= count) return true;
  }
  return false;
}

std::vector<ShrinkCandidate> fewer_task_managers(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  for (const std::uint64_t v : smaller_counts(current.job.cluster.task_managers)) {
    const auto count = static_cast<std::uint32_t>(v);
    ShrinkCandidate c{current, "task managers " + std::to_string(current.job.cluster.task_managers) + " -> " +
                                   std::to_string(count)};
    c.scenario.job.cluster.task_managers = count;
    std::erase_if(c.scenario.faults, [count](const FaultSpec& f) { return names_removed_task_manager(f, count); });
    if (c.scenario.faults.size() < current.faults.size()) c.description += " (and their faults)";
    if (schedulable(c.scenario)) candidates.push_back(std::move(c));
  }
  return candidates;
}

std::vector<ShrinkCandidate> earlier_and_shorter_faults(const Scenario& current, std::string_view) {
  std::vector<ShrinkCandidate> candidates;
  for (std::size_t i = 0; i < current.faults.size(); ++i) {
    const FaultSpec& f = current.faults[i];
    const std::string which = "fault " + std::to_string(i) + " (" + describe_fault(f) + ")";
    if (f.at_ns >= 2 * kMillisecond) {
      ShrinkCandidate c{current, which + ": strike at " + format_duration(f.at_ns / 2)};
      c.scenario.faults[i].at_ns = f.at_ns / 2;
      candidates.push_back(std::move(c));
    }
    if (f.duration_ns >= 2 * kMillisecond) {
      ShrinkCandidate c{current, which + ": last " + format_duration(f.duration_ns / 2)};
      c.scenario.faults[i].duration_ns = f.duration_ns / 2;
      candidates.push_back(std::move(c));
    }
    if (f.restart_after_ns >= 2 * kMillisecond) {
      ShrinkCandidate c{current, which + ": restart after " + format_duration(f.restart_after_ns / 2)};
      c.scenario.faults[i].restart_after_ns = f.restart_after_ns / 2;
      candidates.push_back(std::move(c));
    }
  }
  return candidates;
}

std::vector<ShrinkCandidate> shorter_run(const Scenario& current, std::string_view property) {
  std::vector<ShrinkCandidate> candidates;
  // A run cut short fails liveness by construction: never shrink a liveness failure this way.
  if (property == "liveness.finish") return candidates;
  TimeNs faults_end_ns = 0;
  for (const FaultSpec& f : current.faults) faults_end_ns = std::max(faults_end_ns, f.at_ns + f.duration_ns);
  const DurationNs half_ns = current.run.max_duration_ns / 2;
  if (half_ns < kMillisecond || half_ns <= faults_end_ns) return candidates;
  ShrinkCandidate c{current, "run length " + format_duration(current.run.max_duration_ns) + " -> " + format_duration(half_ns)};
  c.scenario.run.max_duration_ns = half_ns;
  c.scenario.run.liveness_bound_ns = std::min(c.scenario.run.liveness_bound_ns, half_ns);
  candidates.push_back(std::move(c));
  return candidates;
}

constexpr ShrinkPass kPasses[] = {
    {"drop single faults", &drop_single_faults},
    {"drop halves of the faults", &drop_fault_halves},
    {"fewer records", &fewer_records},
    {"fewer partitions", &fewer_partitions},
    {"lower parallelism", &lower_parallelism},
    {"fewer task managers", &fewer_task_managers},
    {"earlier and shorter faults", &earlier_and_shorter_faults},
    {"shorter run", &shorter_run},
};

}  // namespace

std::span<const ShrinkPass> shrink_passes() { return kPasses; }

}  // namespace ckptsim::scenarios
