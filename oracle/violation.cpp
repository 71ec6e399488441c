#include "oracle/violation.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "protocol/base/assert.h"

namespace ckptsim::oracle {
namespace {

bool earlier(TimeNs time_a, std::uint64_t index_a, TimeNs time_b, std::uint64_t index_b) {
  return std::tie(index_a, time_a) < std::tie(index_b, time_b);
}

}  // namespace

std::string to_string(const Violation& violation) {
  return violation.property + " at " + format_time(violation.time_ns) + " (event " +
         std::to_string(violation.event_index) + "): " + violation.explanation;
}

const char* check_status_name(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPassed: return "passed";
    case CheckStatus::kFailed: return "failed";
    case CheckStatus::kSkipped: return "skipped";
  }
  CKPT_UNREACHABLE("unknown check status");
}

ViolationLog::ViolationLog(const std::vector<std::string_view>& properties) {
  for (std::string_view property : properties) {
    CKPT_ASSERT(!index_.contains(property), "property names are unique");
    index_.emplace(std::string(property), tallies_.size());
    Tally tally;
    tally.result.property = std::string(property);
    tallies_.push_back(std::move(tally));
  }
}

ViolationLog::Tally& ViolationLog::tally(std::string_view property) {
  auto it = index_.find(property);
  CKPT_ASSERT(it != index_.end(), "a checker reported a property it did not declare");
  return tallies_[it->second];
}

bool ViolationLog::would_keep(std::string_view property, TimeNs time_ns, std::uint64_t event_index) {
  const Tally& t = tally(property);
  if (t.examples.size() < kExamplesPerPropertyMax) return true;
  const Violation& latest = t.examples.back().violation;
  return earlier(time_ns, event_index, latest.time_ns, latest.event_index);
}

void ViolationLog::report(std::string_view property, TimeNs time_ns, std::uint64_t event_index,
                          std::string explanation) {
  Tally& t = tally(property);
  ++t.result.violations;
  if (!would_keep(property, time_ns, event_index)) return;
  Example example{Violation{t.result.property, time_ns, event_index, std::move(explanation)}, sequence_++};
  // Insert after every example that is not later, so equal keys keep the reporting order.
  auto position = std::upper_bound(t.examples.begin(), t.examples.end(), example, [](const Example& a, const Example& b) {
    return earlier(a.violation.time_ns, a.violation.event_index, b.violation.time_ns, b.violation.event_index);
  });
  t.examples.insert(position, std::move(example));
  if (t.examples.size() > kExamplesPerPropertyMax) t.examples.pop_back();
}

void ViolationLog::count_checked(std::string_view property, std::uint64_t items) { tally(property).result.checked += items; }

void ViolationLog::add_note(std::string_view property, std::string_view note) {
  std::string& text = tally(property).result.note;
  if (!text.empty()) text += "; ";
  text += note;
}

std::vector<CheckerResult> ViolationLog::results() const {
  std::vector<CheckerResult> results;
  for (const Tally& t : tallies_) {
    CheckerResult result = t.result;
    if (result.violations > 0) {
      result.status = CheckStatus::kFailed;
    } else if (result.checked > 0) {
      result.status = CheckStatus::kPassed;
    } else {
      result.status = CheckStatus::kSkipped;
    }
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<Violation> ViolationLog::violations() const {
  std::vector<const Example*> all;
  for (const Tally& t : tallies_) {
    for (const Example& example : t.examples) all.push_back(&example);
  }
  std::sort(all.begin(), all.end(), [](const Example* a, const Example* b) {
    return std::tie(a->violation.event_index, a->violation.time_ns, a->sequence) <
           std::tie(b->violation.event_index, b->violation.time_ns, b->sequence);
  });
  std::vector<Violation> result;
  result.reserve(all.size());
  for (const Example* example : all) result.push_back(example->violation);
  return result;
}

}  // namespace ckptsim::oracle
