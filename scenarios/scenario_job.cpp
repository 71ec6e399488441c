#include "scenarios/scenario_job.h"

#include <array>
#include <set>
#include <vector>

#include "protocol/graph/key_groups.h"

namespace ckptsim::scenarios {
namespace {

constexpr std::array<std::string_view, 6> kOperatorKindNames = {"source",   "map", "filter", "keyed-aggregate",
                                                                "sequence-checker", "sink"};
constexpr std::array<OperatorKind, 6> kOperatorKinds = {OperatorKind::kSource, OperatorKind::kMap,
                                                        OperatorKind::kFilter, OperatorKind::kKeyedAggregate,
                                                        OperatorKind::kSequenceChecker, OperatorKind::kSink};
constexpr std::array<std::string_view, 4> kPartitioningNames = {"forward", "hash", "rebalance", "broadcast"};
constexpr std::array<Partitioning, 4> kPartitionings = {Partitioning::kForward, Partitioning::kHashByKey,
                                                        Partitioning::kRebalance, Partitioning::kBroadcast};

constexpr std::array<std::string_view, 2> kJobFields = {"operators", "edges"};
constexpr std::array<std::string_view, 5> kOperatorFields = {"name", "kind", "parallelism", "max-parallelism",
                                                             "cost-per-record"};
constexpr std::array<std::string_view, 4> kEdgeFields = {"from", "to", "partitioning", "iteration"};

// Map and filter take their own parameters on top of the common fields.
constexpr std::array<std::string_view, 2> kMapFields = {"multiplier", "addend"};
constexpr std::array<std::string_view, 1> kFilterFields = {"modulus"};

constexpr std::int64_t kMapParameterAbsMax = 1'000'000;
constexpr std::int64_t kFilterModulusMax = 1'000'000'000;
constexpr std::size_t kOperatorNameLengthMax = 128;
// Operator names are listed in an error only when there are few of them.
constexpr std::size_t kListedNamesMax = 16;

template <typename Enum, std::size_t N>
Enum enum_from_name(const std::array<std::string_view, N>& names, const std::array<Enum, N>& values,
                    std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return values[i];
  }
  CKPT_UNREACHABLE("a name accepted by AsChoice has an enum value");
}

std::vector<std::string_view> operator_fields(OperatorKind kind) {
  std::vector<std::string_view> fields(kOperatorFields.begin(), kOperatorFields.end());
  if (kind == OperatorKind::kMap) fields.insert(fields.end(), kMapFields.begin(), kMapFields.end());
  if (kind == OperatorKind::kFilter) fields.insert(fields.end(), kFilterFields.begin(), kFilterFields.end());
  return fields;
}

Status read_operator_params(const JsonObject& object, OperatorKind kind, OperatorParams& params) {
  if (Status s = read_optional(object, "cost-per-record", params.cost_per_record_ns, AsDuration{0, kSecond});
      !s.is_ok()) {
    return s;
  }
  const AsInteger map_range{-kMapParameterAbsMax, kMapParameterAbsMax};
  if (kind == OperatorKind::kMap) {
    if (Status s = read_optional(object, "multiplier", params.map_multiplier, map_range); !s.is_ok()) return s;
    if (Status s = read_optional(object, "addend", params.map_addend, map_range); !s.is_ok()) return s;
  }
  if (kind == OperatorKind::kFilter) {
    return read_optional(object, "modulus", params.filter_modulus, AsInteger{0, kFilterModulusMax});
  }
  return Status::ok();
}

Status read_operator(const Json& value, const std::string& path, JobSpec& job) {
  Result<JsonObject> opened = JsonObject::open(value, path);
  if (!opened.is_ok()) return opened.status();
  const JsonObject& object = opened.value();
  std::string kind_name;
  if (Status s = read_required(object, "kind", kind_name, AsChoice{kOperatorKindNames}); !s.is_ok()) return s;
  OperatorSpec spec;
  spec.kind = enum_from_name(kOperatorKindNames, kOperatorKinds, kind_name);
  const std::string what = "a " + kind_name + " operator";
  if (Status s = object.check_fields(operator_fields(spec.kind), what); !s.is_ok()) return s;
  if (Status s = read_required(object, "name", spec.name, AsString{kOperatorNameLengthMax, false}); !s.is_ok()) {
    return s;
  }
  const AsInteger parallelism_range{1, kMaxParallelismUpperBound};
  if (Status s = read_optional(object, "parallelism", spec.parallelism, parallelism_range); !s.is_ok()) return s;
  // 0: Flink's default, derived from the parallelism.
  const AsInteger max_parallelism_range{0, kMaxParallelismUpperBound};
  if (Status s = read_optional(object, "max-parallelism", spec.max_parallelism, max_parallelism_range); !s.is_ok()) {
    return s;
  }
  if (spec.max_parallelism != 0 && spec.parallelism > spec.max_parallelism) {
    return json_error(object.field_path("parallelism"), "expected at most max-parallelism (" +
                                                            std::to_string(spec.max_parallelism) + "), got " +
                                                            std::to_string(spec.parallelism));
  }
  OperatorParams params;
  if (Status s = read_operator_params(object, spec.kind, params); !s.is_ok()) return s;
  job.params[spec.name] = params;
  job.operators.push_back(std::move(spec));
  return Status::ok();
}

Status unknown_operator_error(const std::string& path, const std::string& name, const JobSpec& job) {
  std::vector<std::string_view> names;
  for (const OperatorSpec& op : job.operators) names.push_back(op.name);
  std::string message = "unknown operator " + describe_json_value(Json(name));
  const std::string closest = closest_name(name, names);
  if (!closest.empty()) {
    message += "; did you mean '" + closest + "'?";
  } else if (names.size() <= kListedNamesMax) {
    message += "; expected one of " + join_names(names);
  }
  return json_error(path, message);
}

Status read_edge(const Json& value, const std::string& path, const std::set<std::string>& names, JobSpec& job) {
  Result<JsonObject> opened = JsonObject::open(value, path);
  if (!opened.is_ok()) return opened.status();
  const JsonObject& object = opened.value();
  if (Status s = object.check_fields(kEdgeFields, "an edge"); !s.is_ok()) return s;
  EdgeSpec edge;
  const AsString as_name{kOperatorNameLengthMax, false};
  if (Status s = read_required(object, "from", edge.from, as_name); !s.is_ok()) return s;
  if (!names.contains(edge.from)) return unknown_operator_error(object.field_path("from"), edge.from, job);
  if (Status s = read_required(object, "to", edge.to, as_name); !s.is_ok()) return s;
  if (!names.contains(edge.to)) return unknown_operator_error(object.field_path("to"), edge.to, job);
  std::string partitioning = "forward";
  if (Status s = read_optional(object, "partitioning", partitioning, AsChoice{kPartitioningNames}); !s.is_ok()) {
    return s;
  }
  edge.partitioning = enum_from_name(kPartitioningNames, kPartitionings, partitioning);
  if (Status s = read_optional(object, "iteration", edge.iteration, AsBool{}); !s.is_ok()) return s;
  job.edges.push_back(std::move(edge));
  return Status::ok();
}

// Reads an array field element by element with `read_element(element, element_path)`.
template <typename ReadElement>
Status read_array(const JsonObject& object, std::string_view name, std::size_t size_max,
                  const ReadElement& read_element) {
  const Json* array = object.find(name);
  if (array == nullptr) return Status::ok();
  const std::string path = object.field_path(name);
  if (!array->is_array() || array->size() > size_max) {
    return json_error(path, "expected an array of at most " + std::to_string(size_max) + " elements, got " +
                                (array->is_array() ? std::to_string(array->size()) + " elements"
                                                   : describe_json_value(*array)));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    if (Status s = read_element((*array)[i], json_path_element(path, i)); !s.is_ok()) return s;
  }
  return Status::ok();
}

Json operator_to_json(const OperatorSpec& op, const OperatorParams& params) {
  Json json = {{"name", op.name},
               {"kind", operator_kind_json_name(op.kind)},
               {"parallelism", op.parallelism},
               {"max-parallelism", op.max_parallelism},
               {"cost-per-record", format_duration(params.cost_per_record_ns)}};
  if (op.kind == OperatorKind::kMap) {
    json["multiplier"] = params.map_multiplier;
    json["addend"] = params.map_addend;
  }
  if (op.kind == OperatorKind::kFilter) json["modulus"] = params.filter_modulus;
  return json;
}

}  // namespace

const char* operator_kind_json_name(OperatorKind kind) {
  for (std::size_t i = 0; i < kOperatorKinds.size(); ++i) {
    if (kOperatorKinds[i] == kind) return kOperatorKindNames[i].data();
  }
  CKPT_UNREACHABLE("unknown operator kind");
}

const char* partitioning_json_name(Partitioning partitioning) {
  for (std::size_t i = 0; i < kPartitionings.size(); ++i) {
    if (kPartitionings[i] == partitioning) return kPartitioningNames[i].data();
  }
  CKPT_UNREACHABLE("unknown partitioning");
}

Status read_job(const Json& value, const std::string& path, JobSpec& job) {
  Result<JsonObject> opened = JsonObject::open(value, path);
  if (!opened.is_ok()) return opened.status();
  const JsonObject& object = opened.value();
  if (Status s = object.check_fields(kJobFields, "the job"); !s.is_ok()) return s;
  if (object.find("operators") == nullptr) return object.missing("operators");
  job.operators.clear();
  job.edges.clear();
  job.params.clear();
  Status status = read_array(object, "operators", kJobGraphOperatorsMax, [&](const Json& element, const std::string& p) {
    return read_operator(element, p, job);
  });
  if (!status.is_ok()) return status;
  std::set<std::string> names;
  for (const OperatorSpec& op : job.operators) names.insert(op.name);
  status = read_array(object, "edges", kJobGraphEdgesMax, [&](const Json& element, const std::string& p) {
    return read_edge(element, p, names, job);
  });
  if (!status.is_ok()) return status;
  JobGraphBuilder builder;
  for (const OperatorSpec& op : job.operators) builder.add_operator(op);
  for (const EdgeSpec& edge : job.edges) builder.add_edge(edge);
  Result<JobGraph> graph = builder.build();
  if (!graph.is_ok()) return json_error(path, graph.status().message());
  return Status::ok();
}

Json job_to_json(const JobSpec& job) {
  Json operators = Json::array();
  for (const OperatorSpec& op : job.operators) operators.push_back(operator_to_json(op, job.params_of(op.name)));
  Json edges = Json::array();
  for (const EdgeSpec& edge : job.edges) {
    edges.push_back({{"from", edge.from},
                     {"to", edge.to},
                     {"partitioning", partitioning_json_name(edge.partitioning)},
                     {"iteration", edge.iteration}});
  }
  return {{"operators", std::move(operators)}, {"edges", std::move(edges)}};
}

}  // namespace ckptsim::scenarios
