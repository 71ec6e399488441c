#include "reports/json_check.h"

namespace ckptsim::reports {
namespace {

const char* kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::kString: return "a string";
    case JsonKind::kInteger: return "an integer";
    case JsonKind::kNumber: return "a number";
    case JsonKind::kBoolean: return "a boolean";
    case JsonKind::kObject: return "an object";
    case JsonKind::kArray: return "an array";
  }
  return "a value";
}

bool has_kind(const nlohmann::json& json, JsonKind kind) {
  switch (kind) {
    case JsonKind::kString: return json.is_string();
    case JsonKind::kInteger: return json.is_number_integer();
    case JsonKind::kNumber: return json.is_number();
    case JsonKind::kBoolean: return json.is_boolean();
    case JsonKind::kObject: return json.is_object();
    case JsonKind::kArray: return json.is_array();
  }
  return false;
}

std::string describe(const nlohmann::json& json) {
  if (json.is_object()) return "an object";
  if (json.is_array()) return "an array";
  std::string text = json.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

}  // namespace

std::string json_child_path(std::string_view path, std::string_view field) {
  return std::string(path) + "." + std::string(field);
}

std::string json_element_path(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

Status check_kind(const nlohmann::json& json, std::string_view path, JsonKind kind) {
  if (has_kind(json, kind)) return Status::ok();
  return Status::invalid_argument(std::string(path) + ": expected " + kind_name(kind) + ", got " + describe(json));
}

Status check_field(const nlohmann::json& json, std::string_view path, std::string_view field, JsonKind kind) {
  if (Status s = check_kind(json, path, JsonKind::kObject); !s.is_ok()) return s;
  const auto it = json.find(std::string(field));
  if (it == json.end()) {
    return Status::invalid_argument(json_child_path(path, field) + ": expected " + kind_name(kind) + ", got nothing (missing)");
  }
  return check_kind(*it, json_child_path(path, field), kind);
}

Status check_optional_field(const nlohmann::json& json, std::string_view path, std::string_view field, JsonKind kind) {
  if (Status s = check_kind(json, path, JsonKind::kObject); !s.is_ok()) return s;
  const auto it = json.find(std::string(field));
  if (it == json.end()) return Status::ok();
  return check_kind(*it, json_child_path(path, field), kind);
}

}  // namespace ckptsim::reports
