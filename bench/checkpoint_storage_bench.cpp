// Filesystem checkpoint storage on a real disk, against its baseline measured in the same
// run on the same disk.
//
//  * CheckpointWrite/S: one checkpoint of 4 state files of S bytes each plus _metadata,
//    through FileCheckpointStorage on PosixFileSystem (temporary file, CRC-32C frame,
//    fsync, rename, directory fsync, manifest). bytes_per_second counts state bytes.
//    In the same iteration the same bytes are written raw: per file open, write, fsync,
//    close (raw_bytes_per_second). ratio = storage throughput / raw throughput; the
//    target is >= 0.8. The two writes alternate which goes first, and each iteration's
//    files are deleted afterwards (untimed), so both always write fresh files.
// Why small checkpoints stay below the target: the storage needs 2 fsyncs per file (data,
// then the directory after the rename) plus 3 per checkpoint (the new chk-<id> directory in
// its parent, and _metadata's two), the raw baseline 1 per file. So the ratio is about
// raw / (raw + (files + 3) * fsync latency) and approaches 1 only once data dominates.
// The scratch directory is under $TMPDIR (or /tmp); point TMPDIR at the disk to measure.
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "protocol/state/file_checkpoint_storage.h"

namespace {

using namespace ckptsim;

constexpr std::size_t kStateFiles = 4;
using Clock = std::chrono::steady_clock;

class ScratchDirectory {
 public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ckptsim-storage-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void raw_write_and_fsync(const std::string& path, const Bytes& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::abort();
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) std::abort();
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void CheckpointWrite(benchmark::State& state) {
  const auto file_bytes = static_cast<std::size_t>(state.range(0));
  ScratchDirectory scratch;
  PosixFileSystem fs;
  FileCheckpointStorage storage(fs, scratch.path() + "/storage");
  const std::string raw_dir = scratch.path() + "/raw";
  std::filesystem::create_directory(raw_dir);
  std::vector<Bytes> payloads;
  for (std::size_t i = 0; i < kStateFiles; ++i) {
    Bytes payload(file_bytes);
    for (std::size_t b = 0; b < file_bytes; ++b) payload[b] = static_cast<std::uint8_t>(b * 131 + i);
    payloads.push_back(std::move(payload));
  }
  const Bytes metadata(512, 0x4D);
  double storage_seconds = 0.0;
  double raw_seconds = 0.0;
  CheckpointId id = 0;
  for (auto _ : state) {
    ++id;
    double storage_this = 0.0;
    const auto write_storage = [&] {
      const Clock::time_point start = Clock::now();
      for (std::size_t i = 0; i < kStateFiles; ++i) {
        if (!storage.write_state_file("job", id, "op-" + std::to_string(i) + "-a0", payloads[i]).is_ok()) std::abort();
      }
      if (!storage.commit_checkpoint("job", id, metadata).is_ok()) std::abort();
      storage_this = seconds_since(start);
    };
    const auto write_raw = [&] {
      const Clock::time_point start = Clock::now();
      for (std::size_t i = 0; i < kStateFiles; ++i) raw_write_and_fsync(raw_dir + "/" + std::to_string(i), payloads[i]);
      raw_seconds += seconds_since(start);
    };
    if (id % 2 == 0) {
      write_storage();
      write_raw();
    } else {
      write_raw();
      write_storage();
    }
    storage_seconds += storage_this;
    state.SetIterationTime(storage_this);
    if (!storage.remove_checkpoint("job", id).is_ok()) std::abort();
    for (std::size_t i = 0; i < kStateFiles; ++i) ::unlink((raw_dir + "/" + std::to_string(i)).c_str());
  }
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(kStateFiles * file_bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["raw_bytes_per_second"] = benchmark::Counter(bytes / raw_seconds);
  state.counters["ratio"] = benchmark::Counter(raw_seconds / storage_seconds);
}
BENCHMARK(CheckpointWrite)
    ->Arg(64 << 10)
    ->Arg(1 << 20)
    ->Arg(4 << 20)
    ->Arg(16 << 20)
    ->Arg(64 << 20)
    ->UseManualTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMillisecond);

}  // namespace
