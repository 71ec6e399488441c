// The "job" section of a scenario: operators (with their per-kind parameters) and edges,
// read into JobSpec::operators / edges / params and checked with JobGraphBuilder.
//
//   {"operators": [{"name": "source", "kind": "source", "parallelism": 2}, ...],
//    "edges": [{"from": "source", "to": "count", "partitioning": "hash"}, ...]}
//
// Operator kinds are written "source", "map", "filter", "keyed-aggregate",
// "sequence-checker", "sink"; partitionings "forward", "hash", "rebalance", "broadcast".
#pragma once

#include <string>

#include "protocol/runtime/job_spec.h"
#include "scenarios/json_path.h"

namespace ckptsim::scenarios {

// The scenario format's names.
const char* operator_kind_json_name(OperatorKind kind);
const char* partitioning_json_name(Partitioning partitioning);

// Reads the section at `path` into the graph fields of `job` (operators, edges and a
// params entry for every operator); the rest of `job` is left alone. Graph errors from
// JobGraphBuilder are reported at `path`.
Status read_job(const Json& value, const std::string& path, JobSpec& job);
// {"operators": [...], "edges": [...]}, every field explicit.
Json job_to_json(const JobSpec& job);

}  // namespace ckptsim::scenarios
