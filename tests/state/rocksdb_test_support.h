// Helpers shared by the RocksDB backend tests: opening a backend in a scratch
// directory, deterministic workloads routed to one subtask, and reading state back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/graph/key_groups.h"
#include "protocol/state/rocksdb_state_backend.h"
#include "tests/state/file_test_support.h"
#include "tests/state/state_test_support.h"

namespace ckptsim::test {

inline KeyGroupRange whole_range(std::uint32_t max_parallelism) { return KeyGroupRange{0, max_parallelism - 1}; }

inline std::unique_ptr<RocksDbStateBackend> open_rocksdb(const std::string& dir, std::uint32_t max_parallelism,
                                                         KeyGroupRange range, bool disable_compactions = true,
                                                         rocksdb::Env* env = nullptr) {
  RocksDbBackendOptions options;
  options.working_dir = dir;
  options.env = env;
  options.disable_auto_compactions = disable_compactions;
  Result<std::unique_ptr<RocksDbStateBackend>> backend = RocksDbStateBackend::open(max_parallelism, range, options);
  CKPT_ASSERT(backend.is_ok(), "a test backend opens");
  return std::move(backend).value();
}

// Entries for keys [first, first + count) whose key group lies in `range`, in key order.
inline std::vector<StateEntry> entries_in_range(std::uint64_t first, std::uint64_t count, std::uint32_t max_parallelism,
                                                KeyGroupRange range, std::uint64_t salt = 0) {
  std::vector<StateEntry> out;
  for (std::uint64_t key = first; key < first + count; ++key) {
    if (!range.contains(key_group_for_key(key, max_parallelism))) continue;
    out.push_back(StateEntry{key, static_cast<std::uint32_t>(key % 3), StateValue{key * 7 + salt, key ^ salt}});
  }
  return out;
}

}  // namespace ckptsim::test
