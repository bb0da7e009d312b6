#include "server/data_dir_lock.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

namespace loom {
namespace {

// The PID the holder wrote, "" when there is none (yet).
std::string ReadHolder(int fd) {
  char buf[32] = {};
  const ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "";
  std::string text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "";
  return text;
}

// The holder writes its PID right after taking the lock; a process that asks in between waits a
// moment for it rather than naming no one.
std::string WaitForHolder(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  std::string pid = ReadHolder(fd);
  while (pid.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pid = ReadHolder(fd);
  }
  return pid;
}

}  // namespace

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);  // closing the only descriptor releases the lock
}

Result<DataDirLock> DataDirLock::Acquire(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / kDataDirLockFile).string();
  // O_CLOEXEC: a program the server starts must not inherit (and so keep) the lock.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error::Unavailable("cannot open the lock file '" + path + "': " + std::strerror(errno));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      close(fd);
      return Error::Unavailable("cannot lock '" + path + "': " + std::strerror(err));
    }
    const std::string pid = WaitForHolder(fd);
    close(fd);
    return Error::Conflict("data directory '" + dir + "' is in use by another loom-oncall process" +
                           (pid.empty() ? "" : " (PID " + pid + ")") +
                           ": stop it first, or use another data directory (lock file " + path +
                           ")");
  }
  const std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    close(fd);
    return Error::Unavailable("cannot write the lock file '" + path + "': " + std::strerror(err));
  }
  return DataDirLock(fd);
}

DataDirClaim::DataDirClaim(DataDirClaim&& other) noexcept
    : lock_(std::move(other.lock_)), created_dir_(std::exchange(other.created_dir_, {})) {}

DataDirClaim::~DataDirClaim() {
  if (created_dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(created_dir_, ec);
  if (ec) spdlog::warn("could not remove the data directory {}: {}", created_dir_, ec.message());
}

}  // namespace loom
