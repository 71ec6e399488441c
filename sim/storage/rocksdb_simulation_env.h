// new_rocksdb_simulation_env: the rocksdb::Env the simulator's RocksDB backends run on:
// their files go through `fs` (RocksDbLocalStateFileSystem, or the fault layer above
// it), and RocksDB's own sleeps are cut to at most kMaxSleepMicros.
//
// Why: after a failed background flush or compaction RocksDB waits one second of wall
// time before it lets the next one run ("in case this is an environmental problem",
// DBImpl::BackgroundCallFlush), and the caller's flush waits with it. In a simulated run
// that wait is pure wall time: the simulation's time never depends on it (RocksDB's
// work happens inside one simulated step), so every injected RocksDB fault cost about
// 2 s of an otherwise 0.2 s run. A short sleep keeps RocksDB's loops that poll the
// clock (write stalls) from spinning. Thread-safe.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <memory>

namespace ckptsim::sim {

inline constexpr int kMaxRocksDbSleepMicros = 1000;

std::unique_ptr<rocksdb::Env> new_rocksdb_simulation_env(const std::shared_ptr<rocksdb::FileSystem>& fs);

}  // namespace ckptsim::sim
