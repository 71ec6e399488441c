// Logging through spdlog, prefixed with simulated time and process:
//   [   1.250000000s] [tm-2#1] triggering checkpoint 4
// Off by default. The macro checks the level before formatting, so a disabled log line
// costs one comparison. Each Simulation owns its logger (no spdlog global registry),
// so simulations running side by side in threads do not share mutable state.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "protocol/base/time.h"

namespace ckptsim::sim {

class SimLogger {
 public:
  SimLogger();
  // Sends lines to stderr (or to `sink` when given) at `level` and above.
  void enable(spdlog::level::level_enum level, spdlog::sink_ptr sink = nullptr);
  bool enabled(spdlog::level::level_enum level) const { return level >= level_; }

  template <typename... Args>
  void log(spdlog::level::level_enum level, TimeNs now_ns, const std::string& who,
           fmt::format_string<Args...> format, Args&&... args) {
    logger_->log(level, "[{:>15}] [{}] {}", format_time(now_ns), who,
                 fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum level_ = spdlog::level::off;
};

}  // namespace ckptsim::sim

// CKPT_LOG(sim, info, process_name, "format {}", args...): free when the level is off.
#define CKPT_LOG(simulation, severity, who, ...)                                           \
  do {                                                                                     \
    if ((simulation).logger().enabled(spdlog::level::severity)) [[unlikely]] {             \
      (simulation).logger().log(spdlog::level::severity, (simulation).now_ns(), who, __VA_ARGS__); \
    }                                                                                      \
  } while (false)
