#include "faults/fault_params.h"

#include <algorithm>
#include <charconv>

namespace ckptsim::faults {

const std::string* ParamReader::find(std::string_view name) {
  read_.emplace_back(name);
  const auto it = fault_.params.find(std::string(name));
  if (it == fault_.params.end() || it->second.empty()) return nullptr;
  return &it->second;
}

void ParamReader::fail(std::string_view field, std::string message) {
  if (!problem_) problem_ = FaultProblem{std::string(field), std::move(message)};
}

DurationNs ParamReader::duration(std::string_view name, std::optional<DurationNs> default_ns, DurationNs min_ns,
                                 DurationNs max_ns) {
  CKPT_ASSERT(min_ns <= max_ns, "a duration range is not empty");
  const std::string* text = find(name);
  const DurationNs fallback = default_ns.value_or(min_ns);
  if (text == nullptr) {
    if (!default_ns) fail(name, "missing required parameter");
    return fallback;
  }
  const std::string expected = "expected a duration in [" + format_duration(min_ns) + ", " + format_duration(max_ns) + "]";
  const Result<DurationNs> parsed = parse_duration(*text);
  if (!parsed.is_ok() || parsed.value() < min_ns || parsed.value() > max_ns) {
    fail(name, expected + ", got \"" + *text + "\"");
    return fallback;
  }
  return parsed.value();
}

double ParamReader::probability(std::string_view name, double default_value) {
  const std::string* text = find(name);
  if (text == nullptr) return default_value;
  double value = -1.0;
  const char* end = text->data() + text->size();
  const auto [ptr, error] = std::from_chars(text->data(), end, value);
  // Written so that NaN fails the range check.
  if (error != std::errc() || ptr != end || !(value >= 0.0 && value <= 1.0)) {
    fail(name, "expected a probability in [0, 1], got \"" + *text + "\"");
    return default_value;
  }
  return value;
}

std::int64_t ParamReader::integer(std::string_view name, std::optional<std::int64_t> default_value, std::int64_t min,
                                  std::int64_t max) {
  CKPT_ASSERT(min <= max, "an integer range is not empty");
  const std::string* text = find(name);
  const std::int64_t fallback = default_value.value_or(min);
  if (text == nullptr) {
    if (!default_value) fail(name, "missing required parameter");
    return fallback;
  }
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end || value < min || value > max) {
    fail(name, "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got \"" + *text + "\"");
    return fallback;
  }
  return value;
}

std::string ParamReader::choice(std::string_view name, std::string_view default_value,
                                std::span<const std::string_view> choices) {
  const std::string* text = find(name);
  if (text == nullptr) return std::string(default_value);
  if (std::find(choices.begin(), choices.end(), *text) != choices.end()) return *text;
  fail(name, "expected one of " + join_words(choices) + ", got \"" + *text + "\"");
  return std::string(default_value);
}

std::string ParamReader::text(std::string_view name, std::string_view default_value) {
  const std::string* text = find(name);
  return text == nullptr ? std::string(default_value) : *text;
}

std::vector<std::string> ParamReader::name_list(std::string_view name, bool required) {
  const std::string* text = find(name);
  std::vector<std::string> names;
  if (text == nullptr) {
    if (required) fail(name, "missing required parameter");
    return names;
  }
  std::size_t begin = 0;
  while (begin <= text->size()) {
    const std::size_t comma = std::min(text->find(',', begin), text->size());
    std::string item = text->substr(begin, comma - begin);
    if (item.empty()) {
      fail(name, "expected comma-separated names without empty items, got \"" + *text + "\"");
      return {};
    }
    names.push_back(std::move(item));
    begin = comma + 1;
  }
  return names;
}

std::optional<FaultProblem> ParamReader::finish() {
  if (problem_) return problem_;
  for (const auto& [name, value] : fault_.params) {
    if (std::find(read_.begin(), read_.end(), name) == read_.end()) {
      return FaultProblem{name, "a " + fault_.type + " fault takes no parameter '" + name + "'"};
    }
  }
  return std::nullopt;
}

void check_lasting(const ScheduledFault& spec, ParamReader& reader) {
  if (spec.at_ns < 0) reader.fail("at", "expected a time >= 0, got " + std::to_string(spec.at_ns) + "ns");
  if (spec.duration_ns <= 0 || spec.duration_ns > kTimeNever - std::max<TimeNs>(spec.at_ns, 0)) {
    reader.fail("duration", "a " + spec.type + " fault lasts: expected a duration > 0, got " +
                                std::to_string(spec.duration_ns) + "ns");
  }
  if (spec.restart_after_ns != -1) reader.fail("restart-after", "a " + spec.type + " fault takes no restart delay");
}

void check_no_duration(const ScheduledFault& spec, ParamReader& reader) {
  if (spec.at_ns < 0) reader.fail("at", "expected a time >= 0, got " + std::to_string(spec.at_ns) + "ns");
  if (spec.duration_ns != 0) reader.fail("duration", "a " + spec.type + " fault takes no duration");
}

void check_process_field(ParamReader& reader, std::string_view field, const std::string& value, bool required) {
  if (required && value.empty()) reader.fail(field, "missing: expected a process name");
}

void check_unused_field(ParamReader& reader, std::string_view field, const std::string& value) {
  if (!value.empty()) reader.fail(field, "this fault type takes no " + std::string(field) + ", got \"" + value + "\"");
}

void check_distinct_peer(const ScheduledFault& spec, ParamReader& reader) {
  if (!spec.peer.empty() && spec.peer == spec.target) {
    reader.fail("peer", "expected a process other than the target, got \"" + spec.peer + "\"");
  }
}

std::string format_probability(double probability) {
  CKPT_ASSERT(probability >= 0.0 && probability <= 1.0, "a probability is in [0, 1]");
  char buffer[32];
  const auto [ptr, error] = std::to_chars(buffer, buffer + sizeof(buffer), probability);
  CKPT_ASSERT(error == std::errc(), "a double fits 32 characters");
  return std::string(buffer, ptr);
}

std::string join_words(std::span<const std::string_view> words) {
  std::string joined;
  for (const std::string_view word : words) {
    if (!joined.empty()) joined += ", ";
    joined += "'";
    joined += word;
    joined += "'";
  }
  return joined;
}

}  // namespace ckptsim::faults
