// Checking the JSON documents the report reads back (summary.json, timeseries.json).
// Errors are kInvalidArgument Status values "<path>: expected <what>, got <value>", with
// JSONPath paths ("$.checkpoints.history[2].id"). Nothing here throws on bad input.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/base/status.h"

namespace ckptsim::reports {

enum class JsonKind { kString, kInteger, kNumber, kBoolean, kObject, kArray };

// `json` (at `path`) is an object whose field `field` exists and has kind `kind`.
Status check_field(const nlohmann::json& json, std::string_view path, std::string_view field, JsonKind kind);
// Same, but a missing field is fine.
Status check_optional_field(const nlohmann::json& json, std::string_view path, std::string_view field, JsonKind kind);
// `json` itself has kind `kind`.
Status check_kind(const nlohmann::json& json, std::string_view path, JsonKind kind);

std::string json_child_path(std::string_view path, std::string_view field);
std::string json_element_path(std::string_view path, std::size_t index);

}  // namespace ckptsim::reports
