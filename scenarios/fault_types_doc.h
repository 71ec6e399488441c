// The reference of every fault type a scenario may name, as Markdown, generated from the
// one table fault_types() (scenario_faults.h). docs/scenario-format.md embeds it between
// the markers below; a test checks that the embedded text is this function's output, so
// the documentation cannot drift from what the loader accepts.
// `ckptsim fault-types` prints it.
#pragma once

#include <string>
#include <string_view>

namespace ckptsim::scenarios {

inline constexpr std::string_view kFaultTypesDocBegin = "<!-- BEGIN fault-types (generated: ckptsim fault-types) -->";
inline constexpr std::string_view kFaultTypesDocEnd = "<!-- END fault-types -->";

// One "### `type`" section per fault type, in table order: its description and a table
// of its fields (type of value, default or required, meaning). Deterministic text.
std::string fault_types_markdown();

}  // namespace ckptsim::scenarios
