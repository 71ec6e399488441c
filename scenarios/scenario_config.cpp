#include "scenarios/scenario_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace ckptsim::scenarios {
namespace {

using enum ConfigValueKind;

constexpr std::string_view kCheckpointKeyPrefix = "execution.checkpointing.";

struct SizeUnit {
  std::string_view name;
  std::uint64_t multiplier;
};

constexpr std::uint64_t kKib = 1024;
constexpr std::array<SizeUnit, 14> kSizeUnits = {{
    {"b", 1}, {"bytes", 1},
    {"k", kKib}, {"kb", kKib}, {"kibibytes", kKib},
    {"m", kKib * kKib}, {"mb", kKib * kKib}, {"mebibytes", kKib * kKib},
    {"g", kKib * kKib * kKib}, {"gb", kKib * kKib * kKib}, {"gibibytes", kKib * kKib * kKib},
    {"t", kKib * kKib * kKib * kKib}, {"tb", kKib * kKib * kKib * kKib}, {"tebibytes", kKib * kKib * kKib * kKib},
}};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string lowered(text);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered;
}

// Moves a successful result into `out`.
template <typename T, typename U>
Status store_result(Result<T> result, U& out) {
  if (!result.is_ok()) return result.status();
  out = std::move(result).value();
  return Status::ok();
}

std::string range_text(const ConfigKeyInfo& info) {
  if (info.kind == kMemorySize) {
    return "[" + format_memory_size(static_cast<std::uint64_t>(info.min)) + ", " +
           format_memory_size(static_cast<std::uint64_t>(info.max)) + "]";
  }
  return "[" + std::to_string(info.min) + ", " + std::to_string(info.max) + "]";
}

// Flink configuration values are strings; a JSON string holding an integer is accepted.
Result<std::int64_t> read_config_integer(const ConfigKeyInfo& info, const Json& value, const std::string& path) {
  if (value.is_string()) {
    const std::string_view text = trim(value.get_ref<const std::string&>());
    std::int64_t parsed = 0;
    const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (error == std::errc() && ptr == text.data() + text.size() && !text.empty()) {
      return AsInteger{info.min, info.max}(Json(parsed), path);
    }
    return json_error(path, "expected an integer in " + range_text(info) + ", got " + describe_json_value(value));
  }
  return AsInteger{info.min, info.max}(value, path);
}

Result<double> read_config_number(const ConfigKeyInfo& info, const Json& value, const std::string& path) {
  const AsNumber as_number{info.number_min, info.number_max, false};
  if (!value.is_string()) return as_number(value, path);
  const std::string_view text = trim(value.get_ref<const std::string&>());
  double parsed = 0.0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (error == std::errc() && ptr == text.data() + text.size() && !text.empty()) return as_number(Json(parsed), path);
  return as_number(value, path);
}

Result<bool> read_config_bool(const Json& value, const std::string& path) {
  if (value.is_string()) {
    const std::string text = lower(trim(value.get_ref<const std::string&>()));
    if (text == "true") return true;
    if (text == "false") return false;
  }
  if (value.is_boolean()) return value.get<bool>();
  return json_error(path, "expected true or false, got " + describe_json_value(value));
}

Result<std::int64_t> read_config_memory_size(const ConfigKeyInfo& info, const Json& value, const std::string& path) {
  const std::string expected = "expected a memory size in " + range_text(info) + " (bytes, or a string such as \"32kb\"), got ";
  std::uint64_t bytes = 0;
  if (value.is_number_unsigned()) {
    bytes = value.get<std::uint64_t>();
  } else if (value.is_string()) {
    Result<std::uint64_t> parsed = parse_memory_size(value.get_ref<const std::string&>());
    if (!parsed.is_ok()) return json_error(path, parsed.status().message());
    bytes = parsed.value();
  } else {
    return json_error(path, expected + describe_json_value(value));
  }
  if (bytes < static_cast<std::uint64_t>(info.min) || bytes > static_cast<std::uint64_t>(info.max)) {
    return json_error(path, expected + describe_json_value(value));
  }
  return static_cast<std::int64_t>(bytes);
}

Result<ConfigValue> read_config_value(const ConfigKeyInfo& info, const Json& value, const std::string& path) {
  ConfigValue parsed;
  Status status = Status::ok();
  switch (info.kind) {
    case kDuration: status = store_result(AsDuration{info.min, info.max}(value, path), parsed.integer); break;
    case kInteger: status = store_result(read_config_integer(info, value, path), parsed.integer); break;
    case kMemorySize: status = store_result(read_config_memory_size(info, value, path), parsed.integer); break;
    case kNumber: status = store_result(read_config_number(info, value, path), parsed.number); break;
    case kBool: status = store_result(read_config_bool(value, path), parsed.flag); break;
    case kChoice: status = store_result(AsChoice{info.choices, true}(value, path), parsed.text); break;
    case kString: status = store_result(AsString{1024, false}(value, path), parsed.text); break;
  }
  if (!status.is_ok()) return status;
  return parsed;
}

Status unknown_key_error(const std::string& path, std::string_view key) {
  std::vector<std::string_view> keys;
  for (const ConfigKeyInfo& info : config_keys()) keys.push_back(info.key);
  const std::string closest = closest_name(key, keys);
  std::string message = "unknown configuration key '" + std::string(key) + "'";
  message += closest.empty() ? "; docs/scenario-format.md lists the accepted keys" : "; did you mean '" + closest + "'?";
  return json_error(path, message);
}

// validate() names the key its message is about at the start; point the path at it.
Status checkpoint_config_error(const std::string& config_path, const std::string& message) {
  for (const ConfigKeyInfo& info : config_keys()) {
    if (info.key.substr(0, kCheckpointKeyPrefix.size()) != kCheckpointKeyPrefix) continue;
    if (message.size() > info.key.size() && message.compare(0, info.key.size(), info.key) == 0 &&
        message[info.key.size()] == ' ') {
      return json_error(json_path_field(config_path, info.key), message.substr(info.key.size() + 1));
    }
  }
  return json_error(config_path, message);
}

Status check_config_relations(const Scenario& scenario, const std::string& path) {
  const ClusterSpec& cluster = scenario.job.cluster;
  if (cluster.heartbeat_timeout_ns < cluster.heartbeat_interval_ns) {
    return json_error(json_path_field(path, "heartbeat.timeout"),
                      "expected at least heartbeat.interval (" + format_duration(cluster.heartbeat_interval_ns) +
                          "), got \"" + format_duration(cluster.heartbeat_timeout_ns) + "\"");
  }
  const RestartStrategySpec& restart = scenario.job.restart;
  if (restart.exponential_max_backoff_ns < restart.exponential_initial_backoff_ns) {
    return json_error(json_path_field(path, "restart-strategy.exponential-delay.max-backoff"),
                      "expected at least restart-strategy.exponential-delay.initial-backoff (" +
                          format_duration(restart.exponential_initial_backoff_ns) + "), got \"" +
                          format_duration(restart.exponential_max_backoff_ns) + "\"");
  }
  return Status::ok();
}

Json config_value_to_json(const ConfigKeyInfo& info, const ConfigValue& value) {
  switch (info.kind) {
    case kDuration: return format_duration(value.integer);
    case kInteger: return value.integer;
    case kMemorySize: return format_memory_size(static_cast<std::uint64_t>(value.integer));
    case kNumber: return value.number;
    case kBool: return value.flag;
    case kChoice:
    case kString: return value.text;
  }
  CKPT_UNREACHABLE("unknown config value kind");
}

}  // namespace

Result<std::uint64_t> parse_memory_size(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const std::string quoted = "'" + std::string(text) + "'";
  std::size_t digits_end = 0;
  std::uint64_t amount = 0;
  while (digits_end < trimmed.size() && std::isdigit(static_cast<unsigned char>(trimmed[digits_end])) != 0) {
    const auto digit = static_cast<std::uint64_t>(trimmed[digits_end] - '0');
    if (amount > (UINT64_MAX - digit) / 10) return Status::invalid_argument("memory size " + quoted + " overflows 64 bits");
    amount = amount * 10 + digit;
    ++digits_end;
  }
  if (digits_end == 0) {
    return Status::invalid_argument("expected a memory size starting with a non-negative integer (\"32kb\", \"4096\"), got " +
                                    quoted);
  }
  const std::string unit = lower(trim(trimmed.substr(digits_end)));
  std::uint64_t multiplier = 1;  // Flink: a bare number is bytes.
  if (!unit.empty()) {
    const auto* found = std::find_if(kSizeUnits.begin(), kSizeUnits.end(),
                                     [&](const SizeUnit& candidate) { return candidate.name == unit; });
    if (found == kSizeUnits.end()) {
      return Status::invalid_argument("unknown memory unit '" + unit + "' in " + quoted + "; expected one of b, kb, mb, gb, tb");
    }
    multiplier = found->multiplier;
  }
  if (amount > UINT64_MAX / multiplier) return Status::invalid_argument("memory size " + quoted + " overflows 64 bits");
  return amount * multiplier;
}

std::string format_memory_size(std::uint64_t bytes) {
  if (bytes == 0) return "0b";
  constexpr std::array<SizeUnit, 4> kPrintUnits = {{
      {"tb", kKib * kKib * kKib * kKib}, {"gb", kKib * kKib * kKib}, {"mb", kKib * kKib}, {"kb", kKib}}};
  for (const SizeUnit& unit : kPrintUnits) {
    if (bytes % unit.multiplier == 0) return std::to_string(bytes / unit.multiplier) + std::string(unit.name);
  }
  return std::to_string(bytes) + "b";
}

Status read_config(const Json& value, const std::string& path, Scenario& scenario) {
  Result<JsonObject> object = JsonObject::open(value, path);
  if (!object.is_ok()) return object.status();
  for (const auto& [key, item] : value.items()) {
    const std::string key_path = json_path_field(path, key);
    const ConfigKeyInfo* info = find_config_key(key);
    if (info == nullptr) return unknown_key_error(key_path, key);
    Result<ConfigValue> parsed = read_config_value(*info, item, key_path);
    if (!parsed.is_ok()) return parsed.status();
    if (Status s = info->set(scenario, info->key, parsed.value()); !s.is_ok()) return json_error(key_path, s.message());
  }
  scenario.job.checkpointing_enabled = scenario.job.checkpointing.interval_ns > 0;
  if (Status s = validate(scenario.job.checkpointing); !s.is_ok()) return checkpoint_config_error(path, s.message());
  return check_config_relations(scenario, path);
}

Json config_to_json(const Scenario& scenario) {
  Json json = Json::object();
  for (const ConfigKeyInfo& info : config_keys()) {
    if (info.extra && !scenario.extra_config.contains(std::string(info.key))) continue;
    json[std::string(info.key)] = config_value_to_json(info, info.get(scenario, info.key));
  }
  return json;
}

}  // namespace ckptsim::scenarios

namespace ckptsim::scenarios {

sim::StateBackendChoice state_backend_choice(const Scenario& scenario) {
  sim::StateBackendChoice choice;
  const auto& extra = scenario.extra_config;
  if (auto it = extra.find("state.backend.type"); it != extra.end() && it->second == "rocksdb") {
    choice.kind = sim::StateBackendKind::kRocksDb;
  }
  choice.file_checkpoints = extra.contains("execution.checkpointing.dir");
  if (auto it = extra.find("execution.checkpointing.incremental"); it != extra.end()) {
    choice.incremental = it->second == "true";
  }
  return choice;
}

}  // namespace ckptsim::scenarios
