#include "sim/cluster/run_file_faults.h"

#include <rocksdb/env.h>

#include "protocol/base/assert.h"
#include "protocol/state/rocksdb_state_backend.h"
#include "sim/storage/rocksdb_simulation_env.h"

namespace ckptsim::sim {

RunFileFaults::RunFileFaults(FileSystem& checkpoint_base, std::shared_ptr<rocksdb::FileSystem> rocksdb_base,
                             std::uint64_t seed)
    : checkpoint_files_(checkpoint_base, Rng(seed).derive("checkpoint-files")),
      rocksdb_rng_(Rng(seed).derive("rocksdb-flushes")) {
  if (rocksdb_base != nullptr) {
    rocksdb_files_ =
        std::make_shared<RocksDbFaultInjectingFileSystem>(rocksdb_base, Rng(seed).derive("rocksdb-files"));
    rocksdb_env_ = new_rocksdb_simulation_env(rocksdb_files_);
  }
}

RunFileFaults::~RunFileFaults() = default;

FileCheckpointStorageOptions RunFileFaults::checkpoint_storage_options() {
  FileCheckpointStorageOptions options;
  options.verify_staged_files = true;
  return options;
}

void RunFileFaults::set_rocksdb_fault_probabilities(double write_probability, double sync_probability) {
  CKPT_ASSERT(write_probability >= 0.0 && write_probability <= 1.0, "a probability lies in [0, 1]");
  CKPT_ASSERT(sync_probability >= 0.0 && sync_probability <= 1.0, "a probability lies in [0, 1]");
  rocksdb_write_probability_ = write_probability;
  rocksdb_sync_probability_ = sync_probability;
}

const StateBackendHooks* RunFileFaults::new_backend_hooks() {
  BackendHooks& entry = backend_hooks_.emplace_back();
  BackendHooks* self = &entry;
  entry.hooks.before_snapshot = [this, self]() -> Status {
    CKPT_ASSERT(self->backend != nullptr, "a backend's hooks are attached before it snapshots");
    return before_snapshot(*self->backend);
  };
  return &entry.hooks;
}

void RunFileFaults::attach_backend(const StateBackendHooks* hooks, RocksDbStateBackend* backend) {
  for (BackendHooks& entry : backend_hooks_) {
    if (&entry.hooks == hooks) {
      entry.backend = backend;
      return;
    }
  }
  CKPT_UNREACHABLE("hooks made by new_backend_hooks");
}

Status RunFileFaults::before_snapshot(RocksDbStateBackend& backend) {
  if (rocksdb_write_probability_ == 0.0 && rocksdb_sync_probability_ == 0.0) return Status::ok();
  // Two draws per snapshot while armed, whatever the outcome: the stream's position
  // depends only on how many snapshots ran while a RocksDB fault was active.
  const bool fail_write = rocksdb_rng_.bernoulli(rocksdb_write_probability_);
  const bool fail_sync = rocksdb_rng_.bernoulli(rocksdb_sync_probability_);
  if (!fail_write && !fail_sync) return Status::ok();
  ++rocksdb_counters_.armed_snapshots;
  rocksdb_files_->set_failing(fail_write ? RocksDbFileOperation::kAppend : RocksDbFileOperation::kSync,
                              backend.working_dir() + "/");
  // What RocksDB's background threads would do: flush the memtable, compact. Its error
  // becomes RocksDB's background error; the backend meets it at its next write.
  const Status flushed = backend.compact_all();
  rocksdb_files_->clear_failing();
  if (!flushed.is_ok()) ++rocksdb_counters_.failed_flushes;
  return Status::ok();
}

}  // namespace ckptsim::sim
