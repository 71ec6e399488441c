#include "sim/portable_math.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

#include "protocol/base/assert.h"

// Fusing a*b+c into one rounding would change the bits of every result below on machines
// with FMA (and break the exact error terms of two_product). The pragmas come after the
// includes so that they apply to this file's functions only.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

// Bit-identity needs IEEE-754 doubles evaluated at their own precision (not x87's 80
// bits, as on 32-bit x86 without SSE2).
static_assert(std::numeric_limits<double>::is_iec559, "portable_math needs IEEE-754 doubles");
static_assert(FLT_EVAL_METHOD == 0, "portable_math needs doubles without excess precision");

namespace ckptsim::sim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ln(2) split in two: kLn2Hi has 32 significant bits, so k * kLn2Hi is exact for every
// binary exponent k a double can have.
constexpr double kLn2Hi = 0x1.62e42feep-1;
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kInvLn2 = 0x1.71547652b82fep+0;
constexpr double kSqrtHalf = 0x1.6a09e667f3bcdp-1;

// fdlibm e_log.c: log(1+f) = f - f^2/2 + s*(f^2/2 + R(s^2)) with s = f/(2+f) and R a
// minimax polynomial, |error| < 2^-58.45 on 1+f in [sqrt(1/2), sqrt(2)).
constexpr double kLg1 = 0x1.5555555555593p-1;
constexpr double kLg2 = 0x1.999999997fa04p-2;
constexpr double kLg3 = 0x1.2492494229359p-2;
constexpr double kLg4 = 0x1.c71c51d8e78afp-3;
constexpr double kLg5 = 0x1.7466496cb03dep-3;
constexpr double kLg6 = 0x1.39a09d078c69fp-3;
constexpr double kLg7 = 0x1.2f112df3e5244p-3;

// fdlibm e_exp.c: exp(r) = 1 + r + r*c/(2-c) with c = r - r^2*P(r^2), |r| <= ln(2)/2.
constexpr double kP1 = 0x1.555555555553ep-3;
constexpr double kP2 = -0x1.6c16c16bebd93p-9;
constexpr double kP3 = 0x1.1566aaf25de2cp-14;
constexpr double kP4 = -0x1.bbd41c5d26bf1p-20;
constexpr double kP5 = 0x1.6376972bea4d0p-25;
constexpr double kExpOverflowThreshold = 0x1.62e42fefa39efp+9;    // ~709.78
constexpr double kExpUnderflowThreshold = -0x1.74910d52d3051p+9;  // ~-745.13

// Veltkamp's splitter for doubles: 2^27 + 1.
constexpr double kSplitter = 134217729.0;
constexpr double kTwoPow53 = 9007199254740992.0;

// x = 2^k * (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)); both parts are exact.
struct ReducedLog {
  int k;
  double f;
};

ReducedLog reduce_for_log(double x) {
  CKPT_ASSERT(x > 0.0, "log reduction needs a positive argument");
  CKPT_ASSERT(x < kInfinity, "log reduction needs a finite argument");
  int exponent = 0;
  double mantissa = std::frexp(x, &exponent);  // [0.5, 1), exact even for subnormals
  if (mantissa < kSqrtHalf) {
    mantissa *= 2.0;
    exponent -= 1;
  }
  // mantissa is in [sqrt(1/2), sqrt(2)), so mantissa - 1 is exact (Sterbenz).
  return ReducedLog{exponent, mantissa - 1.0};
}

// R(s^2) of the log kernel, with s = f / (2 + f).
double log_polynomial(double s) {
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  return t1 + t2;
}

// log(2^k * (1 + f) * (1 + c)) for small c, as in fdlibm's log1p.
double log_of_reduced(ReducedLog reduced, double c) {
  const double f = reduced.f;
  const double s = f / (2.0 + f);
  const double hfsq = 0.5 * f * f;
  const double r = log_polynomial(s);
  const double dk = reduced.k;
  return dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + (dk * kLn2Lo + c))) - f);
}

struct DoubleDouble {
  double hi;
  double lo;
};

// Knuth's TwoSum: hi + lo == a + b exactly.
DoubleDouble two_sum(double a, double b) {
  const double sum = a + b;
  const double b_virtual = sum - a;
  const double a_virtual = sum - b_virtual;
  return DoubleDouble{sum, (a - a_virtual) + (b - b_virtual)};
}

// Veltkamp split: hi has at most 26 significant bits and hi + lo == a.
DoubleDouble split(double a) {
  const double scaled = kSplitter * a;
  const double hi = scaled - (scaled - a);
  return DoubleDouble{hi, a - hi};
}

// Dekker's TwoProduct without FMA: hi + lo == a * b exactly (|a|, |b| < 2^995).
DoubleDouble two_product(double a, double b) {
  const double product = a * b;
  const DoubleDouble a_parts = split(a);
  const DoubleDouble b_parts = split(b);
  const double error = ((a_parts.hi * b_parts.hi - product) + a_parts.hi * b_parts.lo +
                        a_parts.lo * b_parts.hi) +
                       a_parts.lo * b_parts.lo;
  return DoubleDouble{product, error};
}

// log(x) as hi + lo for positive finite x, for pow. The identity behind fdlibm's kernel,
// log(1+f) = f - f^2/2 + s*(f^2/2 + R), holds exactly for s = f/(2+f); here s, f^2/2 and
// the products and sums are carried in double-double, so the only errors left are the
// polynomial R's own (it is multiplied by s < 0.18), about 2^-59 absolute.
DoubleDouble log_extended(double x) {
  const ReducedLog reduced = reduce_for_log(x);
  const double f = reduced.f;
  const double dk = reduced.k;
  const DoubleDouble denominator = two_sum(2.0, f);
  const double s_hi = f / denominator.hi;
  const DoubleDouble back = two_product(s_hi, denominator.hi);
  const double s_lo = (((f - back.hi) - back.lo) - s_hi * denominator.lo) / denominator.hi;
  const DoubleDouble f_squared = two_product(f, f);
  const double hfsq_hi = 0.5 * f_squared.hi;
  const double hfsq_lo = 0.5 * f_squared.lo;
  const DoubleDouble inner = two_sum(hfsq_hi, log_polynomial(s_hi));
  const double inner_lo = inner.lo + hfsq_lo;
  const DoubleDouble small_term = two_product(s_hi, inner.hi);
  const double small_term_lo = small_term.lo + (s_hi * inner_lo + s_lo * inner.hi);
  const DoubleDouble head = two_sum(dk * kLn2Hi, f);
  const DoubleDouble body = two_sum(head.hi, -hfsq_hi);
  const DoubleDouble sum = two_sum(body.hi, small_term.hi);
  const double tail = ((head.lo + body.lo) + sum.lo) +
                      ((small_term_lo - hfsq_lo) + dk * kLn2Lo);
  const double hi = sum.hi + tail;
  return DoubleDouble{hi, tail - (hi - sum.hi)};
}

// e^(x + tail) for |tail| much smaller than ulp(x); tail is 0 for plain exp.
double exp_with_tail(double x, double tail) {
  if (x > kExpOverflowThreshold) {
    return kInfinity;
  }
  if (x < kExpUnderflowThreshold) {
    return 0.0;
  }
  // k = round(x / ln2); the conversion truncates, which is exact and portable.
  const int k = static_cast<int>(kInvLn2 * x + (x < 0.0 ? -0.5 : 0.5));
  const double dk = k;
  const double hi = x - dk * kLn2Hi;
  const double lo = dk * kLn2Lo - tail;
  const double r = hi - lo;
  const double t = r * r;
  const double c = r - t * (kP1 + t * (kP2 + t * (kP3 + t * (kP4 + t * kP5))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return std::ldexp(y, k);
}

bool is_integer(double y) {
  CKPT_ASSERT(!std::isnan(y), "integer test of NaN");
  if (y >= kTwoPow53 || y <= -kTwoPow53) {
    return true;
  }
  return static_cast<double>(static_cast<std::int64_t>(y)) == y;
}

// Only meaningful for finite integral y.
bool is_odd_integer(double y) {
  if (!is_integer(y) || y >= kTwoPow53 || y <= -kTwoPow53) {
    return false;  // every double at or beyond 2^53 is even
  }
  return (static_cast<std::int64_t>(y) & 1) != 0;
}

// base^exponent for positive finite base != 1 and finite nonzero exponent.
double pow_positive(double base, double exponent) {
  const DoubleDouble log_base = log_extended(base);
  const double product = exponent * log_base.hi;
  // Decide over- and underflow before two_product, which could overflow on a huge
  // exponent; |log_base| >= 2^-53 whenever base != 1, so here |exponent| < 2^63.
  if (product > kExpOverflowThreshold + 1.0) {
    return kInfinity;
  }
  if (product < kExpUnderflowThreshold - 1.0) {
    return 0.0;
  }
  const DoubleDouble exact = two_product(exponent, log_base.hi);
  return exp_with_tail(exact.hi, exact.lo + exponent * log_base.lo);
}

double pow_infinite_exponent(double base, double exponent) {
  const double magnitude = base < 0.0 ? -base : base;
  if (magnitude == 1.0) {
    return 1.0;
  }
  return (magnitude < 1.0) == (exponent < 0.0) ? kInfinity : 0.0;
}

// base is +-0 or +-inf, exponent finite and nonzero.
double pow_zero_or_infinite_base(double base, double exponent) {
  const bool negative_base = std::signbit(base);
  const bool odd = is_odd_integer(exponent);
  const bool huge = base != 0.0;
  const double magnitude = (huge == (exponent > 0.0)) ? kInfinity : 0.0;
  return (negative_base && odd) ? -magnitude : magnitude;
}

}  // namespace

double portable_log(double x) {
  if (std::isnan(x) || x < 0.0) {
    return kNaN;
  }
  if (x == 0.0) {
    return -kInfinity;
  }
  if (x == kInfinity) {
    return kInfinity;
  }
  return log_of_reduced(reduce_for_log(x), 0.0);
}

double portable_log1p(double x) {
  if (std::isnan(x) || x < -1.0) {
    return kNaN;
  }
  if (x == -1.0) {
    return -kInfinity;
  }
  if (x == kInfinity) {
    return kInfinity;
  }
  const double u = 1.0 + x;
  // c = (1 + x) - u, the rounding error of u, recovered exactly: for u < 2, u - 1 is
  // exact (Sterbenz, or u = 1 + x exactly when u < 1/2); for u >= 2, x >= u/2 and u - x
  // is exact.
  const double c = u < 2.0 ? x - (u - 1.0) : 1.0 - (u - x);
  return log_of_reduced(reduce_for_log(u), c / u);
}

double portable_exp(double x) {
  if (std::isnan(x)) {
    return x;
  }
  return exp_with_tail(x, 0.0);
}

double portable_expm1(double x) {
  if (std::isnan(x)) {
    return x;
  }
  // Kahan's trick: with u = fl(e^x), (u - 1) * x / log(u) cancels the rounding error of
  // u, because (u - 1) / log(u) varies slowly; accurate to a few ulp.
  const double u = portable_exp(x);
  if (u == 1.0) {
    return x;
  }
  const double u_minus_one = u - 1.0;
  if (u_minus_one == -1.0) {
    return -1.0;
  }
  if (u == kInfinity) {
    return kInfinity;
  }
  return (u_minus_one / portable_log(u)) * x;
}

double portable_pow(double base, double exponent) {
  if (exponent == 0.0 || base == 1.0) {
    return 1.0;
  }
  if (std::isnan(base) || std::isnan(exponent)) {
    return kNaN;
  }
  if (std::isinf(exponent)) {
    return pow_infinite_exponent(base, exponent);
  }
  if (base == 0.0 || std::isinf(base)) {
    return pow_zero_or_infinite_base(base, exponent);
  }
  if (base < 0.0) {
    if (!is_integer(exponent)) {
      return kNaN;
    }
    const double magnitude = pow_positive(-base, exponent);
    return is_odd_integer(exponent) ? -magnitude : magnitude;
  }
  return pow_positive(base, exponent);
}

}  // namespace ckptsim::sim
