#include "sim/event_log.h"

#include <algorithm>
#include <ostream>

namespace ckptsim::sim {
namespace {

constexpr const char* kKernelKindNames[] = {
    "timer_fired", "timer_dropped", "rpc_delivered", "rpc_dropped", "data_delivered",
    "data_dropped", "credit_returned", "channel_failed", "process_crashed",
    "process_restarted", "link_changed", "process_paused", "process_resumed", "clock_adjusted",
};

bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

EventLog::EventLog(EventLogOptions options) : options_(options) {
  CKPT_ASSERT(is_power_of_two(options_.checkpoint_interval), "hash checkpoint interval must be a power of two");
  kind_names_.assign(record_kind::kFirstUserKind, "reserved");
  for (std::size_t i = 0; i < std::size(kKernelKindNames); ++i) kind_names_[i] = kKernelKindNames[i];
}

RecordKind EventLog::register_kind(std::string_view name) {
  for (std::size_t i = record_kind::kFirstUserKind; i < kind_names_.size(); ++i) {
    if (kind_names_[i] == name) return static_cast<RecordKind>(i);
  }
  CKPT_ASSERT(kind_names_.size() < UINT16_MAX, "too many record kinds");
  kind_names_.emplace_back(name);
  return static_cast<RecordKind>(kind_names_.size() - 1);
}

std::string_view EventLog::kind_name(RecordKind kind) const {
  if (kind < kind_names_.size()) return kind_names_[kind];
  return "unknown";
}

std::string describe_record(const EventLog& log, const EventRecord& record) {
  return format_time(record.time_ns) + " " + std::string(log.kind_name(record.kind)) + " process=" +
         std::to_string(record.process) + " a=" + std::to_string(record.a) + " b=" + std::to_string(record.b);
}

void EventLog::write_json_lines(std::ostream& out) const {
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const EventRecord& r = records_[i];
    out << "{\"i\":" << i << ",\"t_ns\":" << r.time_ns << ",\"t\":\"" << format_time(r.time_ns)
        << "\",\"kind\":\"" << kind_name(r.kind) << "\",\"p\":" << r.process << ",\"a\":" << r.a
        << ",\"b\":" << r.b << "}\n";
  }
}

std::optional<Divergence> first_divergence(const EventLog& expected, const EventLog& actual) {
  if (expected.fingerprint() == actual.fingerprint() && expected.record_count() == actual.record_count()) {
    return std::nullopt;
  }
  const auto& er = expected.records();
  const auto& ar = actual.records();
  if (expected.keeps_records() && actual.keeps_records()) {
    const std::size_t common = std::min(er.size(), ar.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (!(er[i] == ar[i])) return Divergence{i, true, er[i], ar[i]};
    }
    if (er.size() != ar.size() && !expected.records_truncated() && !actual.records_truncated()) {
      Divergence d{common, true, std::nullopt, std::nullopt};
      if (common < er.size()) d.expected = er[common];
      if (common < ar.size()) d.actual = ar[common];
      return d;
    }
  }
  // Bracket by hash checkpoints: the divergence is after the last equal checkpoint.
  const auto& ec = expected.hash_checkpoints();
  const auto& ac = actual.hash_checkpoints();
  std::uint64_t last_equal = 0;
  for (std::size_t i = 0; i < std::min(ec.size(), ac.size()); ++i) {
    if (!(ec[i] == ac[i])) break;
    last_equal = ec[i].record_index;
  }
  return Divergence{last_equal, false, std::nullopt, std::nullopt};
}

}  // namespace ckptsim::sim
