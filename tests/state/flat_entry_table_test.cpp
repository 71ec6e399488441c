#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "protocol/graph/key_groups.h"
#include "protocol/state/flat_entry_table.h"

using namespace ckptsim;

namespace {
std::optional<StateValue> lookup(const FlatEntryTable& table, std::uint64_t key, std::uint32_t name_space) {
  const StateValue* value = table.find(key, name_space, mix_key_hash(key));
  if (value == nullptr) return std::nullopt;
  return *value;
}
}  // namespace

TEST_CASE("flat entry table: insert, overwrite, find and erase", "[unit][state]") {
  FlatEntryTable table;
  CHECK(table.find(1, 0, mix_key_hash(1)) == nullptr);
  CHECK(table.insert_or_assign(1, 0, mix_key_hash(1), StateValue{1, 2}));
  CHECK_FALSE(table.insert_or_assign(1, 0, mix_key_hash(1), StateValue{3, 4}));
  CHECK(table.insert_or_assign(1, 7, mix_key_hash(1), StateValue{5, 6}));
  CHECK(lookup(table, 1, 0) == StateValue{3, 4});
  CHECK(table.size() == 2);
  CHECK(table.erase(1, 0, mix_key_hash(1)));
  CHECK_FALSE(table.erase(1, 0, mix_key_hash(1)));
  CHECK(table.find(1, 0, mix_key_hash(1)) == nullptr);
  CHECK(lookup(table, 1, 7) == StateValue{5, 6});
  CHECK(table.size() == 1);
}

TEST_CASE("flat entry table: behaves like a map under random inserts and erases", "[property][state]") {
  rc::prop("same content as std::map after every operation", [] {
    const auto operations = *rc::gen::container<std::vector<std::tuple<bool, std::uint64_t, std::uint32_t>>>(
        rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::inRange<std::uint64_t>(0, 64),
                       rc::gen::inRange<std::uint32_t>(0, 3)));
    FlatEntryTable table;
    std::map<std::pair<std::uint64_t, std::uint32_t>, StateValue> model;
    std::uint64_t tick = 0;
    for (const auto& [is_insert, key, name_space] : operations) {
      const std::uint64_t hash = mix_key_hash(key);
      if (is_insert) {
        const StateValue value{++tick, key};
        RC_ASSERT(table.insert_or_assign(key, name_space, hash, value) == (model.count({key, name_space}) == 0));
        model[{key, name_space}] = value;
      } else {
        RC_ASSERT(table.erase(key, name_space, hash) == (model.erase({key, name_space}) == 1));
      }
      RC_ASSERT(table.size() == model.size());
    }
    for (std::uint64_t key = 0; key < 64; ++key) {
      for (std::uint32_t name_space = 0; name_space < 3; ++name_space) {
        const std::optional<StateValue> found = lookup(table, key, name_space);
        const auto expected = model.find({key, name_space});
        RC_ASSERT(found.has_value() == (expected != model.end()));
        if (found.has_value()) RC_ASSERT(*found == expected->second);
      }
    }
    std::vector<StateEntry> entries;
    table.append_entries(entries);
    RC_ASSERT(entries.size() == model.size());
  });
}
