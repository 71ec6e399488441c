#include "scenarios/scenario_faults.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <set>
#include <string>
#include <vector>

#include "faults/fault_catalogue.h"

namespace ckptsim::scenarios {
namespace {

using enum FaultSlot;
using enum FaultValueKind;

constexpr FaultFieldRule kTaskManagerCrashFields[] = {
    {"at", kAt, kTime, true, "", "when the task manager crashes"},
    {"target", kTarget, kTaskManager, true, "", "the task manager that crashes, \"tm-<i>\""},
    {"restart-after", kRestartAfter, kRestartDelay, false, "never",
     "downtime before an empty task manager with the same name starts, or \"never\""},
};

constexpr FaultFieldRule kJobManagerCrashFields[] = {
    {"at", kAt, kTime, true, "", "when the job manager crashes"},
    {"restart-after", kRestartAfter, kRestartDelay, false, "1s",
     "downtime before the job manager restarts and recovers from the latest completed checkpoint"},
};

constexpr FaultFieldRule kNetworkPartitionFields[] = {
    {"at", kAt, kTime, true, "", "when the partition starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts before the link heals"},
    {"target", kTarget, kProcess, true, "", "one side of the cut"},
    {"peer", kPeer, kProcess, true, "", "the other side of the cut"},
};

constexpr FaultFieldRule kLinkClogFields[] = {
    {"at", kAt, kTime, true, "", "when the clog starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long messages are held back"},
    {"target", kTarget, kProcess, true, "", "the process whose links clog"},
    {"peer", kPeer, kProcess, false, "", "only the link to this process; absent: every link of the target"},
};

constexpr FaultFieldRule kSinkStoreCrashFields[] = {
    {"at", kAt, kTime, true, "", "when the sink's transactional store crashes"},
    {"restart-after", kRestartAfter, kRestartDelay, false, "1s",
     "downtime before the store is reachable again (committed data survives)"},
};

constexpr FaultFieldRule kProcessPauseFields[] = {
    {"at", kAt, kTime, true, "", "when the pause starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long the process handles nothing"},
    {"target", kTarget, kProcess, true, "", "the paused process"},
};

constexpr FaultFieldRule kOneWayPartitionFields[] = {
    {"at", kAt, kTime, true, "", "when the partition starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts"},
    {"target", kTarget, kProcess, true, "", "the sender whose messages to the peer are lost (RPCs) or held (data)"},
    {"peer", kPeer, kProcess, true, "", "the receiver; its messages to the target still flow"},
};

constexpr FaultFieldRule kIsolateFields[] = {
    {"at", kAt, kTime, true, "", "when the isolation starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts"},
    {"target", kTarget, kProcess, true, "", "the process cut off from every other one, both directions"},
};

constexpr FaultFieldRule kSplitFields[] = {
    {"at", kAt, kTime, true, "", "when the split starts"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts"},
    {"group", kParam, kProcessList, true, "", "one side, e.g. \"jm,tm-0\"; the other side is every other process"},
};

constexpr FaultFieldRule kLatencyFields[] = {
    {"at", kAt, kTime, true, "", "when the latency is added"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts"},
    {"target", kTarget, kProcess, true, "", "the process whose links slow down (both directions)"},
    {"peer", kPeer, kProcess, false, "", "only the links to this process; absent: every link of the target"},
    {"latency", kParam, kNonNegativeDuration, true, "", "added one-way latency of every message and buffer"},
    {"jitter", kParam, kNonNegativeDuration, false, "0ms", "plus a uniform random delay in [0, jitter]"},
};

constexpr FaultFieldRule kSlowLinkFields[] = {
    {"at", kAt, kTime, true, "", "when the link slows down"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it lasts"},
    {"target", kTarget, kProcess, true, "", "the process whose links slow down (both directions)"},
    {"peer", kPeer, kProcess, false, "", "only the links to this process; absent: every link of the target"},
    {"bandwidth", kParam, kInteger, true, "", "the cap in bytes per second (>= 1)"},
};

constexpr FaultFieldRule kConnectionCutFields[] = {
    {"at", kAt, kTime, true, "", "when the connections fail"},
    {"target", kTarget, kProcess, true, "", "one end of the data connections that fail"},
    {"peer", kPeer, kProcess, false, "", "the other end; absent: every process"},
};

constexpr FaultFieldRule kStorageWriteFailureFields[] = {
    {"at", kAt, kTime, true, "", "when writes start failing"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long they fail"},
    {"probability", kParam, kProbability, false, "1", "the chance that one write fails"},
    {"error", kParam, kText, false, "unavailable", "the failure: \"unavailable\", \"io-error\" or \"timeout\""},
    {"prefix", kParam, kText, false, "", "only blobs whose name starts with this; absent: every blob"},
};

constexpr FaultFieldRule kStorageSlowWriteFields[] = {
    {"at", kAt, kTime, true, "", "when writes slow down"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long they are slow"},
    {"delay", kParam, kNonNegativeDuration, true, "", "added to every write's duration"},
    {"jitter", kParam, kNonNegativeDuration, false, "0ms", "plus a uniform random delay in [0, jitter]"},
    {"prefix", kParam, kText, false, "", "only blobs whose name starts with this; absent: every blob"},
};

constexpr FaultFieldRule kStorageCorruptReadFields[] = {
    {"at", kAt, kTime, true, "", "when reads start arriving corrupted"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"probability", kParam, kProbability, false, "1", "the chance that one read has a flipped bit"},
    {"prefix", kParam, kText, false, "", "only blobs whose name starts with this; absent: every blob"},
};

constexpr FaultFieldRule kStorageFullFields[] = {
    {"at", kAt, kTime, true, "", "when the storage fills up"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it stays full"},
    {"free-bytes", kParam, kInteger, false, "0", "room left above what is stored at the start"},
};

constexpr FaultFieldRule kRpcLossFields[] = {
    {"at", kAt, kTime, true, "", "when messages start getting lost"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"messages", kParam, kText, false, "checkpoint",
     "comma-separated message names or groups (checkpoint, heartbeat, store, all); see docs/fault-catalogue.md"},
    {"probability", kParam, kProbability, false, "1", "the chance that one matching message is lost"},
    {"target", kTarget, kProcess, false, "", "only messages sent by this process"},
    {"peer", kPeer, kProcess, false, "", "only messages sent to this process"},
};

constexpr FaultFieldRule kRpcDelayFields[] = {
    {"at", kAt, kTime, true, "", "when messages start being delayed"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"messages", kParam, kText, false, "checkpoint",
     "comma-separated message names or groups (checkpoint, heartbeat, store, all); see docs/fault-catalogue.md"},
    {"delay", kParam, kNonNegativeDuration, true, "", "added to every matching message's latency"},
    {"jitter", kParam, kNonNegativeDuration, false, "0ms", "plus a uniform random delay in [0, jitter]"},
    {"target", kTarget, kProcess, false, "", "only messages sent by this process"},
    {"peer", kPeer, kProcess, false, "", "only messages sent to this process"},
};

constexpr FaultFieldRule kSinkCommitFailureFields[] = {
    {"at", kAt, kTime, true, "", "when commits start failing"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"probability", kParam, kProbability, false, "1", "the chance that one commit message is lost"},
    {"direction", kParam, kText, false, "both",
     "\"request\" (the commit is lost), \"reply\" (its ack is lost) or \"both\""},
};

constexpr FaultFieldRule kSinkCommitTimeoutFields[] = {
    {"at", kAt, kTime, true, "", "when commits start being slow"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"delay", kParam, kNonNegativeDuration, true, "", "added to every commit message's latency (> 0)"},
    {"direction", kParam, kText, false, "both", "\"request\", \"reply\" or \"both\""},
};

constexpr FaultFieldRule kClockSkewFields[] = {
    {"at", kAt, kTime, true, "", "when the clock jumps and starts drifting"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long it drifts; the offset gained stays after"},
    {"target", kTarget, kProcess, true, "", "the process whose clock is skewed"},
    {"step", kParam, kNonNegativeDuration, false, "0ms", "a forward jump of its clock at the start"},
    {"drift-ppm", kParam, kSignedInteger, false, "0",
     "its clock runs (1e6 + drift) / 1e6 times as fast, in [-500000, 1000000]"},
};

constexpr FaultFieldRule kCheckpointFileWriteFailureFields[] = {
    {"at", kAt, kTime, true, "", "when appends to checkpoint files start failing"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long they fail"},
    {"probability", kParam, kProbability, false, "1", "the chance that one append fails with EIO"},
};

constexpr FaultFieldRule kCheckpointFileSyncFailureFields[] = {
    {"at", kAt, kTime, true, "", "when fsyncs of checkpoint files and directories start failing"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long they fail"},
    {"probability", kParam, kProbability, false, "1", "the chance that one fsync fails with EIO"},
};

constexpr FaultFieldRule kCheckpointFileTornWriteFields[] = {
    {"at", kAt, kTime, true, "", "when appends start tearing"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"probability", kParam, kProbability, false, "1",
     "the chance that one append persists only a strict prefix (drawn) and reports success"},
};

constexpr FaultFieldRule kCheckpointFileBitFlipFields[] = {
    {"at", kAt, kTime, true, "", "when one bit of one stored checkpoint file (drawn) flips"},
    {"duration", kDuration, kNonNegativeDuration, false, "",
     "when set, the storage repairs the bit after this long (if the file is unchanged); absent: it stays"},
};

constexpr FaultFieldRule kCheckpointStoragePowerLossFields[] = {
    {"at", kAt, kTime, true, "", "when the crash point is armed"},
    {"duration", kDuration, kPositiveDuration, true, "",
     "until the power loss and reboot; file operations after the crash point fail until then"},
    {"max-operations", kParam, kInteger, false, "10",
     "the storage dies after k more mutating file operations, k drawn in [0, max-operations]"},
    {"torn-tails", kParam, kText, false, "false",
     "\"true\": each file keeps a drawn prefix of its unsynced tail at the power loss (torn writes)"},
};

constexpr FaultFieldRule kRocksDbWriteFailureFields[] = {
    {"at", kAt, kTime, true, "", "when RocksDB's flushes start hitting failing appends"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"probability", kParam, kProbability, false, "1",
     "the chance that one snapshot of a RocksDB backend is preceded by a failing flush"},
};

constexpr FaultFieldRule kRocksDbSyncFailureFields[] = {
    {"at", kAt, kTime, true, "", "when RocksDB's flushes start hitting failing fsyncs"},
    {"duration", kDuration, kPositiveDuration, true, "", "how long"},
    {"probability", kParam, kProbability, false, "1",
     "the chance that one snapshot of a RocksDB backend is preceded by a failing flush"},
};

constexpr FaultTypeInfo kFaultTypes[] = {
    {"task-manager-crash", "A task manager process dies, losing its tasks, state, timers and in-flight messages.",
     kTaskManagerCrashFields},
    {"job-manager-crash",
     "The job manager dies (with its checkpoint coordinator); a restarted one reads the completed-checkpoint store.",
     kJobManagerCrashFields},
    {"network-partition",
     "Every link between two processes is cut for a while; a cut data connection fails the tasks on both ends.",
     kNetworkPartitionFields},
    {"link-clog", "Messages on a process's links are held back for a while and then delivered in order.",
     kLinkClogFields},
    {"sink-store-crash", "The sink's external transactional store is unreachable for a while.",
     kSinkStoreCrashFields},
    {"process-pause",
     "A stop-the-world pause (like a long GC): the process handles nothing until it ends, then everything in order.",
     kProcessPauseFields},
    {"network-partition-oneway", "Only the direction target -> peer is cut; the reverse direction still works.",
     kOneWayPartitionFields},
    {"network-isolate", "Every link of one process is cut, both directions.", kIsolateFields},
    {"network-split", "The cluster splits in two: a group of processes and every other one.", kSplitFields},
    {"network-latency", "Messages and buffers on a process's links take longer, with jitter.", kLatencyFields},
    {"network-slow-link", "A bandwidth cap on a process's links: buffers take bytes / cap to send.", kSlowLinkFields},
    {"connection-cut", "The data connections between two processes fail at once; the tasks on both ends fail.",
     kConnectionCutFields},
    {"storage-write-failure", "Writes to checkpoint storage fail for a while.", kStorageWriteFailureFields},
    {"storage-slow-write", "Writes to checkpoint storage take longer for a while.", kStorageSlowWriteFields},
    {"storage-corrupt-read", "Reads of checkpoint data arrive corrupted; the checksum check reports it.",
     kStorageCorruptReadFields},
    {"storage-full", "Checkpoint storage is full for a while: writes beyond a little free room fail.",
     kStorageFullFields},
    {"rpc-loss", "Control messages of the chosen types are lost for a while.", kRpcLossFields},
    {"rpc-delay", "Control messages of the chosen types are delayed for a while.", kRpcDelayFields},
    {"sink-commit-failure", "The sink's commit requests or their acknowledgements are lost for a while.",
     kSinkCommitFailureFields},
    {"sink-commit-timeout", "The sink's commit requests or their acknowledgements are delayed for a while.",
     kSinkCommitTimeoutFields},
    {"clock-skew", "A process's clock jumps forward and runs fast or slow for a while.", kClockSkewFields},
    {"checkpoint-file-write-failure",
     "Appends to the run's real checkpoint files fail with EIO for a while (needs `execution.checkpointing.dir`).",
     kCheckpointFileWriteFailureFields},
    {"checkpoint-file-sync-failure",
     "fsyncs of the run's real checkpoint files and directories fail for a while (needs `execution.checkpointing.dir`).",
     kCheckpointFileSyncFailureFields},
    {"checkpoint-file-torn-write",
     "Appends to checkpoint files persist only a prefix but report success (needs `execution.checkpointing.dir`).",
     kCheckpointFileTornWriteFields},
    {"checkpoint-file-bit-flip",
     "Bit rot at rest: one bit of one stored checkpoint file flips (needs `execution.checkpointing.dir`).",
     kCheckpointFileBitFlipFields},
    {"checkpoint-storage-power-loss",
     "The checkpoint storage dies after a few more file operations and loses what it had not synced "
     "(needs `execution.checkpointing.dir`).",
     kCheckpointStoragePowerLossFields},
    {"rocksdb-write-failure",
     "RocksDB's memtable flushes hit failing appends; the backend's sticky error fails its task at the next checkpoint (failover, fresh backend) "
     "(needs `state.backend.type: rocksdb`).",
     kRocksDbWriteFailureFields},
    {"rocksdb-sync-failure",
     "RocksDB's memtable flushes hit failing fsyncs; the backend's sticky error fails its task at the next checkpoint (failover, fresh backend) "
     "(needs `state.backend.type: rocksdb`).",
     kRocksDbSyncFailureFields},
};

// The value read for one field, before it is stored in its slot.
struct FieldValue {
  DurationNs duration_ns = 0;
  std::string text;
};

bool is_duration_kind(FaultValueKind kind) {
  return kind == kTime || kind == kPositiveDuration || kind == kRestartDelay || kind == kNonNegativeDuration;
}

bool is_number_kind(FaultValueKind kind) { return kind == kInteger || kind == kSignedInteger || kind == kProbability; }

std::string task_manager_range(std::uint32_t task_managers) {
  if (task_managers == 0) return "none (cluster.task-managers is 0)";
  return "tm-0 .. " + task_manager_process(task_managers - 1) + " (cluster.task-managers is " +
         std::to_string(task_managers) + ")";
}

Result<std::string> read_process(const Json& value, const std::string& path, bool task_manager_only,
                                 const FaultContext& context) {
  const std::string expected = task_manager_only ? "expected a task manager, one of " + task_manager_range(context.task_managers)
                                                 : "expected a process: 'jm', 'sink-store' or a task manager, one of " +
                                                       task_manager_range(context.task_managers);
  if (!value.is_string()) return json_error(path, expected + ", got " + describe_json_value(value));
  const auto& name = value.get_ref<const std::string&>();
  if (!task_manager_only && (name == kJobManagerProcess || name == kSinkStoreProcess)) return name;
  const std::optional<std::uint32_t> index = parse_task_manager_process(name);
  if (!index.has_value() || *index >= context.task_managers) {
    return json_error(path, expected + ", got " + describe_json_value(value));
  }
  return name;
}

// "jm,tm-0": names of existing processes, not all of them; canonical text is the same list.
Result<std::string> read_process_list(const Json& value, const std::string& path, const FaultContext& context) {
  Result<std::string> text = AsString{1024, false}(value, path);
  if (!text.is_ok()) return text.status();
  std::set<std::string> names;
  std::size_t begin = 0;
  while (begin <= text.value().size()) {
    const std::size_t comma = std::min(text.value().find(',', begin), text.value().size());
    const Json name(text.value().substr(begin, comma - begin));
    Result<std::string> process = read_process(name, path, false, context);
    if (!process.is_ok()) return process.status();
    names.insert(process.value());
    begin = comma + 1;
  }
  if (names.size() >= std::size_t{context.task_managers} + 2) {
    return json_error(path, "expected some but not all processes, got every one: " + describe_json_value(value));
  }
  return text;
}

Result<DurationNs> read_restart_delay(const Json& value, const std::string& path) {
  if (value.is_string() && value.get_ref<const std::string&>() == "never") return kRestartNever;
  if (!value.is_string() && !value.is_number_integer()) {
    return json_error(path, "expected a duration such as \"2s\", or \"never\", got " + describe_json_value(value));
  }
  return AsDuration{0, 365 * kDay}(value, path);
}

Result<FieldValue> read_field_value(const FaultFieldRule& rule, const Json& value, const std::string& path,
                                    const FaultContext& context) {
  FieldValue field;
  Result<DurationNs> duration = DurationNs{0};
  Result<std::string> text = std::string();
  switch (rule.kind) {
    case kTime: duration = AsDuration{0, 365 * kDay}(value, path); break;
    case kPositiveDuration: duration = AsDuration{1, context.max_duration_ns}(value, path); break;
    case kRestartDelay: duration = read_restart_delay(value, path); break;
    case kProcess: text = read_process(value, path, false, context); break;
    case kTaskManager: text = read_process(value, path, true, context); break;
    case kText: text = AsString{256, false}(value, path); break;
    case kNonNegativeDuration: duration = AsDuration{0, 365 * kDay}(value, path); break;
    case kProcessList: text = read_process_list(value, path, context); break;
    case kInteger:
    case kSignedInteger: {
      Result<std::int64_t> integer = AsInteger{rule.kind == kInteger ? 0 : INT64_MIN, INT64_MAX}(value, path);
      if (!integer.is_ok()) return integer.status();
      text = std::to_string(integer.value());
      break;
    }
    case kProbability: {
      Result<double> probability = AsNumber{0.0, 1.0}(value, path);
      if (!probability.is_ok()) return probability.status();
      text = faults::format_probability(probability.value());
      break;
    }
  }
  if (!duration.is_ok()) return duration.status();
  if (!text.is_ok()) return text.status();
  field.duration_ns = duration.value();
  field.text = std::move(text).value();
  return field;
}

void store_field(const FaultFieldRule& rule, FieldValue value, FaultSpec& fault) {
  const bool duration_slot = rule.slot == kAt || rule.slot == kDuration || rule.slot == kRestartAfter;
  CKPT_ASSERT(rule.slot == kParam || duration_slot == is_duration_kind(rule.kind),
              "fault table: a field's kind does not fit its slot");
  switch (rule.slot) {
    case kAt: fault.at_ns = value.duration_ns; return;
    case kDuration: fault.duration_ns = value.duration_ns; return;
    case kRestartAfter: fault.restart_after_ns = value.duration_ns; return;
    case kTarget: fault.target = std::move(value.text); return;
    case kPeer: fault.peer = std::move(value.text); return;
    case kParam:
      fault.params[std::string(rule.name)] =
          is_duration_kind(rule.kind) ? format_duration(value.duration_ns) : std::move(value.text);
      return;
  }
  CKPT_UNREACHABLE("unknown fault slot");
}

// The JSON value an absent optional field takes: a number for numeric kinds.
Json default_json(const FaultFieldRule& rule) {
  if (rule.default_value.empty()) return Json();
  if (!is_number_kind(rule.kind)) return Json(std::string(rule.default_value));
  Json number = Json::parse(rule.default_value, nullptr, false);
  CKPT_ASSERT(number.is_number(), "fault table: a numeric field's default is a number");
  return number;
}

// "'at', 'target'" for the message of a missing field.
std::string required_fields_hint(const FaultTypeInfo& info) {
  std::vector<std::string_view> required;
  for (const FaultFieldRule& rule : info.fields) {
    if (rule.required) required.push_back(rule.name);
  }
  return "a " + std::string(info.type) + " fault needs " + join_names(required);
}

Result<const FaultTypeInfo*> read_fault_type(const JsonObject& object) {
  std::string type;
  if (Status s = read_required(object, "type", type, AsString{64, false}); !s.is_ok()) return s;
  const FaultTypeInfo* info = find_fault_type(type);
  if (info != nullptr) return info;
  std::vector<std::string_view> names;
  for (const FaultTypeInfo& known : fault_types()) names.push_back(known.type);
  return json_error(object.field_path("type"), "unknown fault type " + describe_json_value(Json(type)) +
                                                   suggestion_for(type, names));
}

// Checks that only depend on several fields together.
Status check_fault_relations(const FaultSpec& fault, const JsonObject& object, const FaultContext& context) {
  if (fault.at_ns >= context.max_duration_ns) {
    return json_error(object.field_path("at"), "expected a time before run.max-duration (" +
                                                   format_duration(context.max_duration_ns) + "), got \"" +
                                                   format_duration(fault.at_ns) + "\"");
  }
  if (fault.duration_ns > context.max_duration_ns - fault.at_ns) {
    return json_error(object.field_path("duration"),
                      "the fault would last until " + format_duration(fault.at_ns + fault.duration_ns) +
                          ", beyond run.max-duration (" + format_duration(context.max_duration_ns) + ")");
  }
  switch (faults::file_need(fault.type)) {
    case faults::FileNeed::kNone: break;
    case faults::FileNeed::kCheckpointFiles:
      if (!context.has_checkpoint_dir) {
        return json_error(object.field_path("type"), "a " + fault.type +
                                                         " fault acts on real checkpoint files: it needs "
                                                         "config.execution.checkpointing.dir");
      }
      break;
    case faults::FileNeed::kRocksDb:
      if (!context.has_rocksdb) {
        return json_error(object.field_path("type"),
                          "a " + fault.type + " fault acts on RocksDB's files: it needs config.state.backend.type \"rocksdb\"");
      }
      break;
  }
  if (!fault.peer.empty() && fault.peer == fault.target) {
    return json_error(object.field_path("peer"), "expected a process other than the target, got \"" + fault.peer + "\"");
  }
  return Status::ok();
}

// The fault layer's own checks (ranges, message names, choices), reported at the JSON
// path of the field they concern.
Status check_with_fault_layer(const FaultSpec& fault, const FaultTypeInfo& type, const JsonObject& object) {
  const std::optional<faults::FaultProblem> problem = faults::check_fault(to_scheduled_fault(fault));
  if (!problem) return Status::ok();
  for (const FaultFieldRule& rule : type.fields) {
    if (rule.name == problem->field) return json_error(object.field_path(rule.name), problem->message);
  }
  return json_error(object.path(), problem->field + ": " + problem->message);
}

Json field_to_json(const FaultFieldRule& rule, const FaultSpec& fault) {
  switch (rule.slot) {
    case kAt: return format_duration(fault.at_ns);
    case kDuration: return format_duration(fault.duration_ns);
    case kRestartAfter:
      return fault.restart_after_ns == kRestartNever ? Json("never") : Json(format_duration(fault.restart_after_ns));
    case kTarget: return fault.target;
    case kPeer: return fault.peer;
    case kParam: break;
  }
  const auto it = fault.params.find(std::string(rule.name));
  if (it == fault.params.end()) return Json();
  const char* end = it->second.data() + it->second.size();
  if (rule.kind == kInteger || rule.kind == kSignedInteger) {
    std::int64_t integer = 0;
    const auto [ptr, error] = std::from_chars(it->second.data(), end, integer);
    if (error == std::errc() && ptr == end) return integer;
  }
  if (rule.kind == kProbability) {
    double probability = 0.0;
    const auto [ptr, error] = std::from_chars(it->second.data(), end, probability);
    if (error == std::errc() && ptr == end) return probability;
  }
  return it->second;
}

// A fault of a type this build does not know: every member that is set.
Json unknown_fault_to_json(const FaultSpec& fault) {
  Json json = {{"type", fault.type}, {"at", format_duration(fault.at_ns)}};
  if (fault.duration_ns != 0) json["duration"] = format_duration(fault.duration_ns);
  if (fault.restart_after_ns != kRestartNever) json["restart-after"] = format_duration(fault.restart_after_ns);
  if (!fault.target.empty()) json["target"] = fault.target;
  if (!fault.peer.empty()) json["peer"] = fault.peer;
  for (const auto& [name, value] : fault.params) json[name] = value;
  return json;
}

}  // namespace

std::span<const FaultTypeInfo> fault_types() { return kFaultTypes; }

faults::ScheduledFault to_scheduled_fault(const FaultSpec& fault) {
  return faults::ScheduledFault{fault.type,   fault.at_ns, fault.duration_ns, fault.restart_after_ns,
                                fault.target, fault.peer,  fault.params};
}

FaultSpec from_scheduled_fault(const faults::ScheduledFault& fault) {
  return FaultSpec{fault.type, fault.at_ns, fault.duration_ns, fault.restart_after_ns, fault.target, fault.peer,
                   fault.params};
}

const FaultTypeInfo* find_fault_type(std::string_view type) {
  for (const FaultTypeInfo& info : kFaultTypes) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

Result<FaultSpec> read_fault(const Json& value, const std::string& path, const FaultContext& context) {
  Result<JsonObject> object = JsonObject::open(value, path);
  if (!object.is_ok()) return object.status();
  Result<const FaultTypeInfo*> info = read_fault_type(object.value());
  if (!info.is_ok()) return info.status();
  const FaultTypeInfo& type = *info.value();
  std::vector<std::string_view> accepted = {"type"};
  for (const FaultFieldRule& rule : type.fields) accepted.push_back(rule.name);
  const std::string what = "a " + std::string(type.type) + " fault";
  if (Status s = object.value().check_fields(accepted, what); !s.is_ok()) return s;

  FaultSpec fault;
  fault.type = std::string(type.type);
  for (const FaultFieldRule& rule : type.fields) {
    const Json* field = object.value().find(rule.name);
    const Json default_value = default_json(rule);
    if (field == nullptr && rule.required) return object.value().missing(rule.name, required_fields_hint(type));
    if (field == nullptr && rule.default_value.empty()) continue;
    Result<FieldValue> read = read_field_value(rule, field != nullptr ? *field : default_value,
                                               object.value().field_path(rule.name), context);
    if (!read.is_ok()) return read.status();
    store_field(rule, std::move(read).value(), fault);
  }
  if (Status s = check_fault_relations(fault, object.value(), context); !s.is_ok()) return s;
  if (Status s = check_with_fault_layer(fault, type, object.value()); !s.is_ok()) return s;
  return fault;
}

Json fault_to_json(const FaultSpec& fault) {
  const FaultTypeInfo* type = find_fault_type(fault.type);
  if (type == nullptr) return unknown_fault_to_json(fault);
  Json json = Json::object();
  json["type"] = fault.type;
  for (const FaultFieldRule& rule : type->fields) {
    Json value = field_to_json(rule, fault);
    const bool unset = value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
    if (unset && !rule.required) continue;
    json[std::string(rule.name)] = std::move(value);
  }
  return json;
}

}  // namespace ckptsim::scenarios
