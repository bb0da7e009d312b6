#include "support/server_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace loom::bench {

namespace fs = std::filesystem;

uint16_t ServerProcess::Start(const std::string& binary, const fs::path& config,
                              const fs::path& dir,
                              const std::vector<std::pair<std::string, std::string>>& env) {
  const fs::path out = dir / "stdout", err = dir / "stderr", data = dir / "data";
  fs::create_directories(data);
  pid_ = fork();
  if (pid_ < 0) return 0;
  if (pid_ == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(err.c_str(), "w", stderr);
    unsetenv("LOOM_ONCALL_CONFIG");
    for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
    execl(binary.c_str(), binary.c_str(), "serve", "--config", config.c_str(), "--data-dir",
          data.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    std::perror("exec");
    _exit(127);
  }
  const std::string prefix = "loom-oncall listening on http://127.0.0.1:";
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(out);
    std::string line;
    if (std::getline(in, line) && line.rfind(prefix, 0) == 0) {
      return static_cast<uint16_t>(std::atoi(line.c_str() + prefix.size()));
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream in(err);
  std::cerr << program_ << ": the server did not start; its stderr:\n" << in.rdbuf();
  return 0;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace loom::bench
