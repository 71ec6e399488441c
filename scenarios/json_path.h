// Reading a JSON document with errors that say where they are.
//
// Paths follow JSONPath: "$" is the document, ".name" a field whose name is made only of
// letters, digits, '-' and '_', "['execution.checkpointing.interval']" any other field,
// "[2]" an array element. Every error returned here is a kInvalidArgument Status whose
// message is "<path>: <what was expected>, got <what was found>", e.g.
//   $.job.operators[2].parallelism: expected an integer in [1, 32768], got "two"
//
// Nothing here throws or asserts on user input: a value of the wrong type is an error
// value, never an exception from nlohmann::json.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/base/status.h"
#include "protocol/base/time.h"

namespace ckptsim::scenarios {

using Json = nlohmann::json;

// "$.job" + "operators" -> "$.job.operators"; "$.config" + "a.b" -> "$.config['a.b']".
std::string json_path_field(std::string_view parent, std::string_view field);
// "$.job.operators" + 2 -> "$.job.operators[2]".
std::string json_path_element(std::string_view parent, std::size_t index);

// A short, single-line rendering of a value for "got ..." parts of messages: scalars as
// JSON text (long strings cut), containers as "an object" / "an array".
std::string describe_json_value(const Json& value);

// kInvalidArgument "<path>: <message>".
Status json_error(std::string_view path, std::string_view message);

// The candidate closest to `name` by edit distance when it is close enough to be a
// plausible typo, otherwise an empty string.
std::string closest_name(std::string_view name, std::span<const std::string_view> candidates);
// "'a', 'b', 'c'".
std::string join_names(std::span<const std::string_view> names);
// "; did you mean 'x'?" when a close candidate exists, otherwise "; expected one of 'a', 'b'".
std::string suggestion_for(std::string_view name, std::span<const std::string_view> candidates);

// Typed readers. Each takes the value and its path and checks type and range.
struct AsInteger {  // a JSON integer in [min, max]
  std::int64_t min = INT64_MIN;
  std::int64_t max = INT64_MAX;
  Result<std::int64_t> operator()(const Json& value, std::string_view path) const;
};

struct AsUnsigned64 {  // any JSON integer in [0, 2^64 - 1]
  Result<std::uint64_t> operator()(const Json& value, std::string_view path) const;
};

struct AsNumber {  // a JSON number in (min, max] or [min, max]
  double min = 0.0;
  double max = 0.0;
  bool min_exclusive = false;
  Result<double> operator()(const Json& value, std::string_view path) const;
};

struct AsBool {
  Result<bool> operator()(const Json& value, std::string_view path) const;
};

struct AsString {  // a JSON string of at most max_length bytes
  std::size_t max_length = 256;
  bool allow_empty = false;
  Result<std::string> operator()(const Json& value, std::string_view path) const;
};

// A Flink duration: a string ("100ms", "5 s", "1min") or an integer number of
// milliseconds, within [min_ns, max_ns].
struct AsDuration {
  DurationNs min_ns = 0;
  DurationNs max_ns = INT64_MAX;
  Result<DurationNs> operator()(const Json& value, std::string_view path) const;
};

// One of `choices`, returned in its canonical spelling (the one in `choices`).
struct AsChoice {
  std::span<const std::string_view> choices;
  bool ignore_case = false;
  Result<std::string> operator()(const Json& value, std::string_view path) const;
};

// A view of one JSON object with its path. Does not own the JSON.
class JsonObject {
 public:
  // An error naming `path` when `value` is not an object.
  static Result<JsonObject> open(const Json& value, std::string path);

  const std::string& path() const { return path_; }
  std::string field_path(std::string_view name) const { return json_path_field(path_, name); }
  // nullptr when the field is absent.
  const Json* find(std::string_view name) const;
  // The first field (in the document's key order) not in `accepted`, as an error with a
  // typo suggestion; `what` names the object ("an operator", "the input").
  Status check_fields(std::span<const std::string_view> accepted, std::string_view what) const;
  // "<path>.<name>: missing required field".
  Status missing(std::string_view name, std::string_view hint = {}) const;

 private:
  JsonObject(const Json& object, std::string path) : object_(&object), path_(std::move(path)) {}
  const Json* object_;
  std::string path_;
};

// Reads field `name` with `read` into `out` when present; leaves `out` alone otherwise.
template <typename T, typename Reader>
Status read_optional(const JsonObject& object, std::string_view name, T& out, const Reader& read) {
  const Json* value = object.find(name);
  if (value == nullptr) return Status::ok();
  auto result = read(*value, object.field_path(name));
  if (!result.is_ok()) return result.status();
  out = static_cast<T>(std::move(result).value());
  return Status::ok();
}

// Reads field `name` with `read` into `out`; an error when it is absent.
template <typename T, typename Reader>
Status read_required(const JsonObject& object, std::string_view name, T& out, const Reader& read) {
  if (object.find(name) == nullptr) return object.missing(name);
  return read_optional(object, name, out, read);
}

}  // namespace ckptsim::scenarios
