// The server under test of a bench program: `loom-oncall serve` started as a child process in a
// directory of its own, on 127.0.0.1 with a port the kernel picks.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace loom::bench {

class ServerProcess {
 public:
  // `program` names the bench in its messages.
  explicit ServerProcess(std::string program) : program_(std::move(program)) {}
  ~ServerProcess() { Stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `binary serve --config <config> --data-dir <dir>/data --listen 127.0.0.1:0` with its
  // stdout and stderr in <dir>, without LOOM_ONCALL_CONFIG and with `env` set, and waits (at most
  // 20 s) for its "listening on" line. Returns the port, or 0 (after printing its stderr).
  uint16_t Start(const std::string& binary, const std::filesystem::path& config,
                 const std::filesystem::path& dir,
                 const std::vector<std::pair<std::string, std::string>>& env);

  // SIGTERM, then waits. Returns the exit code (-1 if it did not exit cleanly or never started).
  int Stop();

 private:
  std::string program_;
  pid_t pid_ = -1;
};

}  // namespace loom::bench
