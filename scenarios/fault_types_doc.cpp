#include "scenarios/fault_types_doc.h"

#include "scenarios/scenario_faults.h"

namespace ckptsim::scenarios {
namespace {

std::string_view value_kind_text(FaultValueKind kind) {
  switch (kind) {
    case FaultValueKind::kTime: return "duration from the start, before `run.max-duration`";
    case FaultValueKind::kPositiveDuration: return "duration > 0";
    case FaultValueKind::kRestartDelay: return "duration ≥ 0, or `\"never\"`";
    case FaultValueKind::kProcess: return "process: `\"jm\"`, `\"tm-<i>\"` or `\"sink-store\"`";
    case FaultValueKind::kTaskManager: return "`\"tm-<i>\"`, i < `cluster.task-managers`";
    case FaultValueKind::kInteger: return "integer ≥ 0";
    case FaultValueKind::kText: return "non-empty string";
    case FaultValueKind::kNonNegativeDuration: return "duration ≥ 0";
    case FaultValueKind::kProbability: return "number in [0, 1]";
    case FaultValueKind::kSignedInteger: return "integer";
    case FaultValueKind::kProcessList: return "comma-separated processes, not all of them";
  }
  return "?";
}

std::string escape_cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string fault_types_markdown() {
  std::string out;
  for (const FaultTypeInfo& type : fault_types()) {
    out += "### `" + std::string(type.type) + "`\n\n";
    out += escape_cell(type.description);
    out += "\n\n| Field | Value | Default | Meaning |\n|---|---|---|---|\n";
    for (const FaultFieldRule& field : type.fields) {
      const std::string default_text =
          field.required ? "**required**" : (field.default_value.empty() ? "absent" : "`" + std::string(field.default_value) + "`");
      out += "| `" + std::string(field.name) + "` | " + escape_cell(value_kind_text(field.kind)) + " | " + default_text +
             " | " + escape_cell(field.description) + " |\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace ckptsim::scenarios
