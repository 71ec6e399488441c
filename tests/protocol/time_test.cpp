#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "protocol/base/time.h"

using namespace ckptsim;

TEST_CASE("durations: Flink syntax parses with and without spaces", "[unit][time]") {
  CHECK(parse_duration("100ms").value() == 100 * kMillisecond);
  CHECK(parse_duration("5 s").value() == 5 * kSecond);
  CHECK(parse_duration("1min").value() == kMinute);
  CHECK(parse_duration("2 h").value() == 2 * kHour);
  CHECK(parse_duration("1d").value() == kDay);
  CHECK(parse_duration("250us").value() == 250 * kMicrosecond);
  CHECK(parse_duration("7ns").value() == 7);
  CHECK(parse_duration("3 SECONDS").value() == 3 * kSecond);
  CHECK(parse_duration("10 milliseconds").value() == 10 * kMillisecond);
  CHECK(parse_duration("  42  ").value() == 42 * kMillisecond);  // bare number: milliseconds
  CHECK(parse_duration("0").value() == 0);
}

TEST_CASE("durations: malformed text is rejected with a reason", "[unit][time]") {
  const auto empty = parse_duration("");
  REQUIRE_FALSE(empty.is_ok());
  CHECK(empty.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(parse_duration("fast").status().message(), Catch::Contains("non-negative integer"));
  CHECK_THAT(parse_duration("10 parsecs").status().message(), Catch::Contains("unknown time unit 'parsecs'"));
  CHECK_THAT(parse_duration("-5s").status().message(), Catch::Contains("non-negative integer"));
  CHECK_THAT(parse_duration("99999999999999999999ms").status().message(), Catch::Contains("overflows"));
  CHECK_THAT(parse_duration("300000000000d").status().message(), Catch::Contains("overflows"));
}

TEST_CASE("durations: printing picks the largest exact unit", "[unit][time]") {
  CHECK(format_duration(100 * kMillisecond) == "100ms");
  CHECK(format_duration(5 * kSecond) == "5s");
  CHECK(format_duration(90 * kSecond) == "90s");
  CHECK(format_duration(kMinute) == "1min");
  CHECK(format_duration(1500 * kMicrosecond) == "1500us");
  CHECK(format_duration(0) == "0ms");
  CHECK(format_time(1 * kSecond + 345678) == "1.000345678s");
  CHECK(format_time(-kSecond) == "-1.000000000s");
}

TEST_CASE("durations: printing then parsing gives the same duration", "[property][time]") {
  rc::prop("round trip", [](std::uint32_t high, std::uint32_t low) {
    const DurationNs d = static_cast<DurationNs>((static_cast<std::uint64_t>(high & 0x3FFFFFFF) << 32) | low);
    const auto parsed = parse_duration(format_duration(d));
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(parsed.value() == d);
  });
}
