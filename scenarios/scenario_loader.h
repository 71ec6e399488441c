// Loading scenarios from JSON and printing them back (docs/scenario-format.md is the
// reference of the format).
//
// Contract:
//   - parse_scenario() accepts exactly the documented format: every field is checked for
//     type, range and spelling (an unknown field anywhere is an error, with a "did you
//     mean" suggestion for typos), the job graph is validated by JobGraphBuilder and the
//     checkpoint configuration by validate(), and faults must name existing processes and
//     happen within run.max-duration. The result keeps the invariants of scenario.h.
//   - Every error is a kInvalidArgument Status whose message starts with the JSON path of
//     the offending value and says what was expected and what was found:
//       $.job.operators[2].parallelism: expected an integer in [1, 32768], got "two"
//     Text that is not JSON gives "$: invalid JSON at line L, column C: ...". Only the
//     first error is reported.
//   - It never crashes on any input: no exception escapes and no assertion depends on
//     user input.
//   - scenario_to_json() prints the canonical form: every field explicit (defaults filled
//     in), durations printed with format_duration(), memory sizes with
//     format_memory_size(), keys sorted. For any scenario the loader returned,
//     scenario_to_json(parse_scenario(scenario_to_json(s).dump())) == scenario_to_json(s).
//     Traces embed this form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "scenarios/json_path.h"
#include "scenarios/scenario.h"

namespace ckptsim::scenarios {

// The largest scenario file load_scenario_file() reads.
inline constexpr std::size_t kScenarioFileBytesMax = 16 * 1024 * 1024;

Result<Scenario> parse_scenario(std::string_view json_text);

// Reads and parses a file. A file that cannot be read is kNotFound / kIoError with the
// file's path in the message; content errors are those of parse_scenario().
Result<Scenario> load_scenario_file(const std::string& path);

// Reads an already parsed document (the "scenario" member of a trace, for instance).
Result<Scenario> scenario_from_json(const nlohmann::json& document);

nlohmann::json scenario_to_json(const Scenario& scenario);

}  // namespace ckptsim::scenarios
