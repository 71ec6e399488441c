#include "reports/timeline.h"

namespace ckptsim::reports {

nlohmann::json to_json(const Timeline& t) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const TimelineBucket& b : t.buckets) {
    buckets.push_back({{"start_ns", b.start_ns},
                       {"source_records", b.source_records},
                       {"sink_records", b.sink_records},
                       {"committed_records", b.committed_records},
                       {"latency_count", b.latency_count},
                       {"latency_p50_ns", b.latency_p50_ns},
                       {"latency_p99_ns", b.latency_p99_ns}});
  }
  nlohmann::json backpressure = nlohmann::json::array();
  for (const TaskBackpressure& b : t.backpressure) {
    backpressure.push_back({{"task", b.task}, {"total_ns", b.total_ns}, {"backpressured_ns", b.backpressured_ns}});
  }
  nlohmann::json recoveries = nlohmann::json::array();
  for (const Recovery& r : t.recoveries) {
    recoveries.push_back({{"attempt", r.attempt},
                          {"restarts", r.restarts},
                          {"recovered", r.recovered},
                          {"cause", r.cause},
                          {"failure_ns", r.failure_ns},
                          {"restart_ns", r.restart_ns},
                          {"running_ns", r.running_ns},
                          {"recovery_ns", r.recovery_ns},
                          {"restored_checkpoint", r.restored_checkpoint}});
  }
  nlohmann::json events = nlohmann::json::array();
  for (const TimelineEvent& e : t.events) {
    events.push_back({{"process", e.process},
                      {"thread", e.thread},
                      {"name", e.name},
                      {"category", e.category},
                      {"start_ns", e.start_ns},
                      {"duration_ns", e.duration_ns},
                      {"args", e.args}});
  }
  return {{"version", 1},
          {"bucket_ns", t.bucket_ns},
          {"latency_p50_ns", t.latency_p50_ns},
          {"latency_p99_ns", t.latency_p99_ns},
          {"buckets", std::move(buckets)},
          {"backpressure", std::move(backpressure)},
          {"recoveries", std::move(recoveries)},
          {"events", std::move(events)},
          {"events_truncated", t.events_truncated},
          {"violation_events", t.violation_events}};
}

}  // namespace ckptsim::reports
