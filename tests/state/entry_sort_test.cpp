#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "protocol/state/entry_sort.h"

using namespace ckptsim;

TEST_CASE("entry sort: equals a stable sort by (key, name space) on both sides of the radix cutoff",
          "[property][state]") {
  rc::prop("radix and comparison sorts agree on the (key, name space) order", [] {
    const auto count = *rc::gen::inRange<std::size_t>(0, 2000);
    // Narrow key and name space ranges force ties in single bytes and whole keys;
    // wide ones exercise every byte.
    const auto key_bound = *rc::gen::element<std::uint64_t>(2, 300, 70'000, UINT64_MAX);
    const auto name_space_bound = *rc::gen::element<std::uint32_t>(1, 3, 1'000, UINT32_MAX);
    std::vector<StateEntry> entries;
    for (std::size_t i = 0; i < count; ++i) {
      const auto key = *rc::gen::inRange<std::uint64_t>(0, key_bound);
      const auto name_space = *rc::gen::inRange<std::uint32_t>(0, name_space_bound);
      entries.push_back(StateEntry{key, name_space, StateValue{i, 0}});  // value.a records input order
    }
    std::vector<StateEntry> expected = entries;
    std::stable_sort(expected.begin(), expected.end(), entry_order_less);
    std::vector<StateEntry> scratch;
    sort_entries(entries, scratch);
    const auto project = [](const std::vector<StateEntry>& run) {
      std::vector<std::pair<std::uint64_t, std::uint32_t>> pairs;
      for (const StateEntry& e : run) pairs.emplace_back(e.key, e.name_space);
      return pairs;
    };
    RC_ASSERT(project(entries) == project(expected));
    // Nothing lost or duplicated: value.a numbers the inputs.
    std::vector<std::uint64_t> inputs;
    for (const StateEntry& e : entries) inputs.push_back(e.value.a);
    std::sort(inputs.begin(), inputs.end());
    for (std::size_t i = 0; i < inputs.size(); ++i) RC_ASSERT(inputs[i] == i);
  });
}

TEST_CASE("entry sort: a large run with equal name spaces and extreme keys", "[unit][state]") {
  std::vector<StateEntry> entries;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const std::uint64_t key = (i * 0x9E3779B97F4A7C15ULL) ^ (i % 2 == 0 ? 0 : UINT64_MAX);
    entries.push_back(StateEntry{key, 7, StateValue{i, i}});
  }
  entries.push_back(StateEntry{0, 7, StateValue{}});
  entries.push_back(StateEntry{UINT64_MAX, UINT32_MAX, StateValue{}});
  std::vector<StateEntry> expected = entries;
  std::stable_sort(expected.begin(), expected.end(), entry_order_less);
  std::vector<StateEntry> scratch;
  sort_entries(entries, scratch);
  CHECK(entries == expected);
}
