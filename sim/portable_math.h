// Portable elementary functions for the simulator's random distributions.
//
// libm's log, exp and pow are not correctly rounded, and their last bits differ between
// glibc, musl, libc++ platforms and CPU-specific code paths. A simulation whose
// exponential delays or Zipf keys come from them would replay differently on another
// machine. These functions are built only from IEEE-754 basic operations (+ - * /,
// comparisons) and exact scaling by powers of two (std::frexp, std::ldexp), so their
// results are bit-identical on every conforming platform.
//
// Contract:
//  - Accuracy, for normal results: log, log1p and exp about 1 ulp, expm1 about 2 ulp
//    (measured against glibc), pow see below. The methods are argument reduction plus
//    fdlibm's minimax polynomials. Not correctly rounded, and never needs to be: the
//    point is identical bits everywhere, not the best bits.
//  - Special values follow C99 Annex F (NaN in, NaN out; log(0) = -inf; exp overflow =
//    +inf; pow's signed-zero and infinity cases).
//  - Bit-identity assumes what every x86-64 and AArch64 build gets by default: no excess
//    precision (no x87; checked at compile time), the default round-to-nearest mode, and
//    no fusing of a*b+c into one rounding. portable_math.cpp turns contraction off for
//    itself; do not build the project with -ffast-math, and clang's -ffp-contract=fast
//    overrides the file's pragma. The golden-bit tests catch a build that breaks this.
#pragma once

namespace ckptsim::sim {

// Natural logarithm. x < 0 gives NaN, x == 0 gives -inf.
double portable_log(double x);

// log(1 + x), accurate for tiny x. x < -1 gives NaN, x == -1 gives -inf.
double portable_log1p(double x);

// e^x. Overflows to +inf above ~709.78, underflows to 0 below ~-745.13.
double portable_exp(double x);

// e^x - 1, accurate for tiny x. Tends to -1 for large negative x.
double portable_expm1(double x);

// base^exponent. A negative base needs an integral exponent (else NaN). The logarithm
// of base is carried in double-double precision so that large exponents do not magnify
// its rounding error: a few ulp for moderate |exponent * log(base)|, growing to ~15 ulp
// as the result nears overflow or underflow (the residual error of fdlibm's log
// polynomial, scaled by the exponent).
double portable_pow(double base, double exponent);

}  // namespace ckptsim::sim
