// Record-batch serialization (record_codec, the format of every data buffer and of 2PC
// sink transactions) measured against memcpy of the same bytes, in the same iteration.
//
//  * Encode/R: append R records to an empty batch (as the output gate fills a buffer),
//    bytes_per_second of batch bytes; vs_memcpy = encode throughput / memcpy throughput
//    of the same bytes (as in state_bench: 1.0 would be as fast as memcpy), the median
//    over iterations.
//  * Decode/R: read every record of an R-record batch (as a task does per buffer);
//    vs_memcpy as above.
// R = 16 (a buffer flushed early by the buffer timeout) and 744 (a full 32 KiB buffer).
// Keyed-state snapshots are measured against memcpy in state_bench (Snapshot/N); operator
// snapshots are that same backend snapshot, so they are not repeated here.
#include <benchmark/benchmark.h>

#include "sim/allocator_tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "protocol/runtime/record.h"

namespace {

using namespace ckptsim;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBatchesPerIteration = 64;

std::vector<Record> make_records(std::size_t count) {
  std::vector<Record> records(count);
  for (std::size_t i = 0; i < count; ++i) {
    records[i] = Record{i * 7919, static_cast<std::int64_t>(i), static_cast<std::uint32_t>(i % 8), i, i / 3,
                        static_cast<std::int64_t>(i * 5)};
  }
  return records;
}

// Median of per-iteration ratios: a preemption slows one timed loop of one iteration,
// which shifts a total-time ratio but not the median.
double median(std::vector<double> values) {
  CKPT_ASSERT(!values.empty(), "a median needs values");
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// Times memcpy of `bytes` bytes, kBatchesPerIteration times.
double time_memcpy(const std::vector<std::uint8_t>& source, std::vector<std::uint8_t>& target) {
  const auto start = Clock::now();
  for (std::size_t b = 0; b < kBatchesPerIteration; ++b) {
    std::memcpy(target.data(), source.data(), source.size());
    benchmark::DoNotOptimize(target.data());
    benchmark::ClobberMemory();
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Encode(benchmark::State& state) {
  const std::vector<Record> records = make_records(static_cast<std::size_t>(state.range(0)));
  const std::size_t batch_bytes = records.size() * kRecordBytes;
  std::vector<std::uint8_t> source(batch_bytes, 0x5A);
  std::vector<std::uint8_t> target(batch_bytes);
  std::vector<std::uint8_t> batch;
  batch.reserve(batch_bytes);
  std::vector<double> ratios;
  for (auto _ : state) {
    const auto start = Clock::now();
    for (std::size_t b = 0; b < kBatchesPerIteration; ++b) {
      batch.clear();
      for (const Record& record : records) record_codec::append(batch, record);
      benchmark::DoNotOptimize(batch.data());
      benchmark::ClobberMemory();
    }
    const double encode_time = std::chrono::duration<double>(Clock::now() - start).count();
    const double memcpy_time = time_memcpy(source, target);
    state.SetIterationTime(encode_time);
    ratios.push_back(memcpy_time / encode_time);
  }
  CKPT_ASSERT(batch.size() == batch_bytes, "the batch holds every record");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBatchesPerIteration * batch_bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchesPerIteration * records.size()));
  state.counters["vs_memcpy"] = median(ratios);
}
BENCHMARK(Encode)->Arg(16)->Arg(744)->UseManualTime()->Unit(benchmark::kMicrosecond);

void Decode(benchmark::State& state) {
  const std::vector<Record> records = make_records(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> batch;
  for (const Record& record : records) record_codec::append(batch, record);
  std::vector<std::uint8_t> target(batch.size());
  std::vector<double> ratios;
  std::uint64_t folded = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    for (std::size_t b = 0; b < kBatchesPerIteration; ++b) {
      const std::size_t count = record_codec::count(batch);
      for (std::size_t i = 0; i < count; ++i) {
        const Record record = record_codec::read(batch.data() + i * kRecordBytes);
        folded += record.key + static_cast<std::uint64_t>(record.value) + record.offset + record.agg_count;
      }
      benchmark::DoNotOptimize(folded);
    }
    const double decode_time = std::chrono::duration<double>(Clock::now() - start).count();
    const double memcpy_time = time_memcpy(batch, target);
    state.SetIterationTime(decode_time);
    ratios.push_back(memcpy_time / decode_time);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBatchesPerIteration * batch.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatchesPerIteration * records.size()));
  state.counters["vs_memcpy"] = median(ratios);
}
BENCHMARK(Decode)->Arg(16)->Arg(744)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

// Benchmarks run with the same allocator settings as ckptsim itself.
static const bool kAllocatorConfigured = [] {
  ckptsim::sim::configure_allocator_for_simulation();
  return true;
}();
