// The aligned barrier handler on a task's per-buffer path, measured against the same
// buffer iteration without a handler, in the same run.
//
//  * PerBuffer/R: a task's input loop (round robin over 4 channels, as
//    StreamTask::input_step does) over pre-built buffers of R records each, with a
//    barrier every 1024 buffers per channel. Each buffer's records are decoded and
//    folded into a checksum. With the handler: is_blocked(channel) before every take
//    (through BarrierHandler&, as a task asks; not virtual) and on_barrier for each
//    barrier, whose trigger action is applied. The pass-through loop is the baseline:
//    the same iteration and decoding, barriers merely counted. Both loops run
//    interleaved in every iteration; items_per_second is buffers through the handler
//    loop, and handler_vs_pass_through is the median over iterations of handler time /
//    pass-through time. Target: <= 1.05.
//  * Alignment/C: one complete alignment on C input channels (a barrier on every
//    channel, the last one triggers the checkpoint). items_per_second is alignments;
//    barriers_per_second counts the barriers. The baseline, interleaved in the same
//    iteration, is a minimal tracker (std::vector<bool> plus a count, no states, no
//    checks): handler_vs_minimal is the median over iterations of handler time /
//    minimal time. No target.
#include <benchmark/benchmark.h>

#include "sim/allocator_tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "protocol/env/transport.h"
#include "protocol/runtime/barrier_handler.h"
#include "protocol/runtime/network_events.h"
#include "protocol/runtime/record.h"

namespace {

using namespace ckptsim;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kChannels = 4;
constexpr std::uint32_t kBuffersPerChannel = 2048;
constexpr std::uint32_t kBarrierEvery = 1024;  // the 1024th, 2048th, ... buffer of a channel

// Every channel carries the same sequence: record buffers, and a barrier for checkpoint
// k as its (k * kBarrierEvery)-th buffer.
std::vector<std::vector<NetworkBuffer>> make_inputs(std::uint32_t records_per_buffer) {
  std::vector<std::vector<NetworkBuffer>> inputs(kChannels);
  std::uint64_t offset = 0;
  for (std::vector<NetworkBuffer>& channel : inputs) {
    for (std::uint32_t b = 1; b <= kBuffersPerChannel; ++b) {
      NetworkBuffer buffer;
      if (b % kBarrierEvery == 0) {
        buffer.kind = to_kind(ChannelEvent::kBarrier);
        buffer.tag = b / kBarrierEvery;
      } else {
        buffer.kind = to_kind(ChannelEvent::kRecords);
        for (std::uint32_t r = 0; r < records_per_buffer; ++r, ++offset) {
          record_codec::append(buffer.bytes, Record{offset * 7919, static_cast<std::int64_t>(offset), 0, offset, 0, 0});
        }
      }
      channel.push_back(std::move(buffer));
    }
  }
  return inputs;
}

// What a task does with a record buffer, minus the operator: decode every record. Out of
// line, like StreamTask::process_records, so both loops run the same decoding code.
[[gnu::noinline]] std::uint64_t fold_records(const NetworkBuffer& buffer) {
  const std::size_t count = record_codec::count(buffer.bytes);
  std::uint64_t folded = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const Record record = record_codec::read(buffer.bytes.data() + i * kRecordBytes);
    folded += record.key ^ static_cast<std::uint64_t>(record.value);
  }
  return folded;
}

// Median of per-iteration ratios: a preemption slows one timed loop of one iteration,
// which shifts a total-time ratio but not the median.
double median(std::vector<double> values) {
  CKPT_ASSERT(!values.empty(), "a median needs values");
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

struct LoopResult {
  std::uint64_t buffers = 0;
  std::uint64_t checksum = 0;
  std::uint64_t barriers = 0;
};

// Baseline: the task's round-robin input loop with no barrier handler.
LoopResult run_pass_through(const std::vector<std::vector<NetworkBuffer>>& inputs) {
  std::vector<std::size_t> cursors(inputs.size(), 0);
  const auto count = static_cast<std::uint32_t>(inputs.size());
  std::uint32_t next_input = 0;
  LoopResult result;
  for (bool took = true; took;) {
    took = false;
    for (std::uint32_t tried = 0; tried < count; ++tried) {
      const std::uint32_t channel = next_input;
      next_input = (next_input + 1) % count;
      if (cursors[channel] == inputs[channel].size()) continue;
      const NetworkBuffer& buffer = inputs[channel][cursors[channel]++];
      ++result.buffers;
      if (buffer.kind == to_kind(ChannelEvent::kBarrier)) {
        ++result.barriers;
      } else {
        result.checksum += fold_records(buffer);
      }
      took = true;
      break;
    }
  }
  return result;
}

// The same loop with an aligned barrier handler, as StreamTask drives it.
LoopResult run_with_handler(const std::vector<std::vector<NetworkBuffer>>& inputs, BarrierHandler& handler,
                            std::vector<BarrierAction>& actions) {
  std::vector<std::size_t> cursors(inputs.size(), 0);
  const auto count = static_cast<std::uint32_t>(inputs.size());
  std::uint32_t next_input = 0;
  LoopResult result;
  for (bool took = true; took;) {
    took = false;
    for (std::uint32_t tried = 0; tried < count; ++tried) {
      const std::uint32_t channel = next_input;
      next_input = (next_input + 1) % count;
      if (handler.is_blocked(channel)) continue;
      if (cursors[channel] == inputs[channel].size()) continue;
      const NetworkBuffer& buffer = inputs[channel][cursors[channel]++];
      ++result.buffers;
      if (buffer.kind == to_kind(ChannelEvent::kBarrier)) {
        handler.on_barrier(channel, static_cast<CheckpointId>(buffer.tag), 0, actions);
        for (const BarrierAction& action : actions) {
          if (action.kind == BarrierAction::Kind::kTriggerCheckpoint) ++result.barriers;
        }
        actions.clear();
      } else {
        result.checksum += fold_records(buffer);
      }
      took = true;
      break;
    }
  }
  return result;
}

void PerBuffer(benchmark::State& state) {
  const auto records_per_buffer = static_cast<std::uint32_t>(state.range(0));
  const std::vector<std::vector<NetworkBuffer>> inputs = make_inputs(records_per_buffer);
  std::vector<BarrierAction> actions;
  actions.reserve(4);
  double pass_through_s = 0;
  std::vector<double> ratios;
  std::uint64_t buffers = 0;
  std::uint64_t iteration = 0;
  for (auto _ : state) {
    auto aligned = std::make_unique<AlignedBarrierHandler>(kChannels);
    BarrierHandler* handler = aligned.get();
    benchmark::DoNotOptimize(handler);  // dispatch through the interface, as a task does
    // Alternate the order so neither loop always runs on a warmer cache.
    LoopResult with_handler;
    LoopResult baseline;
    std::chrono::duration<double> handler_time{};
    std::chrono::duration<double> pass_through_time{};
    for (int turn = 0; turn < 2; ++turn) {
      const auto start = Clock::now();
      if ((turn == 0) == (iteration % 2 == 0)) {
        with_handler = run_with_handler(inputs, *handler, actions);
        handler_time = Clock::now() - start;
      } else {
        baseline = run_pass_through(inputs);
        pass_through_time = Clock::now() - start;
      }
    }
    ++iteration;
    benchmark::DoNotOptimize(with_handler.checksum);
    benchmark::DoNotOptimize(baseline.checksum);
    CKPT_ASSERT(with_handler.checksum == baseline.checksum, "both loops decode the same records");
    CKPT_ASSERT(with_handler.barriers == kBuffersPerChannel / kBarrierEvery, "every checkpoint triggers once");
    state.SetIterationTime(handler_time.count());
    pass_through_s += pass_through_time.count();
    ratios.push_back(handler_time / pass_through_time);
    buffers += with_handler.buffers;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(buffers));
  state.counters["handler_vs_pass_through"] = median(ratios);
  state.counters["pass_through_buffers_per_second"] = static_cast<double>(buffers) / pass_through_s;
}
BENCHMARK(PerBuffer)->Arg(1)->Arg(16)->Arg(128)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The least a tracker must do to align: mark the channel, count, reset on completion.
struct MinimalTracker {
  std::vector<bool> arrived;
  std::uint32_t arrived_count = 0;
  bool on_barrier(std::uint32_t channel) {
    arrived[channel] = true;
    if (++arrived_count < arrived.size()) return false;
    arrived.assign(arrived.size(), false);
    arrived_count = 0;
    return true;
  }
};

constexpr std::uint32_t kAlignmentsPerBatch = 256;

void Alignment(benchmark::State& state) {
  const auto channels = static_cast<std::uint32_t>(state.range(0));
  auto aligned = std::make_unique<AlignedBarrierHandler>(channels);
  BarrierHandler* handler = aligned.get();
  benchmark::DoNotOptimize(handler);
  MinimalTracker minimal{std::vector<bool>(channels, false), 0};
  std::vector<BarrierAction> actions;
  actions.reserve(4);
  CheckpointId next_id = 1;
  double handler_s = 0;
  std::vector<double> ratios;
  for (auto _ : state) {
    std::uint64_t triggers = 0;
    auto start = Clock::now();
    for (std::uint32_t a = 0; a < kAlignmentsPerBatch; ++a, ++next_id) {
      for (std::uint32_t channel = 0; channel < channels; ++channel) {
        handler->on_barrier(channel, next_id, 0, actions);
      }
      triggers += actions.size();
      actions.clear();
    }
    const std::chrono::duration<double> handler_time = Clock::now() - start;
    start = Clock::now();
    for (std::uint32_t a = 0; a < kAlignmentsPerBatch; ++a) {
      for (std::uint32_t channel = 0; channel < channels; ++channel) triggers += minimal.on_barrier(channel) ? 1 : 0;
    }
    const std::chrono::duration<double> minimal_time = Clock::now() - start;
    CKPT_ASSERT(triggers == 2 * kAlignmentsPerBatch, "every alignment triggers exactly once on both sides");
    state.SetIterationTime(handler_time.count());
    handler_s += handler_time.count();
    ratios.push_back(handler_time / minimal_time);
  }
  const auto alignments = static_cast<double>(state.iterations()) * kAlignmentsPerBatch;
  state.SetItemsProcessed(static_cast<std::int64_t>(alignments));
  state.counters["barriers_per_second"] = alignments * channels / handler_s;
  state.counters["handler_vs_minimal"] = median(ratios);
}
BENCHMARK(Alignment)->Arg(2)->Arg(16)->Arg(256)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

// Benchmarks run with the same allocator settings as ckptsim itself.
static const bool kAllocatorConfigured = [] {
  ckptsim::sim::configure_allocator_for_simulation();
  return true;
}();
