#include "reports/chrome_trace.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

namespace ckptsim::reports {
namespace {

using Json = nlohmann::json;

double micros(TimeNs ns) { return static_cast<double>(ns) / 1000.0; }

// Assigns pids and tids in a deterministic order: first the timeline's track_order, then
// the other processes and threads by name; lanes right after their base thread.
class TrackTable {
 public:
  explicit TrackTable(const std::vector<std::pair<std::string, std::string>>& order) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      process_rank_.emplace(order[i].first, process_rank_.size());
      thread_rank_.emplace(order[i], i);
    }
  }
  int pid(const std::string& process) {
    auto it = pids_.find(process);
    if (it != pids_.end()) return it->second;
    return pids_.emplace(process, 0).first->second;
  }
  // Lane `lane` of thread `thread` in `process`.
  void add_thread(const std::string& process, const std::string& thread, std::size_t lane) {
    pid(process);
    threads_[{process, thread, lane}] = 0;
  }
  void number() {
    std::vector<std::pair<std::size_t, std::string>> processes;
    for (const auto& [name, id] : pids_) processes.emplace_back(rank(process_rank_, name), name);
    std::sort(processes.begin(), processes.end());
    for (std::size_t i = 0; i < processes.size(); ++i) pids_[processes[i].second] = static_cast<int>(i) + 1;
    std::vector<std::tuple<std::string, std::size_t, std::string, std::size_t>> threads;
    for (const auto& [key, id] : threads_) {
      const auto& [process, thread, lane] = key;
      threads.emplace_back(process, rank(thread_rank_, std::pair(process, thread)), thread, lane);
    }
    std::sort(threads.begin(), threads.end());
    std::map<std::string, int> next_tid;
    for (const auto& [process, thread_rank, thread, lane] : threads) threads_[{process, thread, lane}] = ++next_tid[process];
  }
  int tid(const std::string& process, const std::string& thread, std::size_t lane) const {
    return threads_.at({process, thread, lane});
  }
  void metadata(Json& events) const {
    for (const auto& [name, id] : pids_) {
      events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", id}, {"tid", 0}, {"args", {{"name", name}}}});
      events.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", id}, {"tid", 0}, {"args", {{"sort_index", id}}}});
    }
    for (const auto& [key, id] : threads_) {
      const auto& [process, thread, lane] = key;
      const std::string name = lane == 0 ? thread : thread + " #" + std::to_string(lane + 1);
      events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pids_.at(process)}, {"tid", id}, {"args", {{"name", name}}}});
      events.push_back({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pids_.at(process)}, {"tid", id}, {"args", {{"sort_index", id}}}});
    }
  }

 private:
  template <typename Key>
  static std::size_t rank(const std::map<Key, std::size_t>& ranks, const Key& key) {
    const auto it = ranks.find(key);
    return it == ranks.end() ? ranks.size() : it->second;
  }

  std::map<std::string, std::size_t> process_rank_;
  std::map<std::pair<std::string, std::string>, std::size_t> thread_rank_;
  std::map<std::string, int> pids_;
  std::map<std::tuple<std::string, std::string, std::size_t>, int> threads_;
};

}  // namespace

Json chrome_trace_json(const Timeline& timeline, const std::string& run_name) {
  // Lanes: a span goes to the first lane of its track that is free at its start. Events
  // are sorted by start time, so a greedy pass is enough.
  std::map<std::pair<std::string, std::string>, std::vector<TimeNs>> lane_ends;
  std::vector<std::size_t> lanes;
  lanes.reserve(timeline.events.size());
  TrackTable tracks(timeline.track_order);
  for (const TimelineEvent& e : timeline.events) {
    std::vector<TimeNs>& ends = lane_ends[{e.process, e.thread}];
    std::size_t lane = 0;
    if (e.duration_ns >= 0) {
      while (lane < ends.size() && ends[lane] > e.start_ns) ++lane;
      if (lane == ends.size()) ends.push_back(0);
      ends[lane] = e.start_ns + e.duration_ns;
    }
    lanes.push_back(lane);
    tracks.add_thread(e.process, e.thread, lane);
  }
  tracks.number();
  Json events = Json::array();
  tracks.metadata(events);
  for (std::size_t i = 0; i < timeline.events.size(); ++i) {
    const TimelineEvent& e = timeline.events[i];
    Json event = {{"name", e.name}, {"cat", e.category}, {"ts", micros(e.start_ns)},
                  {"pid", tracks.pid(e.process)}, {"tid", tracks.tid(e.process, e.thread, lanes[i])}, {"args", e.args}};
    if (e.duration_ns >= 0) {
      event["ph"] = "X";
      event["dur"] = micros(e.duration_ns);
    } else {
      event["ph"] = "i";
      event["s"] = "t";
    }
    events.push_back(std::move(event));
  }
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ms"},
          {"otherData", {{"generator", "ckptsim"}, {"run", run_name}, {"clock", "virtual time, microseconds"},
                         {"events_truncated", timeline.events_truncated}}}};
}

}  // namespace ckptsim::reports
