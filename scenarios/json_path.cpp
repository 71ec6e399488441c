#include "scenarios/json_path.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace ckptsim::scenarios {
namespace {

// Names longer than this get no typo suggestion: the distance is quadratic in length.
constexpr std::size_t kSuggestionLengthMax = 128;
// Strings in "got ..." parts are cut to this many bytes.
constexpr std::size_t kDescribedStringMax = 60;

bool is_plain_field_name(std::string_view field) {
  if (field.empty()) return false;
  return std::all_of(field.begin(), field.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Levenshtein distance, case-insensitive, with two rows of memory.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0u : 1u)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string out_of_range_integer(std::string_view path, const AsInteger& range, const Json& value) {
  return std::string(path) + ": expected an integer in [" + std::to_string(range.min) + ", " +
         std::to_string(range.max) + "], got " + describe_json_value(value);
}

}  // namespace

std::string json_path_field(std::string_view parent, std::string_view field) {
  std::string path(parent);
  if (is_plain_field_name(field)) {
    path += '.';
    path += field;
    return path;
  }
  path += "['";
  for (char c : field) {
    if (c == '\'' || c == '\\') path += '\\';
    path += c;
  }
  path += "']";
  return path;
}

std::string json_path_element(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe_json_value(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::discarded: return "nothing";
    case Json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      if (text.size() <= kDescribedStringMax) break;
      // Replacing invalid UTF-8 keeps dump() from throwing on a string cut mid-character.
      return Json(text.substr(0, kDescribedStringMax)).dump(-1, ' ', false, Json::error_handler_t::replace) +
             "...";
    }
    default: break;
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status json_error(std::string_view path, std::string_view message) {
  std::string text(path);
  text += ": ";
  text += message;
  return Status::invalid_argument(std::move(text));
}

std::string closest_name(std::string_view name, std::span<const std::string_view> candidates) {
  if (name.size() > kSuggestionLengthMax) return {};
  std::string_view best;
  std::size_t best_distance = SIZE_MAX;
  for (std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // A plausible typo: a few edits, fewer for short names.
  const std::size_t allowed = std::clamp<std::size_t>(best.size() / 4, 1, 3);
  // Distance 0 is a different capitalisation: still worth suggesting, unless identical.
  if (best.empty() || best == name || best_distance > allowed) return {};
  return std::string(best);
}

std::string join_names(std::span<const std::string_view> names) {
  std::string joined;
  for (std::string_view name : names) {
    if (!joined.empty()) joined += ", ";
    joined += '\'';
    joined += name;
    joined += '\'';
  }
  return joined;
}

std::string suggestion_for(std::string_view name, std::span<const std::string_view> candidates) {
  const std::string closest = closest_name(name, candidates);
  if (!closest.empty()) return "; did you mean '" + closest + "'?";
  return "; expected one of " + join_names(candidates);
}

Result<std::int64_t> AsInteger::operator()(const Json& value, std::string_view path) const {
  if (!value.is_number_integer()) return Status::invalid_argument(out_of_range_integer(path, *this, value));
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<std::uint64_t>();
    // A JSON integer is unsigned only when it is >= 0, so `min` matters when it is positive.
    if (unsigned_value > static_cast<std::uint64_t>(max) ||
        (min > 0 && unsigned_value < static_cast<std::uint64_t>(min))) {
      return Status::invalid_argument(out_of_range_integer(path, *this, value));
    }
    return static_cast<std::int64_t>(unsigned_value);
  }
  const auto signed_value = value.get<std::int64_t>();
  if (signed_value < min || signed_value > max) return Status::invalid_argument(out_of_range_integer(path, *this, value));
  return signed_value;
}

Result<std::uint64_t> AsUnsigned64::operator()(const Json& value, std::string_view path) const {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  return json_error(path, "expected an integer in [0, 18446744073709551615], got " + describe_json_value(value));
}

Result<double> AsNumber::operator()(const Json& value, std::string_view path) const {
  const std::string expected = std::string("expected a number in ") + (min_exclusive ? "(" : "[") +
                               Json(min).dump() + ", " + Json(max).dump() + "], got ";
  if (!value.is_number()) return json_error(path, expected + describe_json_value(value));
  const double number = value.get<double>();
  // Written so that NaN fails every comparison and is rejected.
  const bool above_min = min_exclusive ? number > min : number >= min;
  if (!(above_min && number <= max) || !std::isfinite(number)) {
    return json_error(path, expected + describe_json_value(value));
  }
  return number;
}

Result<bool> AsBool::operator()(const Json& value, std::string_view path) const {
  if (!value.is_boolean()) return json_error(path, "expected true or false, got " + describe_json_value(value));
  return value.get<bool>();
}

Result<std::string> AsString::operator()(const Json& value, std::string_view path) const {
  if (!value.is_string()) return json_error(path, "expected a string, got " + describe_json_value(value));
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() && !allow_empty) return json_error(path, "expected a non-empty string, got \"\"");
  if (text.size() > max_length) {
    return json_error(path, "expected a string of at most " + std::to_string(max_length) + " bytes, got " +
                                std::to_string(text.size()) + " bytes");
  }
  return text;
}

Result<DurationNs> AsDuration::operator()(const Json& value, std::string_view path) const {
  const std::string range = "[" + format_duration(min_ns) + ", " + format_duration(max_ns) + "]";
  DurationNs duration_ns = 0;
  if (value.is_string()) {
    Result<DurationNs> parsed = parse_duration(value.get_ref<const std::string&>());
    if (!parsed.is_ok()) return json_error(path, parsed.status().message());
    duration_ns = parsed.value();
  } else if (value.is_number_integer() && !(value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX)) {
    // Flink reads a bare number as milliseconds.
    const auto milliseconds = value.get<std::int64_t>();
    if (milliseconds < 0 || milliseconds > INT64_MAX / kMillisecond) {
      return json_error(path, "expected a duration in " + range + ", got " + describe_json_value(value));
    }
    duration_ns = milliseconds * kMillisecond;
  } else {
    return json_error(path, "expected a duration (a string such as \"100ms\", \"5 s\" or \"1min\", or a number of "
                            "milliseconds), got " + describe_json_value(value));
  }
  if (duration_ns < min_ns || duration_ns > max_ns) {
    return json_error(path, "expected a duration in " + range + ", got " + describe_json_value(value));
  }
  return duration_ns;
}

Result<std::string> AsChoice::operator()(const Json& value, std::string_view path) const {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    for (std::string_view choice : choices) {
      if (ignore_case ? equals_ignoring_case(text, choice) : text == choice) return std::string(choice);
    }
  }
  return json_error(path, "expected one of " + join_names(choices) + ", got " + describe_json_value(value));
}

Result<JsonObject> JsonObject::open(const Json& value, std::string path) {
  if (!value.is_object()) return json_error(path, "expected an object, got " + describe_json_value(value));
  return JsonObject(value, std::move(path));
}

const Json* JsonObject::find(std::string_view name) const {
  const auto it = object_->find(name);
  return it == object_->end() ? nullptr : &*it;
}

Status JsonObject::check_fields(std::span<const std::string_view> accepted, std::string_view what) const {
  for (const auto& [name, value] : object_->items()) {
    if (std::find(accepted.begin(), accepted.end(), name) != accepted.end()) continue;
    return json_error(field_path(name), "unknown field in " + std::string(what) + suggestion_for(name, accepted));
  }
  return Status::ok();
}

Status JsonObject::missing(std::string_view name, std::string_view hint) const {
  std::string message = "missing required field";
  if (!hint.empty()) {
    message += " (";
    message += hint;
    message += ")";
  }
  return json_error(field_path(name), message);
}

}  // namespace ckptsim::scenarios
