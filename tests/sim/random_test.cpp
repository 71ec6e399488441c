// Tests of the simulator's PRNG, distributions and portable math. Golden values pin the
// exact bits: if one of them changes, every recorded seed replays differently, so a
// change here is a compatibility break, never a test to update casually.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "sim/portable_math.h"
#include "sim/random.h"

namespace ckptsim::sim {
namespace {

// xoshiro256** and splitmix64 as published (prng.di.unimi.it), written independently of
// sim/random.h so that the two can be compared.
class ReferenceXoshiro {
 public:
  explicit ReferenceXoshiro(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (std::uint64_t& word : s_) {
      std::uint64_t z = (x += 0x9e3779b97f4a7c15);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
      z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
      word = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4] = {};
};

std::uint64_t bits_of(double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

double relative_error(double actual, double expected) {
  if (actual == expected) {
    return 0.0;
  }
  return std::fabs(actual - expected) / std::fabs(expected);
}

std::vector<std::uint64_t> first_draws(Rng rng, int count) {
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < count; ++i) {
    draws.push_back(rng.next_u64());
  }
  return draws;
}

// Observed frequencies of ranks 0..4 against P(r) = (r+1)^-s / H(n, s), within five
// standard deviations of a binomial count.
void check_zipf_head_frequencies(std::uint64_t n, double exponent, std::uint64_t seed) {
  constexpr int kDraws = 200'000;
  double harmonic = 0.0;
  for (std::uint64_t k = 1; k <= n; ++k) {
    harmonic += std::pow(static_cast<double>(k), -exponent);
  }
  const ZipfDistribution zipf(n, exponent);
  Rng rng(seed);
  std::array<int, 5> counts = {};
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t rank = zipf.sample(rng);
    REQUIRE(rank < n);
    if (rank < counts.size()) {
      ++counts[rank];
    }
  }
  for (std::size_t rank = 0; rank < counts.size(); ++rank) {
    const double expected = std::pow(static_cast<double>(rank + 1), -exponent) / harmonic;
    const double observed = static_cast<double>(counts[rank]) / kDraws;
    const double sigma = std::sqrt(expected * (1.0 - expected) / kDraws);
    INFO("n=" << n << " s=" << exponent << " rank=" << rank << " expected=" << expected
              << " observed=" << observed);
    CHECK(std::fabs(observed - expected) <= 5.0 * sigma);
  }
}

// ---------------------------------------------------------------------------------
// Rng: determinism and golden values

TEST_CASE("rng: the same seed gives the same sequence", "[unit][random]") {
  CHECK(first_draws(Rng(7), 1000) == first_draws(Rng(7), 1000));
  CHECK(first_draws(Rng(7), 100) != first_draws(Rng(8), 100));
  CHECK(Rng(7).seed() == 7);
}

TEST_CASE("rng: outputs match the reference xoshiro256** seeded by splitmix64",
          "[unit][random]") {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{42},
                                   std::uint64_t{0xdeadbeef}, UINT64_MAX}) {
    Rng rng(seed);
    ReferenceXoshiro reference(seed);
    for (int i = 0; i < 10'000; ++i) {
      const std::uint64_t expected = reference.next();
      INFO("seed " << seed << " draw " << i);
      REQUIRE(rng.next_u64() == expected);
    }
  }
}

TEST_CASE("rng: splitmix64 matches its published sequence for seed 0", "[unit][random]") {
  std::uint64_t counter = 0;
  CHECK(splitmix64(counter) == 0xe220a8397b1dcdaf);
  CHECK(splitmix64(counter) == 0x6e789e6aa1b965f4);
  CHECK(splitmix64(counter) == 0x06c45d188009454f);
}

TEST_CASE("rng: golden values for seed 42 stay pinned", "[unit][random]") {
  SECTION("next_u64") {
    Rng rng(42);
    CHECK(rng.next_u64() == 0x15780b2e0c2ec716);
    CHECK(rng.next_u64() == 0x6104d9866d113a7e);
    CHECK(rng.next_u64() == 0xae17533239e499a1);
    CHECK(rng.next_u64() == 0xecb8ad4703b360a1);
    CHECK(rng.next_u64() == 0xfde6dc7fe2ec5e64);
  }
  SECTION("uniform_below") {
    Rng rng(42);
    const std::vector<std::uint64_t> below_ten = {0, 3, 6, 9, 9};
    for (const std::uint64_t expected : below_ten) {
      CHECK(rng.uniform_below(10) == expected);
    }
    CHECK(rng.uniform_below(1'000'003) == 769'741);
    CHECK(rng.uniform_below(1'000'003) == 719'260);
    CHECK(rng.uniform_below(1'000'003) == 850'010);
  }
  SECTION("uniform_int and uniform_real") {
    Rng rng(42);
    CHECK(rng.uniform_int(-1000, 1000) == -833);
    CHECK(rng.uniform_int(-1000, 1000) == -242);
    CHECK(rng.uniform_int(-1000, 1000) == 360);
    CHECK(bits_of(Rng(42).uniform_real()) == 0x3fb5780b2e0c2ec0);
  }
  SECTION("exponential_ns") {
    Rng rng(42);
    const std::vector<DurationNs> expected_ns = {87'589, 476'392, 1'139'570, 2'586'181,
                                                 4'804'099};
    for (const DurationNs expected : expected_ns) {
      CHECK(rng.exponential_ns(kMillisecond) == expected);
    }
  }
  SECTION("zipf") {
    Rng rng(42);
    const ZipfDistribution zipf(1000, 1.1);
    const std::vector<std::uint64_t> expected_ranks = {408, 28, 3, 0, 0, 1, 2, 0, 1, 6};
    for (const std::uint64_t expected : expected_ranks) {
      CHECK(zipf.sample(rng) == expected);
    }
    Rng rng_harmonic(42);
    const ZipfDistribution harmonic(1000, 1.0);
    const std::vector<std::uint64_t> expected_harmonic = {532, 57, 5, 0, 0, 2, 4, 1, 2, 12};
    for (const std::uint64_t expected : expected_harmonic) {
      CHECK(harmonic.sample(rng_harmonic) == expected);
    }
  }
  SECTION("derived seeds") {
    CHECK(Rng::derive_seed(42, "network", 0) == 0x01ef40d9ebd8ac52);
    CHECK(Rng::derive_seed(42, "process", 7) == 0xaf4d16f9a082eefa);
    CHECK(Rng(42).derive("network").next_u64() == 0x1736ca5e85f374de);
  }
}

// ---------------------------------------------------------------------------------
// Rng: integer distributions

TEST_CASE("rng: uniform_below is roughly uniform by chi-square", "[unit][random]") {
  constexpr std::uint64_t kBuckets = 100;
  constexpr int kDraws = 1'000'000;
  Rng rng(2024);
  std::array<int, kBuckets> counts = {};
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t value = rng.uniform_below(kBuckets);
    REQUIRE(value < kBuckets);
    ++counts[value];
  }
  const double expected = static_cast<double>(kDraws) / kBuckets;
  double chi_square = 0.0;
  for (const int count : counts) {
    chi_square += (count - expected) * (count - expected) / expected;
  }
  // 99 degrees of freedom: mean 99, standard deviation 14. The bound is loose on
  // purpose; a broken generator lands in the thousands.
  INFO("chi-square " << chi_square);
  CHECK(chi_square < 200.0);
}

TEST_CASE("rng: uniform_below has no modulo bias for a bound near 2^64", "[unit][random]") {
  // With bound b = ceil(2^65 / 3), plain `x % b` returns values below 2^64 - b (about
  // b/2) with probability 2/3; unbiased sampling gives 1/2.
  constexpr std::uint64_t kBound = 0xaaaaaaaaaaaaaaab;
  constexpr std::uint64_t kHalf = kBound / 2;
  constexpr int kDraws = 100'000;
  Rng rng(99);
  int below_half = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t value = rng.uniform_below(kBound);
    REQUIRE(value < kBound);
    below_half += value < kHalf ? 1 : 0;
  }
  CHECK(std::fabs(static_cast<double>(below_half) / kDraws - 0.5) < 0.01);
}

TEST_CASE("rng: uniform_below handles the extreme bounds", "[unit][random]") {
  Rng rng(5);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(rng.uniform_below(1) == 0);
    REQUIRE(rng.uniform_below(UINT64_MAX) < UINT64_MAX);
    REQUIRE(rng.uniform_below(2) < 2);
  }
}

TEST_CASE("rng: uniform_int includes both bounds", "[unit][random]") {
  Rng rng(11);
  SECTION("a small range hits every value") {
    std::set<std::int64_t> seen;
    for (int i = 0; i < 10'000; ++i) {
      const std::int64_t value = rng.uniform_int(-3, 3);
      REQUIRE(value >= -3);
      REQUIRE(value <= 3);
      seen.insert(value);
    }
    CHECK(seen.size() == 7);
  }
  SECTION("a single-value range returns it") {
    CHECK(rng.uniform_int(17, 17) == 17);
    CHECK(rng.uniform_int(INT64_MIN, INT64_MIN) == INT64_MIN);
    CHECK(rng.uniform_int(INT64_MAX, INT64_MAX) == INT64_MAX);
  }
  SECTION("the two-value ranges at the ends of int64 hit both values") {
    std::set<std::int64_t> low;
    std::set<std::int64_t> high;
    for (int i = 0; i < 200; ++i) {
      low.insert(rng.uniform_int(INT64_MIN, INT64_MIN + 1));
      high.insert(rng.uniform_int(INT64_MAX - 1, INT64_MAX));
    }
    CHECK(low == std::set<std::int64_t>{INT64_MIN, INT64_MIN + 1});
    CHECK(high == std::set<std::int64_t>{INT64_MAX - 1, INT64_MAX});
  }
  SECTION("the full int64 range yields both signs") {
    int negative = 0;
    constexpr int kDraws = 10'000;
    for (int i = 0; i < kDraws; ++i) {
      negative += rng.uniform_int(INT64_MIN, INT64_MAX) < 0 ? 1 : 0;
    }
    CHECK(negative > kDraws * 45 / 100);
    CHECK(negative < kDraws * 55 / 100);
  }
  SECTION("the range one short of full works") {
    for (int i = 0; i < 1000; ++i) {
      REQUIRE(rng.uniform_int(INT64_MIN, INT64_MAX - 1) < INT64_MAX);
      REQUIRE(rng.uniform_int(INT64_MIN + 1, INT64_MAX) > INT64_MIN);
    }
  }
}

TEST_CASE("rng: one_in(n) fires about once in n draws", "[unit][random]") {
  constexpr int kDraws = 200'000;
  Rng rng(3);
  int hits = 0;
  for (int i = 0; i < kDraws; ++i) {
    hits += rng.one_in(7) ? 1 : 0;
    REQUIRE(rng.one_in(1));
  }
  CHECK(std::fabs(static_cast<double>(hits) / kDraws - 1.0 / 7.0) < 0.005);
}

// ---------------------------------------------------------------------------------
// Rng: real-valued distributions

TEST_CASE("rng: uniform_real stays in [0, 1) with mean one half", "[unit][random]") {
  constexpr int kDraws = 200'000;
  Rng rng(13);
  double sum = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double value = rng.uniform_real();
    REQUIRE(value >= 0.0);
    REQUIRE(value < 1.0);
    sum += value;
  }
  CHECK(std::fabs(sum / kDraws - 0.5) < 0.005);
}

TEST_CASE("rng: bernoulli succeeds at rate p and always consumes one draw",
          "[unit][random]") {
  constexpr int kDraws = 200'000;
  Rng rng(17);
  int successes = 0;
  for (int i = 0; i < kDraws; ++i) {
    successes += rng.bernoulli(0.3) ? 1 : 0;
    REQUIRE_FALSE(rng.bernoulli(0.0));
    REQUIRE(rng.bernoulli(1.0));
  }
  CHECK(std::fabs(static_cast<double>(successes) / kDraws - 0.3) < 0.01);

  Rng with_bernoulli(23);
  Rng with_next(23);
  (void)with_bernoulli.bernoulli(0.0);
  (void)with_next.next_u64();
  CHECK(with_bernoulli.next_u64() == with_next.next_u64());
}

TEST_CASE("rng: exponential mean is within 2% over 200k draws", "[unit][random]") {
  constexpr int kDraws = 200'000;
  SECTION("integer nanoseconds") {
    Rng rng(19);
    double sum_ns = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      const DurationNs draw_ns = rng.exponential_ns(5 * kMillisecond);
      REQUIRE(draw_ns >= 0);
      sum_ns += static_cast<double>(draw_ns);
    }
    CHECK(sum_ns / kDraws == Approx(5.0 * kMillisecond).epsilon(0.02));
  }
  SECTION("doubles") {
    Rng rng(29);
    double sum = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      const double draw = rng.exponential(3.5);
      REQUIRE(draw >= 0.0);
      sum += draw;
    }
    CHECK(sum / kDraws == Approx(3.5).epsilon(0.02));
  }
  SECTION("a small mean keeps its mean after rounding to nanoseconds") {
    Rng rng(31);
    double sum_ns = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      sum_ns += static_cast<double>(rng.exponential_ns(3));
    }
    CHECK(sum_ns / kDraws == Approx(3.0).epsilon(0.02));
  }
}

TEST_CASE("rng: exponential_ns of mean 0 is 0 and huge means clamp without overflow",
          "[unit][random]") {
  Rng rng(37);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(rng.exponential_ns(0) == 0);
  }
  int clamped = 0;
  for (int i = 0; i < 10'000; ++i) {
    const DurationNs draw_ns = rng.exponential_ns(INT64_MAX);
    REQUIRE(draw_ns >= 0);
    clamped += draw_ns == INT64_MAX ? 1 : 0;
  }
  // P(draw > mean) = e^-1, and every such draw clamps.
  CHECK(clamped > 3000);
  CHECK(clamped < 4400);

  Rng with_zero_mean(41);
  Rng with_next(41);
  (void)with_zero_mean.exponential_ns(0);
  (void)with_next.next_u64();
  CHECK(with_zero_mean.next_u64() == with_next.next_u64());
}

// ---------------------------------------------------------------------------------
// Zipf

TEST_CASE("zipf: rank frequencies match theory for n=1000, s=1.1", "[unit][random]") {
  check_zipf_head_frequencies(1000, 1.1, 101);
}

TEST_CASE("zipf: rank frequencies match theory for n=1000, s=1.0", "[unit][random]") {
  check_zipf_head_frequencies(1000, 1.0, 103);
}

TEST_CASE("zipf: rank frequencies match theory for exponents below and far above 1",
          "[unit][random]") {
  check_zipf_head_frequencies(100, 0.5, 107);
  check_zipf_head_frequencies(50, 3.0, 109);
  check_zipf_head_frequencies(5, 1.0 + 1e-9, 113);
}

TEST_CASE("zipf: a single element always yields rank 0", "[unit][random]") {
  const ZipfDistribution zipf(1, 1.2);
  Rng rng(127);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(zipf.sample(rng) == 0);
  }
}

TEST_CASE("zipf: n = 2^40 samples in O(1) memory with the zeta(2) head", "[unit][random]") {
  constexpr std::uint64_t kElements = std::uint64_t{1} << 40;
  constexpr int kDraws = 100'000;
  const ZipfDistribution zipf(kElements, 2.0);
  Rng rng(131);
  int rank_zero = 0;
  std::uint64_t largest = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t rank = zipf.sample(rng);
    REQUIRE(rank < kElements);
    rank_zero += rank == 0 ? 1 : 0;
    largest = rank > largest ? rank : largest;
  }
  // P(rank 0) = 1 / zeta(2) = 6 / pi^2 when the tail beyond 2^40 is negligible.
  const double expected = 6.0 / (std::numbers::pi * std::numbers::pi);
  CHECK(std::fabs(static_cast<double>(rank_zero) / kDraws - expected) < 0.01);
  CHECK(largest > 1000);

  const ZipfDistribution flat(kElements, 0.5);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(flat.sample(rng) < kElements);
  }
}

// ---------------------------------------------------------------------------------
// Derived streams

TEST_CASE("derive: the same root, purpose and index give the same stream",
          "[unit][random]") {
  const Rng root(2718);
  CHECK(first_draws(root.derive("network", 3), 100) ==
        first_draws(root.derive("network", 3), 100));
  CHECK(first_draws(Rng(2718).derive("network", 3), 100) ==
        first_draws(Rng(Rng::derive_seed(2718, "network", 3)), 100));
  CHECK(root.derive("network", 3).seed() == Rng::derive_seed(2718, "network", 3));
  CHECK(Rng::derive_seed(2718, "disk", 0) == root.derive("disk").seed());
}

TEST_CASE("derive: a different purpose, index or root gives a different stream",
          "[unit][random]") {
  const Rng root(2718);
  const std::vector<std::uint64_t> base = first_draws(root.derive("network", 3), 4);
  CHECK(first_draws(root.derive("network", 4), 4) != base);
  CHECK(first_draws(root.derive("networks", 3), 4) != base);
  CHECK(first_draws(root.derive("disk", 3), 4) != base);
  CHECK(first_draws(root.derive("", 3), 4) != base);
  CHECK(first_draws(Rng(2719).derive("network", 3), 4) != base);
  CHECK(first_draws(root, 4) != base);

  std::set<std::uint64_t> seeds;
  const std::vector<std::string> purposes = {"", "a", "b", "ab", "ba", "network", "process"};
  for (const std::string& purpose : purposes) {
    for (std::uint64_t index = 0; index < 100; ++index) {
      seeds.insert(Rng::derive_seed(2718, purpose, index));
    }
  }
  CHECK(seeds.size() == purposes.size() * 100);
}

TEST_CASE("derive: a derived stream ignores how many draws the parent made",
          "[unit][random]") {
  Rng parent(31415);
  const std::vector<std::uint64_t> before = first_draws(parent.derive("timers", 9), 50);
  for (int i = 0; i < 12'345; ++i) {
    (void)parent.next_u64();
  }
  CHECK(first_draws(parent.derive("timers", 9), 50) == before);

  // Drawing from one derived stream does not shift a sibling.
  Rng sibling_a = parent.derive("a");
  const std::vector<std::uint64_t> b_before = first_draws(parent.derive("b"), 10);
  for (int i = 0; i < 1000; ++i) {
    (void)sibling_a.next_u64();
  }
  CHECK(first_draws(parent.derive("b"), 10) == b_before);
}

TEST_CASE("derive: streams derive hierarchically from their own seed", "[unit][random]") {
  const Rng root(1);
  const Rng network = root.derive("network");
  CHECK(network.derive("link", 2).seed() == Rng::derive_seed(network.seed(), "link", 2));
  CHECK(network.derive("link", 2).seed() != root.derive("link", 2).seed());
}

// ---------------------------------------------------------------------------------
// Portable math: agreement with libm and pinned bits

constexpr double kMathTolerance = 1e-13;

TEST_CASE("portable_math: log matches std::log over a sweep", "[unit][random]") {
  double worst = 0.0;
  for (int exponent = -1074; exponent <= 1023; exponent += 3) {
    for (const double mantissa : {1.0, 1.1, 1.25, 1.4142135, 1.5, 1.75, 1.999999}) {
      const double x = std::ldexp(mantissa, exponent);
      if (x == 1.0 || x == 0.0) {
        continue;
      }
      worst = std::max(worst, relative_error(portable_log(x), std::log(x)));
    }
  }
  for (double delta = 1e-15; delta < 0.5; delta *= 1.7) {
    worst = std::max(worst, relative_error(portable_log(1.0 + delta), std::log(1.0 + delta)));
    worst = std::max(worst, relative_error(portable_log(1.0 - delta), std::log(1.0 - delta)));
  }
  CHECK(worst < kMathTolerance);
  CHECK(portable_log(1.0) == 0.0);
}

TEST_CASE("portable_math: log1p matches std::log1p over a sweep", "[unit][random]") {
  double worst = 0.0;
  for (double magnitude = 1e-300; magnitude < 1e300; magnitude *= 1.37) {
    worst = std::max(worst, relative_error(portable_log1p(magnitude), std::log1p(magnitude)));
    if (magnitude < 1.0) {
      worst = std::max(worst,
                       relative_error(portable_log1p(-magnitude), std::log1p(-magnitude)));
    }
  }
  for (double x = -0.999; x < 3.0; x += 0.0137) {
    if (x != 0.0) {
      worst = std::max(worst, relative_error(portable_log1p(x), std::log1p(x)));
    }
  }
  CHECK(worst < kMathTolerance);
}

TEST_CASE("portable_math: exp matches std::exp over a sweep", "[unit][random]") {
  double worst = 0.0;
  for (double x = -708.0; x < 709.7; x += 0.0731) {
    worst = std::max(worst, relative_error(portable_exp(x), std::exp(x)));
  }
  for (double magnitude = 1e-300; magnitude < 1.0; magnitude *= 1.9) {
    worst = std::max(worst, relative_error(portable_exp(magnitude), std::exp(magnitude)));
    worst = std::max(worst, relative_error(portable_exp(-magnitude), std::exp(-magnitude)));
  }
  CHECK(worst < kMathTolerance);
  CHECK(portable_exp(0.0) == 1.0);
}

TEST_CASE("portable_math: expm1 matches std::expm1 over a sweep", "[unit][random]") {
  double worst = 0.0;
  for (double x = -40.0; x < 709.0; x += 0.0193) {
    if (x != 0.0) {
      worst = std::max(worst, relative_error(portable_expm1(x), std::expm1(x)));
    }
  }
  for (double magnitude = 1e-300; magnitude < 1.0; magnitude *= 1.37) {
    worst = std::max(worst, relative_error(portable_expm1(magnitude), std::expm1(magnitude)));
    worst = std::max(worst, relative_error(portable_expm1(-magnitude), std::expm1(-magnitude)));
  }
  CHECK(worst < kMathTolerance);
}

TEST_CASE("portable_math: pow matches std::pow over a sweep", "[unit][random]") {
  double worst = 0.0;
  for (double base = 1e-30; base < 1e30; base *= 1.618) {
    for (double exponent = -25.0; exponent <= 25.0; exponent += 0.37) {
      const double expected = std::pow(base, exponent);
      if (std::isnormal(expected)) {
        worst = std::max(worst, relative_error(portable_pow(base, exponent), expected));
      }
    }
  }
  // Bases near 1 with large exponents stress the extended-precision logarithm.
  for (double delta = 1e-12; delta < 0.5; delta *= 1.5) {
    for (const double exponent : {-1e6, -3333.3, 100.5, 2500.0, 1e9}) {
      const double base = 1.0 + delta;
      const double expected = std::pow(base, exponent);
      if (std::isnormal(expected)) {
        worst = std::max(worst, relative_error(portable_pow(base, exponent), expected));
      }
    }
  }
  CHECK(worst < kMathTolerance);
}

TEST_CASE("portable_math: exact and special cases follow C99", "[unit][random]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(portable_pow(2.0, 10.0) == 1024.0);
  CHECK(portable_pow(-2.0, 3.0) == -8.0);
  CHECK(portable_pow(-2.0, 2.0) == 4.0);
  CHECK(portable_pow(9.0, 0.5) == 3.0);
  CHECK(std::isnan(portable_pow(-2.0, 0.5)));
  CHECK(portable_pow(nan, 0.0) == 1.0);
  CHECK(portable_pow(1.0, nan) == 1.0);
  CHECK(std::isnan(portable_pow(nan, 1.0)));
  CHECK(portable_pow(0.0, 3.0) == 0.0);
  CHECK(std::signbit(portable_pow(-0.0, 3.0)));
  CHECK(portable_pow(0.0, -1.0) == inf);
  CHECK(portable_pow(-0.0, -1.0) == -inf);
  CHECK(portable_pow(inf, -2.0) == 0.0);
  CHECK(portable_pow(-inf, 3.0) == -inf);
  CHECK(portable_pow(0.5, inf) == 0.0);
  CHECK(portable_pow(0.5, -inf) == inf);
  CHECK(portable_pow(-1.0, inf) == 1.0);
  CHECK(portable_pow(10.0, 400.0) == inf);
  CHECK(portable_pow(10.0, -400.0) == 0.0);

  CHECK(portable_log(0.0) == -inf);
  CHECK(std::isnan(portable_log(-1.0)));
  CHECK(portable_log(inf) == inf);
  CHECK(std::isnan(portable_log(nan)));
  CHECK(portable_log1p(-1.0) == -inf);
  CHECK(std::isnan(portable_log1p(-2.0)));
  CHECK(portable_log1p(1e-300) == 1e-300);
  CHECK(portable_exp(-inf) == 0.0);
  CHECK(portable_exp(inf) == inf);
  CHECK(portable_exp(710.0) == inf);
  CHECK(portable_exp(-746.0) == 0.0);
  CHECK(portable_expm1(-inf) == -1.0);
  CHECK(portable_expm1(inf) == inf);
  CHECK(portable_expm1(1e-300) == 1e-300);
  CHECK(std::isnan(portable_expm1(nan)));
}

TEST_CASE("portable_math: golden bits stay pinned", "[unit][random]") {
  // A mismatch here means a compiler fused operations (FMA contraction), kept excess
  // precision, or someone changed the algorithms: every seed would replay differently.
  CHECK(bits_of(portable_log(10.0)) == 0x40026bb1bbb55516);
  CHECK(bits_of(portable_log(0.1)) == 0xc0026bb1bbb55515);
  CHECK(bits_of(portable_log(1e-300)) == 0xc085963447f87fb5);
  CHECK(bits_of(portable_log(123456.789)) == 0x40277281cad8a844);
  CHECK(bits_of(portable_exp(1.0)) == 0x4005bf0a8b14576a);
  CHECK(bits_of(portable_exp(-3.5)) == 0x3f9eec1018e4ff66);
  CHECK(bits_of(portable_exp(700.0)) == 0x7f0d945df4f8ec8e);
  CHECK(bits_of(portable_log1p(1e-10)) == 0x3ddb7cdfd9d1d693);
  CHECK(bits_of(portable_expm1(1e-5)) == 0x3ee4f8bc681cdfb6);
  CHECK(bits_of(portable_expm1(-0.5)) == 0xbfd92e9a0720d3ec);
  CHECK(bits_of(portable_pow(1.5, 2.5)) == 0x40060b9fd68a4554);
  CHECK(bits_of(portable_pow(0.9, 1000.0)) == 0x366fee7413dac342);
  CHECK(bits_of(portable_pow(7.0, -0.3)) == 0x3fe1d96a0c370202);
}

// ---------------------------------------------------------------------------------
// Properties

TEST_CASE("rng: properties of the integer draws hold for every seed", "[property][random]") {
  rc::prop("the same seed replays the same sequence", [](std::uint64_t seed) {
    RC_ASSERT(first_draws(Rng(seed), 20) == first_draws(Rng(seed), 20));
  });
  rc::prop("uniform_below never reaches its bound", [](std::uint64_t seed, std::uint64_t raw) {
    const std::uint64_t bound = raw == 0 ? 1 : raw;
    Rng rng(seed);
    for (int i = 0; i < 20; ++i) {
      RC_ASSERT(rng.uniform_below(bound) < bound);
    }
  });
  rc::prop("uniform_int stays inside [lo, hi]",
           [](std::uint64_t seed, std::int64_t a, std::int64_t b) {
             const std::int64_t lo = a < b ? a : b;
             const std::int64_t hi = a < b ? b : a;
             Rng rng(seed);
             for (int i = 0; i < 20; ++i) {
               const std::int64_t value = rng.uniform_int(lo, hi);
               RC_ASSERT(value >= lo);
               RC_ASSERT(value <= hi);
             }
           });
}

TEST_CASE("rng: properties of the real-valued draws hold for every seed",
          "[property][random]") {
  rc::prop("exponential_ns is never negative and respects a zero mean",
           [](std::uint64_t seed, std::int64_t raw_mean_ns) {
             const DurationNs mean_ns = raw_mean_ns < 0 ? -(raw_mean_ns + 1) : raw_mean_ns;
             Rng rng(seed);
             for (int i = 0; i < 20; ++i) {
               RC_ASSERT(rng.exponential_ns(mean_ns) >= 0);
             }
             RC_ASSERT(rng.exponential_ns(0) == 0);
           });
  rc::prop("zipf samples stay below n", [](std::uint64_t seed) {
    const std::uint64_t n = *rc::gen::inRange<std::uint64_t>(1, (std::uint64_t{1} << 40) + 1);
    const double exponent = *rc::gen::element(0.2, 0.9, 1.0, 1.1, 2.0, 7.5);
    const ZipfDistribution zipf(n, exponent);
    Rng rng(seed);
    for (int i = 0; i < 20; ++i) {
      RC_ASSERT(zipf.sample(rng) < n);
    }
  });
}

TEST_CASE("derive: properties of derived streams hold for every root", "[property][random]") {
  rc::prop("a derived stream ignores the parent's draws",
           [](std::uint64_t seed, std::uint8_t parent_draws, std::uint64_t index) {
             Rng parent(seed);
             const std::vector<std::uint64_t> before = first_draws(parent.derive("p", index), 8);
             for (int i = 0; i < parent_draws; ++i) {
               (void)parent.next_u64();
             }
             RC_ASSERT(first_draws(parent.derive("p", index), 8) == before);
           });
  rc::prop("neighbouring indexes and purposes give different seeds",
           [](std::uint64_t seed, std::uint64_t index) {
             const std::uint64_t derived = Rng::derive_seed(seed, "p", index);
             RC_ASSERT(derived != Rng::derive_seed(seed, "p", index + 1));
             RC_ASSERT(derived != Rng::derive_seed(seed, "q", index));
           });
}

TEST_CASE("portable_math: properties against libm hold for arbitrary arguments",
          "[property][random]") {
  rc::prop("log agrees with std::log for positive finite doubles", [](double raw) {
    const double x = std::fabs(raw);
    RC_PRE(std::isfinite(x) && x > 0.0 && x != 1.0);
    RC_ASSERT(relative_error(portable_log(x), std::log(x)) < kMathTolerance);
  });
  rc::prop("exp agrees with std::exp where the result is normal", [](double raw) {
    const double x = std::fmod(raw, 708.0);
    RC_PRE(std::isfinite(x));
    RC_ASSERT(relative_error(portable_exp(x), std::exp(x)) < kMathTolerance);
  });
  rc::prop("log1p and expm1 agree with libm", [](double raw) {
    const double x = std::fmod(raw, 700.0);
    RC_PRE(std::isfinite(x) && x > -1.0 && x != 0.0);
    RC_ASSERT(relative_error(portable_log1p(x), std::log1p(x)) < kMathTolerance);
    RC_ASSERT(relative_error(portable_expm1(x), std::expm1(x)) < kMathTolerance);
  });
}

}  // namespace
}  // namespace ckptsim::sim
