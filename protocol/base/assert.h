// Assertions for programmer errors. They stay on in every build type: a violated
// invariant in a simulator that judges correctness must never be silently ignored.
// Expected failures (lost message, crashed node, corrupt snapshot) are Status values,
// never assertions.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ckptsim {

[[noreturn]] inline void assertion_failed(const char* condition, const char* message,
                                          const char* file, int line) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s (%s)\n", file, line, condition, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ckptsim

#define CKPT_ASSERT(condition, message)                                          \
  do {                                                                           \
    if (!(condition)) [[unlikely]] {                                             \
      ::ckptsim::assertion_failed(#condition, message, __FILE__, __LINE__);      \
    }                                                                            \
  } while (false)

#define CKPT_UNREACHABLE(message) \
  ::ckptsim::assertion_failed("unreachable", message, __FILE__, __LINE__)
