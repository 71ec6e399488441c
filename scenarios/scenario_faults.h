// The catalogue of fault types a scenario may name, in ONE table (fault_types()), and
// the reading and printing of faults in the scenario format.
//
// Each row names a type, says in one line what it does, and lists the JSON fields it
// takes: which FaultSpec member each fills (or a `params` entry), the kind of value, and
// whether it is required or has a default. The loader, the canonical printer and the
// reference documentation all follow this table; adding a kind of fault is adding a row
// (and teaching the fault layer to inject it: faults/fault_catalogue.h). Finer rules a
// type has (value ranges, message names, choices) are the fault layer's: read_fault()
// asks faults::check_fault() and reports its answer at the field's JSON path, so a
// fault the loader accepts is a fault the fault layer schedules.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "faults/fault.h"
#include "scenarios/json_path.h"
#include "scenarios/scenario.h"

namespace ckptsim::scenarios {

// The FaultSpec member a field fills. kParam: FaultSpec::params[field name].
enum class FaultSlot { kAt, kDuration, kRestartAfter, kTarget, kPeer, kParam };

enum class FaultValueKind {
  kTime,              // a duration from the start of the run, before run.max-duration
  kPositiveDuration,  // a duration > 0
  kRestartDelay,      // a duration >= 0, or "never"
  kProcess,           // "jm", "tm-<i>" or "sink-store"
  kTaskManager,       // "tm-<i>" with i < cluster.task-managers
  kInteger,           // a JSON integer >= 0 (params only)
  kText,              // a non-empty string (params only)
  kNonNegativeDuration,  // a duration >= 0 (params only)
  kProbability,       // a JSON number in [0, 1] (params only)
  kSignedInteger,     // a JSON integer, possibly negative (params only)
  kProcessList,       // "jm,tm-0": comma-separated processes, not every one of them (params only)
};

struct FaultFieldRule {
  std::string_view name;            // the JSON field
  FaultSlot slot;
  FaultValueKind kind;
  bool required;
  std::string_view default_value;   // JSON string text used when an optional field is absent; empty: none
  std::string_view description;
};

struct FaultTypeInfo {
  std::string_view type;
  std::string_view description;     // one line
  std::span<const FaultFieldRule> fields;  // "type" itself is not listed
};

// Every known fault type, in documentation order.
std::span<const FaultTypeInfo> fault_types();
// nullptr for an unknown type.
const FaultTypeInfo* find_fault_type(std::string_view type);

// What fault validation needs to know about the rest of the scenario.
struct FaultContext {
  std::uint32_t task_managers = 0;
  DurationNs max_duration_ns = 0;
  bool has_checkpoint_dir = false;   // config execution.checkpointing.dir (file faults)
  bool has_rocksdb = false;          // config state.backend.type rocksdb (rocksdb-* faults)
};

// The same fault in the fault layer's terms, and back (field by field; no checks).
faults::ScheduledFault to_scheduled_fault(const FaultSpec& fault);
FaultSpec from_scheduled_fault(const faults::ScheduledFault& fault);

// Reads and validates faults[index] at `path`.
Result<FaultSpec> read_fault(const Json& value, const std::string& path, const FaultContext& context);
// The canonical JSON of one fault: every field of its type, defaults filled in; an
// optional field without a default is printed only when set.
Json fault_to_json(const FaultSpec& fault);

}  // namespace ckptsim::scenarios
