// The oracle's own key-group routing must agree with protocol/graph/key_groups.h: the two
// are written independently, so agreement on many keys is evidence both follow Flink.
#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cstdint>

#include "oracle/key_routing.h"
#include "protocol/graph/key_groups.h"

namespace ckptsim::oracle {
namespace {

TEST_CASE("oracle routing: agrees with the protocol's key groups on many keys", "[unit][oracle]") {
  const std::uint32_t parallelisms[] = {1, 2, 3, 4, 7, 16, 100, 128};
  for (std::uint32_t parallelism : parallelisms) {
    const std::uint32_t max_parallelism = oracle_resolved_max_parallelism(parallelism, 0);
    REQUIRE(max_parallelism == default_max_parallelism(parallelism));
    for (std::uint64_t key = 0; key < 20'000; ++key) {
      const std::uint64_t spread = key * 0x9e3779b97f4a7c15ULL;  // also exercise high bits
      REQUIRE(oracle_fmix64(spread) == mix_key_hash(spread));
      REQUIRE(oracle_key_group(spread, max_parallelism) == key_group_for_key(spread, max_parallelism));
      REQUIRE(oracle_owner_subtask(key, max_parallelism, parallelism) ==
              operator_index_for_key(key, max_parallelism, parallelism));
    }
  }
}

TEST_CASE("oracle routing: default max parallelism follows Flink's bounds", "[unit][oracle]") {
  CHECK(oracle_resolved_max_parallelism(1, 0) == 128);
  CHECK(oracle_resolved_max_parallelism(100, 0) == 256);
  CHECK(oracle_resolved_max_parallelism(30000, 0) == 32768);
  CHECK(oracle_resolved_max_parallelism(4, 10) == 10);
}

TEST_CASE("oracle routing: agrees with the protocol for random keys and parallelisms", "[property][oracle]") {
  rc::prop("same owner subtask", [](std::uint64_t key, std::uint16_t raw_parallelism, std::uint16_t raw_extra) {
    const std::uint32_t parallelism = 1 + raw_parallelism % 512;
    const std::uint32_t max_parallelism = parallelism + raw_extra % 4096;
    RC_ASSERT(oracle_key_group(key, max_parallelism) == key_group_for_key(key, max_parallelism));
    RC_ASSERT(oracle_owner_subtask(key, max_parallelism, parallelism) ==
              operator_index_for_key(key, max_parallelism, parallelism));
    RC_ASSERT(oracle_resolved_max_parallelism(parallelism, 0) == default_max_parallelism(parallelism));
  });
}

}  // namespace
}  // namespace ckptsim::oracle
