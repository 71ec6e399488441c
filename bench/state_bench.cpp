// Keyed state hot paths, each with its baseline in the same run so results read as
// ratios (robust on shared, noisy machines).
//
//  * BackendPut/N, BackendGet/N: memory backend operations per second
//    (items_per_second) on N distinct keys, max parallelism 128, full key group range.
//    Put overwrites existing entries (steady state); BackendInsert/N fills an empty
//    backend (table growth included). Target: millions per second.
//  * UnorderedMapPut/N, UnorderedMapGet/N: the same workload on one std::unordered_map,
//    the baseline for the backend operations.
//  * Snapshot/N: snapshot() of a backend with N entries (sort per key group, encode,
//    two CRC-32C passes), bytes_per_second of snapshot bytes, plus the counter
//    vs_memcpy = snapshot throughput / memcpy throughput of the same bytes, measured in
//    the same benchmark right after it.
//  * Memcpy/N: memcpy of exactly as many bytes as Snapshot/N produces, bytes_per_second.
//  * Restore/N: restore() from that snapshot (verify, then insert), bytes_per_second.
#include <benchmark/benchmark.h>

#include "sim/allocator_tuning.h"

#include <chrono>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "protocol/state/keyed_snapshot_format.h"
#include "protocol/state/memory_state_backend.h"
#include "sim/random.h"

namespace {

using namespace ckptsim;

constexpr std::uint32_t kMaxParallelism = 128;
constexpr KeyGroupRange kFullRange{0, kMaxParallelism - 1};
constexpr std::size_t kOperationsPerIteration = 1 << 20;

// N distinct keys (random 64-bit values) and a random access sequence over them.
struct Workload {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> accesses;
};

Workload make_workload(std::size_t key_count) {
  sim::Rng rng(42);
  Workload workload;
  workload.keys.resize(key_count);
  for (std::uint64_t& key : workload.keys) key = rng.next_u64();
  workload.accesses.resize(kOperationsPerIteration);
  for (std::uint32_t& access : workload.accesses) access = static_cast<std::uint32_t>(rng.uniform_below(key_count));
  return workload;
}

void fill(MemoryStateBackend& backend, const Workload& workload) {
  for (const std::uint64_t key : workload.keys) backend.put(key, 0, StateValue{key, 1});
}

void BackendPut(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  fill(backend, workload);
  KeyedStateBackend& via_interface = backend;  // measure the virtual call, as operators pay it
  std::uint64_t tick = 0;
  for (auto _ : state) {
    for (const std::uint32_t access : workload.accesses) {
      via_interface.put(workload.keys[access], 0, StateValue{++tick, access});
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kOperationsPerIteration));
}
BENCHMARK(BackendPut)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BackendInsert(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
    fill(backend, workload);
    benchmark::DoNotOptimize(backend.entry_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * workload.keys.size()));
}
BENCHMARK(BackendInsert)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void BackendGet(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  fill(backend, workload);
  KeyedStateBackend& via_interface = backend;
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (const std::uint32_t access : workload.accesses) {
      const std::optional<StateValue> value = via_interface.get(workload.keys[access], 0);
      sum += value.has_value() ? value->a : 0;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kOperationsPerIteration));
}
BENCHMARK(BackendGet)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

struct PairHash {
  std::size_t operator()(const std::pair<std::uint64_t, std::uint32_t>& k) const {
    return static_cast<std::size_t>(mix_key_hash(k.first ^ (std::uint64_t{k.second} << 32)));
  }
};
using BaselineMap = std::unordered_map<std::pair<std::uint64_t, std::uint32_t>, StateValue, PairHash>;

void UnorderedMapPut(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  BaselineMap map;
  for (const std::uint64_t key : workload.keys) map[{key, 0}] = StateValue{key, 1};
  std::uint64_t tick = 0;
  for (auto _ : state) {
    for (const std::uint32_t access : workload.accesses) map[{workload.keys[access], 0}] = StateValue{++tick, access};
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kOperationsPerIteration));
}
BENCHMARK(UnorderedMapPut)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void UnorderedMapGet(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  BaselineMap map;
  for (const std::uint64_t key : workload.keys) map[{key, 0}] = StateValue{key, 1};
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (const std::uint32_t access : workload.accesses) {
      const auto it = map.find({workload.keys[access], 0});
      sum += it != map.end() ? it->second.a : 0;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kOperationsPerIteration));
}
BENCHMARK(UnorderedMapGet)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// Bytes per second of memcpy of `bytes` bytes, timed over enough repetitions.
double memcpy_bytes_per_second(std::size_t bytes) {
  std::vector<std::uint8_t> source(bytes, 0x5A);
  std::vector<std::uint8_t> target(bytes);
  std::memcpy(target.data(), source.data(), bytes);  // fault the pages in first
  const int repetitions = bytes >= (1u << 24) ? 8 : 256;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repetitions; ++i) {
    source[static_cast<std::size_t>(i) % bytes] = static_cast<std::uint8_t>(i);
    std::memcpy(target.data(), source.data(), bytes);
    benchmark::DoNotOptimize(target.data());
    benchmark::ClobberMemory();
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(bytes) * repetitions / elapsed.count();
}

void Snapshot(benchmark::State& state) {
  const auto entries = static_cast<std::size_t>(state.range(0));
  const Workload workload = make_workload(entries);
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  fill(backend, workload);
  std::size_t snapshot_bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    Result<Bytes> bytes = backend.snapshot();
    snapshot_bytes = bytes.value().size();
    benchmark::DoNotOptimize(bytes.value().data());
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * snapshot_bytes));
  const double snapshot_bps =
      static_cast<double>(snapshot_bytes) * static_cast<double>(state.iterations()) / elapsed.count();
  state.counters["vs_memcpy"] = snapshot_bps / memcpy_bytes_per_second(snapshot_bytes);
}
BENCHMARK(Snapshot)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void Memcpy(benchmark::State& state) {
  // Exactly as many bytes as Snapshot/N produces.
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  fill(backend, make_workload(static_cast<std::size_t>(state.range(0))));
  const std::size_t bytes = backend.snapshot().value().size();
  std::vector<std::uint8_t> source(bytes, 0x5A);
  std::vector<std::uint8_t> target(bytes);
  for (auto _ : state) {
    std::memcpy(target.data(), source.data(), bytes);
    benchmark::DoNotOptimize(target.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(Memcpy)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

void Restore(benchmark::State& state) {
  const Workload workload = make_workload(static_cast<std::size_t>(state.range(0)));
  MemoryStateBackend backend(kMaxParallelism, kFullRange, nullptr);
  fill(backend, workload);
  const std::vector<Bytes> snapshots{std::move(backend.snapshot()).value()};
  MemoryStateBackend target(kMaxParallelism, kFullRange, nullptr);
  for (auto _ : state) {
    const Status status = target.restore(snapshots);
    benchmark::DoNotOptimize(status.is_ok());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * snapshots[0].size()));
}
BENCHMARK(Restore)->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

// Benchmarks run with the same allocator settings as ckptsim itself.
static const bool kAllocatorConfigured = [] {
  ckptsim::sim::configure_allocator_for_simulation();
  return true;
}();
