#include "support/flags.h"

#include <cstdlib>
#include <iostream>

namespace loom::bench {

void FlagParser::Fail(const std::string& error) const {
  std::cerr << program_ << ": " << error << "\n" << usage_;
  std::exit(2);
}

double FlagParser::Seconds(const std::string& flag, const std::string& text) const {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  const std::string unit(end);
  if (end == text.c_str() || v < 0) Fail(flag + ": not a duration: " + text);
  if (unit.empty() || unit == "s") return v;
  if (unit == "ms") return v / 1000;
  if (unit == "m") return v * 60;
  Fail(flag + ": unknown unit in " + text);
}

int64_t FlagParser::Count(const std::string& flag, const std::string& text, int64_t min,
                          int64_t max) const {
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || v < min || v > max) {
    Fail(flag + ": bad number: " + text);
  }
  return v;
}

}  // namespace loom::bench
