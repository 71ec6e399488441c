// The "config" section of a scenario: a flat map from Flink configuration keys (and
// "ckptsim."-prefixed keys for the simulator's cost model) to values, described in ONE
// table, config_keys(). Each row gives the key, the kind of value and its bounds, its
// meaning, and how it is stored in and read back from a Scenario.
//
// Values are written as in a Flink configuration: durations as "100ms" / "5 s" / "1min"
// (a bare number is milliseconds), memory sizes as "32kb" or a number of bytes, choices
// case-insensitively, integers and booleans as JSON values or as strings ("4", "true").
// Checkpoint coordinator keys are applied with set_checkpoint_config_value() and the
// result checked with validate(). The state backend keys (state.backend.type,
// execution.checkpointing.dir, ...incremental) are kept in Scenario::extra_config (so
// they print only when set) and read with state_backend_choice().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "scenarios/json_path.h"
#include "sim/cluster/run_state_backends.h"
#include "scenarios/scenario.h"

namespace ckptsim::scenarios {

enum class ConfigValueKind { kDuration, kInteger, kNumber, kBool, kChoice, kMemorySize, kString };

// One parsed value; which member is meaningful depends on the key's kind.
struct ConfigValue {
  std::int64_t integer = 0;  // kInteger; kDuration in ns; kMemorySize in bytes
  double number = 0.0;       // kNumber
  bool flag = false;         // kBool
  std::string text{};        // kChoice (canonical spelling), kString
};

struct ConfigKeyInfo {
  std::string_view key;
  ConfigValueKind kind = ConfigValueKind::kString;
  std::int64_t min = 0;             // kInteger, kDuration (ns), kMemorySize (bytes)
  std::int64_t max = 0;
  double number_min = 0.0;          // kNumber: [number_min, number_max]
  double number_max = 0.0;
  std::span<const std::string_view> choices{};  // kChoice: canonical spellings
  bool extra = false;               // stored in Scenario::extra_config; printed only when set
  std::string_view default_text;    // the default, as documented
  std::string_view description;     // the key's meaning (Flink's, where it is a Flink key)
  // Stores a value that passed the kind and range checks. An error message here is
  // about the value and gets the key's path as prefix.
  Status (*set)(Scenario& scenario, std::string_view key, const ConfigValue& value) = nullptr;
  ConfigValue (*get)(const Scenario& scenario, std::string_view key) = nullptr;
};

// Every accepted key, in documentation order.
std::span<const ConfigKeyInfo> config_keys();
// nullptr for an unknown key.
const ConfigKeyInfo* find_config_key(std::string_view key);

// Flink's MemorySize syntax: "<integer>[ ]<unit>", unit b|bytes, k|kb|kibibytes,
// m|mb|mebibytes, g|gb|gibibytes, t|tb|tebibytes (case-insensitive, powers of 1024); a
// bare number is bytes.
Result<std::uint64_t> parse_memory_size(std::string_view text);
// The largest exact unit: "32kb", "1mb", "4097b", "0b".
std::string format_memory_size(std::uint64_t bytes);

// Applies the section at `path` (usually "$.config") to `scenario`, then checks the
// coordinator config with validate() and the relations between keys (heartbeat timeout
// against interval, exponential backoff bounds). Sets job.checkpointing_enabled.
Status read_config(const Json& value, const std::string& path, Scenario& scenario);
// Every non-extra key with its current value, plus the extra keys that are set.
Json config_to_json(const Scenario& scenario);

// The state backend and checkpoint storage the scenario selects: state.backend.type
// (hashmap, memory or filesystem: the in-memory backend; rocksdb), whether
// execution.checkpointing.dir is set, and execution.checkpointing.incremental.
sim::StateBackendChoice state_backend_choice(const Scenario& scenario);

}  // namespace ckptsim::scenarios
