#include "sim/sim_logger.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace ckptsim::sim {

SimLogger::SimLogger() {
  // Not registered in spdlog's global registry: each simulation owns its logger.
  logger_ = std::make_shared<spdlog::logger>("ckptsim", std::make_shared<spdlog::sinks::stderr_sink_st>());
  logger_->set_pattern("%v");
  logger_->set_level(spdlog::level::off);
}

void SimLogger::enable(spdlog::level::level_enum level, spdlog::sink_ptr sink) {
  if (sink) {
    logger_ = std::make_shared<spdlog::logger>("ckptsim", sink);
    logger_->set_pattern("%v");
  }
  level_ = level;
  logger_->set_level(level);
}

}  // namespace ckptsim::sim
