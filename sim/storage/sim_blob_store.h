// SimBlobStorage: the simulator's durable checkpoint storage (an object store such as
// S3, or a checkpoint directory on a distributed file system), implementing the
// protocol's BlobStore contract (protocol/env/blob_store.h) for every process.
//
// Each process gets its own BlobStore view (view_for); all views share one namespace
// of blobs held here, which survives crashes of any process. Bytes are really stored
// and read back; only the durations are modelled:
//   put:    latency_ns + ceil(size * 1e9 / write_bytes_per_second) (+ a fault's extra delay)
//   get:    latency_ns + ceil(size * 1e9 / read_bytes_per_second)
//   remove: latency_ns
// Concurrent operations do not share bandwidth (each gets the full rate).
//
// Semantics, modelled on a real object store:
//  * A put becomes visible atomically when its duration has elapsed, and only if the
//    caller's incarnation is still current then: an upload whose client crashed (or
//    crashed and restarted) before completion is lost, never visible, and its `done`
//    never runs. So "visible" implies "the caller was told ok" or "the caller is
//    about to be told ok in the same event". A put to an existing name replaces it.
//  * A remove is applied in the same way (at completion, only if the caller lives);
//    removing an absent name succeeds (idempotent). A remove lost with its caller
//    leaves the blob in place, like a delete request that never reached the store.
//  * A get reads the committed bytes when it is issued and delivers them after the
//    read duration, verifying their CRC-32C first: kCorruption on mismatch (after a
//    fault flipped bits in flight or at rest), kNotFound for an unknown name. Its
//    `done` is dropped if the caller crashes first.
//  * Capacity: with capacity_bytes > 0, a put that would make the committed total
//    exceed it fails with kResourceExhausted at completion, committing nothing. A fault
//    may change the capacity during the run (set_capacity_bytes); blobs already stored
//    stay, even above a lowered capacity.
//  * Completions run on behalf of the caller (Simulation::schedule_on_behalf_after):
//    while the caller is paused they wait, and the commit with them (the upload is the
//    caller's work), and they are handled when it resumes.
//  * A put rejected by BlobStorageFaults::on_put fails after latency_ns, committing
//    nothing.
//  * put_modelled stores the bytes but models (and logs, and counts against capacity)
//    the given size instead; a blob remembers its modelled size, and gets of it take
//    that size's duration. A plain put's modelled size is its byte count.
//  * Every operation appends records to the simulation's event log ("blob_put",
//    "blob_put_done", "blob_put_lost", "blob_get", "blob_remove", "blob_remove_done",
//    "blob_remove_lost"; a = FNV-1a hash of the name, b = size or status code;
//    "blob_capacity": a = the new capacity, b = bytes stored), so the run's
//    fingerprint covers storage.
//  * Lost unsynced writes: nothing is written until a put completes, so a crash of the
//    caller loses exactly its uploads in progress (blob_put_lost), never a committed
//    blob; storage itself never crashes (its loss is outside what any protocol survives).
//
// Lifetime: the storage must outlive every event it scheduled (keep it alive as long
// as the Simulation runs). A crashed process must not issue operations (asserted).
// Bound: at most model.max_operations_in_flight operations in flight (asserted).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/env/blob_store.h"
#include "sim/simulation.h"

namespace ckptsim::sim {

inline constexpr std::uint64_t kMegabyte = 1000 * 1000;  // storage vendors' decimal MB

struct BlobStorageModel {
  DurationNs latency_ns = 5 * kMillisecond;             // per operation, request to response
  std::uint64_t write_bytes_per_second = 200 * kMegabyte;
  std::uint64_t read_bytes_per_second = 400 * kMegabyte;
  std::uint64_t capacity_bytes = 0;                     // 0 = unlimited
  std::uint32_t max_operations_in_flight = 1u << 20;    // programmer error past it
};

// Fault hooks for the fault layer; the defaults inject nothing. Called synchronously
// from inside the storage's operations; they must be deterministic (draw only from
// a seeded stream) and must not call back into the storage.
class BlobStorageFaults {
 public:
  virtual ~BlobStorageFaults() = default;
  // Called when a put is issued; a non-ok Status fails the put with it (nothing is
  // committed), e.g. kUnavailable or kIoError.
  virtual Status on_put(const std::string& /*name*/, std::size_t /*bytes*/) { return Status::ok(); }
  // Added to an admitted put's duration (a slow upload). Must be >= 0.
  virtual DurationNs extra_put_delay_ns(const std::string& /*name*/) { return 0; }
  // Called on the bytes a get is about to deliver, before the checksum check; may flip
  // bits (the check then reports kCorruption) to model corruption in flight.
  // `modelled_size_bytes` is the blob's modelled size (put_modelled), the only size a
  // fault may draw from (the physical size need not be deterministic).
  virtual void on_get(const std::string& /*name*/, Bytes& /*bytes*/, std::uint64_t /*modelled_size_bytes*/) {}
};

struct BlobStorageCounters {
  std::uint64_t puts = 0;            // puts issued
  std::uint64_t puts_committed = 0;  // puts that became visible
  std::uint64_t puts_failed = 0;     // rejected by a fault or by capacity
  std::uint64_t puts_lost = 0;       // caller crashed before completion
  std::uint64_t bytes_written = 0;   // bytes of committed puts
  std::uint64_t gets = 0;            // gets issued
  std::uint64_t removes = 0;         // removes issued
};

class SimBlobStorage {
 public:
  explicit SimBlobStorage(Simulation& simulation, BlobStorageModel model = {});
  ~SimBlobStorage();
  SimBlobStorage(const SimBlobStorage&) = delete;
  SimBlobStorage& operator=(const SimBlobStorage&) = delete;

  // The BlobStore through which `caller` reaches the storage. Stable for the storage's
  // lifetime and valid across the caller's crashes and restarts.
  BlobStore& view_for(ProcessId caller);

  // Not owned; null removes the hooks. Applies to operations issued afterwards
  // (and to get completions, which consult the hooks when they deliver).
  void set_faults(BlobStorageFaults* faults) { faults_ = faults; }
  BlobStorageFaults* faults() const { return faults_; }
  // Changes the capacity from now on (0 = unlimited); applies to puts completing later.
  void set_capacity_bytes(std::uint64_t capacity_bytes);

  const BlobStorageModel& model() const { return model_; }
  DurationNs put_duration_ns(std::size_t bytes) const;
  DurationNs get_duration_ns(std::size_t bytes) const;

  // Inspection (tests, the oracle, reports): committed state only.
  bool contains(const std::string& name) const { return blobs_.count(name) != 0; }
  std::optional<std::size_t> blob_size(const std::string& name) const;
  std::size_t blob_count() const { return blobs_.size(); }
  std::uint64_t total_bytes_stored() const { return bytes_stored_; }
  std::vector<std::string> list(const std::string& prefix) const;
  const BlobStorageCounters& counters() const { return counters_; }
  std::size_t operations_in_flight() const { return operations_in_flight_; }

  // Flips one bit of a committed blob without updating its checksum (bit rot at rest).
  // Returns false if there is no such blob or bit.
  bool flip_stored_bit(const std::string& name, std::uint64_t bit_index);

 private:
  class View;
  friend class View;
  struct StoredBlob {
    Bytes bytes;
    std::uint64_t modelled_size_bytes = 0;  // what durations, capacity and the log see
    std::uint32_t checksum = 0;  // CRC-32C of bytes as put
  };

  void put(ProcessId caller, const std::string& name, Bytes bytes, std::uint64_t modelled_size_bytes,
           std::function<void(Status)> done);
  void get(ProcessId caller, const std::string& name, std::function<void(Result<Bytes>)> done);
  void remove(ProcessId caller, const std::string& name, std::function<void(Status)> done);
  void complete_put(ProcessId caller, std::uint32_t incarnation, const std::string& name, Bytes& bytes,
                    std::uint64_t modelled_size_bytes, Status admitted, const std::function<void(Status)>& done);
  void complete_remove(ProcessId caller, std::uint32_t incarnation, const std::string& name,
                       const std::function<void(Status)>& done);
  Status check_capacity(const std::string& name, std::size_t bytes) const;
  void begin_operation(ProcessId caller);
  void end_operation();

  Simulation& simulation_;
  BlobStorageModel model_;
  BlobStorageFaults* faults_ = nullptr;  // not owned
  std::map<std::string, StoredBlob, std::less<>> blobs_;
  std::uint64_t bytes_stored_ = 0;
  std::size_t operations_in_flight_ = 0;
  BlobStorageCounters counters_;
  std::vector<std::unique_ptr<View>> views_;  // indexed by ProcessId, created on demand
  RecordKind kind_put_, kind_put_done_, kind_put_lost_, kind_get_, kind_remove_, kind_remove_done_,
      kind_remove_lost_, kind_capacity_;
};

}  // namespace ckptsim::sim
