// SharedStateRegistry: reference counts of shared checkpoint files (Flink's
// SharedStateRegistry). Incremental checkpoints of the RocksDB backend refer to
// immutable SST files uploaded once and shared by every later checkpoint that still
// contains them; such a file may be deleted only when no retained checkpoint refers to it.
//
// Protocol (the caller's side):
//  * register_checkpoint(id, files) when checkpoint `id` COMPLETES (its metadata is
//    durable), before any older checkpoint is subsumed, so a file carried over from
//    the subsumed one never drops to zero in between.
//  * unregister_checkpoint(id) when a completed checkpoint is subsumed or discarded,
//    AFTER its metadata was durably removed; it returns the files whose count dropped
//    to zero, which the caller then deletes. A crash between the two steps leaves
//    unreferenced files behind (a leak, removed by the recovery sweep), never a
//    referenced file deleted.
// Invariants:
//  1. count(f) == the number of registered checkpoints whose file list holds f.
//  2. Every counted file has count >= 1 (files at zero are forgotten).
// Deterministic: ordered maps; returned lists are sorted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/checkpoint/checkpoint_types.h"

namespace ckptsim {

class SharedStateRegistry {
 public:
  // Precondition (asserted): `id` is not registered. Duplicate names in `files` count once.
  void register_checkpoint(CheckpointId id, std::vector<std::string> files);
  // The files no registered checkpoint refers to any more, sorted. Unknown id: empty.
  std::vector<std::string> unregister_checkpoint(CheckpointId id);

  std::uint32_t reference_count(const std::string& file) const;
  bool is_registered(CheckpointId id) const { return checkpoints_.count(id) != 0; }
  std::vector<CheckpointId> registered_checkpoints() const;  // ascending
  std::size_t file_count() const { return counts_.size(); }
  // Every referenced file, sorted.
  std::vector<std::string> referenced_files() const;

 private:
  std::map<std::string, std::uint32_t> counts_;
  std::map<CheckpointId, std::vector<std::string>> checkpoints_;
};

}  // namespace ckptsim
