// Faults on the real files of a simulated run (the catalogue's "file" category): the
// checkpoint files a run with execution.checkpointing.dir writes through
// FileCheckpointStorage, and the local files of its RocksDB backends
// (state.backend.type: rocksdb). They act through the run's fault layers
// (sim/cluster/run_file_faults.h), under the real code paths: FileCheckpointStorage
// sees the failed append, fsync or rename and returns its Status, the mirrored put
// fails, the checkpoint is declined or fails; a damaged file is refused by its reader's
// CRC check. A run without the files these kinds need cannot take them: set_up fails
// (and the scenario loader reports the fault's JSON path).
//
// Kinds:
//  * checkpoint-file-write-failure  appends to checkpoint files fail (EIO), per append
//                                   with a probability, while active.
//  * checkpoint-file-sync-failure   fsyncs of checkpoint files and their directories fail.
//  * checkpoint-file-torn-write     an append persists only a strict prefix of its bytes
//                                   and reports success (a lying device).
//  * checkpoint-file-bit-flip       one bit of one stored checkpoint file (drawn among
//                                   the files at the start) flips: bit rot at rest. With
//                                   a duration the storage repairs it at the heal (as a
//                                   replicated store's scrubber would), if the file is
//                                   still the damaged one; without, it stays.
//  * checkpoint-storage-power-loss  the storage machine dies after the next k mutating
//                                   file operations (k drawn in [0, max-operations]):
//                                   later ones fail; at the heal it loses power (what
//                                   was not synced is dropped, optionally keeping torn
//                                   tails) and comes back.
//  * rocksdb-write-failure /        RocksDB's background flush hits a failing append /
//    rocksdb-sync-failure           fsync: armed per snapshot with a probability, see
//                                   run_file_faults.h; RocksDB's background error makes
//                                   the backend's error sticky and the task declines
//                                   its checkpoints until it is redeployed.
// Determinism: every decision comes from streams derived from the simulation's seed
// ("faults/files", and the run's file-fault seed for per-operation draws) in the
// simulation's order, never from the real file system's timing or listing order
// (listings are sorted).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "faults/fault.h"
#include "faults/fault_params.h"
#include "sim/cluster/run_file_faults.h"
#include "sim/random.h"

namespace ckptsim::faults {

struct FileFaultRule {
  enum class Kind { kWriteFailure, kSyncFailure, kTornWrite, kRocksDbWriteFailure, kRocksDbSyncFailure };
  Kind kind = Kind::kWriteFailure;
  double probability = 1.0;
};

struct FlippedBit {
  std::string path;
  std::uint64_t bit_index = 0;
  Bytes damaged;   // the file's bytes right after the flip
};

struct InjectedFileFaultCounters {
  std::uint64_t bit_flips = 0;
  std::uint64_t bit_flips_repaired = 0;
  std::uint64_t power_losses = 0;
};

// Composes the active file faults over the run's fault layers.
class FileFaultInjector {
 public:
  FileFaultInjector(sim::RunFileFaults& layers, std::string checkpoint_root, sim::Rng rng);

  bool has_checkpoint_files() const { return !checkpoint_root_.empty(); }
  bool has_rocksdb() const { return layers_.has_rocksdb(); }

  void add(FaultId id, FileFaultRule rule);
  void remove(FaultId id);
  // Flips a drawn bit of a drawn stored checkpoint file for fault `id`; false when
  // there is none.
  bool flip_random_bit(FaultId id);
  // Flips fault `id`'s bit back if the file still holds exactly the damaged bytes (with
  // every other active flip of that file still in it). Overlapping flips of one file
  // each keep their expected damaged bytes up to date, so every one is repaired.
  void repair(FaultId id);
  // The crash point of a power-loss fault: the storage accepts `operations` more.
  void arm_crash_point(FaultId id, std::uint64_t operations);
  // Power loss and reboot; the remaining crash points stay armed.
  void power_loss(FaultId id, bool keep_torn_tails);

  // A draw from the injector's stream, in [0, bound).
  std::uint64_t draw_below(std::uint64_t bound) { return rng_.uniform_below(bound); }
  const InjectedFileFaultCounters& counters() const { return counters_; }
  sim::RunFileFaults& layers() { return layers_; }

 private:
  void apply_rules();
  void apply_crash_points();
  void refresh_damaged(const std::string& path, const Bytes& now);

  sim::RunFileFaults& layers_;
  std::string checkpoint_root_;
  sim::Rng rng_;
  std::map<FaultId, FileFaultRule> rules_;
  std::map<FaultId, std::uint64_t> crash_points_;   // absolute operation counts
  std::map<FaultId, FlippedBit> active_flips_;       // flipped, not yet healed
  InjectedFileFaultCounters counters_;
};

std::unique_ptr<Fault> make_checkpoint_file_write_failure_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_checkpoint_file_sync_failure_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_checkpoint_file_torn_write_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_checkpoint_file_bit_flip_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_checkpoint_storage_power_loss_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_rocksdb_write_failure_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_rocksdb_sync_failure_fault(const ScheduledFault& spec, ParamReader& reader);

}  // namespace ckptsim::faults
