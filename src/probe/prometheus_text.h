// A parser for the Prometheus text exposition format 0.0.4, as scraped from a LOOM node's
// /metrics: HELP/TYPE comments, samples with optional labels and timestamps, NaN/±Inf values.
// Series without a TYPE line are accepted (untyped) — the LOOM node omits most of them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace loom {

struct PromSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in the order written
  double value = 0;
  std::optional<int64_t> timestamp_ms;

  // The label's value, or "" when absent.
  std::string_view Label(std::string_view key) const;
};

struct PromScrape {
  std::vector<PromSample> samples;
  std::map<std::string, std::string, std::less<>> types;  // family → counter|gauge|...

  // The first sample named `name` whose labels include every pair of `match`.
  std::optional<double> Value(
      std::string_view name,
      const std::vector<std::pair<std::string, std::string>>& match = {}) const;
  // The sum over every sample named `name`.
  double Sum(std::string_view name) const;
};

// Errors name the 1-based line and what is wrong with it.
Result<PromScrape> ParsePrometheusText(std::string_view text);

}  // namespace loom
