#include "faults/swarm.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "faults/fault_params.h"
#include "protocol/checkpoint/checkpoint_coordinator_config.h"
#include "sim/random.h"

namespace ckptsim::faults {
namespace {

// Everything one kind's generator draws from.
struct Drawing {
  const SwarmInputs& inputs;
  const SwarmOptions& options;
  TimeNs start_ns;
  TimeNs end_ns;
  sim::Rng& rng;
  const std::vector<std::string>& processes;       // every process, "jm" and "sink-store" first
  const std::vector<std::string>& task_managers;
};

struct Window {
  TimeNs at_ns = 0;
  DurationNs length_ns = 0;
};

// A length in [min, max]: half the time among the shortest tenth, so that short
// glitches are as common as long outages.
DurationNs draw_length(sim::Rng& rng, DurationNs min_ns, DurationNs max_ns) {
  const bool short_one = rng.one_in(2);
  const DurationNs upper_ns = short_one ? min_ns + (max_ns - min_ns) / 10 : max_ns;
  return rng.uniform_int(min_ns, upper_ns);
}

// A window of length in [min, max] inside the fault phase; nullopt when it has no room.
std::optional<Window> draw_window(Drawing& d, DurationNs min_ns, DurationNs max_ns) {
  const DurationNs room_ns = d.end_ns - d.start_ns;
  if (room_ns < min_ns || max_ns < min_ns) return std::nullopt;
  const DurationNs length_ns = draw_length(d.rng, min_ns, std::min(max_ns, room_ns));
  const TimeNs at_ns = d.start_ns + d.rng.uniform_int(0, room_ns - length_ns);
  return Window{at_ns, length_ns};
}

const std::string& pick(sim::Rng& rng, const std::vector<std::string>& names) {
  CKPT_ASSERT(!names.empty(), "pick from a non-empty list");
  return names[rng.uniform_below(names.size())];
}

// A name from `names` other than `not_this` (the list holds at least two names).
const std::string& pick_other(sim::Rng& rng, const std::vector<std::string>& names, const std::string& not_this) {
  CKPT_ASSERT(names.size() >= 2, "another process exists");
  for (;;) {  // expected fewer than two rounds
    const std::string& name = pick(rng, names);
    if (name != not_this) return name;
  }
}

std::string draw_probability(sim::Rng& rng) {
  return format_probability(static_cast<double>(rng.uniform_int(1, 20)) / 20.0);
}

DurationNs draw_delay(sim::Rng& rng, DurationNs min_ns, DurationNs max_ns) { return draw_length(rng, min_ns, max_ns); }

std::optional<ScheduledFault> lasting(Drawing& d, std::string_view type) {
  const std::optional<Window> window = draw_window(d, d.options.min_fault_duration_ns, d.options.max_fault_duration_ns);
  if (!window) return std::nullopt;
  ScheduledFault fault;
  fault.type = std::string(type);
  fault.at_ns = window->at_ns;
  fault.duration_ns = window->length_ns;
  return fault;
}

std::optional<ScheduledFault> crash(Drawing& d, std::string_view type, std::string target) {
  const std::optional<Window> window = draw_window(d, d.options.min_downtime_ns, d.options.max_downtime_ns);
  if (!window) return std::nullopt;
  ScheduledFault fault;
  fault.type = std::string(type);
  fault.at_ns = window->at_ns;
  fault.restart_after_ns = window->length_ns;
  fault.target = std::move(target);
  return fault;
}

// --- one generator per kind ---

std::optional<ScheduledFault> draw_task_manager_crash(Drawing& d) {
  return crash(d, "task-manager-crash", pick(d.rng, d.task_managers));
}
std::optional<ScheduledFault> draw_job_manager_crash(Drawing& d) { return crash(d, "job-manager-crash", ""); }
std::optional<ScheduledFault> draw_sink_store_crash(Drawing& d) { return crash(d, "sink-store-crash", ""); }

std::optional<ScheduledFault> draw_targeted(Drawing& d, std::string_view type, bool with_peer) {
  std::optional<ScheduledFault> fault = lasting(d, type);
  if (!fault) return fault;
  fault->target = pick(d.rng, d.processes);
  if (with_peer) fault->peer = pick_other(d.rng, d.processes, fault->target);
  return fault;
}

std::optional<ScheduledFault> draw_pause(Drawing& d) { return draw_targeted(d, "process-pause", false); }
std::optional<ScheduledFault> draw_partition(Drawing& d) { return draw_targeted(d, "network-partition", true); }
std::optional<ScheduledFault> draw_oneway(Drawing& d) { return draw_targeted(d, "network-partition-oneway", true); }
std::optional<ScheduledFault> draw_isolate(Drawing& d) { return draw_targeted(d, "network-isolate", false); }
std::optional<ScheduledFault> draw_clog(Drawing& d) { return draw_targeted(d, "link-clog", d.rng.one_in(2)); }

std::optional<ScheduledFault> draw_split(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "network-split");
  if (!fault) return fault;
  std::vector<bool> inside(d.processes.size());
  for (std::size_t i = 0; i < inside.size(); ++i) inside[i] = d.rng.one_in(2);
  // Some but not all: fix an empty or full side by flipping one process.
  const auto count = static_cast<std::size_t>(std::count(inside.begin(), inside.end(), true));
  if (count == 0 || count == inside.size()) inside[d.rng.uniform_below(inside.size())] = count == 0;
  std::string group;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    if (inside[i]) group += (group.empty() ? "" : ",") + d.processes[i];
  }
  fault->params["group"] = group;
  return fault;
}

std::optional<ScheduledFault> draw_latency(Drawing& d) {
  std::optional<ScheduledFault> fault = draw_targeted(d, "network-latency", false);
  if (!fault) return fault;
  if (d.rng.one_in(2)) fault->peer = pick_other(d.rng, d.processes, fault->target);
  const DurationNs latency_ns = draw_delay(d.rng, 100 * kMicrosecond, 50 * kMillisecond);
  fault->params["latency"] = format_duration(latency_ns);
  fault->params["jitter"] = format_duration(d.rng.uniform_int(0, latency_ns));
  return fault;
}

std::optional<ScheduledFault> draw_slow_link(Drawing& d) {
  std::optional<ScheduledFault> fault = draw_targeted(d, "network-slow-link", false);
  if (!fault) return fault;
  if (d.rng.one_in(2)) fault->peer = pick_other(d.rng, d.processes, fault->target);
  fault->params["bandwidth"] = std::to_string(d.rng.uniform_int(100'000, 100'000'000));
  return fault;
}

std::optional<ScheduledFault> draw_connection_cut(Drawing& d) {
  if (d.end_ns <= d.start_ns) return std::nullopt;
  ScheduledFault fault;
  fault.type = "connection-cut";
  fault.at_ns = d.rng.uniform_int(d.start_ns, d.end_ns - 1);
  fault.target = pick(d.rng, d.task_managers);
  if (d.task_managers.size() >= 2 && !d.rng.one_in(3)) fault.peer = pick_other(d.rng, d.task_managers, fault.target);
  return fault;
}

std::optional<ScheduledFault> draw_storage_write_failure(Drawing& d) {
  static constexpr std::string_view kErrors[] = {"unavailable", "io-error", "timeout"};
  std::optional<ScheduledFault> fault = lasting(d, "storage-write-failure");
  if (!fault) return fault;
  fault->params["probability"] = draw_probability(d.rng);
  fault->params["error"] = std::string(kErrors[d.rng.uniform_below(std::size(kErrors))]);
  return fault;
}

std::optional<ScheduledFault> draw_storage_slow_write(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "storage-slow-write");
  if (!fault) return fault;
  const DurationNs delay_ns = draw_delay(d.rng, 1 * kMillisecond, 500 * kMillisecond);
  fault->params["delay"] = format_duration(delay_ns);
  fault->params["jitter"] = format_duration(d.rng.uniform_int(0, delay_ns));
  return fault;
}

std::optional<ScheduledFault> draw_storage_corrupt_read(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "storage-corrupt-read");
  if (fault) fault->params["probability"] = draw_probability(d.rng);
  return fault;
}

std::optional<ScheduledFault> draw_storage_full(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "storage-full");
  if (fault) fault->params["free-bytes"] = std::to_string(d.rng.uniform_int(0, 1'000'000));
  return fault;
}

// Real-file kinds: only for runs with a checkpoint directory (or RocksDB). Every one
// heals inside the fault phase: failures stop, a flipped bit is repaired, a dead
// storage reboots.
std::optional<ScheduledFault> draw_file_rule(Drawing& d, std::string_view type) {
  std::optional<ScheduledFault> fault = lasting(d, type);
  if (fault) fault->params["probability"] = draw_probability(d.rng);
  return fault;
}
std::optional<ScheduledFault> draw_checkpoint_file_write_failure(Drawing& d) {
  return draw_file_rule(d, "checkpoint-file-write-failure");
}
std::optional<ScheduledFault> draw_checkpoint_file_sync_failure(Drawing& d) {
  return draw_file_rule(d, "checkpoint-file-sync-failure");
}
std::optional<ScheduledFault> draw_checkpoint_file_torn_write(Drawing& d) {
  return draw_file_rule(d, "checkpoint-file-torn-write");
}
std::optional<ScheduledFault> draw_checkpoint_file_bit_flip(Drawing& d) { return lasting(d, "checkpoint-file-bit-flip"); }
std::optional<ScheduledFault> draw_checkpoint_storage_power_loss(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "checkpoint-storage-power-loss");
  if (!fault) return fault;
  fault->params["max-operations"] = std::to_string(d.rng.uniform_int(0, 30));
  fault->params["torn-tails"] = d.rng.one_in(2) ? "true" : "false";
  return fault;
}
std::optional<ScheduledFault> draw_rocksdb_write_failure(Drawing& d) { return draw_file_rule(d, "rocksdb-write-failure"); }
std::optional<ScheduledFault> draw_rocksdb_sync_failure(Drawing& d) { return draw_file_rule(d, "rocksdb-sync-failure"); }

// Message sets whose loss the protocol is expected to survive (checkpoints time out or
// are declined, heartbeats are redundant, the sink retries its store requests).
constexpr std::string_view kSurvivableMessages[] = {"checkpoint", "trigger", "ack", "notify-complete",
                                                    "notify-aborted", "heartbeat", "store"};

std::optional<ScheduledFault> draw_rpc(Drawing& d, std::string_view type) {
  std::optional<ScheduledFault> fault = lasting(d, type);
  if (!fault) return fault;
  fault->params["messages"] = std::string(kSurvivableMessages[d.rng.uniform_below(std::size(kSurvivableMessages))]);
  if (d.rng.one_in(4)) fault->target = pick(d.rng, d.processes);
  return fault;
}

std::optional<ScheduledFault> draw_rpc_loss(Drawing& d) {
  std::optional<ScheduledFault> fault = draw_rpc(d, "rpc-loss");
  if (fault) fault->params["probability"] = draw_probability(d.rng);
  return fault;
}

std::optional<ScheduledFault> draw_rpc_delay(Drawing& d) {
  std::optional<ScheduledFault> fault = draw_rpc(d, "rpc-delay");
  if (!fault) return fault;
  const DurationNs delay_ns = draw_delay(d.rng, 1 * kMillisecond, 500 * kMillisecond);
  fault->params["delay"] = format_duration(delay_ns);
  fault->params["jitter"] = format_duration(d.rng.uniform_int(0, delay_ns));
  return fault;
}

constexpr std::string_view kCommitDirections[] = {"request", "reply", "both"};

std::optional<ScheduledFault> draw_sink_commit_failure(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "sink-commit-failure");
  if (!fault) return fault;
  fault->params["probability"] = draw_probability(d.rng);
  fault->params["direction"] = std::string(kCommitDirections[d.rng.uniform_below(std::size(kCommitDirections))]);
  return fault;
}

std::optional<ScheduledFault> draw_sink_commit_timeout(Drawing& d) {
  std::optional<ScheduledFault> fault = lasting(d, "sink-commit-timeout");
  if (!fault) return fault;
  fault->params["delay"] = format_duration(draw_delay(d.rng, 1 * kMillisecond, 1 * kSecond));
  fault->params["direction"] = std::string(kCommitDirections[d.rng.uniform_below(std::size(kCommitDirections))]);
  return fault;
}

std::optional<ScheduledFault> draw_clock_skew(Drawing& d) {
  std::optional<ScheduledFault> fault = draw_targeted(d, "clock-skew", false);
  if (!fault) return fault;
  const DurationNs step_ns = d.rng.one_in(2) ? 0 : d.rng.uniform_int(1, 1 * kSecond);
  fault->params["step"] = format_duration(step_ns);
  fault->params["drift-ppm"] = std::to_string(d.rng.uniform_int(-200'000, 200'000));
  return fault;
}

// --- the swarm's table ---

bool any_tm(const SwarmInputs& in) { return in.task_managers >= 1; }
bool has_jm(const SwarmInputs& in) { return in.has_job_manager; }
bool has_store(const SwarmInputs& in) { return in.has_sink_store; }
bool has_storage(const SwarmInputs& in) { return in.has_storage; }
bool has_checkpoint_files(const SwarmInputs& in) { return in.has_checkpoint_files; }
bool has_rocksdb(const SwarmInputs& in) { return in.has_rocksdb; }
bool two_processes(const SwarmInputs& in) {
  return std::size_t{in.task_managers} + (in.has_job_manager ? 1 : 0) + (in.has_sink_store ? 1 : 0) >= 2;
}
bool one_process(const SwarmInputs& in) {
  return in.task_managers + (in.has_job_manager ? 1u : 0u) + (in.has_sink_store ? 1u : 0u) >= 1;
}
bool tm_and_another(const SwarmInputs& in) { return any_tm(in) && two_processes(in); }

struct SwarmKind {
  std::string_view type;
  bool (*possible)(const SwarmInputs&);
  std::optional<ScheduledFault> (*draw)(Drawing&);
};

constexpr SwarmKind kSwarmKinds[] = {
    {"task-manager-crash", any_tm, draw_task_manager_crash},
    {"job-manager-crash", has_jm, draw_job_manager_crash},
    {"sink-store-crash", has_store, draw_sink_store_crash},
    {"process-pause", one_process, draw_pause},
    {"network-partition", two_processes, draw_partition},
    {"network-partition-oneway", two_processes, draw_oneway},
    {"network-isolate", two_processes, draw_isolate},
    {"network-split", two_processes, draw_split},
    {"network-latency", two_processes, draw_latency},
    {"network-slow-link", two_processes, draw_slow_link},
    {"link-clog", two_processes, draw_clog},
    {"connection-cut", tm_and_another, draw_connection_cut},
    {"storage-write-failure", has_storage, draw_storage_write_failure},
    {"storage-slow-write", has_storage, draw_storage_slow_write},
    {"storage-corrupt-read", has_storage, draw_storage_corrupt_read},
    {"storage-full", has_storage, draw_storage_full},
    {"rpc-loss", two_processes, draw_rpc_loss},
    {"rpc-delay", two_processes, draw_rpc_delay},
    {"sink-commit-failure", has_store, draw_sink_commit_failure},
    {"sink-commit-timeout", has_store, draw_sink_commit_timeout},
    {"clock-skew", one_process, draw_clock_skew},
    {"checkpoint-file-write-failure", has_checkpoint_files, draw_checkpoint_file_write_failure},
    {"checkpoint-file-sync-failure", has_checkpoint_files, draw_checkpoint_file_sync_failure},
    {"checkpoint-file-torn-write", has_checkpoint_files, draw_checkpoint_file_torn_write},
    {"checkpoint-file-bit-flip", has_checkpoint_files, draw_checkpoint_file_bit_flip},
    {"checkpoint-storage-power-loss", has_checkpoint_files, draw_checkpoint_storage_power_loss},
    {"rocksdb-write-failure", has_rocksdb, draw_rocksdb_write_failure},
    {"rocksdb-sync-failure", has_rocksdb, draw_rocksdb_sync_failure},
};
// The first kFileKindsBegin kinds draw their on/off from "swarm/kinds"; the real-file
// kinds after them from "swarm/file-kinds", so adding them changed no older plan.
constexpr std::size_t kFileKindsBegin = 21;
static_assert(kSwarmKinds[kFileKindsBegin].type == "checkpoint-file-write-failure", "the real-file kinds come last");

constexpr std::string_view kSwarmKindNames[] = {
    "task-manager-crash", "job-manager-crash", "sink-store-crash", "process-pause", "network-partition",
    "network-partition-oneway", "network-isolate", "network-split", "network-latency", "network-slow-link",
    "link-clog", "connection-cut", "storage-write-failure", "storage-slow-write", "storage-corrupt-read",
    "storage-full", "rpc-loss", "rpc-delay", "sink-commit-failure", "sink-commit-timeout", "clock-skew",
    "checkpoint-file-write-failure", "checkpoint-file-sync-failure", "checkpoint-file-torn-write",
    "checkpoint-file-bit-flip", "checkpoint-storage-power-loss", "rocksdb-write-failure", "rocksdb-sync-failure",
};
constexpr bool swarm_names_match() {
  if (std::size(kSwarmKindNames) != std::size(kSwarmKinds)) return false;
  for (std::size_t i = 0; i < std::size(kSwarmKinds); ++i) {
    if (kSwarmKindNames[i] != kSwarmKinds[i].type) return false;
  }
  return true;
}
static_assert(swarm_names_match(), "kSwarmKindNames lists the swarm's kinds in order");

std::vector<std::string> process_names(const SwarmInputs& inputs, std::vector<std::string>& task_managers) {
  std::vector<std::string> names;
  if (inputs.has_job_manager) names.emplace_back("jm");
  if (inputs.has_sink_store) names.emplace_back("sink-store");
  for (std::uint32_t i = 0; i < inputs.task_managers; ++i) task_managers.push_back("tm-" + std::to_string(i));
  names.insert(names.end(), task_managers.begin(), task_managers.end());
  return names;
}

// The kinds that are on for this seed, in catalogue order. One draw per kind, always,
// so whether a kind is on does not depend on the inputs or the other kinds.
std::vector<std::size_t> draw_enabled_kinds(const SwarmInputs& inputs, const SwarmOptions& options, sim::Rng& rng,
                                            sim::Rng& file_rng) {
  std::vector<std::size_t> enabled;
  for (std::size_t i = 0; i < std::size(kSwarmKinds); ++i) {
    const bool on = (i < kFileKindsBegin ? rng : file_rng).bernoulli(options.kind_probability);
    const SwarmKind& kind = kSwarmKinds[i];
    const bool excluded = std::find(options.excluded_kinds.begin(), options.excluded_kinds.end(), kind.type) !=
                          options.excluded_kinds.end();
    if (on && !excluded && kind.possible(inputs)) enabled.push_back(i);
  }
  return enabled;
}

}  // namespace

std::span<const std::string_view> swarm_fault_kinds() { return kSwarmKindNames; }

TimeNs swarm_fault_phase_end_ns(const SwarmInputs& inputs, const SwarmOptions& options) {
  CKPT_ASSERT(inputs.run_length_ns >= 0, "a run length is not negative");
  const TimeNs end_ns = options.fault_phase_end_ns > 0 ? options.fault_phase_end_ns
                                                       : options.fault_phase_start_ns + inputs.run_length_ns / 4 * 3;
  return std::max(end_ns, options.fault_phase_start_ns);
}

SwarmPlan generate_swarm(const SwarmInputs& inputs, const SwarmOptions& options, std::uint64_t seed) {
  CKPT_ASSERT(options.fault_phase_start_ns >= 0, "the fault phase starts at or after 0");
  CKPT_ASSERT(options.kind_probability >= 0.0 && options.kind_probability <= 1.0, "a kind probability is in [0, 1]");
  CKPT_ASSERT(options.max_faults_per_kind >= 1, "a kind that is on has at least one fault");
  CKPT_ASSERT(options.min_fault_duration_ns > 0 && options.min_downtime_ns >= 0, "fault lengths are positive");
  SwarmPlan plan;
  plan.fault_phase_end_ns = swarm_fault_phase_end_ns(inputs, options);
  plan.knobs = generate_swarm_knobs(seed);
  const sim::Rng root(seed);
  sim::Rng kinds_rng = root.derive("swarm/kinds");
  sim::Rng file_kinds_rng = root.derive("swarm/file-kinds");
  const std::vector<std::size_t> enabled = draw_enabled_kinds(inputs, options, kinds_rng, file_kinds_rng);
  for (const std::size_t i : enabled) plan.enabled_kinds.emplace_back(kSwarmKinds[i].type);
  // Each kind draws its rate and its faults from its own stream, so that another kind
  // being on or off changes nothing about it (unless the budget runs out). The budget
  // goes to the kinds in a random order, so that no kind is always the one starved.
  std::vector<sim::Rng> kind_rngs;
  std::vector<std::uint32_t> wanted;
  for (const std::size_t i : enabled) {
    kind_rngs.push_back(root.derive("swarm/kind", i));
    wanted.push_back(static_cast<std::uint32_t>(kind_rngs.back().uniform_int(1, options.max_faults_per_kind)));
  }
  std::vector<std::size_t> order(enabled.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  for (std::size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[kinds_rng.uniform_below(k)]);
  std::vector<std::uint32_t> counts(enabled.size(), 0);
  std::uint32_t budget = options.max_faults;
  for (const std::size_t k : order) {
    counts[k] = std::min(wanted[k], budget);
    budget -= counts[k];
  }
  std::vector<std::string> task_managers;
  const std::vector<std::string> processes = process_names(inputs, task_managers);
  for (std::size_t k = 0; k < enabled.size(); ++k) {
    Drawing drawing{inputs, options, options.fault_phase_start_ns, plan.fault_phase_end_ns, kind_rngs[k], processes,
                    task_managers};
    for (std::uint32_t n = 0; n < counts[k]; ++n) {
      std::optional<ScheduledFault> fault = kSwarmKinds[enabled[k]].draw(drawing);
      if (fault) plan.faults.push_back(std::move(*fault));
    }
  }
  std::stable_sort(plan.faults.begin(), plan.faults.end(),
                   [](const ScheduledFault& a, const ScheduledFault& b) { return a.at_ns < b.at_ns; });
  return plan;
}

std::vector<ScheduledFault> generate_swarm_faults(const SwarmInputs& inputs, std::uint64_t seed) {
  return generate_swarm(inputs, SwarmOptions{}, seed).faults;
}

SwarmKnobs generate_swarm_knobs(std::uint64_t seed) {
  sim::Rng rng = sim::Rng(seed).derive("swarm/knobs");
  SwarmKnobs knobs;
  // A quarter of the seeds check very often (FoundationDB's buggify: rare settings
  // often enough to matter).
  knobs.checkpoint_interval_ns = rng.one_in(4) ? rng.uniform_int(10 * kMillisecond, 30 * kMillisecond)
                                               : rng.uniform_int(30 * kMillisecond, 500 * kMillisecond);
  knobs.checkpoint_timeout_ns =
      rng.uniform_int(std::max<DurationNs>(1 * kSecond, 10 * knobs.checkpoint_interval_ns), 10 * kSecond);
  knobs.max_concurrent_checkpoints = static_cast<std::int32_t>(rng.uniform_int(1, 4));
  // A quarter flush (almost) every record; an eighth flush every step (0, below).
  knobs.buffer_timeout_ns = rng.one_in(4) ? rng.uniform_int(1 * kMillisecond, 2 * kMillisecond)
                                          : rng.uniform_int(2 * kMillisecond, 200 * kMillisecond);
  knobs.credits_per_channel = static_cast<std::uint32_t>(rng.uniform_int(1, 8));
  knobs.heartbeat_interval_ns = rng.uniform_int(100 * kMillisecond, 1 * kSecond);
  knobs.heartbeat_timeout_ns = knobs.heartbeat_interval_ns * rng.uniform_int(2, 5);
  // Drawn last so the knobs above keep their values per seed.
  if (rng.one_in(8)) knobs.buffer_timeout_ns = 0;  // Flink: flush after every record
  knobs.min_pause_ns = rng.one_in(2) ? 0 : rng.uniform_int(1 * kMillisecond, knobs.checkpoint_interval_ns);
  return knobs;
}

void apply_knobs(const SwarmKnobs& knobs, JobSpec& job) {
  if (job.checkpointing_enabled && job.checkpointing.interval_ns > 0) {
    job.checkpointing.interval_ns = knobs.checkpoint_interval_ns;
    job.checkpointing.timeout_ns = knobs.checkpoint_timeout_ns;
    job.checkpointing.max_concurrent_checkpoints = knobs.max_concurrent_checkpoints;
    job.checkpointing.min_pause_ns = knobs.min_pause_ns;
    CKPT_ASSERT(validate(job.checkpointing).is_ok(), "swarm knobs are settings Flink accepts");
  }
  CKPT_ASSERT(knobs.credits_per_channel >= 1, "a channel has at least one credit");
  CKPT_ASSERT(knobs.heartbeat_timeout_ns >= knobs.heartbeat_interval_ns, "the heartbeat timeout is at least the interval");
  job.network.buffer_timeout_ns = knobs.buffer_timeout_ns;
  job.network.credits_per_channel = knobs.credits_per_channel;
  job.cluster.heartbeat_interval_ns = knobs.heartbeat_interval_ns;
  job.cluster.heartbeat_timeout_ns = knobs.heartbeat_timeout_ns;
}

std::map<std::string, std::string> knobs_as_config(const SwarmKnobs& knobs) {
  return {
      {"execution.checkpointing.interval", format_duration(knobs.checkpoint_interval_ns)},
      {"execution.checkpointing.timeout", format_duration(knobs.checkpoint_timeout_ns)},
      {"execution.checkpointing.max-concurrent-checkpoints", std::to_string(knobs.max_concurrent_checkpoints)},
      {"execution.checkpointing.min-pause", format_duration(knobs.min_pause_ns)},
      {"execution.buffer-timeout.interval", format_duration(knobs.buffer_timeout_ns)},
      {"taskmanager.network.memory.buffers-per-channel", std::to_string(knobs.credits_per_channel)},
      {"heartbeat.interval", format_duration(knobs.heartbeat_interval_ns)},
      {"heartbeat.timeout", format_duration(knobs.heartbeat_timeout_ns)},
  };
}

}  // namespace ckptsim::faults
