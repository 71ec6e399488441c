// Violations and per-property tallies.
//
// A Violation names a stable property identifier ("output.no_loss", ...), the simulated
// time and event index at which the oracle locates it, and an explanation for humans.
// ViolationLog collects them from every checker with bounded memory: it counts every
// violation but keeps only the kExamplesPerPropertyMax earliest ones per property
// (earliest by event index, then time, then the order reported). Checkers report in a
// deterministic order, so the kept examples never depend on hash-map iteration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/base/time.h"

namespace ckptsim::oracle {

struct Violation {
  std::string property;
  TimeNs time_ns = 0;
  std::uint64_t event_index = 0;
  std::string explanation;
  friend bool operator==(const Violation&, const Violation&) = default;
};

// "output.no_loss at 1.500000000s (event 42): ..."
std::string to_string(const Violation& violation);

enum class CheckStatus { kPassed, kFailed, kSkipped };
const char* check_status_name(CheckStatus status);

// The outcome of one property. kSkipped: nothing was examined (the note says why).
struct CheckerResult {
  std::string property;
  CheckStatus status = CheckStatus::kSkipped;
  std::uint64_t checked = 0;     // items examined: records, keys, checkpoints, events
  std::uint64_t violations = 0;  // every violation found, not only the kept examples
  std::string note;
};

class ViolationLog {
 public:
  static constexpr std::size_t kExamplesPerPropertyMax = 8;

  // `properties` fixes the order of results(); reporting any other property asserts.
  explicit ViolationLog(const std::vector<std::string_view>& properties);

  void report(std::string_view property, TimeNs time_ns, std::uint64_t event_index, std::string explanation);
  // Builds the explanation only when the violation is kept as an example: checkers that
  // may find a million duplicates stay fast.
  template <typename Explain>
  void report_lazy(std::string_view property, TimeNs time_ns, std::uint64_t event_index, Explain&& explain) {
    if (would_keep(property, time_ns, event_index)) {
      report(property, time_ns, event_index, explain());
    } else {
      ++tally(property).result.violations;
    }
  }
  void count_checked(std::string_view property, std::uint64_t items = 1);
  // Appends to the property's note ("; "-separated).
  void add_note(std::string_view property, std::string_view note);

  std::vector<CheckerResult> results() const;
  // The kept examples of every property, earliest first (event index, time, property).
  std::vector<Violation> violations() const;

 private:
  struct Example {
    Violation violation;
    std::uint64_t sequence = 0;
  };
  struct Tally {
    CheckerResult result;
    std::vector<Example> examples;  // sorted earliest first, at most kExamplesPerPropertyMax
  };

  Tally& tally(std::string_view property);
  bool would_keep(std::string_view property, TimeNs time_ns, std::uint64_t event_index);

  std::vector<Tally> tallies_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::uint64_t sequence_ = 0;
};

}  // namespace ckptsim::oracle
