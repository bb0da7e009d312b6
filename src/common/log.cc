#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace loom {

void InitLogging(const LogOptions& options) {
  auto logger = spdlog::stderr_logger_mt("loom-oncall");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(options.level));
  spdlog::set_default_logger(logger);
}

std::string RedactSecret(std::string_view secret) {
  if (secret.size() <= 4) return "****";
  return std::string(secret.substr(0, 4)) + "...";
}

}  // namespace loom
