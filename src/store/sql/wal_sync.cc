#include "store/sql/wal_sync.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace loom::sql {
namespace {

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Error SyncError(const char* what, const std::string& path) {
  return Error::Unavailable(std::string(what) + " " + path + ": " + std::strerror(errno));
}

}  // namespace

WalSync::WalSync(const std::string& db_path)
    : wal_path_(db_path + "-wal"), dir_(DirectoryOf(db_path)) {}

WalSync::~WalSync() {
  if (fd_ >= 0) ::close(fd_);
}

Status WalSync::Reopen() {
  if (fd_ >= 0) ::close(fd_);
  // Opened for writing (never written through) because some file systems refuse to sync a file
  // opened read-only.
  fd_ = ::open(wal_path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return SyncError("cannot open", wal_path_);
  // The file's directory entry must be durable too (SQLite syncs it after creating the file only
  // with synchronous=FULL).
  int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return SyncError("cannot open", dir_);
  int rc = ::fsync(dir);
  ::close(dir);
  if (rc != 0) return SyncError("cannot fsync", dir_);
  return OkStatus();
}

Status WalSync::Sync() {
  // A WAL file that was deleted (the last connection closed) has no name left: open the new one.
  struct stat open_file {};
  if (fd_ < 0 || ::fstat(fd_, &open_file) != 0 || open_file.st_nlink == 0) {
    if (Status opened = Reopen(); !opened.ok()) return opened;
  }
  int rc;
  do {
    rc = ::fdatasync(fd_);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return SyncError("cannot fdatasync", wal_path_);
  return OkStatus();
}

}  // namespace loom::sql
