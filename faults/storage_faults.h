// Storage faults on the durable checkpoint storage, through SimBlobStorage's
// BlobStorageFaults hooks and its capacity: failed writes, slow writes, corrupted reads
// (caught by the storage's CRC-32C check: the reader gets kCorruption), and full
// storage (kResourceExhausted).
//
// Lost unsynced writes need no fault here: the storage commits a put only when it
// completes and its caller is still alive, so a crash of the caller loses exactly its
// uploads in progress (sim/storage/sim_blob_store.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "faults/fault.h"
#include "faults/fault_params.h"
#include "sim/random.h"
#include "sim/storage/sim_blob_store.h"

namespace ckptsim::faults {

// What one active storage fault does to the operations on blobs whose name starts with
// `prefix` (empty: every blob).
struct StorageRule {
  enum class Kind { kFailWrites, kSlowWrites, kCorruptReads };
  Kind kind = Kind::kFailWrites;
  std::string prefix;
  double probability = 1.0;                         // kFailWrites, kCorruptReads
  StatusCode error = StatusCode::kUnavailable;      // kFailWrites
  DurationNs delay_ns = 0;                          // kSlowWrites
  DurationNs jitter_ns = 0;                         // kSlowWrites: plus uniform [0, jitter_ns]
};

struct StorageFaultCounters {
  std::uint64_t failed_puts = 0;
  std::uint64_t delayed_puts = 0;
  std::uint64_t corrupted_gets = 0;
};

// The storage's fault hooks, composed of the active rules (consulted in FaultId order,
// drawing from one seeded stream only for operations they match): a put fails with the
// first failing rule's error; the delays of slow-write rules add up; a corrupting rule
// flips one bit of what a get delivers (an empty blob gets a stray byte instead), so
// the storage's checksum check reports kCorruption. Also composes capacity limits:
// while any "full" fault is active the capacity is the lowest active limit, otherwise
// the storage's own.
class StorageFaultInjector final : public sim::BlobStorageFaults {
 public:
  StorageFaultInjector(sim::SimBlobStorage& storage, sim::Rng rng);

  void add(FaultId id, StorageRule rule);
  void remove(FaultId id);
  void add_capacity_limit(FaultId id, std::uint64_t capacity_bytes);
  void remove_capacity_limit(FaultId id);
  sim::SimBlobStorage& storage() { return storage_; }
  const StorageFaultCounters& counters() const { return counters_; }

  Status on_put(const std::string& name, std::size_t bytes) override;
  DurationNs extra_put_delay_ns(const std::string& name) override;
  void on_get(const std::string& name, Bytes& bytes, std::uint64_t modelled_size_bytes) override;

 private:
  void apply_capacity();

  sim::SimBlobStorage& storage_;
  sim::Rng rng_;
  std::map<FaultId, StorageRule> rules_;
  std::map<FaultId, std::uint64_t> capacity_limits_;
  std::uint64_t own_capacity_bytes_ = 0;   // the storage's capacity before any limit
  StorageFaultCounters counters_;
};

std::unique_ptr<Fault> make_storage_write_failure_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_storage_slow_write_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_storage_corrupt_read_fault(const ScheduledFault& spec, ParamReader& reader);
std::unique_ptr<Fault> make_storage_full_fault(const ScheduledFault& spec, ParamReader& reader);

}  // namespace ckptsim::faults
