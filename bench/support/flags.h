// Flag values of the bench programs: durations and counts, with the program's usage on error.
#pragma once

#include <cstdint>
#include <string>

namespace loom::bench {

// Parses one program's flag values. Every error prints "<program>: <error>", then `usage`, and
// exits 2 (the bench programs' exit code for bad flags).
class FlagParser {
 public:
  FlagParser(std::string program, std::string usage)
      : program_(std::move(program)), usage_(std::move(usage)) {}

  [[noreturn]] void Fail(const std::string& error) const;

  // "10s", "500ms", "2m", "3" (seconds), not negative.
  double Seconds(const std::string& flag, const std::string& text) const;
  // A whole number in [min, max].
  int64_t Count(const std::string& flag, const std::string& text, int64_t min,
                int64_t max = INT64_MAX) const;

 private:
  std::string program_;
  std::string usage_;
};

}  // namespace loom::bench
