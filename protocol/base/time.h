// Integer time. All time in ckptsim is signed 64-bit nanoseconds: virtual time in the
// simulator, real time in a real runtime. There is no floating-point time anywhere.
//
// Durations parse and print with Apache Flink's syntax (TimeUtils.parseDuration):
// "<integer><optional whitespace><unit>", unit one of
//   d|day|days, h|hour|hours, min|m|minute|minutes, s|sec|secs|second|seconds,
//   ms|milli|millis|millisecond|milliseconds, us|µs|micro|micros|microsecond|microseconds,
//   ns|nano|nanos|nanosecond|nanoseconds
// (case-insensitive). A bare number means milliseconds, as in Flink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/base/status.h"

namespace ckptsim {

using TimeNs = std::int64_t;      // a point in time, ns since the start of the run
using DurationNs = std::int64_t;  // a span of time in ns

inline constexpr DurationNs kNanosecond = 1;
inline constexpr DurationNs kMicrosecond = 1000 * kNanosecond;
inline constexpr DurationNs kMillisecond = 1000 * kMicrosecond;
inline constexpr DurationNs kSecond = 1000 * kMillisecond;
inline constexpr DurationNs kMinute = 60 * kSecond;
inline constexpr DurationNs kHour = 60 * kMinute;
inline constexpr DurationNs kDay = 24 * kHour;
inline constexpr TimeNs kTimeNever = INT64_MAX;

// Parses a Flink duration ("100ms", "5 s", "1min"). Errors name what was expected.
Result<DurationNs> parse_duration(std::string_view text);

// Prints a duration exactly, in the largest unit that divides it: "100ms", "5s",
// "1min", "1500us". parse_duration(format_duration(d)) == d for every d >= 0.
std::string format_duration(DurationNs duration_ns);

// Prints a point in time for humans and log prefixes: seconds with nanosecond
// precision, "12.000345678s".
std::string format_time(TimeNs time_ns);

}  // namespace ckptsim
