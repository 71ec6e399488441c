#include "protocol/state/entry_sort.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "protocol/base/assert.h"

namespace ckptsim {
namespace {

// Below this many entries std::sort beats the radix sort's fixed histogram cost.
constexpr std::size_t kRadixSortMinEntries = 256;

// Digits from least to most significant: 4 bytes of the name space, then 8 of the key.
constexpr int kDigits = 12;
using Histograms = std::array<std::array<std::uint32_t, 256>, kDigits>;

std::uint8_t digit(const StateEntry& entry, int index) {
  if (index < 4) return static_cast<std::uint8_t>(entry.name_space >> (8 * index));
  return static_cast<std::uint8_t>(entry.key >> (8 * (index - 4)));
}

void build_histograms(const std::vector<StateEntry>& entries, Histograms& histograms) {
  for (auto& histogram : histograms) histogram.fill(0);
  for (const StateEntry& entry : entries) {
    for (int d = 0; d < 4; ++d) ++histograms[d][static_cast<std::uint8_t>(entry.name_space >> (8 * d))];
    for (int d = 0; d < 8; ++d) ++histograms[4 + d][static_cast<std::uint8_t>(entry.key >> (8 * d))];
  }
}

void radix_sort(std::vector<StateEntry>& entries, std::vector<StateEntry>& scratch) {
  Histograms histograms;
  build_histograms(entries, histograms);
  scratch.resize(entries.size());
  const auto n = static_cast<std::uint32_t>(entries.size());
  for (int d = 0; d < kDigits; ++d) {
    std::array<std::uint32_t, 256>& histogram = histograms[d];
    // A byte shared by every entry cannot change the order: skip its pass.
    if (histogram[digit(entries.front(), d)] == n) continue;
    std::uint32_t offset = 0;
    for (std::uint32_t& count : histogram) {
      const std::uint32_t bucket_size = count;
      count = offset;
      offset += bucket_size;
    }
    for (const StateEntry& entry : entries) scratch[histogram[digit(entry, d)]++] = entry;
    entries.swap(scratch);
  }
}

}  // namespace

void sort_entries(std::vector<StateEntry>& entries, std::vector<StateEntry>& scratch) {
  if (entries.size() < kRadixSortMinEntries) {
    std::sort(entries.begin(), entries.end(), entry_order_less);
    return;
  }
  CKPT_ASSERT(entries.size() <= UINT32_MAX, "radix sort counts fit 32 bits");
  radix_sort(entries, scratch);
}

}  // namespace ckptsim
