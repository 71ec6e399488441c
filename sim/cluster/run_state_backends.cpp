#include "sim/cluster/run_state_backends.h"

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <system_error>

#include "protocol/base/assert.h"
#include <rocksdb/env.h>

#include "protocol/state/rocksdb_state_backend.h"
#include "protocol/state/rocksdb_task_snapshots.h"
#include "sim/storage/rocksdb_local_state_file_system.h"
#include "sim/storage/rocksdb_simulation_env.h"

namespace ckptsim::sim {
namespace {

std::atomic<std::uint64_t> g_rocksdb_backends_created{0};  // statistics only, see the header

}  // namespace

std::uint64_t RunStateBackends::process_rocksdb_backends_created() { return g_rocksdb_backends_created.load(); }

RunStateBackends::RunStateBackends(StateBackendChoice choice, std::optional<std::uint64_t> file_fault_seed)
    : choice_(choice), posix_(PosixFileSystemOptions{.sync_to_device = false}) {
  const bool needs_files = choice_.kind == StateBackendKind::kRocksDb || choice_.file_checkpoints;
  if (!needs_files) return;
  std::string pattern = (std::filesystem::temp_directory_path() / "ckptsim-run-XXXXXX").string();
  CKPT_ASSERT(::mkdtemp(pattern.data()) != nullptr, "mkdtemp creates the run directory");
  run_dir_ = pattern;
  std::shared_ptr<rocksdb::FileSystem> local_state;
  if (choice_.kind == StateBackendKind::kRocksDb) {
    std::error_code error;
    std::filesystem::create_directory(run_dir_ + "/rocksdb", error);
    CKPT_ASSERT(!error, "the run directory takes a rocksdb directory");
    local_state = std::make_shared<RocksDbLocalStateFileSystem>(rocksdb::FileSystem::Default());
    rocksdb_env_ = new_rocksdb_simulation_env(local_state);
  }
  if (file_fault_seed) file_faults_ = std::make_unique<RunFileFaults>(posix_, local_state, *file_fault_seed);
  if (choice_.file_checkpoints) {
    if (file_faults_) {
      checkpoint_files_.emplace(file_faults_->checkpoint_files(), run_dir_ + "/checkpoints",
                                RunFileFaults::checkpoint_storage_options());
    } else {
      checkpoint_files_.emplace(posix_, run_dir_ + "/checkpoints");
    }
  }
}

RunStateBackends::~RunStateBackends() {
  if (run_dir_.empty()) return;
  views_.clear();
  checkpoint_files_.reset();
  file_faults_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(run_dir_, ignored);
}

void RunStateBackends::attach(SimCluster& cluster) {
  if (choice_.kind == StateBackendKind::kRocksDb) {
    cluster.set_state_backend_factory(
        [this](const std::string& label, std::uint32_t max_parallelism, KeyGroupRange range) {
          return make_rocksdb(label, max_parallelism, range);
        });
  }
  if (checkpoint_files_) {
    cluster.set_blob_view_decorator(
        [this](ProcessId process, BlobStore& simulated) -> BlobStore& { return mirrored_view(process, simulated); });
  }
}

std::unique_ptr<KeyedStateBackend> RunStateBackends::make_rocksdb(const std::string& label,
                                                                  std::uint32_t max_parallelism,
                                                                  KeyGroupRange range) {
  RocksDbBackendOptions options;
  options.working_dir = run_dir_ + "/rocksdb/" + std::to_string(rocksdb_backends_created_++) + "-" + label;
  // Small memtables: a simulated cluster holds many backends in one process.
  options.write_buffer_bytes = 1ULL << 20;
  options.env = rocksdb_env_.get();
  if (choice_.incremental) RocksDbTaskSnapshots::required_backend_options(options);
  g_rocksdb_backends_created.fetch_add(1);
  if (file_faults_ == nullptr) return make_rocksdb_state_backend(max_parallelism, range, std::move(options));
  options.env = file_faults_->rocksdb_env();
  options.hooks = file_faults_->new_backend_hooks();
  const StateBackendHooks* hooks = options.hooks;
  std::unique_ptr<KeyedStateBackend> backend = make_rocksdb_state_backend(max_parallelism, range, std::move(options));
  file_faults_->attach_backend(hooks, static_cast<RocksDbStateBackend*>(backend.get()));
  return backend;
}

BlobStore& RunStateBackends::mirrored_view(ProcessId process, BlobStore& simulated) {
  auto it = views_.find(process);
  if (it == views_.end()) {
    it = views_.emplace(process, std::make_unique<FileMirroredBlobStore>(simulated, *checkpoint_files_, file_counters_))
             .first;
  }
  return *it->second;
}

}  // namespace ckptsim::sim
