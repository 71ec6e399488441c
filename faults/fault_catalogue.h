// The fault catalogue: every kind of fault the fault layer can inject, in one table
// (fault_kinds()), each with the factory that checks a ScheduledFault of that type and
// makes its Fault object. docs/fault-catalogue.md describes every kind, its fields and
// its exact effect; the scenario format's table (scenarios/scenario_faults.h) names the
// same types and fields.
//
// kFile kinds act on the real files of a run (faults/file_faults.h): only a run with a
// checkpoint directory (or RocksDB, for the rocksdb-* kinds) can take them.
//
// make_fault() and check_fault() only look at the fault itself (type, times, the
// presence of target and peer, params); whether the named processes exist is checked
// by Fault::set_up against a world.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "faults/fault.h"
#include "faults/fault_params.h"

namespace ckptsim::faults {

enum class FaultCategory { kProcess, kNetwork, kStorage, kRpc, kClock, kFile };

using FaultFactory = std::unique_ptr<Fault> (*)(const ScheduledFault& spec, ParamReader& reader);

struct FaultKind {
  std::string_view type;
  FaultCategory category;
  std::string_view summary;    // one line
  FaultFactory make;
};

// Every kind, in documentation order.
std::span<const FaultKind> fault_kinds();
// nullptr for an unknown type.
const FaultKind* find_fault_kind(std::string_view type);
const char* category_name(FaultCategory category);
// What a kFile kind needs of the run: real checkpoint files, or RocksDB.
enum class FileNeed { kNone, kCheckpointFiles, kRocksDb };
FileNeed file_need(std::string_view type);

// The first problem with `fault` (unknown type, bad times, missing or extra fields,
// malformed or unknown params), or nullopt when make_fault() accepts it.
std::optional<FaultProblem> check_fault(const ScheduledFault& fault);
// The fault object; kInvalidArgument "<type> fault, <field>: <problem>" otherwise.
Result<std::unique_ptr<Fault>> make_fault(const ScheduledFault& fault);

}  // namespace ckptsim::faults
