// Seeded, portable pseudo-random numbers and distributions for the simulator.
//
// A simulated run is a pure function of its seed. Nothing here reads std::random_device,  // determinism-ok: names what is avoided
// uses the std:: distributions (their algorithms differ between standard libraries) or
// calls libm (its last bits differ between platforms): integer work is exact, and
// real-valued work uses IEEE basic operations and sim/portable_math.h.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string_view>

#include "protocol/base/assert.h"
#include "protocol/base/time.h"
#include "protocol/env/randomness.h"

namespace ckptsim::sim {

// One step of splitmix64 (Steele, Lea & Flood 2014): advances counter by the golden
// gamma and returns the mixed value. Used to seed Rng and to hash derived seeds.
inline std::uint64_t splitmix64(std::uint64_t& counter) {
  counter += 0x9e3779b97f4a7c15;
  std::uint64_t z = counter;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// Rng: xoshiro256** (Blackman & Vigna 2018), its 256-bit state filled by four
// splitmix64 steps from a 64-bit seed.
//
// Contract:
//  - The values drawn are a pure function of the seed and the sequence of calls:
//    bit-identical on every compiler, standard library and machine.
//  - Each method says how many 64-bit draws it consumes. Methods that always consume
//    exactly one draw keep later draws in place when their parameters change (a
//    bernoulli(0) still consumes its draw), which keeps swarm runs comparable.
//  - Independent streams come from derive(), never from copying: a copy replays the
//    same values as its original.
// Invariants:
//  - state_ is never all zero (splitmix64's mixer is a bijection, so four consecutive
//    outputs are distinct and at most one of them is zero).
//  - seed_ is the construction seed forever; derive() uses it, not the current state.
//
// The class is final, so calls through an Rng (not a Randomness&) are direct and the
// inline hot paths (next_u64, uniform_below) inline.
class Rng final : public Randomness {
 public:
  explicit Rng(std::uint64_t seed);

  // The seed this stream was constructed from (for derived streams: the derived seed).
  std::uint64_t seed() const { return seed_; }

  // A uniformly distributed 64-bit value. One draw.
  std::uint64_t next_u64() override {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0, without modulo bias: Lemire's multiply-shift with
  // rejection (Lemire 2019). One draw, plus a retry with probability < bound / 2^64.
  std::uint64_t uniform_below(std::uint64_t bound) override;

  // Uniform in [lo, hi], both inclusive, lo <= hi; the full int64 range is allowed.
  // Draws as uniform_below(hi - lo + 1), or exactly one draw for the full range.
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);

  // Uniform in [0, 1) on the grid of multiples of 2^-53 (the top 53 bits of one draw).
  double uniform_real() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  // True with probability `probability` in [0, 1]. Exactly one draw, even for 0 and 1.
  bool bernoulli(double probability) {
    CKPT_ASSERT(probability >= 0.0, "bernoulli probability must be >= 0 (and not NaN)");
    CKPT_ASSERT(probability <= 1.0, "bernoulli probability must be <= 1");
    return uniform_real() < probability;
  }

  // True with probability 1/n, n >= 1. Draws as uniform_below(n).
  bool one_in(std::uint64_t n) {
    CKPT_ASSERT(n >= 1, "one_in needs n >= 1");
    return uniform_below(n) == 0;
  }

  // Exponentially distributed with the given mean >= 0 (finite), by inverse CDF:
  // -mean * log(1 - u). Never negative; at most ~36.74 * mean. Exactly one draw.
  double exponential(double mean);

  // exponential(mean_ns) rounded to the nearest nanosecond and clamped to INT64_MAX,
  // so it never overflows. A mean of 0 gives 0. Exactly one draw, even for mean 0.
  DurationNs exponential_ns(DurationNs mean_ns);

  // The seed of the stream named (purpose, index) under root_seed: a well-mixed hash
  // (FNV-1a over the purpose bytes, combined with the root and index through
  // splitmix64's mixer). Distinct names give unrelated seeds.
  static std::uint64_t derive_seed(std::uint64_t root_seed, std::string_view purpose,
                                   std::uint64_t index);

  // An independent stream named (purpose, index), seeded with
  // derive_seed(seed(), purpose, index). It depends only on this Rng's construction
  // seed, never on its current state: drawing from one stream never shifts another,
  // and adding a stream never changes the values of the existing ones. Streams derive
  // hierarchically (rng.derive("network").derive("link", 3)).
  Rng derive(std::string_view purpose, std::uint64_t index = 0) const;

 private:
  std::uint64_t seed_;
  std::array<std::uint64_t, 4> state_;
};

inline std::uint64_t Rng::uniform_below(std::uint64_t bound) {
  CKPT_ASSERT(bound > 0, "uniform_below needs a positive bound");
  __extension__ using Uint128 = unsigned __int128;
  Uint128 product = static_cast<Uint128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) [[unlikely]] {
    // The low words below 2^64 mod bound fall in the incomplete last stripe of the
    // product range; rejecting them leaves every result exactly equally likely.
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<Uint128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

inline std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
  CKPT_ASSERT(lo <= hi, "uniform_int needs lo <= hi");
  // Unsigned arithmetic wraps, so the span of any int64 range is exact.
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) {
    return static_cast<std::int64_t>(next_u64());
  }
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform_below(span + 1));
}

// ZipfDistribution: ranks in [0, n) with P(rank = r) proportional to 1 / (r + 1)^exponent,
// so rank 0 is the most frequent.
//
// Sampling is Hörmann & Derflinger's rejection-inversion (ACM TOMACS 6(3), 1996) in the
// form of Apache Commons RNG's RejectionInversionZipfSampler: it integrates the hat
// function H(x) = (x^(1-s) - 1) / (1 - s), which has a finite limit (log x) at s = 1,
// so every exponent > 0 works. O(1) memory and expected O(1) time for any n.
//
// Contract: 1 <= n <= 2^52 (so that k + 0.5 is exact), exponent > 0 and finite. Each
// sample consumes one uniform_real() draw per attempt; the expected number of attempts
// is below 2. Immutable after construction; share it freely.
class ZipfDistribution {
 public:
  ZipfDistribution(std::uint64_t n, double exponent);

  // A rank in [0, n).
  std::uint64_t sample(Rng& rng) const;

  std::uint64_t n() const { return n_; }
  double exponent() const { return exponent_; }

 private:
  // H(x) = (x^(1-s) - 1) / (1 - s), the integral of the hat function h.
  double h_integral(double x) const;
  // h(x) = x^-s.
  double h(double x) const;
  // The inverse of H.
  double h_integral_inverse(double x) const;
  // Clamps x + 0.5 rounded down into [1, n].
  std::uint64_t clamp_to_rank(double x_plus_half) const;

  std::uint64_t n_;
  double exponent_;
  double h_integral_x1_ = 0.0;  // H(1.5) - h(1)
  double h_integral_n_ = 0.0;   // H(n + 0.5)
  double squeeze_ = 0.0;        // 2 - H^-1(H(2.5) - h(2)): accept without computing H
};

}  // namespace ckptsim::sim
