// Process logging on spdlog. Call InitLogging once from main; elsewhere use spdlog::info(...).
// Never log secrets: tokens and integration keys are logged only as their first 4 characters.
#pragma once

#include <string>
#include <string_view>

namespace loom {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error
};

void InitLogging(const LogOptions& options);

// "abcd…" for a secret; safe to log.
std::string RedactSecret(std::string_view secret);

}  // namespace loom
