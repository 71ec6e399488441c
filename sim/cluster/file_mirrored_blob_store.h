// FileMirroredBlobStore: a BlobStore decorator that keeps every checkpoint blob in real
// files (FileCheckpointStorage: temp + fsync + rename + directory fsync, CRC-32C per
// file) while the simulated storage underneath decides timing, visibility, faults and
// the event log (execution.checkpointing.dir).
//
// Why a decorator and not SimFileBlobStorage: the simulated store's events and modelled
// durations stay exactly those of a run without a checkpoint directory, so a scenario
// and seed give the SAME fingerprint with in-memory and filesystem checkpoint storage.
// The real files are the data path:
//  * put: when the simulated put completes ok (the blob becomes visible), the bytes are
//    written durably under the same name; a failed write turns the result into that
//    error. A lost put (caller crashed) writes nothing.
//  * get: when the simulated get delivers ok, the bytes are read back from the file and
//    verified (a file failing its checksum is refused: kCorruption). For a name whose
//    last put was acknowledged they must equal the simulated bytes, and a missing file
//    is an acknowledged blob lost: both kCorruption, counted in lost_acknowledged (the
//    storage broke its promise; nothing differing from what was acknowledged is ever
//    delivered). For a name whose last mirrored put FAILED (the simulated store made it
//    visible, the files did not take it) the files are the truth: their older value, or
//    kNotFound. A simulated failure (not found, injected corruption) is delivered as is.
//  * remove: when the simulated remove completes ok, the file is removed.
//  * list: the simulated listing (the two hold the same names).
// One object per process view; all share one FileCheckpointStorage. Single-threaded.
#pragma once

#include <set>
#include <string>

#include "protocol/env/blob_store.h"
#include "protocol/state/file_checkpoint_storage.h"

namespace ckptsim::sim {

// Shared by every view of one run: statistics, and the names whose last put failed.
struct FileMirrorCounters {
  std::uint64_t files_written = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t files_read = 0;
  std::uint64_t files_removed = 0;
  std::uint64_t errors = 0;
  std::uint64_t failed_writes = 0;        // the simulated put completed, the file write failed
  std::uint64_t refused_reads = 0;        // the file reader refused the file (kCorruption)
  std::uint64_t lost_acknowledged = 0;    // an acknowledged blob missing or different in the files
  std::set<std::string> unacknowledged;   // names whose last mirrored put failed
};

class FileMirroredBlobStore final : public BlobStore {
 public:
  // `simulated`, `files` and `counters` are not owned and must outlive this object.
  FileMirroredBlobStore(BlobStore& simulated, FileCheckpointStorage& files, FileMirrorCounters& counters);

  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override;
  // As put; the simulated store models `modelled_size_bytes`, the file holds the bytes.
  void put_modelled(const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
                    std::function<void(Status)> done) override;
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override;
  void remove(const std::string& name, std::function<void(Status)> done) override;
  std::vector<std::string> list(const std::string& prefix) const override { return simulated_.list(prefix); }

 private:
  std::function<void(Status)> mirror_after_put(const std::string& name, Bytes copy, std::function<void(Status)> done);

  BlobStore& simulated_;
  FileCheckpointStorage& files_;
  FileMirrorCounters& counters_;
};

}  // namespace ckptsim::sim
