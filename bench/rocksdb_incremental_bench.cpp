// RocksDB checkpoints: incremental against full, as the state grows, on a real disk.
//
//  * Incremental/N, Full/N: a RocksDbStateBackend holding N entries (N = 10k, 100k, 1M:
//    1x, 10x, 100x) takes kCheckpoints checkpoints into a FileCheckpointStorage on
//    PosixFileSystem; before each one, kChangedEntries entries (a fixed change rate)
//    are overwritten at keys spread over the whole key space.
//      Incremental: RocksDbIncrementalCheckpointer::snapshot (flush, rocksdb::Checkpoint,
//        upload only SST files not in the last completed checkpoint, private files,
//        handle) + IncrementalCheckpointStore::complete_checkpoint + subsume.
//      Full: RocksDbStateBackend::snapshot (the keyed snapshot format of every entry) +
//        one state file + commit + retain(1).
//  * Counters (per checkpoint, medians over the kCheckpoints checkpoints of the run, the
//    first one excluded for incremental since it uploads everything):
//      median_ms      wall time of one checkpoint, upload and commit included
//      median_bytes   bytes uploaded (incremental: shared + private files; full: state)
//      mean_bytes     the mean, which shows the periodic compactions: every few
//                     checkpoints RocksDB merges L0 files into a new L1 file that must
//                     be uploaded too (Flink sees the same).
//      state_bytes    size of the full snapshot at the end (the logical state)
// Expectation: incremental median_bytes and median_ms stay about flat from 1x to 100x
// while full grows linearly with N. The scratch directory is under $TMPDIR (or /tmp).
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/rocksdb_checkpoint_store.h"
#include "protocol/state/rocksdb_incremental_checkpointer.h"
#include "protocol/state/rocksdb_state_backend.h"

namespace {

using namespace ckptsim;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kMaxParallelism = 128;
constexpr std::uint64_t kChangedEntries = 1000;
constexpr int kCheckpoints = 16;
const std::string kJob = "bench";

class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ckptsim-rocksdb-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

void fill(RocksDbStateBackend& db, std::uint64_t entries) {
  for (std::uint64_t key = 0; key < entries; ++key) db.put(key, 0, StateValue{key, 0});
}

// A fixed number of overwrites spread over the key space (a multiplicative stride).
void change(RocksDbStateBackend& db, std::uint64_t entries, int round) {
  for (std::uint64_t i = 0; i < kChangedEntries; ++i) {
    const std::uint64_t key = (i * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(round)) % entries;
    db.put(key, 0, StateValue{key, static_cast<std::uint64_t>(round)});
  }
}

void report(benchmark::State& state, const std::vector<double>& ms, const std::vector<double>& bytes,
            std::uint64_t state_bytes) {
  state.counters["median_ms"] = median(ms);
  state.counters["median_bytes"] = median(bytes);
  state.counters["mean_bytes"] = mean(bytes);
  state.counters["state_bytes"] = static_cast<double>(state_bytes);
}

void BM_Incremental(benchmark::State& state) {
  const auto entries = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    ScratchDirectory scratch;
    PosixFileSystem fs;
    FileCheckpointStorage storage(fs, scratch / "checkpoints");
    IncrementalCheckpointStore store(storage, kJob, 1);
    RocksDbBackendOptions options;
    options.working_dir = scratch / "db";
    auto db = std::move(RocksDbStateBackend::open(kMaxParallelism, {0, kMaxParallelism - 1}, options)).value();
    RocksDbIncrementalCheckpointer checkpointer(*db, storage, kJob, "agg-0", 1);
    fill(*db, entries);
    std::vector<double> ms;
    std::vector<double> bytes;
    for (int round = 0; round <= kCheckpoints; ++round) {
      change(*db, entries, round);
      const auto start = Clock::now();
      IncrementalUploadStats stats;
      Result<IncrementalSnapshotHandle> handle = checkpointer.snapshot(round + 1, &stats);
      if (!handle.is_ok() || !store.complete_checkpoint(round + 1, {handle.value()}).is_ok()) std::abort();
      checkpointer.notify_checkpoint_complete(round + 1);
      if (!store.subsume().is_ok()) std::abort();
      const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (round == 0) continue;  // the first checkpoint uploads everything
      ms.push_back(elapsed_ms);
      bytes.push_back(static_cast<double>(stats.bytes_uploaded()));
    }
    report(state, ms, bytes, db->snapshot().value().size());
  }
}

void BM_Full(benchmark::State& state) {
  const auto entries = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    ScratchDirectory scratch;
    PosixFileSystem fs;
    FileCheckpointStorage storage(fs, scratch / "checkpoints");
    RocksDbBackendOptions options;
    options.working_dir = scratch / "db";
    auto db = std::move(RocksDbStateBackend::open(kMaxParallelism, {0, kMaxParallelism - 1}, options)).value();
    fill(*db, entries);
    std::vector<double> ms;
    std::vector<double> bytes;
    std::uint64_t state_bytes = 0;
    for (int round = 1; round <= kCheckpoints; ++round) {
      change(*db, entries, round);
      const auto start = Clock::now();
      Result<Bytes> snapshot = db->snapshot();
      if (!snapshot.is_ok()) std::abort();
      if (!storage.write_state_file(kJob, round, "agg-0.full", snapshot.value()).is_ok()) std::abort();
      if (!storage.commit_checkpoint(kJob, round, {}).is_ok()) std::abort();
      if (!storage.retain(kJob, 1).is_ok()) std::abort();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      bytes.push_back(static_cast<double>(snapshot.value().size()));
      state_bytes = snapshot.value().size();
    }
    report(state, ms, bytes, state_bytes);
  }
}

BENCHMARK(BM_Incremental)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Full)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
