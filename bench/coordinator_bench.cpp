// CheckpointCoordinator acknowledgement handling, measured against inserting the same
// acknowledgements into a std::map keyed by TaskRef, in the same run.
//
//  * Acks/N: one checkpoint per iteration over a deployment of N subtasks (one source).
//    The trigger and its id write, and after the acks the metadata write, completion
//    and subsumption of the previous checkpoint, run untimed; the timed part is the N
//    receive_acknowledge calls (the last one finalizes the checkpoint and queues its
//    metadata write, so that is included). Each ack carries a state handle naming one
//    blob, built before the timed part. items_per_second is acks per second; vs_target
//    is that rate / 5 M acks/s (target: >= 1); vs_map is coordinator time / map time
//    for the same acks, both measured in every iteration (median over iterations); cycle_acks_per_second
//    counts the whole checkpoint (trigger to subsumption) per ack; last_ack_share is
//    the part of the ack time spent in the last ack (finalization), and
//    acks_before_last_per_second the rate of the other N - 1 acks.
//  * MapInsert/N: the baseline alone: N (TaskRef -> state handle, metrics) emplaces into
//    a std::map (freeing the map is not timed, on either side).
// The env doubles are minimal: a fixed clock, timers that never fire (only the checkpoint
// timeout is scheduled, and cancelled), a blob store that queues operations and completes
// them when the benchmark says so, a gateway that drops every call.
#include <benchmark/benchmark.h>

#include "sim/allocator_tuning.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocol/base/assert.h"
#include "protocol/checkpoint/checkpoint_coordinator.h"

namespace {

using namespace ckptsim;
using WallClock = std::chrono::steady_clock;

constexpr double kTargetAcksPerSecond = 5e6;

class FixedClock final : public Clock {
 public:
  TimeNs now_ns() const override { return now_ns_; }
  void advance(DurationNs delta_ns) { now_ns_ += delta_ns; }

 private:
  TimeNs now_ns_ = 0;
};

// Holds scheduled callbacks; the benchmark never lets them fire.
class IdleTimers final : public Timers {
 public:
  TimerId schedule_after(DurationNs delay_ns, std::function<void()> callback) override {
    CKPT_ASSERT(delay_ns >= 0, "negative timer delay");
    const TimerId id = next_id_++;
    pending_.emplace(id, std::move(callback));
    return id;
  }
  bool cancel(TimerId timer) override { return pending_.erase(timer) != 0; }
  std::size_t size() const { return pending_.size(); }

 private:
  TimerId next_id_ = 1;
  std::unordered_map<TimerId, std::function<void()>> pending_;
};

class CountingRandomness final : public Randomness {
 public:
  std::uint64_t next_u64() override { return ++state_; }
  std::uint64_t uniform_below(std::uint64_t bound) override {
    CKPT_ASSERT(bound > 0, "uniform_below needs a positive bound");
    return next_u64() % bound;
  }

 private:
  std::uint64_t state_ = 0;
};

// Operations are queued and complete, in order, in run_pending(): the coordinator never
// sees a completion inside its own call.
class QueuedBlobStore final : public BlobStore {
 public:
  void put(const std::string& name, Bytes bytes, std::function<void(Status)> done) override {
    pending_.push_back([this, name, bytes = std::move(bytes), done = std::move(done)]() mutable {
      blobs_[name] = std::move(bytes);
      done(Status::ok());
    });
  }
  void get(const std::string& name, std::function<void(Result<Bytes>)> done) override {
    pending_.push_back([this, name, done = std::move(done)] {
      auto it = blobs_.find(name);
      if (it == blobs_.end()) {
        done(Status::not_found(name));
      } else {
        done(it->second);
      }
    });
  }
  void remove(const std::string& name, std::function<void(Status)> done) override {
    pending_.push_back([this, name, done = std::move(done)] {
      done(blobs_.erase(name) != 0 ? Status::ok() : Status::not_found(name));
    });
  }
  std::vector<std::string> list(const std::string& prefix) const override {
    std::vector<std::string> names;
    for (auto it = blobs_.lower_bound(prefix); it != blobs_.end() && it->first.starts_with(prefix); ++it) {
      names.push_back(it->first);
    }
    return names;
  }
  void run_pending() {
    for (int i = 0; i < kMaxOperationsPerRun && !pending_.empty(); ++i) {
      std::function<void()> operation = std::move(pending_.front());
      pending_.pop_front();
      operation();
    }
    CKPT_ASSERT(pending_.empty(), "blob store operations keep queueing more");
  }

 private:
  static constexpr int kMaxOperationsPerRun = 1'000'000;
  std::map<std::string, Bytes> blobs_;
  std::deque<std::function<void()>> pending_;
};

class NoOpGateway final : public CheckpointTaskGateway {
 public:
  void trigger_checkpoint(TaskRef, CheckpointId, TimeNs) override {}
  void notify_checkpoint_complete(TaskRef, CheckpointId) override {}
  void notify_checkpoint_aborted(TaskRef, CheckpointId, CheckpointId) override {}
};

struct Ack {
  TaskRef task;
  SubtaskStateHandle state;
  SubtaskCheckpointMetrics metrics;
};

// One ack per subtask, each naming a blob unique to (checkpoint, subtask, attempt).
std::vector<Ack> make_acks(CheckpointId id, std::uint32_t subtasks) {
  std::vector<Ack> acks;
  acks.reserve(subtasks);
  for (std::uint32_t subtask = 0; subtask < subtasks; ++subtask) {
    Ack ack{TaskRef{subtask, 0}, {}, SubtaskCheckpointMetrics{kMillisecond, kMillisecond, kMillisecond, 1024, 0}};
    ack.state.blob_names.push_back("job/chk-" + std::to_string(id) + "/subtask-" + std::to_string(subtask));
    ack.state.state_size_bytes = 1024;
    ack.state.checksum = static_cast<std::uint64_t>(id) * 131 + subtask;
    acks.push_back(std::move(ack));
  }
  return acks;
}

// Median of per-iteration ratios: a preemption slows one timed loop of one iteration,
// which shifts a total-time ratio but not the median.
double median(std::vector<double> values) {
  CKPT_ASSERT(!values.empty(), "a median needs values");
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// The baseline's container: what a coordinator must at least keep per ack.
using AckMap = std::map<TaskRef, std::pair<SubtaskStateHandle, SubtaskCheckpointMetrics>>;

// A recovered coordinator with N tasks deployed, and its env.
struct Harness {
  explicit Harness(std::uint32_t subtasks) {
    CheckpointCoordinatorEnv env{clock, timers, randomness, blobs, gateway, nullptr, {}};
    coordinator.emplace(CheckpointCoordinatorConfig{}, std::move(env));
    bool recovered = false;
    coordinator->recover([&recovered](Result<CoordinatorRecovery> result) { recovered = result.is_ok(); });
    blobs.run_pending();
    CKPT_ASSERT(recovered, "an empty blob store recovers");
    std::vector<TaskRef> tasks;
    for (std::uint32_t subtask = 0; subtask < subtasks; ++subtask) tasks.push_back(TaskRef{subtask, 0});
    coordinator->set_tasks({tasks.front()}, tasks);
  }

  FixedClock clock;
  IdleTimers timers;
  CountingRandomness randomness;
  QueuedBlobStore blobs;
  NoOpGateway gateway;
  std::optional<CheckpointCoordinator> coordinator;
};

void Acks(benchmark::State& state) {
  const auto subtasks = static_cast<std::uint32_t>(state.range(0));
  Harness harness(subtasks);
  CheckpointCoordinator& coordinator = *harness.coordinator;
  double ack_s = 0;
  std::vector<double> map_ratios;
  double cycle_s = 0;
  double last_ack_s = 0;
  std::uint64_t acks_total = 0;
  for (auto _ : state) {
    const CheckpointId id = coordinator.next_checkpoint_id();
    std::vector<Ack> acks = make_acks(id, subtasks);
    std::vector<Ack> map_acks = acks;

    const auto cycle_start = WallClock::now();
    coordinator.trigger_checkpoint();
    harness.blobs.run_pending();  // the id write; the trigger goes out
    CKPT_ASSERT(coordinator.pending_ids() == std::vector<CheckpointId>{id}, "the checkpoint is awaiting acks");
    const auto ack_start = WallClock::now();
    for (std::size_t i = 0; i + 1 < acks.size(); ++i) {
      const TaskAcknowledgeResult result =
          coordinator.receive_acknowledge(acks[i].task, id, std::move(acks[i].state), acks[i].metrics);
      benchmark::DoNotOptimize(result);
    }
    const auto last_ack_start = WallClock::now();
    const TaskAcknowledgeResult last_result =
        coordinator.receive_acknowledge(acks.back().task, id, std::move(acks.back().state), acks.back().metrics);
    benchmark::DoNotOptimize(last_result);
    const auto ack_end = WallClock::now();
    const std::chrono::duration<double> ack_time = ack_end - ack_start;
    last_ack_s += std::chrono::duration<double>(ack_end - last_ack_start).count();
    harness.clock.advance(kMillisecond);
    harness.blobs.run_pending();  // metadata write, completion, subsumption removals
    const std::chrono::duration<double> cycle_time = WallClock::now() - cycle_start;
    CKPT_ASSERT(coordinator.latest_completed() != nullptr && coordinator.latest_completed()->id == id,
                "every ack in completes the checkpoint");

    AckMap baseline;
    const auto map_start = WallClock::now();
    for (Ack& ack : map_acks) baseline.emplace(ack.task, std::make_pair(std::move(ack.state), ack.metrics));
    benchmark::DoNotOptimize(baseline.size());
    const std::chrono::duration<double> map_time = WallClock::now() - map_start;

    state.SetIterationTime(ack_time.count());
    ack_s += ack_time.count();
    map_ratios.push_back(ack_time / map_time);
    cycle_s += cycle_time.count();
    acks_total += subtasks;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(acks_total));
  const double acks_per_second = static_cast<double>(acks_total) / ack_s;
  state.counters["vs_target"] = acks_per_second / kTargetAcksPerSecond;
  state.counters["vs_map"] = median(map_ratios);
  state.counters["cycle_acks_per_second"] = static_cast<double>(acks_total) / cycle_s;
  state.counters["last_ack_share"] = last_ack_s / ack_s;
  state.counters["acks_before_last_per_second"] =
      static_cast<double>(acks_total - state.iterations()) / (ack_s - last_ack_s);
}
BENCHMARK(Acks)->Arg(1000)->Arg(10000)->UseManualTime()->Unit(benchmark::kMicrosecond);

void MapInsert(benchmark::State& state) {
  const auto subtasks = static_cast<std::uint32_t>(state.range(0));
  const std::vector<Ack> prototype = make_acks(1, subtasks);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Ack> acks = prototype;
    AckMap baseline;
    state.ResumeTiming();
    for (Ack& ack : acks) baseline.emplace(ack.task, std::make_pair(std::move(ack.state), ack.metrics));
    benchmark::DoNotOptimize(baseline.size());
    state.PauseTiming();  // freeing the map is not part of inserting (nor of the coordinator's acks)
    baseline.clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * subtasks));
}
BENCHMARK(MapInsert)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

}  // namespace

// Benchmarks run with the same allocator settings as ckptsim itself.
static const bool kAllocatorConfigured = [] {
  ckptsim::sim::configure_allocator_for_simulation();
  return true;
}();
