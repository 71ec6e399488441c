#include "scenarios/trace.h"

#include <array>
#include <charconv>
#include <fstream>

#include "reports/run_summary.h"
#include "scenarios/protocol_version.h"
#include "scenarios/scenario_loader.h"

namespace ckptsim::scenarios {
namespace {

constexpr std::array<std::string_view, 10> kTraceFields = {
    "format", "version", "protocol_version", "seed", "fingerprint", "events_total",
    "hash_checkpoints", "violation", "scenario", "events"};
constexpr std::array<std::string_view, 5> kViolationFields = {"property", "time_ns", "time", "event_index",
                                                             "explanation"};
constexpr std::array<std::string_view, 2> kHashCheckpointFields = {"record_index", "hash"};
constexpr std::array<std::string_view, 3> kEventsFields = {"kinds", "truncated", "records"};
constexpr std::size_t kJsonDepthMax = 64;
constexpr std::size_t kTextLengthMax = 64 * 1024;

// A 64-bit hash as exactly 16 lower-case hexadecimal digits.
struct AsHash64 {
  Result<std::uint64_t> operator()(const Json& value, std::string_view path) const {
    const std::string expected = "expected a 64-bit hash as 16 hexadecimal digits";
    if (!value.is_string()) return json_error(path, expected + ", got " + describe_json_value(value));
    const auto& text = value.get_ref<const std::string&>();
    std::uint64_t hash = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, error] = std::from_chars(text.data(), end, hash, 16);
    if (text.size() != 16 || error != std::errc() || ptr != end) {
      return json_error(path, expected + ", got " + describe_json_value(value));
    }
    return hash;
  }
};

// "[json.exception.parse_error.101] parse error at line 2, column 7: ..." ->
// "$: invalid JSON at line 2, column 7: ...".
Status invalid_json(const std::string& what) {
  constexpr std::string_view kMarker = "parse error at line ";
  const std::size_t marker = what.find(kMarker);
  if (marker != std::string::npos) return json_error("$", "invalid JSON at line " + what.substr(marker + kMarker.size()));
  const std::size_t bracket = what.find("] ");
  return json_error("$", "invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
}

Result<Json> parse_json_bounded(std::string_view text) {
  std::size_t depth = 0;
  bool too_deep = false;
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), [&depth, &too_deep](int, Json::parse_event_t event, Json&) {
      if (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) {
        if (++depth > kJsonDepthMax) too_deep = true;
      } else if (event == Json::parse_event_t::object_end || event == Json::parse_event_t::array_end) {
        --depth;
      }
      return !too_deep;
    });
  } catch (const Json::exception& error) {
    return invalid_json(error.what());
  }
  if (too_deep) return json_error("$", "expected JSON nested at most " + std::to_string(kJsonDepthMax) + " levels deep");
  return document;
}

Status read_header(const JsonObject& root, Trace& trace) {
  std::string format;
  if (Status s = read_required(root, "format", format, AsString{64, false}); !s.is_ok()) return s;
  if (format != kTraceFormat) {
    return json_error(root.field_path("format"), "expected \"" + std::string(kTraceFormat) + "\", got " +
                                                     describe_json_value(Json(format)));
  }
  std::int64_t version = 0;
  if (Status s = read_required(root, "version", version, AsInteger{1, INT32_MAX}); !s.is_ok()) return s;
  if (version != kTraceVersion) {
    return json_error(root.field_path("version"), "expected " + std::to_string(kTraceVersion) +
                                                      " (the trace version this build reads), got " +
                                                      std::to_string(version));
  }
  if (Status s = read_required(root, "protocol_version", trace.protocol_version, AsString{128, false}); !s.is_ok()) {
    return s;
  }
  if (Status s = read_required(root, "seed", trace.seed, AsUnsigned64{}); !s.is_ok()) return s;
  if (Status s = read_required(root, "fingerprint", trace.fingerprint, AsHash64{}); !s.is_ok()) return s;
  return read_required(root, "events_total", trace.events_total, AsUnsigned64{});
}

Status read_hash_checkpoints(const JsonObject& root, Trace& trace) {
  const Json* list = root.find("hash_checkpoints");
  const std::string path = root.field_path("hash_checkpoints");
  if (list == nullptr) return root.missing("hash_checkpoints");
  if (!list->is_array() || list->size() > kTraceHashCheckpointsMax) {
    return json_error(path, "expected an array of at most " + std::to_string(kTraceHashCheckpointsMax) +
                                " hash checkpoints, got " + describe_json_value(*list));
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    Result<JsonObject> item = JsonObject::open((*list)[i], json_path_element(path, i));
    if (!item.is_ok()) return item.status();
    if (Status s = item.value().check_fields(kHashCheckpointFields, "a hash checkpoint"); !s.is_ok()) return s;
    sim::HashCheckpoint checkpoint;
    if (Status s = read_required(item.value(), "record_index", checkpoint.record_index, AsUnsigned64{}); !s.is_ok()) {
      return s;
    }
    if (Status s = read_required(item.value(), "hash", checkpoint.hash, AsHash64{}); !s.is_ok()) return s;
    if (!trace.hash_checkpoints.empty() && checkpoint.record_index <= trace.hash_checkpoints.back().record_index) {
      return json_error(item.value().field_path("record_index"),
                        "expected record indexes in increasing order, got " + std::to_string(checkpoint.record_index) +
                            " after " + std::to_string(trace.hash_checkpoints.back().record_index));
    }
    trace.hash_checkpoints.push_back(checkpoint);
  }
  return Status::ok();
}

Status read_violation(const JsonObject& root, Trace& trace) {
  const Json* value = root.find("violation");
  if (value == nullptr) return root.missing("violation");
  Result<JsonObject> object = JsonObject::open(*value, root.field_path("violation"));
  if (!object.is_ok()) return object.status();
  const JsonObject& v = object.value();
  if (Status s = v.check_fields(kViolationFields, "the violation"); !s.is_ok()) return s;
  oracle::Violation& violation = trace.violation;
  if (Status s = read_required(v, "property", violation.property, AsString{128, false}); !s.is_ok()) return s;
  if (Status s = read_required(v, "time_ns", violation.time_ns, AsInteger{0, INT64_MAX}); !s.is_ok()) return s;
  std::string ignored_time;  // the human rendering of time_ns; informative only
  if (Status s = read_optional(v, "time", ignored_time, AsString{64, true}); !s.is_ok()) return s;
  if (Status s = read_required(v, "event_index", violation.event_index, AsUnsigned64{}); !s.is_ok()) return s;
  return read_required(v, "explanation", violation.explanation, AsString{kTextLengthMax, true});
}

Status read_scenario(const JsonObject& root, Trace& trace) {
  const Json* value = root.find("scenario");
  if (value == nullptr) return root.missing("scenario");
  Result<Scenario> scenario = scenario_from_json(*value);
  if (!scenario.is_ok()) {
    // The loader's paths start at the scenario's own root "$".
    const std::string& message = scenario.status().message();
    const std::string prefixed = message.starts_with("$") ? "$.scenario" + message.substr(1) : message;
    return Status::invalid_argument(prefixed);
  }
  trace.scenario = std::move(scenario).value();
  return Status::ok();
}

Result<std::vector<std::string>> read_kind_names(const JsonObject& events) {
  const Json* kinds = events.find("kinds");
  const std::string path = events.field_path("kinds");
  if (kinds == nullptr) return events.missing("kinds");
  if (!kinds->is_array() || kinds->size() > kTraceEventKindsMax) {
    return json_error(path, "expected an array of at most " + std::to_string(kTraceEventKindsMax) +
                                " kind names, got " + describe_json_value(*kinds));
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < kinds->size(); ++i) {
    Result<std::string> name = AsString{128, false}((*kinds)[i], json_path_element(path, i));
    if (!name.is_ok()) return name.status();
    names.push_back(std::move(name).value());
  }
  return names;
}

// [time_ns, kind, process, a, b], each a non-negative integer in its field's range.
Result<sim::EventRecord> read_event_record(const Json& value, const std::string& path, std::size_t kind_count) {
  if (!value.is_array() || value.size() != 5) {
    return json_error(path, "expected an event [time_ns, kind, process, a, b], got " + describe_json_value(value));
  }
  Result<std::int64_t> time = AsInteger{0, INT64_MAX}(value[0], json_path_element(path, 0));
  if (!time.is_ok()) return time.status();
  const auto kind_max = static_cast<std::int64_t>(kind_count) - 1;
  Result<std::int64_t> kind = AsInteger{0, kind_max}(value[1], json_path_element(path, 1));
  if (!kind.is_ok()) return kind.status();
  Result<std::int64_t> process = AsInteger{0, UINT32_MAX}(value[2], json_path_element(path, 2));
  if (!process.is_ok()) return process.status();
  Result<std::uint64_t> a = AsUnsigned64{}(value[3], json_path_element(path, 3));
  if (!a.is_ok()) return a.status();
  Result<std::uint64_t> b = AsUnsigned64{}(value[4], json_path_element(path, 4));
  if (!b.is_ok()) return b.status();
  return sim::EventRecord{time.value(), static_cast<sim::RecordKind>(kind.value()),
                          static_cast<std::uint32_t>(process.value()), a.value(), b.value()};
}

Status read_events(const JsonObject& root, Trace& trace) {
  const Json* value = root.find("events");
  if (value == nullptr) return Status::ok();  // optional
  Result<JsonObject> object = JsonObject::open(*value, root.field_path("events"));
  if (!object.is_ok()) return object.status();
  const JsonObject& events = object.value();
  if (Status s = events.check_fields(kEventsFields, "the events"); !s.is_ok()) return s;
  TraceEvents result;
  Result<std::vector<std::string>> kinds = read_kind_names(events);
  if (!kinds.is_ok()) return kinds.status();
  result.kind_names = std::move(kinds).value();
  if (Status s = read_required(events, "truncated", result.truncated, AsBool{}); !s.is_ok()) return s;
  const Json* records = events.find("records");
  const std::string path = events.field_path("records");
  if (records == nullptr) return events.missing("records");
  if (!records->is_array() || records->size() > kTraceEventsMax) {
    return json_error(path, "expected an array of at most " + std::to_string(kTraceEventsMax) + " events, got " +
                                describe_json_value(*records));
  }
  result.records.reserve(records->size());
  for (std::size_t i = 0; i < records->size(); ++i) {
    Result<sim::EventRecord> record = read_event_record((*records)[i], json_path_element(path, i), result.kind_names.size());
    if (!record.is_ok()) return record.status();
    result.records.push_back(record.value());
  }
  if (result.records.size() > trace.events_total) {
    return json_error(path, "expected at most events_total (" + std::to_string(trace.events_total) + ") events, got " +
                                std::to_string(result.records.size()));
  }
  trace.events = std::move(result);
  return Status::ok();
}

Json events_to_json(const TraceEvents& events) {
  Json records = Json::array();
  for (const sim::EventRecord& r : events.records) records.push_back(Json::array({r.time_ns, r.kind, r.process, r.a, r.b}));
  return Json{{"kinds", events.kind_names}, {"truncated", events.truncated}, {"records", std::move(records)}};
}

}  // namespace

std::optional<oracle::Violation> first_violation_of(const reports::RunSummary& summary, std::string_view property) {
  for (const oracle::Violation& v : summary.violations) {
    if (v.property == property) return v;
  }
  return std::nullopt;
}

Trace make_trace(const Scenario& scenario, std::uint64_t seed, const RunOutcome& outcome, std::string_view property,
                 std::uint64_t events_max) {
  const std::optional<oracle::Violation> violation = first_violation_of(outcome.summary, property);
  CKPT_ASSERT(violation.has_value(), "make_trace needs a run that violated the property");
  CKPT_ASSERT(outcome.summary.seed == seed, "the outcome is of another seed");
  Trace trace;
  trace.protocol_version = std::string(kProtocolVersion);
  trace.scenario = scenario;
  trace.seed = seed;
  trace.fingerprint = outcome.summary.fingerprint;
  trace.events_total = outcome.summary.events;
  trace.hash_checkpoints = outcome.hash_checkpoints;
  trace.violation = *violation;
  if (events_max > 0 && !outcome.event_records.empty()) {
    TraceEvents events;
    events.kind_names = outcome.event_kind_names;
    const std::uint64_t kept = std::min<std::uint64_t>({events_max, kTraceEventsMax, outcome.event_records.size()});
    events.records.assign(outcome.event_records.begin(), outcome.event_records.begin() + static_cast<std::ptrdiff_t>(kept));
    events.truncated = kept < outcome.summary.events;
    trace.events = std::move(events);
  }
  return trace;
}

Json trace_to_json(const Trace& trace) {
  Json hash_checkpoints = Json::array();
  for (const sim::HashCheckpoint& c : trace.hash_checkpoints) {
    hash_checkpoints.push_back(Json{{"record_index", c.record_index}, {"hash", reports::hex64(c.hash)}});
  }
  Json json = {{"format", kTraceFormat},
               {"version", kTraceVersion},
               {"protocol_version", trace.protocol_version},
               {"seed", trace.seed},
               {"fingerprint", reports::hex64(trace.fingerprint)},
               {"events_total", trace.events_total},
               {"hash_checkpoints", std::move(hash_checkpoints)},
               {"violation", {{"property", trace.violation.property},
                              {"time_ns", trace.violation.time_ns},
                              {"time", format_time(trace.violation.time_ns)},
                              {"event_index", trace.violation.event_index},
                              {"explanation", trace.violation.explanation}}},
               {"scenario", scenario_to_json(trace.scenario)}};
  if (trace.events.has_value()) json["events"] = events_to_json(*trace.events);
  return json;
}

Result<Trace> trace_from_json(const Json& document) {
  Result<JsonObject> root = JsonObject::open(document, "$");
  if (!root.is_ok()) return root.status();
  if (Status s = root.value().check_fields(kTraceFields, "a trace"); !s.is_ok()) return s;
  Trace trace;
  if (Status s = read_header(root.value(), trace); !s.is_ok()) return s;
  if (Status s = read_hash_checkpoints(root.value(), trace); !s.is_ok()) return s;
  if (Status s = read_violation(root.value(), trace); !s.is_ok()) return s;
  if (Status s = read_scenario(root.value(), trace); !s.is_ok()) return s;
  if (Status s = read_events(root.value(), trace); !s.is_ok()) return s;
  return trace;
}

Result<Trace> parse_trace(std::string_view json_text) {
  Result<Json> document = parse_json_bounded(json_text);
  if (!document.is_ok()) return document.status();
  return trace_from_json(document.value());
}

Result<Trace> load_trace_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::not_found("trace file '" + path + "': cannot open it");
  std::string text;
  std::array<char, 64 * 1024> chunk{};
  while (file.read(chunk.data(), chunk.size()) || file.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(file.gcount()));
    if (text.size() > kTraceFileBytesMax) {
      return Status::invalid_argument("trace file '" + path + "': larger than " + std::to_string(kTraceFileBytesMax) +
                                      " bytes");
    }
  }
  if (file.bad()) return Status::io_error("trace file '" + path + "': read failed");
  return parse_trace(text);
}

Status write_trace_file(const Trace& trace, const std::string& path) {
  const Json json = trace_to_json(trace);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Status::io_error("trace file '" + path + "': cannot create it");
  // One line per top-level field, the scenario indented and one event per line, so that
  // traces diff and grep well; the field order is the documented one.
  file << "{\n";
  bool first = true;
  for (const std::string_view key : kTraceFields) {
    if (!json.contains(key)) continue;
    file << (first ? "" : ",\n") << "\"" << key << "\": ";
    first = false;
    if (key == "scenario") {
      file << json[std::string(key)].dump(2, ' ', false, Json::error_handler_t::replace);
    } else if (key == "events") {
      const Json& events = json["events"];
      file << "{\"kinds\": " << events["kinds"].dump() << ", \"truncated\": " << events["truncated"].dump()
           << ", \"records\": [";
      const Json& records = events["records"];
      for (std::size_t i = 0; i < records.size(); ++i) file << (i == 0 ? "\n" : ",\n") << records[i].dump();
      file << "\n]}";
    } else {
      file << json[std::string(key)].dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }
  file << "\n}\n";
  file.flush();
  if (!file) return Status::io_error("trace file '" + path + "': write failed");
  return Status::ok();
}

}  // namespace ckptsim::scenarios
