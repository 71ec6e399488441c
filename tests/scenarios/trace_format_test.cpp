#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "scenarios/protocol_version.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/trace.h"

using namespace ckptsim;
using namespace ckptsim::scenarios;

namespace {

Scenario flagship() {
  Result<Scenario> scenario = load_scenario_file("scenarios/wordcount-tm-crash.json");
  REQUIRE(scenario.is_ok());
  return scenario.value();
}

// A trace built by hand: every field set, events included.
Trace sample_trace() {
  Trace trace;
  trace.protocol_version = std::string(kProtocolVersion);
  trace.scenario = flagship();
  trace.seed = 17;
  trace.fingerprint = 0x0123456789abcdefULL;
  trace.events_total = 40000;
  trace.hash_checkpoints = {{16384, 0xfeedfacecafebeefULL}, {32768, 0x1ULL}};
  trace.violation = {"sink.double_commit", 1'200'000'000, 4242, "transaction sink/0/7 committed twice"};
  TraceEvents events;
  events.kind_names = {"timer_fired", "timer_dropped", "rpc_delivered"};
  events.records = {{0, 0, 1, 2, 3}, {1000, 2, 4, UINT64_MAX, 0}, {2000, 1, 0, 7, 9}};
  events.truncated = true;
  trace.events = events;
  return trace;
}

Json sample_json() { return trace_to_json(sample_trace()); }

std::string error_of(const Json& document) {
  Result<Trace> trace = trace_from_json(document);
  REQUIRE_FALSE(trace.is_ok());
  return trace.status().message();
}

}  // namespace

TEST_CASE("trace format: a trace round-trips through JSON text and files", "[unit][trace]") {
  const Trace original = sample_trace();
  const Json json = trace_to_json(original);
  CHECK(json["format"] == "ckptsim-trace");
  CHECK(json["version"] == 1);
  CHECK(json["fingerprint"] == "0123456789abcdef");
  CHECK(json["hash_checkpoints"][0]["hash"] == "feedfacecafebeef");
  CHECK(json["violation"]["time"] == "1.200000000s");

  Result<Trace> parsed = parse_trace(json.dump());
  REQUIRE(parsed.is_ok());
  const Trace& t = parsed.value();
  CHECK(t.protocol_version == original.protocol_version);
  CHECK(t.seed == original.seed);
  CHECK(t.fingerprint == original.fingerprint);
  CHECK(t.events_total == original.events_total);
  CHECK(t.hash_checkpoints == original.hash_checkpoints);
  CHECK(t.violation == original.violation);
  CHECK(t.events == original.events);
  CHECK(scenario_to_json(t.scenario) == scenario_to_json(original.scenario));
  CHECK(trace_to_json(t) == json);

  const auto path = std::filesystem::temp_directory_path() / ("ckptsim-trace-" + std::to_string(::getpid()) + ".json");
  REQUIRE(write_trace_file(original, path.string()).is_ok());
  Result<Trace> loaded = load_trace_file(path.string());
  REQUIRE(loaded.is_ok());
  CHECK(trace_to_json(loaded.value()) == json);
  std::filesystem::remove(path);
}

TEST_CASE("trace format: events are optional", "[unit][trace]") {
  Json json = sample_json();
  json.erase("events");
  Result<Trace> parsed = trace_from_json(json);
  REQUIRE(parsed.is_ok());
  CHECK_FALSE(parsed.value().events.has_value());
}

TEST_CASE("trace format: a missing field is named with its path", "[unit][trace]") {
  Json json = sample_json();
  json.erase("violation");
  CHECK(error_of(json) == "$.violation: missing required field");
  json = sample_json();
  json["violation"].erase("event_index");
  CHECK(error_of(json) == "$.violation.event_index: missing required field");
  json = sample_json();
  json["hash_checkpoints"][1].erase("hash");
  CHECK(error_of(json) == "$.hash_checkpoints[1].hash: missing required field");
}

TEST_CASE("trace format: another format or version is rejected", "[unit][trace]") {
  Json json = sample_json();
  json["version"] = 2;
  CHECK(error_of(json) == "$.version: expected 1 (the trace version this build reads), got 2");
  json = sample_json();
  json["format"] = "ckptsim-scenario";
  CHECK(error_of(json) == "$.format: expected \"ckptsim-trace\", got \"ckptsim-scenario\"");
}

TEST_CASE("trace format: a value of the wrong type names the path and what was expected", "[unit][trace]") {
  Json json = sample_json();
  json["seed"] = "seventeen";
  CHECK(error_of(json).starts_with("$.seed: expected"));
  json = sample_json();
  json["fingerprint"] = 42;
  CHECK(error_of(json) == "$.fingerprint: expected a 64-bit hash as 16 hexadecimal digits, got 42");
  json = sample_json();
  json["hash_checkpoints"][0]["hash"] = "xyz";
  CHECK(error_of(json).starts_with("$.hash_checkpoints[0].hash: expected a 64-bit hash"));
  json = sample_json();
  json["events"]["records"][2][1] = 99;
  CHECK(error_of(json).starts_with("$.events.records[2][1]: expected an integer in [0, 2]"));
  json = sample_json();
  json["events"]["records"][0] = "event";
  CHECK(error_of(json).starts_with("$.events.records[0]: expected an event [time_ns, kind, process, a, b]"));
  json = sample_json();
  json["violation"] = Json::array();
  CHECK(error_of(json).starts_with("$.violation: expected an object"));
}

TEST_CASE("trace format: errors in the embedded scenario are reported under $.scenario", "[unit][trace]") {
  Json json = sample_json();
  json["scenario"]["job"]["operators"][1]["parallelism"] = "two";
  CHECK(error_of(json) == "$.scenario.job.operators[1].parallelism: expected an integer in [1, 32768], got \"two\"");
  json = sample_json();
  json["scenario"]["faults"][0]["target"] = "tm-9";
  CHECK(error_of(json).starts_with("$.scenario.faults[0].target: expected a task manager"));
}

TEST_CASE("trace format: unknown fields and text that is not JSON are rejected", "[unit][trace]") {
  Json json = sample_json();
  json["fingerprnt"] = "0123456789abcdef";
  CHECK(error_of(json).starts_with("$.fingerprnt: "));
  CHECK(error_of(json).find("did you mean 'fingerprint'") != std::string::npos);

  Result<Trace> not_json = parse_trace("{\"format\": \"ckptsim-trace\",");
  REQUIRE_FALSE(not_json.is_ok());
  CHECK(not_json.status().message().starts_with("$: invalid JSON at line 1"));
  Result<Trace> not_object = parse_trace("[1, 2, 3]");
  REQUIRE_FALSE(not_object.is_ok());
  CHECK(not_object.status().message().starts_with("$: expected an object"));
  Result<Trace> deep = parse_trace(std::string(10000, '[') + std::string(10000, ']'));
  REQUIRE_FALSE(deep.is_ok());
  CHECK(deep.status().message().starts_with("$: expected JSON nested at most"));
}

TEST_CASE("trace format: a missing file is not found", "[unit][trace]") {
  Result<Trace> trace = load_trace_file("no/such/trace.json");
  REQUIRE_FALSE(trace.is_ok());
  CHECK(trace.status().code() == StatusCode::kNotFound);
  CHECK(trace.status().message().find("no/such/trace.json") != std::string::npos);
}

TEST_CASE("trace format: random traces round-trip", "[property][trace]") {
  const Scenario scenario = flagship();
  rc::prop("trace_from_json(trace_to_json(t)) == t", [&scenario](std::uint64_t seed, std::uint64_t fingerprint,
                                                                 std::vector<std::uint64_t> hashes, std::string explanation,
                                                                 std::uint32_t event_index, bool with_events) {
    Trace trace;
    trace.protocol_version = "test-version";
    trace.scenario = scenario;
    trace.seed = seed;
    trace.fingerprint = fingerprint;
    for (std::size_t i = 0; i < hashes.size(); ++i) trace.hash_checkpoints.push_back({(i + 1) * 16384, hashes[i]});
    trace.events_total = (hashes.size() + 1) * 16384;
    // Explanations are text: any printable ASCII, quotes and backslashes included.
    for (char& c : explanation) c = static_cast<char>(' ' + static_cast<unsigned char>(c) % 95);
    trace.violation = {"output.no_loss", static_cast<TimeNs>(event_index) * 1000, event_index, explanation};
    if (with_events) {
      TraceEvents events;
      events.kind_names = {"a", "b"};
      for (std::size_t i = 0; i < hashes.size() && i < 50; ++i) {
        events.records.push_back({static_cast<TimeNs>(i), static_cast<sim::RecordKind>(hashes[i] % 2),
                                  static_cast<std::uint32_t>(hashes[i] >> 40), hashes[i], seed});
      }
      trace.events = events;
    }
    Result<Trace> parsed = parse_trace(trace_to_json(trace).dump());
    RC_ASSERT(parsed.is_ok());
    RC_ASSERT(trace_to_json(parsed.value()) == trace_to_json(trace));
    RC_ASSERT(parsed.value().violation == trace.violation);
    RC_ASSERT(parsed.value().events == trace.events);
  });
}

TEST_CASE("trace format: deleting or retyping any value never crashes the reader", "[property][trace]") {
  const Json json = sample_json();
  const Json flat = json.flatten();
  std::vector<std::string> pointers;
  for (const auto& item : flat.items()) pointers.push_back(item.key());
  rc::prop("an error or a trace, never a crash", [&json, &pointers](std::uint32_t which, std::uint8_t replacement) {
    Json broken = json;
    const Json::json_pointer pointer(pointers[which % pointers.size()]);
    Json& parent = broken[pointer.parent_pointer()];
    switch (replacement % 4) {
      case 0:
        if (parent.is_object()) {
          parent.erase(pointer.back());
        } else {
          parent.erase(static_cast<std::size_t>(std::stoul(pointer.back())));
        }
        break;
      case 1: broken[pointer] = "text"; break;
      case 2: broken[pointer] = -1; break;
      default: broken[pointer] = Json::object(); break;
    }
    Result<Trace> trace = trace_from_json(broken);
    if (!trace.is_ok()) RC_ASSERT(trace.status().message().starts_with("$"));
  });
}
