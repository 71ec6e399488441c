// SimFileBlobStorage: the simulator's checkpoint storage on real files. Every process gets
// a BlobStore view (view_for, like SimBlobStorage) over one FileCheckpointStorage in a
// run directory; the bytes really go to disk (through whatever FileSystem the storage
// was built on: PosixFileSystem, or a FaultInjectingFileSystem over it), and only the
// durations are modelled, as in sim_blob_store.h:
//   put:    latency_ns + ceil(stored bytes * 1e9 / write_bytes_per_second)
//   get:    latency_ns + ceil(payload bytes * 1e9 / read_bytes_per_second)
//   remove: latency_ns
// Completions are the caller's timers (Simulation::schedule_after(caller, ...)): they
// wait while the caller is paused and are dropped if it crashes.
//
// When the real I/O happens, and what a crash of the caller means for files:
//  * put: at issue, the file is staged (written to a temporary name and fsynced: the
//    bulk of the I/O). At completion, it is published (rename over the name + fsync of
//    the directory) and then done(ok) runs. So a blob is visible only once its caller
//    is told ok (the BlobStore contract, as in SimBlobStorage). If the caller crashes
//    before completion, the put is lost: its name never appears, `done` never runs, and
//    the staged temporary file is removed the next time any process uses this storage
//    (or by abandon_lost_operations()); until then it is invisible to get and list.
//    A put whose staging fails (an injected write or fsync fault) reports the error
//    after latency_ns.
//  * get: the file is read and verified at issue (kNotFound, kCorruption, or the bytes);
//    the result is delivered at completion, or dropped with its crashed caller.
//  * remove: applied at completion, only if the caller is still alive (a removal lost
//    with its caller leaves the blob in place). Idempotent.
//  * Power loss of the storage machine: FaultInjectingFileSystem::power_loss(). Published
//    blobs are durable (synced file, synced directory) and survive it; staged uploads
//    lose their temporary file, so their later publish fails and the put reports the
//    error. Nothing visible is ever half-written.
//  * Determinism: no wall clock; temporary names come from a counter; listings are
//    sorted; pending operations are kept in issue order. The run directory must start
//    empty (or with the same content) for two runs to match.
//  * Event log records: "file_put", "file_put_done", "file_put_lost", "file_get",
//    "file_remove", "file_remove_done" (a = FNV-1a of the name, b = size or status code).
// Lifetime: the object must outlive every event it scheduled. A crashed process must
// not issue operations (asserted). Bound: max_operations_in_flight (asserted).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/env/blob_store.h"
#include "protocol/state/file_checkpoint_storage.h"
#include "sim/simulation.h"

namespace ckptsim::sim {

struct FileStorageModel {
  DurationNs latency_ns = 5 * kMillisecond;  // per operation, request to response
  std::uint64_t write_bytes_per_second = 200ULL * 1000 * 1000;
  std::uint64_t read_bytes_per_second = 400ULL * 1000 * 1000;
  std::uint32_t max_operations_in_flight = 1u << 20;  // programmer error past it
};

struct FileStorageCounters {
  std::uint64_t puts = 0;            // issued
  std::uint64_t puts_committed = 0;  // published and reported ok
  std::uint64_t puts_failed = 0;     // staging or publishing failed
  std::uint64_t puts_lost = 0;       // caller crashed before completion
  std::uint64_t bytes_written = 0;   // payload bytes of committed puts
  std::uint64_t gets = 0;
  std::uint64_t removes = 0;
};

class SimFileBlobStorage {
 public:
  SimFileBlobStorage(Simulation& simulation, FileCheckpointStorage& storage, FileStorageModel model = {});
  ~SimFileBlobStorage();
  SimFileBlobStorage(const SimFileBlobStorage&) = delete;
  SimFileBlobStorage& operator=(const SimFileBlobStorage&) = delete;

  // The BlobStore through which `caller` reaches the storage; stable for this object's
  // lifetime and valid across the caller's crashes and restarts.
  BlobStore& view_for(ProcessId caller);

  DurationNs put_duration_ns(std::size_t payload_bytes) const;
  DurationNs get_duration_ns(std::size_t payload_bytes) const;
  const FileStorageModel& model() const { return model_; }

  // Forgets operations whose caller crashed, removing their staged files. Returns how
  // many uploads were lost. Runs automatically before every new operation.
  std::size_t abandon_lost_operations();

  FileCheckpointStorage& storage() { return storage_; }
  const FileStorageCounters& counters() const { return counters_; }
  std::size_t operations_in_flight() const { return pending_.size(); }

 private:
  class View;
  friend class View;
  struct Pending {
    ProcessId caller = kNoProcess;
    std::uint32_t incarnation = 0;
    std::optional<StagedFile> staged;  // puts only, until published
    std::uint64_t name_hash = 0;
  };

  void put(ProcessId caller, const std::string& name, Bytes bytes, std::function<void(Status)> done);
  void get(ProcessId caller, const std::string& name, std::function<void(Result<Bytes>)> done);
  void remove(ProcessId caller, const std::string& name, std::function<void(Status)> done);
  std::uint64_t begin_operation(ProcessId caller, std::uint64_t name_hash, std::optional<StagedFile> staged);
  void complete_put(std::uint64_t operation, const Status& staging, const std::function<void(Status)>& done);

  Simulation& simulation_;
  FileCheckpointStorage& storage_;
  FileStorageModel model_;
  std::map<std::uint64_t, Pending> pending_;  // by operation number: issue order
  std::uint64_t next_operation_ = 0;
  FileStorageCounters counters_;
  std::vector<std::unique_ptr<View>> views_;  // indexed by ProcessId, created on demand
  RecordKind kind_put_, kind_put_done_, kind_put_lost_, kind_get_, kind_remove_, kind_remove_done_;
};

}  // namespace ckptsim::sim
