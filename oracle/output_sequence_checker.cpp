// output.aggregate_counts and output.order: properties of the sequence of committed
// records of one exactly-once sink, each checked in one linear pass over its records.
#include <algorithm>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "oracle/checker_support.h"
#include "oracle/checkers.h"
#include "oracle/lineage_order.h"
#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

// Committed agg_count values of each key must be exactly 1..n, n the reference count:
// per (key, value) a counter; a second copy is a duplicate, a value outside 1..n is wrong,
// and once the job finished every counter must be 1.
class AggregateCountCheck {
 public:
  AggregateCountCheck(const JudgeContext& context, OperatorIndex sink, OperatorIndex aggregate, ViolationLog& log)
      : context_(context), sink_(sink), aggregate_(aggregate), log_(log),
        reference_(context.reference.aggregates[aggregate]) {
    base_.reserve(reference_.size() + 1);
    base_.push_back(0);
    slot_of_key_.reserve(reference_.size());
    for (std::size_t slot = 0; slot < reference_.size(); ++slot) {
      slot_of_key_.emplace(reference_[slot].key, slot);
      base_.push_back(base_.back() + reference_[slot].count);
    }
    copies_.assign(base_.back(), 0);
  }

  void run() {
    const CommittedOutput& committed = context_.committed;
    for (std::uint32_t commit : committed.sinks[sink_].commits) {
      for (const Record& record : context_.observations.batch_records(committed.commits[commit].batch)) {
        observe(record.key, record.agg_count, committed.commits[commit]);
      }
    }
    log_.count_checked(kOutputAggregateCounts, reference_.size());
    if (job_finish(context_.observations).has_value()) report_gaps();
  }

 private:
  void observe(std::uint64_t key, std::uint64_t value, const CommitEvent& commit) {
    auto it = slot_of_key_.find(key);
    const std::uint64_t n = it == slot_of_key_.end() ? 0 : reference_[it->second].count;
    if (value == 0 || value > n) {
      log_.report_lazy(kOutputAggregateCounts, commit.time_ns, commit.event_index, [&] {
        return prefix(key) + "agg_count " + std::to_string(value) + " committed, outside 1.." + std::to_string(n);
      });
      return;
    }
    if (++copies_[base_[it->second] + value - 1] != 2) return;
    log_.report_lazy(kOutputAggregateCounts, commit.time_ns, commit.event_index, [&] {
      return prefix(key) + "agg_count " + std::to_string(value) + " committed twice (a duplicate)";
    });
  }

  // The first gap of every key, in key order, judged when the run ended.
  void report_gaps() {
    const RunPoint end = run_end(context_.observations);
    for (std::size_t slot = 0; slot < reference_.size(); ++slot) {
      const auto first = copies_.begin() + static_cast<std::ptrdiff_t>(base_[slot]);
      const auto last = copies_.begin() + static_cast<std::ptrdiff_t>(base_[slot + 1]);
      const auto gap = std::find(first, last, 0u);
      if (gap == last) continue;
      const auto gap_end = std::find_if(gap, last, [](std::uint32_t c) { return c != 0; });
      const std::uint64_t from = static_cast<std::uint64_t>(gap - first) + 1;
      const std::uint64_t to = static_cast<std::uint64_t>(gap_end - first);
      log_.report_lazy(kOutputAggregateCounts, end.time_ns, end.event_index, [&] {
        return prefix(reference_[slot].key) + "agg_count " + std::to_string(from) +
               (from == to ? "" : ".." + std::to_string(to)) + " never committed (a gap)";
      });
    }
  }

  std::string prefix(std::uint64_t key) const {
    return "sink " + quoted(context_.topology.op(sink_).name) + ", aggregate " +
           quoted(context_.topology.op(aggregate_).name) + ", key " + std::to_string(key) + ": ";
  }

  const JudgeContext& context_;
  OperatorIndex sink_;
  OperatorIndex aggregate_;
  ViolationLog& log_;
  const std::vector<KeyedAggregateEntry>& reference_;           // sorted by key
  std::unordered_map<std::uint64_t, std::size_t> slot_of_key_;  // key -> index in reference_; never iterated
  std::vector<std::uint64_t> base_;                             // by slot: first counter of the key
  std::vector<std::uint32_t> copies_;                           // by (key, value): copies committed
};

// How often each lineage was seen in the current sink subtask: a flat array when the input
// is small enough, else a hash map.
class LineageCopies {
 public:
  explicit LineageCopies(const sim::InputLogSpec& input) {
    const std::uint64_t slots = lineage_slot_count(input);
    if (slots <= kLineageSlotsCountingMax) flat_.assign(slots, 0);
  }
  // The number of earlier copies; counts this one.
  std::uint32_t next(std::uint64_t slot) { return flat_.empty() ? sparse_[slot]++ : flat_[slot]++; }
  void reset(std::uint64_t slot) {
    if (flat_.empty()) {
      sparse_.erase(slot);
    } else {
      flat_[slot] = 0;
    }
  }

 private:
  std::vector<std::uint32_t> flat_;
  std::unordered_map<std::uint64_t, std::uint32_t> sparse_;  // never iterated
};

struct PartitionKeyHash {
  std::size_t operator()(const std::pair<std::uint32_t, std::uint64_t>& pk) const {
    return static_cast<std::size_t>(digest_mix(pk.second ^ (std::uint64_t{pk.first} << 40)));
  }
};

void report_order(const JudgeContext& context, OperatorIndex sink, const CommitEvent& commit, const Record& record,
                  std::size_t position, std::uint64_t previous, ViolationLog& log) {
  log.report_lazy(kOutputOrder, commit.time_ns, commit.event_index, [&] {
    return "sink " + quoted(context.topology.op(sink).name) + " subtask " + std::to_string(commit.sink_subtask) +
           ", partition " + std::to_string(record.partition) + ", key " + std::to_string(record.key) + ": offset " +
           std::to_string(record.offset) + " committed after offset " + std::to_string(previous) + " (transaction " +
           quoted(context.observations.transactions[commit.transaction].name) + ", position " +
           std::to_string(position) + ")";
  });
}

// The sink's transactional commits in the order a correct run emitted their records:
// by sink subtask, then checkpoint id, then commit.
std::vector<std::uint32_t> commits_in_emission_order(const CommittedOutput& committed, OperatorIndex sink) {
  std::vector<std::uint32_t> commits;
  for (std::uint32_t commit : committed.sinks[sink].commits) {
    if (committed.commits[commit].transaction != kNoIndex) commits.push_back(commit);  // direct writes carry no order
  }
  std::sort(commits.begin(), commits.end(), [&](std::uint32_t a, std::uint32_t b) {
    const CommitEvent& x = committed.commits[a];
    const CommitEvent& y = committed.commits[b];
    return std::tie(x.sink_subtask, x.checkpoint_id, a) < std::tie(y.sink_subtask, y.checkpoint_id, b);
  });
  return commits;
}

}  // namespace

void check_aggregate_counts(const JudgeContext& context, OperatorIndex sink, OperatorIndex aggregate,
                            ViolationLog& log) {
  AggregateCountCheck(context, sink, aggregate, log).run();
}

// Within one (sink subtask, partition, key), the k-th committed copies of the offsets must
// be in increasing offset order for every k: each FIFO path carries every offset once, so
// the k-th copies form one path's sequence. Copies are counted per lineage, layers per
// (partition, key); both are reset between sink subtasks.
void check_output_order(const JudgeContext& context, OperatorIndex sink, ViolationLog& log) {
  const CommittedOutput& committed = context.committed;
  const sim::InputLogSpec& input = context.config.input;
  const std::vector<std::uint32_t> commits = commits_in_emission_order(committed, sink);
  LineageCopies copies(input);
  std::unordered_map<std::pair<std::uint32_t, std::uint64_t>, std::vector<std::uint64_t>, PartitionKeyHash> layers;
  std::size_t block_start = 0;
  std::uint64_t checked = 0;
  for (std::size_t i = 0; i <= commits.size(); ++i) {
    const bool block_ends = i == commits.size() ||
                            (i > 0 && committed.commits[commits[i - 1]].sink_subtask != committed.commits[commits[i]].sink_subtask);
    if (block_ends) {
      for (std::size_t b = block_start; b < i; ++b) {
        for (const Record& r : context.observations.batch_records(committed.commits[commits[b]].batch)) {
          copies.reset(lineage_slot(input, r.partition, r.offset));
        }
      }
      layers.clear();
      block_start = i;
    }
    if (i == commits.size()) break;
    const CommitEvent& commit = committed.commits[commits[i]];
    const std::span<const Record> records = context.observations.batch_records(commit.batch);
    for (std::size_t position = 0; position < records.size(); ++position) {
      const Record& record = records[position];
      const std::uint64_t slot = lineage_slot(input, record.partition, record.offset);
      if (slot + 1 == lineage_slot_count(input)) continue;  // not from the input: output.unexpected
      ++checked;
      const std::uint32_t layer = copies.next(slot);
      std::vector<std::uint64_t>& last = layers[{record.partition, record.key}];
      CKPT_ASSERT(layer <= last.size(), "the k-th copy follows k earlier copies");
      if (layer == last.size()) {
        last.push_back(record.offset);
      } else if (record.offset > last[layer]) {
        last[layer] = record.offset;
      } else {
        report_order(context, sink, commit, record, position, last[layer], log);
      }
    }
  }
  log.count_checked(kOutputOrder, checked);
}

}  // namespace ckptsim::oracle
