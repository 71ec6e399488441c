#include "sim/random.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/portable_math.h"

// The distributions below evaluate a*b+c expressions whose bits must not depend on
// whether the target has fused multiply-add (see portable_math.h).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace ckptsim::sim {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325;
constexpr std::uint64_t kFnvPrime = 0x100000001b3;
// Separates derive_seed's hash from plain splitmix64 sequences of the root seed.
constexpr std::uint64_t kDeriveDomain = 0x636b707473696d21;  // ASCII "ckptsim!"

// splitmix64's finalizer on its own: a bijection with full avalanche.
std::uint64_t mix64(std::uint64_t value) {
  std::uint64_t counter = value - 0x9e3779b97f4a7c15;
  return splitmix64(counter);
}

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = kFnvOffsetBasis;
  for (const char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= kFnvPrime;
  }
  return hash;
}

// Zipf's hat integral needs log1p(x)/x and expm1(x)/x near x = 0, where both quotients
// tend to 1; below the threshold a Taylor polynomial is exact to double precision.
constexpr double kTaylorThreshold = 1e-8;

double log1p_over_x(double x) {
  if (x > kTaylorThreshold || x < -kTaylorThreshold) {
    return portable_log1p(x) / x;
  }
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

double expm1_over_x(double x) {
  if (x > kTaylorThreshold || x < -kTaylorThreshold) {
    return portable_expm1(x) / x;
  }
  return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

constexpr std::uint64_t kZipfMaxElements = std::uint64_t{1} << 52;
// The expected number of attempts is below 2; hitting this bound means a broken
// invariant, not bad luck (the chance is far below 2^-1000).
constexpr int kZipfMaxAttempts = 10'000;

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed), state_{} {
  std::uint64_t counter = seed;
  for (std::uint64_t& word : state_) {
    word = splitmix64(counter);
  }
  CKPT_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0,
              "xoshiro256** state must not be all zero");
}

double Rng::exponential(double mean) {
  CKPT_ASSERT(mean >= 0.0, "exponential mean must be >= 0 (and not NaN)");
  CKPT_ASSERT(mean <= std::numeric_limits<double>::max(), "exponential mean must be finite");
  // 1 - u is exact and in (0, 1] because u is a multiple of 2^-53 in [0, 1). Starting
  // from 0.0 keeps the result +0 rather than -0 when the log is 0.
  const double standard = 0.0 - portable_log(1.0 - uniform_real());
  return mean * standard;
}

DurationNs Rng::exponential_ns(DurationNs mean_ns) {
  CKPT_ASSERT(mean_ns >= 0, "exponential_ns mean must be >= 0");
  const double rounded_ns = exponential(static_cast<double>(mean_ns)) + 0.5;
  // 2^63 is exactly representable; anything at or above it does not fit in an int64.
  constexpr double kInt64Limit = 0x1.0p63;
  if (rounded_ns >= kInt64Limit) {
    return std::numeric_limits<DurationNs>::max();
  }
  CKPT_ASSERT(rounded_ns >= 0.0, "an exponential draw is never negative");
  return static_cast<DurationNs>(rounded_ns);  // truncation of a positive value: floor
}

std::uint64_t Rng::derive_seed(std::uint64_t root_seed, std::string_view purpose,
                               std::uint64_t index) {
  // Every step is a bijection of the running hash for a fixed input, so for a fixed
  // root and purpose distinct indexes always give distinct seeds (and likewise distinct
  // roots for a fixed name); other collisions are 64-bit accidents. The mixer's
  // avalanche makes neighbouring roots and indexes give unrelated seeds.
  std::uint64_t hash = mix64(root_seed ^ kDeriveDomain);
  hash = mix64(hash ^ fnv1a(purpose));
  return mix64(hash ^ mix64(index));
}

Rng Rng::derive(std::string_view purpose, std::uint64_t index) const {
  return Rng(derive_seed(seed_, purpose, index));
}

ZipfDistribution::ZipfDistribution(std::uint64_t n, double exponent) : n_(n), exponent_(exponent) {
  CKPT_ASSERT(n >= 1, "a Zipf distribution needs at least one element");
  CKPT_ASSERT(n <= kZipfMaxElements, "a Zipf distribution supports at most 2^52 elements");
  CKPT_ASSERT(exponent > 0.0, "a Zipf exponent must be > 0 (and not NaN)");
  CKPT_ASSERT(exponent <= std::numeric_limits<double>::max(), "a Zipf exponent must be finite");
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  squeeze_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

std::uint64_t ZipfDistribution::sample(Rng& rng) const {
  for (int attempt = 0; attempt < kZipfMaxAttempts; ++attempt) {
    // u is uniform in (h_integral_x1_, h_integral_n_].
    const double u = h_integral_n_ + rng.uniform_real() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    CKPT_ASSERT(!std::isnan(x), "Zipf inversion produced NaN");
    const std::uint64_t k = clamp_to_rank(x + 0.5);
    const double k_real = static_cast<double>(k);
    // P(k = 1) = C and P(k = m) = C * (H(m + 1/2) - H(m - 1/2)) for m >= 2; accepting k
    // when u >= H(k + 1/2) - h(k) leaves P(k) proportional to h(k) = k^-s. The
    // squeeze (k - x <= squeeze_) implies that condition (Theorem 2 of the paper holds
    // for every s > 0) and skips two logs and an exp in most cases. For k = 1 the
    // condition always holds, since H(1.5) - h(1) = h_integral_x1_ < u.
    if (k_real - x <= squeeze_ || u >= h_integral(k_real + 0.5) - h(k_real)) {
      return k - 1;
    }
  }
  CKPT_UNREACHABLE("Zipf rejection loop exceeded its attempt bound");
}

double ZipfDistribution::h_integral(double x) const {
  const double log_x = portable_log(x);
  return expm1_over_x((1.0 - exponent_) * log_x) * log_x;
}

double ZipfDistribution::h(double x) const {
  return portable_exp(-exponent_ * portable_log(x));
}

double ZipfDistribution::h_integral_inverse(double x) const {
  double t = x * (1.0 - exponent_);
  if (t < -1.0) {
    // Rounding can push t just below -1, where log1p is undefined; the true value is
    // at least -1.
    t = -1.0;
  }
  return portable_exp(log1p_over_x(t) * x);
}

std::uint64_t ZipfDistribution::clamp_to_rank(double x_plus_half) const {
  if (!(x_plus_half >= 1.0)) {
    return 1;
  }
  // n_ <= 2^52 converts exactly; checking before the cast also keeps +inf out of it.
  if (x_plus_half >= static_cast<double>(n_)) {
    return n_;
  }
  return static_cast<std::uint64_t>(x_plus_half);
}

}  // namespace ckptsim::sim
