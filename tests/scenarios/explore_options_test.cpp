#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "scenarios/explore.h"
#include "scenarios/scenario_loader.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

Scenario small_flagship() {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  Scenario s = scenario.value();
  s.input.records_per_partition = 1000;
  return s;
}

// seed -> fingerprint, from DIR/seeds.jsonl.
std::map<std::uint64_t, std::string> fingerprints_in(const std::string& dir) {
  std::map<std::uint64_t, std::string> result;
  std::ifstream file(std::filesystem::path(dir) / "seeds.jsonl");
  std::string line;
  while (std::getline(file, line)) {
    const Json json = Json::parse(line);
    result[json["seed"].get<std::uint64_t>()] = json["fingerprint"].get<std::string>();
  }
  return result;
}

std::string temp_dir(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("ckptsim-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(path);
  return path.string();
}

}  // namespace

TEST_CASE("explore seeds: ranges and shards parse, with a message for bad ones", "[unit][explore]") {
  REQUIRE(parse_seed_range("3..9").is_ok());
  CHECK(parse_seed_range("3..9").value().first == 3);
  CHECK(parse_seed_range("3..9").value().last == 9);
  CHECK(parse_seed_range("42").value().first == 42);
  CHECK(parse_seed_range("42").value().last == 42);
  for (const char* bad : {"9..3", "a..b", "1..", "..5", "", "-1..2", "1...2"}) {
    INFO(bad);
    Result<SeedRange> range = parse_seed_range(bad);
    REQUIRE_FALSE(range.is_ok());
    CHECK(range.status().message().starts_with("--seeds: expected a seed range A..B"));
  }
  CHECK(parse_shard("2/5").value().index == 2);
  CHECK(parse_shard("2/5").value().count == 5);
  for (const char* bad : {"5/5", "1/0", "1", "a/b", "/3"}) {
    INFO(bad);
    CHECK_FALSE(parse_shard(bad).is_ok());
  }
}

TEST_CASE("explore seeds: the shards of a range partition it", "[property][explore]") {
  rc::prop("every seed in exactly one shard", [](std::uint16_t first, std::uint8_t length, std::uint8_t shards) {
    const SeedRange range{first, static_cast<std::uint64_t>(first) + length};
    const std::uint64_t count = 1 + shards % 16;
    std::multiset<std::uint64_t> seen;
    for (std::uint64_t index = 0; index < count; ++index) {
      const ShardSeeds seeds = shard_seeds(range, Shard{index, count});
      for (std::uint64_t i = 0; i < seeds.size; ++i) {
        RC_ASSERT(seeds.at(i) % count == index);
        seen.insert(seeds.at(i));
      }
    }
    RC_ASSERT(seen.size() == static_cast<std::size_t>(length) + 1);
    for (std::uint64_t s = range.first; s <= range.last; ++s) RC_ASSERT(seen.count(s) == 1u);
  });
  const ShardSeeds top = shard_seeds(SeedRange{UINT64_MAX - 2, UINT64_MAX}, Shard{0, 1});
  CHECK(top.size == 3);
  CHECK(top.at(2) == UINT64_MAX);
}

TEST_CASE("explore randomize: random faults are deterministic per seed, valid and all heal", "[property][explore]") {
  const Scenario base = small_flagship();
  const DurationNs window_ns = random_fault_window_ns(base, RandomFaultLimits{});
  REQUIRE(window_ns > 0);
  rc::prop("randomize(base, seed) is a valid scenario with healing faults", [&base, window_ns](std::uint64_t seed) {
    const Scenario s = randomize(base, seed);
    RC_ASSERT(scenario_to_json(s) == scenario_to_json(randomize(base, seed)));
    RC_ASSERT(scenario_from_json(scenario_to_json(s)).is_ok());
    RC_ASSERT(s.faults.size() >= base.faults.size() + 1);
    RC_ASSERT(s.faults.size() <= base.faults.size() + 4);
    RC_ASSERT(!s.expect.verdict_pass.has_value());
    for (std::size_t i = base.faults.size(); i < s.faults.size(); ++i) {
      const FaultSpec& f = s.faults[i];
      RC_ASSERT(f.at_ns <= window_ns);
      const bool crash = f.type == "task-manager-crash" || f.type == "job-manager-crash";
      const DurationNs heals_after_ns = crash ? f.restart_after_ns : f.duration_ns;
      RC_ASSERT(heals_after_ns > 0);
    }
  });
}

TEST_CASE("explore: a seed's result does not depend on the number of threads", "[unit][explore]") {
  ExploreOptions options;
  options.base = small_flagship();
  options.seeds = {100, 111};
  options.shrink_failures = false;
  options.out_dir = temp_dir("explore-one-thread");
  options.jobs = 1;
  Result<ExploreResult> one = explore(options);
  const std::string one_dir = options.out_dir;
  options.out_dir = temp_dir("explore-three-threads");
  options.jobs = 3;
  Result<ExploreResult> three = explore(options);
  REQUIRE(one.is_ok());
  REQUIRE(three.is_ok());
  CHECK(one.value().seeds_run == 12);
  CHECK(three.value().seeds_run == 12);
  CHECK(one.value().fault_kinds == three.value().fault_kinds);
  CHECK(one.value().events_total == three.value().events_total);
  const auto fingerprints = fingerprints_in(one_dir);
  CHECK(fingerprints.size() == 12);
  CHECK(fingerprints == fingerprints_in(options.out_dir));
  CHECK(std::filesystem::exists(std::filesystem::path(one_dir) / "summary.json"));
  std::filesystem::remove_all(one_dir);
  std::filesystem::remove_all(options.out_dir);
}

TEST_CASE("explore: a shard runs only its seeds, and a spent time budget starts none", "[unit][explore]") {
  ExploreOptions options;
  options.base = small_flagship();
  options.seeds = {10, 19};
  options.shard = {1, 3};
  options.jobs = 2;
  Result<ExploreResult> shard = explore(options);
  REQUIRE(shard.is_ok());
  CHECK(shard.value().seeds_total == 4);  // 10, 13, 16, 19
  CHECK(shard.value().seeds_run == 4);
  CHECK(shard.value().passed());
  options.time_budget_ns = 1;
  Result<ExploreResult> budget = explore(options);
  REQUIRE(budget.is_ok());
  CHECK(budget.value().seeds_run == 0);
  CHECK(budget.value().seeds_skipped == budget.value().seeds_total);
  options.jobs = 0;
  CHECK_FALSE(explore(options).is_ok());
}
