#include "faults/fault_catalogue.h"

#include "faults/file_faults.h"
#include "faults/network_faults.h"
#include "faults/process_faults.h"
#include "faults/rpc_faults.h"
#include "faults/storage_faults.h"

namespace ckptsim::faults {
namespace {

using enum FaultCategory;

constexpr FaultKind kFaultKinds[] = {
    {"task-manager-crash", kProcess, "A task manager dies; restarted empty after restart-after, or never.",
     make_crash_fault},
    {"job-manager-crash", kProcess, "The job manager dies; a restarted one recovers from durable metadata.",
     make_crash_fault},
    {"sink-store-crash", kProcess, "The sink's transactional store is down; its committed data survives.",
     make_crash_fault},
    {"process-pause", kProcess, "A stop-the-world pause: the process handles nothing until it ends, then all in order.",
     make_pause_fault},
    {"network-partition", kNetwork, "Both directions between two processes are cut (RPCs lost, data held).",
     make_partition_fault},
    {"network-partition-oneway", kNetwork, "Only target -> peer is cut; peer -> target still works.",
     make_partition_fault},
    {"network-isolate", kNetwork, "Every link of one process is cut, both directions.", make_partition_fault},
    {"network-split", kNetwork, "The cluster splits in two: a group of processes and the rest.", make_partition_fault},
    {"network-latency", kNetwork, "Added latency and jitter on a process's links (or one link).", make_latency_fault},
    {"network-slow-link", kNetwork, "A bandwidth cap on a process's links (or one link).", make_slow_link_fault},
    {"link-clog", kNetwork, "Nothing leaves the target (towards peer, or at all) until the end, then all in order.",
     make_clog_fault},
    {"connection-cut", kNetwork, "The data connections between two processes fail at once, on both ends.",
     make_connection_cut_fault},
    {"storage-write-failure", kStorage, "Checkpoint storage writes fail (with some probability) for a while.",
     make_storage_write_failure_fault},
    {"storage-slow-write", kStorage, "Checkpoint storage writes take longer for a while.", make_storage_slow_write_fault},
    {"storage-corrupt-read", kStorage, "Reads of checkpoint data arrive corrupted; the checksum reports kCorruption.",
     make_storage_corrupt_read_fault},
    {"storage-full", kStorage, "Checkpoint storage is full: puts beyond a little free room fail.",
     make_storage_full_fault},
    {"rpc-loss", kRpc, "RPCs of chosen types (and senders/receivers) are lost.", make_rpc_loss_fault},
    {"rpc-delay", kRpc, "RPCs of chosen types (and senders/receivers) are delayed.", make_rpc_delay_fault},
    {"sink-commit-failure", kRpc, "The sink's commit requests or their acks are lost.", make_sink_commit_failure_fault},
    {"sink-commit-timeout", kRpc, "The sink's commit requests or their acks are delayed.",
     make_sink_commit_timeout_fault},
    {"clock-skew", kClock, "A process's clock steps forward and drifts faster or slower for a while.",
     make_clock_skew_fault},
    {"checkpoint-file-write-failure", kFile, "Appends to the real checkpoint files fail (EIO) for a while.",
     make_checkpoint_file_write_failure_fault},
    {"checkpoint-file-sync-failure", kFile, "fsyncs of the real checkpoint files and directories fail for a while.",
     make_checkpoint_file_sync_failure_fault},
    {"checkpoint-file-torn-write", kFile, "An append to a checkpoint file persists only a prefix but reports success.",
     make_checkpoint_file_torn_write_fault},
    {"checkpoint-file-bit-flip", kFile, "One bit of a stored checkpoint file flips (repaired at the heal, if any).",
     make_checkpoint_file_bit_flip_fault},
    {"checkpoint-storage-power-loss", kFile,
     "The checkpoint storage dies after a few more file operations and loses its unsynced data.",
     make_checkpoint_storage_power_loss_fault},
    {"rocksdb-write-failure", kFile, "RocksDB's flushes hit failing appends: its error makes tasks decline.",
     make_rocksdb_write_failure_fault},
    {"rocksdb-sync-failure", kFile, "RocksDB's flushes hit failing fsyncs: its error makes tasks decline.",
     make_rocksdb_sync_failure_fault},
};

}  // namespace

std::span<const FaultKind> fault_kinds() { return kFaultKinds; }

const FaultKind* find_fault_kind(std::string_view type) {
  for (const FaultKind& kind : kFaultKinds) {
    if (kind.type == type) return &kind;
  }
  return nullptr;
}

const char* category_name(FaultCategory category) {
  switch (category) {
    case kProcess: return "process";
    case kNetwork: return "network";
    case kStorage: return "storage";
    case kRpc: return "rpc";
    case kClock: return "clock";
    case kFile: return "file";
  }
  CKPT_UNREACHABLE("unknown fault category");
}

FileNeed file_need(std::string_view type) {
  const FaultKind* kind = find_fault_kind(type);
  if (kind == nullptr || kind->category != kFile) return FileNeed::kNone;
  return type.starts_with("rocksdb-") ? FileNeed::kRocksDb : FileNeed::kCheckpointFiles;
}

std::optional<FaultProblem> check_fault(const ScheduledFault& fault) {
  const FaultKind* kind = find_fault_kind(fault.type);
  if (kind == nullptr) return FaultProblem{"type", "unknown fault type '" + fault.type + "'"};
  ParamReader reader(fault);
  const std::unique_ptr<Fault> made = kind->make(fault, reader);
  CKPT_ASSERT(made != nullptr, "a fault factory always makes an object");
  return reader.finish();
}

Result<std::unique_ptr<Fault>> make_fault(const ScheduledFault& fault) {
  const FaultKind* kind = find_fault_kind(fault.type);
  if (kind == nullptr) return Status::invalid_argument("unknown fault type '" + fault.type + "'");
  ParamReader reader(fault);
  std::unique_ptr<Fault> made = kind->make(fault, reader);
  CKPT_ASSERT(made != nullptr, "a fault factory always makes an object");
  if (const std::optional<FaultProblem> problem = reader.finish(); problem) {
    return Status::invalid_argument(fault.type + " fault, " + problem->field + ": " + problem->message);
  }
  return made;
}

}  // namespace ckptsim::faults
