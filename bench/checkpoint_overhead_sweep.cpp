// Checkpoint overhead sweep (issue 7, benchmark item 2): runs the real protocol in the
// simulator over a grid of checkpoint interval x checkpointing mode x backpressure x
// state size and reports, per cell, what checkpointing costs in SIMULATED time:
// throughput, p99 end-to-end latency, checkpoint duration and alignment. Nothing here
// is a wall-clock measurement, so every number is deterministic (fixed seed, no faults).
//
//   checkpoint_overhead_sweep [--out DIR] [--jobs N] [--seed S]
//
// writes DIR/checkpoint-overhead.json, DIR/checkpoint-overhead.md (tables) and
// DIR/checkpoint-overhead.html (Vega-Lite charts, the libraries inlined as in
// report.html). docs/benchmarks.md explains the model; in short:
//
//  * Job: source (p=2) -hash-> count (keyed-aggregate, p=2) -forward-> sink (p=2) on 2
//    task managers, 4 input partitions x 5 000 records/s (20 000 records/s), 800 000
//    records (40 s of input), 4 096 uniform keys.
//  * Backpressure: the sink costs 125 us per record (2 x 8 000 = 16 000 records/s < the
//    20 000 records/s input), so the sink is the bottleneck for the whole run. Without:
//    1 us per record.
//  * Modes: none (interval 0, at-least-once sink writing directly), aligned exactly-once
//    (EXACTLY_ONCE + two-phase-commit sink), at-least-once (AT_LEAST_ONCE + at-least-once
//    sink). Unaligned checkpoints are not modelled (listed as n/a).
//  * State size: the job's real state is about 114 KiB (4 096 keys). A modelled state
//    of M bytes scales it by F = M / (the real state of a calibration run): the
//    synchronous snapshot costs F x the default 1 us per KiB
//    (ckptsim.state.sync-snapshot-cost-per-kib), and the upload of every task state blob
//    takes as long as F x its bytes would at the storage's write bandwidth (200 MB/s),
//    through a BlobStorageFaults::extra_put_delay_ns hook installed with the runner's
//    RunTamper seam (the storage model has no scenario key). No real large state is
//    allocated.
//  * Metrics: throughput = records read by the sources per simulated second in [5 s, 35 s)
//    (exact bucket counts); p99 latency = commit time - availability in the input (the
//    timeline's histogram); checkpoint duration p50/max; alignment p50 (max over subtasks
//    per checkpoint, median over checkpoints).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/base/assert.h"
#include "reports/html_page.h"
#include "reports/vega_bundle.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "sim/allocator_tuning.h"
#include "sim/cluster/sim_cluster.h"
#include "sim/storage/sim_blob_store.h"
#include "sim/storage/storage_model.h"

namespace {

using namespace ckptsim;
using Json = nlohmann::json;

// ---- the grid ------------------------------------------------------------------------

constexpr std::uint64_t kDefaultSeed = 42;
constexpr std::int64_t kPartitions = 4;
constexpr std::int64_t kRecordsPerSecondPerPartition = 5'000;
constexpr std::int64_t kRecordsPerPartition = 200'000;   // 40 s of input
constexpr std::int64_t kKeys = 4'096;
constexpr const char* kSinkCostFree = "1us";
constexpr const char* kSinkCostBackpressured = "125us";    // 8 000 records/s per sink subtask
constexpr DurationNs kDefaultSyncNsPerKib = 1 * kMicrosecond;  // the scenario default
// Throughput is measured in this window of simulated time: after start-up, before the
// input ends (40 s), 3 checkpoints even at a 10 s interval. On 100 ms bucket boundaries.
constexpr TimeNs kWindowStartNs = 5 * kSecond;
constexpr TimeNs kWindowEndNs = 35 * kSecond;

const std::vector<DurationNs> kIntervals = {10 * kMillisecond, 100 * kMillisecond, 1 * kSecond, 10 * kSecond};

struct StateSize {
  std::string label;
  std::uint64_t bytes;
};
const std::vector<StateSize> kStateSizes = {
    {"1 MB", 1ULL << 20}, {"100 MB", 100ULL << 20}, {"1 GB", 1ULL << 30}};

enum class Mode { kNone, kAlignedExactlyOnce, kAtLeastOnce };
std::string mode_name(Mode m) {
  switch (m) {
    case Mode::kNone: return "none";
    case Mode::kAlignedExactlyOnce: return "aligned exactly-once";
    case Mode::kAtLeastOnce: return "at-least-once";
  }
  return "?";
}

struct Cell {
  Mode mode = Mode::kNone;
  DurationNs interval_ns = 0;   // 0 for mode none
  bool backpressure = false;
  int state_index = -1;         // -1 for mode none (no checkpoint, no snapshot)
  std::uint64_t scale = 1;      // F: modelled bytes per real byte
};

struct CellResult {
  Cell cell;
  bool job_finished = false;
  std::uint64_t fingerprint = 0;
  double simulated_s = 0;
  std::uint64_t records_in = 0;
  std::uint64_t source_records = 0;
  std::uint64_t sink_records = 0;
  double input_end_s = 0;           // end of the last time bucket in which a source emitted records
  double throughput_rps = 0;        // records read by the sources per second in the steady window
  double whole_run_rps = 0;         // source_records / input_end_s (resolution: one 100 ms bucket)
  double output_end_s = 0;          // end of the last time bucket in which a sink handed records to the store
  double output_rps = 0;            // sink_records / output_end_s
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
  std::uint64_t checkpoints_triggered = 0;
  std::uint64_t checkpoints_completed = 0;
  std::uint64_t checkpoints_failed = 0;
  std::map<std::string, std::uint64_t> failure_reasons;   // failed checkpoints by reason
  TimeNs first_failure_ns = -1;                          // trigger time of the first failed checkpoint
  double checkpoint_p50_ms = 0;
  double checkpoint_max_ms = 0;
  double alignment_p50_ms = 0;
  double alignment_max_ms = 0;
  double sync_p50_ms = 0;
  double async_p50_ms = 0;
  std::uint64_t real_state_p50_bytes = 0;     // median over completed checkpoints, sum over subtasks
  std::uint64_t modelled_state_p50_bytes = 0; // scale x that
  double wall_s = 0;                          // printed only; not in the JSON (not deterministic)
};

std::string format_duration_text(DurationNs ns) {
  if (ns % kSecond == 0) return std::to_string(ns / kSecond) + "s";
  return std::to_string(ns / kMillisecond) + "ms";
}

// ---- the modelled upload time ---------------------------------------------------------

// Makes every task state blob's upload take as long as `scale` times its bytes would:
// adds (scale - 1) x bytes at the storage's write bandwidth. Metadata and other blobs
// keep their modelled duration.
class ScaledUpload final : public sim::BlobStorageFaults {
 public:
  ScaledUpload(std::uint64_t scale, std::uint64_t write_bytes_per_second)
      : scale_(scale), write_bytes_per_second_(write_bytes_per_second) {}
  Status on_put(const std::string&, std::size_t bytes) override {
    last_bytes_ = bytes;
    return Status::ok();
  }
  DurationNs extra_put_delay_ns(const std::string& name) override {
    const bool state_blob = name.find("/chk-") != std::string::npos &&
                            !(name.size() >= 10 && name.compare(name.size() - 10, 10, "/_metadata") == 0);
    if (!state_blob || scale_ <= 1 || last_bytes_ == 0) return 0;
    return sim::transfer_duration_ns(0, static_cast<std::size_t>(last_bytes_ * (scale_ - 1)), write_bytes_per_second_);
  }

 private:
  std::uint64_t scale_;
  std::uint64_t write_bytes_per_second_;
  std::size_t last_bytes_ = 0;
};

// ---- one run --------------------------------------------------------------------------

scenarios::Scenario make_scenario(const Cell& cell, std::uint64_t seed) {
  const bool checkpoints = cell.mode != Mode::kNone;
  Json config = {
      {"execution.checkpointing.interval", checkpoints ? format_duration_text(cell.interval_ns) : "0ms"},
      {"execution.checkpointing.mode", cell.mode == Mode::kAtLeastOnce ? "AT_LEAST_ONCE" : "EXACTLY_ONCE"},
      {"sink.delivery-guarantee", cell.mode == Mode::kAlignedExactlyOnce ? "exactly-once" : "at-least-once"},
      {"ckptsim.state.sync-snapshot-cost-per-kib",
       std::to_string(static_cast<std::int64_t>(cell.scale) * kDefaultSyncNsPerKib) + "ns"},
  };
  Json doc = {
      {"name", "checkpoint-overhead-sweep"},
      {"description", "bench/checkpoint_overhead_sweep.cpp: one cell of the grid"},
      {"seed", seed},
      {"job",
       {{"operators",
         Json::array({{{"name", "source"}, {"kind", "source"}, {"parallelism", 2}, {"cost-per-record", "1us"}},
                      {{"name", "count"}, {"kind", "keyed-aggregate"}, {"parallelism", 2}, {"cost-per-record", "5us"}},
                      {{"name", "sink"},
                       {"kind", "sink"},
                       {"parallelism", 2},
                       {"cost-per-record", cell.backpressure ? kSinkCostBackpressured : kSinkCostFree}}})},
        {"edges", Json::array({{{"from", "source"}, {"to", "count"}, {"partitioning", "hash"}},
                               {{"from", "count"}, {"to", "sink"}, {"partitioning", "forward"}}})}}},
      {"input",
       {{"partitions", kPartitions},
        {"records-per-partition", kRecordsPerPartition},
        {"records-per-second", kRecordsPerSecondPerPartition},
        {"keys", kKeys}}},
      {"config", config},
      {"cluster", {{"task-managers", 2}}},
      {"run", {{"max-duration", "10min"}}},
  };
  Result<scenarios::Scenario> parsed = scenarios::parse_scenario(doc.dump());
  if (!parsed.is_ok()) {
    std::cerr << "internal error: sweep scenario rejected: " << parsed.status().to_string() << "\n";
    std::exit(2);
  }
  return std::move(parsed).value();
}

double ms(DurationNs ns) { return static_cast<double>(ns) / 1e6; }

template <typename T>
T median_of(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

CellResult run_cell(const Cell& cell, std::uint64_t seed) {
  const auto wall_start = std::chrono::steady_clock::now();
  const scenarios::Scenario scenario = make_scenario(cell, seed);
  ScaledUpload upload(cell.scale, sim::BlobStorageModel{}.write_bytes_per_second);
  scenarios::RunOptions options;
  options.judge = false;
  options.record_timeline = true;
  options.tamper = [&upload](sim::Simulation&, sim::SimCluster& cluster) {
    CKPT_ASSERT(cluster.storage().faults() == nullptr, "no faults: the storage has no hooks yet");
    CKPT_ASSERT(cluster.storage().model().write_bytes_per_second == sim::BlobStorageModel{}.write_bytes_per_second,
                "the default storage model");
    cluster.storage().set_faults(&upload);
  };
  const scenarios::RunOutcome outcome = scenarios::run_scenario(scenario, options);
  const reports::RunSummary& s = outcome.summary;
  const reports::Timeline& t = outcome.timeline;

  CellResult r;
  r.cell = cell;
  r.job_finished = s.job_finished;
  r.fingerprint = s.fingerprint;
  r.simulated_s = static_cast<double>(s.simulated_ns) / 1e9;
  r.records_in = s.records_in;
  TimeNs input_end_ns = 0;
  TimeNs output_end_ns = 0;
  for (const reports::TimelineBucket& b : t.buckets) {
    r.source_records += b.source_records;
    r.sink_records += b.sink_records;
    if (b.source_records > 0) input_end_ns = b.start_ns + t.bucket_ns;
    if (b.sink_records > 0) output_end_ns = b.start_ns + t.bucket_ns;
  }
  r.input_end_s = static_cast<double>(input_end_ns) / 1e9;
  r.output_end_s = static_cast<double>(output_end_ns) / 1e9;
  r.whole_run_rps = input_end_ns > 0 ? static_cast<double>(r.source_records) / r.input_end_s : 0;
  // Steady state: whole buckets inside [kWindowStart, kWindowEnd), exact counts.
  CKPT_ASSERT(t.bucket_ns > 0 && kWindowStartNs % t.bucket_ns == 0 && kWindowEndNs % t.bucket_ns == 0,
              "the window starts and ends on bucket boundaries");
  std::uint64_t window_records = 0;
  for (const reports::TimelineBucket& b : t.buckets) {
    if (b.start_ns >= kWindowStartNs && b.start_ns + t.bucket_ns <= kWindowEndNs) window_records += b.source_records;
  }
  r.throughput_rps = static_cast<double>(window_records) * 1e9 / static_cast<double>(kWindowEndNs - kWindowStartNs);
  r.output_rps = output_end_ns > 0 ? static_cast<double>(r.sink_records) / r.output_end_s : 0;
  r.latency_p50_ms = ms(t.latency_p50_ns);
  r.latency_p99_ms = ms(t.latency_p99_ns);
  r.checkpoints_triggered = s.checkpoints_triggered;
  r.checkpoints_completed = s.checkpoints_completed;
  r.checkpoints_failed = s.checkpoints_failed;
  r.checkpoint_p50_ms = ms(s.checkpoint_duration.p50_ns);
  r.checkpoint_max_ms = ms(s.checkpoint_duration.max_ns);
  r.alignment_p50_ms = ms(s.alignment.p50_ns);
  r.alignment_max_ms = ms(s.alignment.max_ns);
  std::vector<DurationNs> sync, async;
  std::vector<std::uint64_t> state;
  for (const reports::CheckpointRecord& c : s.checkpoints) {
    if (c.status == "FAILED") {
      ++r.failure_reasons[c.failure_reason];
      if (r.first_failure_ns < 0) r.first_failure_ns = c.trigger_time_ns;
    }
    if (c.status != "COMPLETED") continue;
    sync.push_back(c.sync_ns);
    async.push_back(c.async_ns);
    state.push_back(c.state_size_bytes);
  }
  r.sync_p50_ms = ms(median_of(sync));
  r.async_p50_ms = ms(median_of(async));
  r.real_state_p50_bytes = median_of(state);
  r.modelled_state_p50_bytes = r.real_state_p50_bytes * cell.scale;
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return r;
}

std::vector<CellResult> run_all(const std::vector<Cell>& cells, std::uint64_t seed, unsigned jobs) {
  std::vector<CellResult> results(cells.size());
  std::atomic<std::size_t> next{0};
  std::mutex print;
  auto worker = [&] {
    for (std::size_t i = next++; i < cells.size(); i = next++) {
      results[i] = run_cell(cells[i], seed);
      const CellResult& r = results[i];
      const std::lock_guard lock(print);
      std::fprintf(stderr, "  [%2zu/%zu] %-20s %-6s %-4s %-7s %8.0f rec/s  p99 %8.1f ms  ckpt p50 %8.1f ms  (%.1f s wall)\n",
                   i + 1, cells.size(), mode_name(r.cell.mode).c_str(),
                   r.cell.mode == Mode::kNone ? "-" : format_duration_text(r.cell.interval_ns).c_str(),
                   r.cell.backpressure ? "bp" : "free",
                   r.cell.state_index < 0 ? "-" : kStateSizes[static_cast<std::size_t>(r.cell.state_index)].label.c_str(),
                   r.throughput_rps, r.latency_p99_ms, r.checkpoint_p50_ms, r.wall_s);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::max(1u, jobs); ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  return results;
}

// ---- output ---------------------------------------------------------------------------

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string state_label(const Cell& c) {
  return c.state_index < 0 ? "-" : kStateSizes[static_cast<std::size_t>(c.state_index)].label;
}
std::string interval_label(const Cell& c) { return c.mode == Mode::kNone ? "-" : format_duration_text(c.interval_ns); }

Json cell_json(const CellResult& r, const CellResult& baseline) {
  const Cell& c = r.cell;
  return {{"mode", mode_name(c.mode)},
          {"interval_ms", c.mode == Mode::kNone ? Json(nullptr) : Json(c.interval_ns / kMillisecond)},
          {"backpressure", c.backpressure},
          {"state", c.state_index < 0 ? Json(nullptr) : Json(state_label(c))},
          {"state_scale", c.scale},
          {"job_finished", r.job_finished},
          {"fingerprint", reports::hex64(r.fingerprint)},
          {"simulated_s", r.simulated_s},
          {"records_in", r.records_in},
          {"source_records", r.source_records},
          {"sink_records", r.sink_records},
          {"input_end_s", r.input_end_s},
          {"throughput_records_per_s", r.throughput_rps},
          {"whole_run_throughput_records_per_s", r.whole_run_rps},
          {"output_end_s", r.output_end_s},
          {"output_records_per_s", r.output_rps},
          {"throughput_vs_no_checkpoints", baseline.throughput_rps > 0 ? r.throughput_rps / baseline.throughput_rps : 0.0},
          {"latency_p50_ms", r.latency_p50_ms},
          {"latency_p99_ms", r.latency_p99_ms},
          {"checkpoints_triggered", r.checkpoints_triggered},
          {"checkpoints_completed", r.checkpoints_completed},
          {"checkpoints_failed", r.checkpoints_failed},
          {"failure_reasons", r.failure_reasons},
          {"first_failure_trigger_s", r.first_failure_ns < 0 ? Json(nullptr) : Json(static_cast<double>(r.first_failure_ns) / 1e9)},
          {"checkpoint_duration_p50_ms", r.checkpoint_p50_ms},
          {"checkpoint_duration_max_ms", r.checkpoint_max_ms},
          {"alignment_p50_ms", r.alignment_p50_ms},
          {"alignment_max_ms", r.alignment_max_ms},
          {"sync_phase_p50_ms", r.sync_p50_ms},
          {"async_phase_p50_ms", r.async_p50_ms},
          {"real_state_p50_bytes", r.real_state_p50_bytes},
          {"modelled_state_p50_bytes", r.modelled_state_p50_bytes}};
}

const CellResult& baseline_of(const std::vector<CellResult>& results, bool backpressure) {
  for (const CellResult& r : results) {
    if (r.cell.mode == Mode::kNone && r.cell.backpressure == backpressure) return r;
  }
  CKPT_UNREACHABLE("every grid has a baseline");
}

std::string markdown(const std::vector<CellResult>& results, const Json& model) {
  std::ostringstream md;
  md << "# Checkpoint overhead sweep\n\n"
     << "Simulated time, deterministic (seed " << model.at("seed").get<std::uint64_t>()
     << ", no faults). Generated by `checkpoint_overhead_sweep`; the model is described in docs/benchmarks.md.\n"
     << "Throughput: input records read by the sources per simulated second in the steady window [5 s, 35 s) "
     << "(exact counts; the input ends at 40 s). "
     << "Latency: commit time minus the time the record became available in the input. "
     << "Checkpoint duration: trigger to completion, completed checkpoints. Alignment: max over subtasks per "
     << "checkpoint, median over checkpoints. Unaligned checkpoints: n/a (not modelled).\n"
     << "Latency percentiles come from a log-linear histogram (8 bins per power of two), so p99 values are bin "
     << "midpoints, within 12.5 %. Failed checkpoints are declines by sources that had already finished reading "
     << "(at-least-once has no final checkpoint), not failures during the run.\n";
  for (const bool bp : {false, true}) {
    const CellResult& base = baseline_of(results, bp);
    md << "\n## " << (bp ? "Backpressured (sink 125 us/record: 16 000 records/s for 20 000 records/s of input)"
                         : "Not backpressured (sink 1 us/record)")
       << "\n\n"
       << "| state | mode | interval | throughput (rec/s) | vs none | p99 latency (ms) | checkpoints | ckpt p50 (ms) | "
          "ckpt max (ms) | alignment p50 (ms) |\n"
       << "|---|---|---|---|---|---|---|---|---|---|\n";
    md << "| - | none | - | " << fixed(base.throughput_rps, 0) << " | 1.000 | " << fixed(base.latency_p99_ms, 1)
       << " | 0 | - | - | - |\n";
    for (const CellResult& r : results) {
      if (r.cell.backpressure != bp || r.cell.mode == Mode::kNone) continue;
      md << "| " << state_label(r.cell) << " | " << mode_name(r.cell.mode) << " | " << interval_label(r.cell) << " | "
         << fixed(r.throughput_rps, 0) << " | " << fixed(r.throughput_rps / base.throughput_rps, 3) << " | "
         << fixed(r.latency_p99_ms, 1) << " | " << r.checkpoints_completed
         << (r.checkpoints_failed > 0 ? " (" + std::to_string(r.checkpoints_failed) + " failed)" : "") << " | " << fixed(r.checkpoint_p50_ms, 1)
         << " | " << fixed(r.checkpoint_max_ms, 1) << " | " << fixed(r.alignment_p50_ms, 1) << " |\n";
    }
    md << "| any | unaligned | any | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n";
  }
  return md.str();
}

Json chart_spec(const Json& rows, const std::string& field, const std::string& title, bool log_scale) {
  Json y = {{"field", field}, {"type", "quantitative"}, {"title", title}};
  y["scale"] = log_scale ? Json{{"type", "log"}} : Json{{"zero", false}};
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"data", {{"values", rows}}},
          {"facet",
           {{"row", {{"field", "load"}, {"type", "nominal"}, {"title", nullptr},
                     {"sort", Json::array({"not backpressured", "backpressured"})}}},
            {"column", {{"field", "state"}, {"type", "nominal"}, {"title", "modelled state"},
                        {"sort", Json::array({"1 MB", "100 MB", "1 GB"})}}}}},
          {"spec",
           {{"width", 240},
            {"height", 160},
            {"mark", {{"type", "line"}, {"point", true}}},
            {"encoding",
             {{"x", {{"field", "interval"}, {"type", "ordinal"}, {"title", "checkpoint interval"},
                     {"sort", Json::array({"10ms", "100ms", "1s", "10s"})}}},
              {"y", y},
              {"color", {{"field", "mode"}, {"type", "nominal"}, {"title", "mode"}}},
              {"strokeDash", {{"field", "mode"}, {"type", "nominal"}}},
              {"tooltip", Json::array({{{"field", "mode"}}, {{"field", "interval"}}, {{"field", "state"}},
                                       {{"field", field}, {"format", ".2f"}}})}}}}},
          {"config", {{"font", "Helvetica, Arial, sans-serif"}}}};
}

std::string html(const std::vector<CellResult>& results, const std::string& markdown_text, const reports::VegaBundle& bundle) {
  Json rows = Json::array();
  for (const CellResult& r : results) {
    const std::string load = r.cell.backpressure ? "backpressured" : "not backpressured";
    auto add = [&](const CellResult& src, const std::string& interval, const std::string& state, const std::string& mode) {
      rows.push_back({{"load", load}, {"interval", interval}, {"state", state}, {"mode", mode},
                      {"throughput", src.throughput_rps}, {"latency_p99_ms", std::max(0.1, src.latency_p99_ms)},
                      {"checkpoint_p50_ms", src.checkpoint_p50_ms}, {"checkpoint_max_ms", src.checkpoint_max_ms},
                      {"alignment_p50_ms", src.alignment_p50_ms}});
    };
    if (r.cell.mode == Mode::kNone) {
      // The baseline does not depend on interval or state: drawn as a flat line in every panel.
      for (const StateSize& st : kStateSizes) {
        for (const DurationNs i : kIntervals) add(r, format_duration_text(i), st.label, "none");
      }
    } else {
      add(r, interval_label(r.cell), state_label(r.cell), mode_name(r.cell.mode));
    }
  }
  Json ckpt_rows = Json::array();
  for (const Json& row : rows) {
    if (row.at("mode") != "none") ckpt_rows.push_back(row);
  }
  std::vector<reports::Chart> charts = {
      {"chart-throughput", "Throughput", "Input records read per simulated second in the steady window [5 s, 35 s).",
       chart_spec(rows, "throughput", "records/s", false)},
      {"chart-latency", "p99 end-to-end latency", "Commit time minus availability in the input, ms (log scale).",
       chart_spec(rows, "latency_p99_ms", "p99 latency (ms)", true)},
      {"chart-duration", "Median checkpoint duration", "Trigger to completion, ms (log scale).",
       chart_spec(ckpt_rows, "checkpoint_p50_ms", "median duration (ms)", true)},
      {"chart-alignment", "Median alignment", "Max over subtasks per checkpoint, median over checkpoints, ms.",
       chart_spec(ckpt_rows, "alignment_p50_ms", "median alignment (ms)", false)},
  };
  std::string body = "<h1>Checkpoint overhead sweep</h1>\n<p>Simulated time, deterministic; unaligned checkpoints: n/a "
                     "(not modelled). Model and caveats: docs/benchmarks.md.</p>\n";
  for (const reports::Chart& chart : charts) body += reports::chart_container(chart);
  body += "<h2>Tables</h2>\n<pre style=\"overflow-x: auto\">" + reports::html_escape(markdown_text) + "</pre>\n";
  return reports::html_page("ckptsim: checkpoint overhead sweep", body, charts, bundle);
}

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

int usage() {
  std::cerr << "usage: checkpoint_overhead_sweep [--out DIR] [--jobs N] [--seed S]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  sim::configure_allocator_for_simulation();
  std::filesystem::path out_dir = "out/checkpoint-overhead";
  unsigned jobs = 2;
  std::uint64_t seed = kDefaultSeed;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    try {
      if (arg == "--out") {
        out_dir = value;
      } else if (arg == "--jobs") {
        jobs = static_cast<unsigned>(std::stoul(value));
      } else if (arg == "--seed") {
        seed = std::stoull(value);
      } else {
        return usage();
      }
    } catch (const std::exception&) {
      return usage();
    }
  }
  const Result<reports::VegaBundle> bundle = reports::load_vega_bundle(reports::default_vega_dir());
  if (!bundle.is_ok()) {
    std::cerr << bundle.status().to_string() << "\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  const auto wall_start = std::chrono::steady_clock::now();

  // Calibration: the real state of the job (median completed-checkpoint state, summed
  // over subtasks) with checkpoints every second, unscaled.
  const CellResult calibration = run_cell(Cell{Mode::kAlignedExactlyOnce, kSecond, false, -1, 1}, seed);
  const std::uint64_t real_state = std::max<std::uint64_t>(1, calibration.real_state_p50_bytes);
  std::fprintf(stderr, "calibration: real state %llu bytes per checkpoint (median, all subtasks)\n",
               static_cast<unsigned long long>(real_state));

  std::vector<Cell> cells;
  for (const bool bp : {false, true}) {
    cells.push_back(Cell{Mode::kNone, 0, bp, -1, 1});
    for (std::size_t s = 0; s < kStateSizes.size(); ++s) {
      const std::uint64_t scale = std::max<std::uint64_t>(1, (kStateSizes[s].bytes + real_state / 2) / real_state);
      for (const Mode mode : {Mode::kAlignedExactlyOnce, Mode::kAtLeastOnce}) {
        for (const DurationNs interval : kIntervals) cells.push_back(Cell{mode, interval, bp, static_cast<int>(s), scale});
      }
    }
  }
  const std::vector<CellResult> results = run_all(cells, seed, jobs);
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  Json model = {
      {"seed", seed},
      {"job", "source(p=2) -hash-> count keyed-aggregate(p=2, 5us/record) -forward-> sink(p=2); 2 task managers"},
      {"input", {{"partitions", kPartitions}, {"records_per_partition", kRecordsPerPartition},
                 {"records_per_second_per_partition", kRecordsPerSecondPerPartition}, {"keys", kKeys}}},
      {"sink_cost_per_record", {{"not_backpressured", kSinkCostFree}, {"backpressured", kSinkCostBackpressured}}},
      {"calibration_real_state_bytes", real_state},
      {"state_model",
       "modelled state = scale x real state; sync snapshot = scale x 1us per KiB of real state; upload of a task "
       "state blob = 5 ms latency + scale x bytes at 200 MB/s"},
      {"throughput",
       "throughput_records_per_s: records read by the sources in simulated time [5 s, 35 s) / 30 s (steady state, "
       "exact counts); whole_run_throughput_records_per_s: all records read / end of the last 100 ms timeline bucket "
       "in which a source emitted records; output_records_per_s: the same for records the sinks handed to the store "
       "(pre-committed or written)"},
      {"unaligned", "n/a (not modelled)"},
  };
  Json cells_json = Json::array();
  for (const CellResult& r : results) cells_json.push_back(cell_json(r, baseline_of(results, r.cell.backpressure)));
  const Json doc = {{"benchmark", "checkpoint-overhead-sweep"}, {"model", model}, {"cells", cells_json}};
  const std::string md = markdown(results, model);

  bool ok = write_file(out_dir / "checkpoint-overhead.json", doc.dump(2) + "\n");
  ok = write_file(out_dir / "checkpoint-overhead.md", md) && ok;
  ok = write_file(out_dir / "checkpoint-overhead.html", html(results, md, bundle.value())) && ok;
  std::cout << md << "\n";
  std::fprintf(stderr, "%zu runs in %.1f s wall; wrote %s/checkpoint-overhead.{json,md,html}\n", results.size() + 1,
               wall_s, out_dir.string().c_str());
  for (const CellResult& r : results) {
    if (!r.job_finished) {
      std::fprintf(stderr, "warning: a cell's job did not finish within the run's max duration\n");
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
