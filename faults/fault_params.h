// Reading a fault's type-specific parameters (ScheduledFault::params, canonical text)
// with errors that name the parameter.
//
// A ParamReader reads one fault's params; each getter returns the value, or the given
// default when the param is absent, and on a malformed value records the first problem
// and returns the default. After reading, problem() says what was wrong (if anything)
// and finish() also reports params nobody asked for. Text formats (the same as the
// scenario format prints them):
//   duration     Flink syntax, "100ms", "2s" (protocol/base/time.h)
//   probability  a decimal number in [0, 1], "0.25"
//   integer      decimal digits with an optional '-', "-20000"
//   choice       one of a fixed set of words
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault.h"

namespace ckptsim::faults {

class ParamReader {
 public:
  explicit ParamReader(const ScheduledFault& fault) : fault_(fault) {}

  DurationNs duration(std::string_view name, std::optional<DurationNs> default_ns, DurationNs min_ns,
                      DurationNs max_ns);
  double probability(std::string_view name, double default_value);
  std::int64_t integer(std::string_view name, std::optional<std::int64_t> default_value, std::int64_t min,
                       std::int64_t max);
  std::string choice(std::string_view name, std::string_view default_value, std::span<const std::string_view> choices);
  // The raw text, or `default_value` when absent (an empty text counts as absent).
  std::string text(std::string_view name, std::string_view default_value);
  // Comma-separated non-empty names, e.g. "jm,tm-0"; empty when absent.
  std::vector<std::string> name_list(std::string_view name, bool required);

  // Records a problem found by the caller (the first one wins).
  void fail(std::string_view field, std::string message);
  const std::optional<FaultProblem>& problem() const { return problem_; }
  // The first problem, including a param that no getter read.
  std::optional<FaultProblem> finish();

 private:
  const std::string* find(std::string_view name);

  const ScheduledFault& fault_;
  std::vector<std::string> read_;   // names asked for, to find unknown params
  std::optional<FaultProblem> problem_;
};

// Checks of the fields every fault has, recording problems in `reader`.
// A lasting fault needs duration_ns > 0.
void check_lasting(const ScheduledFault& spec, ParamReader& reader);
// An instant fault (or a crash, whose length is its restart delay) takes no duration.
void check_no_duration(const ScheduledFault& spec, ParamReader& reader);
// `field` ("target" or "peer") names a process when required, and is empty when unused.
void check_process_field(ParamReader& reader, std::string_view field, const std::string& value, bool required);
void check_unused_field(ParamReader& reader, std::string_view field, const std::string& value);
// target and peer, when both are set, differ.
void check_distinct_peer(const ScheduledFault& spec, ParamReader& reader);

// The canonical text of a probability (shortest round-trip decimal, "0.25", "1").
std::string format_probability(double probability);
// "a, b, c" for messages.
std::string join_words(std::span<const std::string_view> words);

}  // namespace ckptsim::faults
