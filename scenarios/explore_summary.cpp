// The summary of an exploration, for people and as JSON (explore.h).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ostream>

#include "protocol/env/coverage.h"
#include "scenarios/explore.h"

namespace ckptsim::scenarios {
namespace {

constexpr std::size_t kSeedsListedMax = 12;
constexpr std::size_t kFailuresDetailedMax = 10;

double seeds_per_minute(const ExploreResult& result) {
  return result.wall_s > 0.0 ? static_cast<double>(result.seeds_run) * 60.0 / result.wall_s : 0.0;
}

std::string seed_list(const std::vector<std::uint64_t>& seeds, std::uint64_t total) {
  std::string text;
  for (std::size_t i = 0; i < seeds.size() && i < kSeedsListedMax; ++i) text += " " + std::to_string(seeds[i]);
  if (total > kSeedsListedMax) text += " ...";
  return text;
}

std::vector<std::string_view> marks_not_hit(const ExploreResult& result) {
  std::vector<std::string_view> missing;
  for (const std::string_view mark : coverage::kCoverageMarks) {
    if (!result.coverage_marks.contains(std::string(mark))) missing.push_back(mark);
  }
  return missing;
}

void print_failures(const ExploreResult& result, std::ostream& out) {
  out << "failures   by first violated property:\n";
  for (const auto& [property, count] : result.failure_counts) {
    const auto seeds = result.failures_by_property.find(property);
    CKPT_ASSERT(seeds != result.failures_by_property.end(), "a counted property without seeds");
    out << "  " << property << ": " << count << " seed(s):" << seed_list(seeds->second, count) << "\n";
  }
  for (std::size_t i = 0; i < result.failures.size() && i < kFailuresDetailedMax; ++i) {
    const SeedFailure& f = result.failures[i];
    out << "  seed " << f.seed << ": " << f.property;
    if (f.nondeterministic) out << " (NONDETERMINISTIC: a re-run gave another fingerprint)";
    if (!f.trace_path.empty()) out << "\n    trace   " << f.trace_path;
    if (f.shrunk.has_value() && f.shrunk->reproduced) {
      out << "\n    shrunk  " << (f.shrunk_path.empty() ? std::string("(not written)") : f.shrunk_path) << " in "
          << f.shrunk->runs << " runs\n      before  " << describe_size(f.shrunk->before) << "\n      after   "
          << describe_size(f.shrunk->after);
    }
    out << "\n";
  }
  if (result.failures.size() > kFailuresDetailedMax) {
    out << "  ... " << result.failures.size() - kFailuresDetailedMax << " more failing seed(s)\n";
  }
}

}  // namespace

void print_explore_summary(const ExploreOptions& options, const ExploreResult& result, std::ostream& out) {
  char line[256];
  out << "explore    " << options.base.name << " (" << options.scenario_path << "), seeds " << options.seeds.first << ".."
      << options.seeds.last << ", shard " << options.shard.index << "/" << options.shard.count << "\n";
  std::snprintf(line, sizeof(line),
                "seeds      %" PRIu64 " run, %" PRIu64 " skipped (time budget), %" PRIu64
                " failed; %.1f s wall, %.0f seeds/min on %u thread(s)\n",
                result.seeds_run, result.seeds_skipped, result.failures_total, result.wall_s,
                seeds_per_minute(result), options.jobs);
  out << line;
  if (!result.passed()) print_failures(result, out);
  out << "faults    ";
  if (result.fault_kinds.empty()) out << " none";
  for (const auto& [type, count] : result.fault_kinds) out << " " << type << " " << count << ";";
  out << "\n";
  const std::vector<std::string_view> missing = marks_not_hit(result);
  out << "coverage   " << coverage::kCoverageMarks.size() - missing.size() << "/" << coverage::kCoverageMarks.size()
      << " marks hit (seeds reaching each):\n";
  for (const auto& [mark, seeds] : result.coverage_marks) out << "  hit      " << mark << " (" << seeds << ")\n";
  for (const std::string_view mark : missing) out << "  not hit  " << mark << "\n";
  if (!result.failures.empty() && !result.failures.front().trace_path.empty()) {
    const SeedFailure& first = result.failures.front();
    out << "replay     ckptsim replay " << (first.shrunk_path.empty() ? first.trace_path : first.shrunk_path) << "\n";
  }
  out << "verdict    " << (result.passed() ? "PASS: every seed held every property" : "FAIL") << "\n";
}

nlohmann::json explore_summary_json(const ExploreOptions& options, const ExploreResult& result) {
  nlohmann::json failures = nlohmann::json::array();
  for (const SeedFailure& f : result.failures) {
    nlohmann::json item = {{"seed", f.seed}, {"property", f.property}, {"trace", f.trace_path},
                           {"nondeterministic", f.nondeterministic}};
    if (f.shrunk.has_value() && f.shrunk->reproduced) {
      item["shrunk"] = {{"trace", f.shrunk_path},
                        {"runs", f.shrunk->runs},
                        {"before", describe_size(f.shrunk->before)},
                        {"after", describe_size(f.shrunk->after)},
                        {"steps", f.shrunk->steps}};
    }
    failures.push_back(std::move(item));
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const std::string_view mark : marks_not_hit(result)) missing.push_back(std::string(mark));
  return {{"scenario", options.base.name},
          {"scenario_path", options.scenario_path},
          {"seeds", {{"first", options.seeds.first}, {"last", options.seeds.last}}},
          {"shard", {{"index", options.shard.index}, {"count", options.shard.count}}},
          {"jobs", options.jobs},
          {"seeds_total", result.seeds_total},
          {"seeds_run", result.seeds_run},
          {"seeds_skipped", result.seeds_skipped},
          {"failures_total", result.failures_total},
          {"wall_seconds", result.wall_s},
          {"seeds_per_minute", seeds_per_minute(result)},
          {"events_total", result.events_total},
          {"failure_counts", result.failure_counts},
          {"failures_by_property", result.failures_by_property},
          {"failures", std::move(failures)},
          {"fault_kinds", result.fault_kinds},
          {"coverage_marks", result.coverage_marks},
          {"coverage_marks_not_hit", std::move(missing)},
          {"verdict", result.passed() ? "pass" : "fail"}};
}

}  // namespace ckptsim::scenarios
