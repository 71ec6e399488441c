#include "scenarios/scenario_loader.h"

#include <array>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <vector>

#include "scenarios/scenario_config.h"
#include "scenarios/scenario_faults.h"
#include "scenarios/scenario_job.h"

namespace ckptsim::scenarios {
namespace {

constexpr std::array<std::string_view, 10> kScenarioFields = {"name", "description", "seed", "job", "input",
                                                              "config", "cluster", "faults", "run", "expect"};
constexpr std::array<std::string_view, 6> kInputFields = {"partitions", "records-per-partition", "records-per-second",
                                                          "keys", "key-distribution", "zipf-exponent"};
constexpr std::array<std::string_view, 1> kClusterFields = {"task-managers"};
constexpr std::array<std::string_view, 2> kRunFields = {"max-duration", "liveness-bound"};
constexpr std::array<std::string_view, 4> kExpectFields = {"verdict", "min-completed-checkpoints", "restarts",
                                                           "min-restarts"};
constexpr std::array<std::string_view, 2> kKeyDistributions = {"uniform", "zipf"};
constexpr std::array<std::string_view, 2> kVerdicts = {"pass", "fail"};

constexpr std::size_t kNameLengthMax = 256;
constexpr std::size_t kDescriptionLengthMax = 64 * 1024;
constexpr std::size_t kFaultsMax = 10'000;
constexpr std::int64_t kCountMax = 1'000'000'000;
constexpr std::int64_t kTaskManagersMax = 1024;

// Finds the first key that appears twice in one object while nlohmann parses (it would
// silently keep the last one). It tracks the path of the current position.
class DuplicateKeyDetector {
 public:
  bool on_event(Json::parse_event_t event, const Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start: frames_.push_back(Frame{}); break;
      case Json::parse_event_t::array_start: frames_.push_back(Frame{.is_array = true}); break;
      case Json::parse_event_t::key: on_key(parsed.get<std::string>()); break;
      case Json::parse_event_t::value: element_done(); break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        element_done();
        break;
    }
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    bool is_array = false;
    std::size_t index = 0;
    std::string key{};
    std::set<std::string> keys{};
  };

  void on_key(const std::string& key) {
    if (frames_.empty()) return;
    Frame& frame = frames_.back();
    frame.key = key;
    if (frame.keys.insert(key).second || !error_.empty()) return;
    std::string path = "$";
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      path = frames_[i].is_array ? json_path_element(path, frames_[i].index) : json_path_field(path, frames_[i].key);
    }
    error_ = json_path_field(path, key) + ": duplicate field; each field may appear once";
  }

  void element_done() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  std::vector<Frame> frames_;
  std::string error_;
};

// "[json.exception.parse_error.101] parse error at line 2, column 7: syntax error ..."
// -> "$: invalid JSON at line 2, column 7: syntax error ...".
Status invalid_json_error(const std::string& what) {
  constexpr std::string_view kMarker = "parse error at line ";
  const std::size_t marker = what.find(kMarker);
  if (marker != std::string::npos) return json_error("$", "invalid JSON at line " + what.substr(marker + kMarker.size()));
  const std::size_t bracket = what.find("] ");
  return json_error("$", "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
}

Result<Json> parse_json_text(std::string_view text) {
  DuplicateKeyDetector detector;
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), [&detector](int, Json::parse_event_t event, Json& parsed) {
      return detector.on_event(event, parsed);
    });
  } catch (const Json::exception& error) {
    return invalid_json_error(error.what());
  }
  if (!detector.error().empty()) return Status::invalid_argument(detector.error());
  return document;
}

Status read_header(const JsonObject& root, Scenario& scenario) {
  if (Status s = read_required(root, "name", scenario.name, AsString{kNameLengthMax, false}); !s.is_ok()) return s;
  if (Status s = read_optional(root, "description", scenario.description, AsString{kDescriptionLengthMax, true});
      !s.is_ok()) {
    return s;
  }
  return read_optional(root, "seed", scenario.seed, AsUnsigned64{});
}

// Opens an optional section; an absent one reads as an empty object (all defaults).
Result<JsonObject> open_section(const JsonObject& root, std::string_view name, std::span<const std::string_view> fields,
                                std::string_view what) {
  static const Json kEmpty = Json::object();
  const Json* value = root.find(name);
  Result<JsonObject> section = JsonObject::open(value != nullptr ? *value : kEmpty, root.field_path(name));
  if (!section.is_ok()) return section;
  if (Status s = section.value().check_fields(fields, what); !s.is_ok()) return s;
  return section;
}

Status read_run(const JsonObject& root, RunSpec& run) {
  Result<JsonObject> section = open_section(root, "run", kRunFields, "the run section");
  if (!section.is_ok()) return section.status();
  const AsDuration bound{kMillisecond, kDay};
  if (Status s = read_optional(section.value(), "max-duration", run.max_duration_ns, bound); !s.is_ok()) return s;
  return read_optional(section.value(), "liveness-bound", run.liveness_bound_ns, bound);
}

Status read_cluster(const JsonObject& root, ClusterSpec& cluster) {
  Result<JsonObject> section = open_section(root, "cluster", kClusterFields, "the cluster section");
  if (!section.is_ok()) return section.status();
  return read_optional(section.value(), "task-managers", cluster.task_managers, AsInteger{1, kTaskManagersMax});
}

Status read_input(const JsonObject& root, InputLogSpec& input) {
  Result<JsonObject> opened = open_section(root, "input", kInputFields, "the input section");
  if (!opened.is_ok()) return opened.status();
  const JsonObject& section = opened.value();
  if (Status s = read_optional(section, "partitions", input.partitions, AsInteger{1, 65536}); !s.is_ok()) return s;
  if (Status s = read_optional(section, "records-per-partition", input.records_per_partition, AsInteger{0, kCountMax});
      !s.is_ok()) {
    return s;
  }
  if (Status s = read_optional(section, "records-per-second", input.records_per_second, AsInteger{0, kCountMax});
      !s.is_ok()) {
    return s;
  }
  // The Zipf sampler needs k + 0.5 to be exact in a double.
  if (Status s = read_optional(section, "keys", input.key_count, AsInteger{1, std::int64_t{1} << 52}); !s.is_ok()) {
    return s;
  }
  std::string distribution = input.key_distribution == sim::KeyDistribution::kZipf ? "zipf" : "uniform";
  if (Status s = read_optional(section, "key-distribution", distribution, AsChoice{kKeyDistributions}); !s.is_ok()) {
    return s;
  }
  input.key_distribution = distribution == "zipf" ? sim::KeyDistribution::kZipf : sim::KeyDistribution::kUniform;
  return read_optional(section, "zipf-exponent", input.zipf_exponent, AsNumber{0.0, 10.0, true});
}

Status read_faults(const JsonObject& root, const Scenario& partial, std::vector<FaultSpec>& faults) {
  const Json* array = root.find("faults");
  if (array == nullptr) return Status::ok();
  const std::string path = root.field_path("faults");
  if (!array->is_array() || array->size() > kFaultsMax) {
    return json_error(path, "expected an array of at most " + std::to_string(kFaultsMax) + " faults, got " +
                                (array->is_array() ? std::to_string(array->size()) + " elements"
                                                   : describe_json_value(*array)));
  }
  const auto backend = partial.extra_config.find("state.backend.type");
  const FaultContext context{partial.job.cluster.task_managers, partial.run.max_duration_ns,
                             partial.extra_config.contains("execution.checkpointing.dir"),
                             backend != partial.extra_config.end() && backend->second == "rocksdb"};
  for (std::size_t i = 0; i < array->size(); ++i) {
    Result<FaultSpec> fault = read_fault((*array)[i], json_path_element(path, i), context);
    if (!fault.is_ok()) return fault.status();
    faults.push_back(std::move(fault).value());
  }
  return Status::ok();
}

Status read_expect(const JsonObject& root, Expectations& expect) {
  Result<JsonObject> opened = open_section(root, "expect", kExpectFields, "the expect section");
  if (!opened.is_ok()) return opened.status();
  const JsonObject& section = opened.value();
  if (const Json* verdict = section.find("verdict"); verdict != nullptr) {
    Result<std::string> text = AsChoice{kVerdicts}(*verdict, section.field_path("verdict"));
    if (!text.is_ok()) return text.status();
    expect.verdict_pass = text.value() == "pass";
  }
  const AsInteger count{0, kCountMax};
  if (Status s = read_optional(section, "min-completed-checkpoints", expect.min_completed_checkpoints, count);
      !s.is_ok()) {
    return s;
  }
  if (Status s = read_optional(section, "restarts", expect.restarts, count); !s.is_ok()) return s;
  if (Status s = read_optional(section, "min-restarts", expect.min_restarts, count); !s.is_ok()) return s;
  if (expect.restarts.has_value() && expect.min_restarts.has_value()) {
    return json_error(section.field_path("min-restarts"),
                      "cannot be combined with 'restarts', which already asks for an exact number");
  }
  return Status::ok();
}

// The sections in dependency order: faults need the run bounds and the cluster size.
Result<Scenario> read_scenario(const Json& document) {
  Result<JsonObject> opened = JsonObject::open(document, "$");
  if (!opened.is_ok()) return opened.status();
  const JsonObject& root = opened.value();
  if (Status s = root.check_fields(kScenarioFields, "a scenario"); !s.is_ok()) return s;
  Scenario scenario;
  if (Status s = read_header(root, scenario); !s.is_ok()) return s;
  if (Status s = read_run(root, scenario.run); !s.is_ok()) return s;
  if (Status s = read_cluster(root, scenario.job.cluster); !s.is_ok()) return s;
  const Json* config = root.find("config");
  if (Status s = read_config(config != nullptr ? *config : Json::object(), root.field_path("config"), scenario);
      !s.is_ok()) {
    return s;
  }
  if (root.find("job") == nullptr) return root.missing("job");
  if (Status s = read_job(*root.find("job"), root.field_path("job"), scenario.job); !s.is_ok()) return s;
  if (Status s = read_input(root, scenario.input); !s.is_ok()) return s;
  scenario.input.seed = scenario.seed;
  if (Status s = read_faults(root, scenario, scenario.faults); !s.is_ok()) return s;
  if (Status s = read_expect(root, scenario.expect); !s.is_ok()) return s;
  return scenario;
}

Json input_to_json(const InputLogSpec& input) {
  return {{"partitions", input.partitions},
          {"records-per-partition", input.records_per_partition},
          {"records-per-second", input.records_per_second},
          {"keys", input.key_count},
          {"key-distribution", input.key_distribution == sim::KeyDistribution::kZipf ? "zipf" : "uniform"},
          {"zipf-exponent", input.zipf_exponent}};
}

Json expect_to_json(const Expectations& expect) {
  Json json = Json::object();
  if (expect.verdict_pass.has_value()) json["verdict"] = *expect.verdict_pass ? "pass" : "fail";
  if (expect.min_completed_checkpoints.has_value()) json["min-completed-checkpoints"] = *expect.min_completed_checkpoints;
  if (expect.restarts.has_value()) json["restarts"] = *expect.restarts;
  if (expect.min_restarts.has_value()) json["min-restarts"] = *expect.min_restarts;
  return json;
}

}  // namespace

Result<Scenario> scenario_from_json(const Json& document) {
  // The readers report errors as values; this is a last line of defence so that no
  // exception from the JSON library can escape to the caller.
  try {
    return read_scenario(document);
  } catch (const std::exception& error) {
    return json_error("$", std::string("unexpected error while reading the scenario: ") + error.what());
  }
}

Result<Scenario> parse_scenario(std::string_view json_text) {
  Result<Json> document = parse_json_text(json_text);
  if (!document.is_ok()) return document.status();
  return scenario_from_json(document.value());
}

Result<Scenario> load_scenario_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::not_found("scenario file '" + path + "': cannot open it");
  std::string text;
  std::array<char, 64 * 1024> chunk{};
  while (file.read(chunk.data(), chunk.size()) || file.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(file.gcount()));
    if (text.size() > kScenarioFileBytesMax) {
      return Status::invalid_argument("scenario file '" + path + "': larger than " +
                                      std::to_string(kScenarioFileBytesMax) + " bytes");
    }
  }
  if (file.bad()) return Status::io_error("scenario file '" + path + "': read failed");
  return parse_scenario(text);
}

Json scenario_to_json(const Scenario& scenario) {
  Json faults = Json::array();
  for (const FaultSpec& fault : scenario.faults) faults.push_back(fault_to_json(fault));
  return {{"name", scenario.name},
          {"description", scenario.description},
          {"seed", scenario.seed},
          {"job", job_to_json(scenario.job)},
          {"input", input_to_json(scenario.input)},
          {"config", config_to_json(scenario)},
          {"cluster", {{"task-managers", scenario.job.cluster.task_managers}}},
          {"faults", std::move(faults)},
          {"run", {{"max-duration", format_duration(scenario.run.max_duration_ns)},
                   {"liveness-bound", format_duration(scenario.run.liveness_bound_ns)}}},
          {"expect", expect_to_json(scenario.expect)}};
}

}  // namespace ckptsim::scenarios
