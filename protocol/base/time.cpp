#include "protocol/base/time.h"

#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>

namespace ckptsim {
namespace {

struct UnitName {
  std::string_view name;
  DurationNs multiplier_ns;
};

// Longest names first is not needed: matching is on the whole unit token.
constexpr std::array<UnitName, 31> kUnits = {{
    {"d", kDay}, {"day", kDay}, {"days", kDay},
    {"h", kHour}, {"hour", kHour}, {"hours", kHour},
    {"min", kMinute}, {"m", kMinute}, {"minute", kMinute}, {"minutes", kMinute},
    {"s", kSecond}, {"sec", kSecond}, {"secs", kSecond}, {"second", kSecond}, {"seconds", kSecond},
    {"ms", kMillisecond}, {"milli", kMillisecond}, {"millis", kMillisecond},
    {"millisecond", kMillisecond}, {"milliseconds", kMillisecond},
    {"us", kMicrosecond}, {"\xC2\xB5s", kMicrosecond}, {"micro", kMicrosecond},
    {"micros", kMicrosecond}, {"microsecond", kMicrosecond}, {"microseconds", kMicrosecond},
    {"ns", kNanosecond}, {"nano", kNanosecond}, {"nanos", kNanosecond},
    {"nanosecond", kNanosecond}, {"nanoseconds", kNanosecond},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

Result<DurationNs> parse_duration(std::string_view text) {
  const std::string_view trimmed = trim(text);
  std::string quoted;  // built piecewise: GCC 12 warns falsely on "'" + s + "'" at -O3
  quoted.reserve(text.size() + 2);
  quoted.push_back('\'');
  quoted.append(text);
  quoted.push_back('\'');
  if (trimmed.empty()) {
    return Status::invalid_argument("expected a duration such as \"100ms\" or \"5 s\", got an empty string");
  }
  std::size_t digits_end = 0;
  std::int64_t amount = 0;
  while (digits_end < trimmed.size() && std::isdigit(static_cast<unsigned char>(trimmed[digits_end]))) {
    const int digit = trimmed[digits_end] - '0';
    if (amount > (INT64_MAX - digit) / 10) {
      return Status::invalid_argument("duration " + quoted + " overflows 64-bit nanoseconds");
    }
    amount = amount * 10 + digit;
    ++digits_end;
  }
  if (digits_end == 0) {
    return Status::invalid_argument("expected a duration starting with a non-negative integer (\"100ms\", \"5 s\", \"1min\"), got " + quoted);
  }
  const std::string_view unit = trim(trimmed.substr(digits_end));
  DurationNs multiplier_ns = kMillisecond;  // Flink: a bare number is milliseconds.
  if (!unit.empty()) {
    bool found = false;
    for (const UnitName& candidate : kUnits) {
      if (equals_ignoring_case(unit, candidate.name)) {
        multiplier_ns = candidate.multiplier_ns;
        found = true;
        break;
      }
    }
    if (!found) {
      return Status::invalid_argument("unknown time unit '" + std::string(unit) + "' in duration " + quoted +
                                      "; expected one of d, h, min, s, ms, us, ns");
    }
  }
  if (amount > INT64_MAX / multiplier_ns) {
    return Status::invalid_argument("duration " + quoted + " overflows 64-bit nanoseconds");
  }
  return amount * multiplier_ns;
}

std::string format_duration(DurationNs duration_ns) {
  struct Unit {
    DurationNs size_ns;
    const char* suffix;
  };
  static constexpr std::array<Unit, 7> kPrintUnits = {{
      {kDay, "d"}, {kHour, "h"}, {kMinute, "min"}, {kSecond, "s"},
      {kMillisecond, "ms"}, {kMicrosecond, "us"}, {kNanosecond, "ns"},
  }};
  if (duration_ns == 0) return "0ms";
  for (const Unit& unit : kPrintUnits) {
    if (duration_ns % unit.size_ns == 0) {
      return std::to_string(duration_ns / unit.size_ns) + unit.suffix;
    }
  }
  CKPT_UNREACHABLE("every duration is a whole number of nanoseconds");
}

std::string format_time(TimeNs time_ns) {
  const bool negative = time_ns < 0;
  // Avoid overflow on INT64_MIN by working in unsigned arithmetic.
  const std::uint64_t magnitude = negative ? (~static_cast<std::uint64_t>(time_ns) + 1) : static_cast<std::uint64_t>(time_ns);
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%s%" PRIu64 ".%09" PRIu64 "s", negative ? "-" : "",
                static_cast<std::uint64_t>(magnitude / kSecond), static_cast<std::uint64_t>(magnitude % kSecond));
  return buffer;
}

}  // namespace ckptsim
