// Seed ranges and shards of explore (explore.h).
#include <charconv>

#include "scenarios/explore.h"

namespace ckptsim::scenarios {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

Result<SeedRange> parse_seed_range(std::string_view text) {
  const std::string expected = "--seeds: expected a seed range A..B (A <= B, decimal) or one seed N, got \"" +
                               std::string(text) + "\"";
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    const std::optional<std::uint64_t> seed = parse_u64(text);
    if (!seed.has_value()) return Status::invalid_argument(expected);
    return SeedRange{*seed, *seed};
  }
  const std::optional<std::uint64_t> first = parse_u64(text.substr(0, dots));
  const std::optional<std::uint64_t> last = parse_u64(text.substr(dots + 2));
  if (!first.has_value() || !last.has_value() || *first > *last) return Status::invalid_argument(expected);
  return SeedRange{*first, *last};
}

Result<Shard> parse_shard(std::string_view text) {
  const std::string expected = "--shard: expected I/N with N >= 1 and 0 <= I < N, got \"" + std::string(text) + "\"";
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Status::invalid_argument(expected);
  const std::optional<std::uint64_t> index = parse_u64(text.substr(0, slash));
  const std::optional<std::uint64_t> count = parse_u64(text.substr(slash + 1));
  if (!index.has_value() || !count.has_value() || *count == 0 || *index >= *count) {
    return Status::invalid_argument(expected);
  }
  return Shard{*index, *count};
}

ShardSeeds shard_seeds(const SeedRange& range, const Shard& shard) {
  CKPT_ASSERT(range.first <= range.last, "an empty seed range");
  CKPT_ASSERT(shard.count >= 1 && shard.index < shard.count, "a shard index outside its count");
  ShardSeeds seeds;
  seeds.step = shard.count;
  // The first seed >= range.first in the shard, without overflowing past UINT64_MAX.
  const std::uint64_t offset = (shard.index + shard.count - range.first % shard.count) % shard.count;
  if (offset > range.last - range.first) return seeds;  // no seed of this shard in range
  seeds.first = range.first + offset;
  const std::uint64_t later = (range.last - seeds.first) / shard.count;
  seeds.size = later == UINT64_MAX ? UINT64_MAX : later + 1;  // all 2^64 seeds: one short
  return seeds;
}

}  // namespace ckptsim::scenarios
