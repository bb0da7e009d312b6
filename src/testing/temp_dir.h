// TempDir: a fresh directory under $TMPDIR, removed with everything in it on destruction.
#pragma once

#include <string>

namespace loom::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The project's test data directory (tests/data), from $LOOM_TEST_DATA.
std::string TestDataPath(const std::string& relative);
// Reads a whole file; aborts the test binary if it cannot (test data must exist).
std::string ReadFileOrDie(const std::string& path);

}  // namespace loom::testing
