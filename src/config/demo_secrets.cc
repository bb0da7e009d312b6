#include "config/demo_secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/crypto.h"
#include "config/value_checks.h"

namespace loom::config {
namespace {

// Reads KEY=VALUE lines; '#' comments and blank lines are skipped.
Result<std::map<std::string, std::string>> ReadEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::Internal("cannot read " + path + ": " + std::strerror(errno));
  std::map<std::string, std::string> vars;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t eq = line.find('=', start);
    if (eq == std::string::npos) continue;
    std::string name = line.substr(start, eq - start);
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars[name] = value;
  }
  return vars;
}

// Writes `text` to `path` with mode 0600, atomically (temp file + rename).
Status WritePrivateFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;  // in case the temp file existed with another mode
  size_t done = 0;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmp.c_str());
    return Error::Internal("cannot write " + path + ": " + std::strerror(saved));
  }
  return OkStatus();
}

}  // namespace

Result<DemoSecrets> LoadOrCreateDemoSecrets(const std::string& data_dir) {
  const std::string path = (std::filesystem::path(data_dir) / "demo.env").string();
  DemoSecrets secrets;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto vars = ReadEnvFile(path);
    if (!vars.ok()) return std::move(vars).error();
    secrets.key = (*vars)[kDemoKeyVar];
    secrets.token = (*vars)[kAdminTokenEnv];
    secrets.password = (*vars)[kDemoPasswordVar];
    if (!secrets.key.empty() &&
        (secrets.key.size() != kIntegrationKeyLength || !IsHex(secrets.key))) {
      return Error::Invalid(path + ": " + kDemoKeyVar + " must be 32 hex characters");
    }
    if (!secrets.token.empty() && secrets.token.size() < kMinAdminTokenLength) {
      return Error::Invalid(path + ": " + kAdminTokenEnv + " must be at least 16 characters");
    }
    if (!secrets.password.empty() && secrets.password.size() < 10) {
      return Error::Invalid(path + ": " + kDemoPasswordVar + " must be at least 10 characters");
    }
    if (!secrets.key.empty() && !secrets.token.empty() && !secrets.password.empty()) {
      return secrets;
    }
  }
  // First run (or a file missing some): generate what is missing, keep the rest.
  if (secrets.key.empty()) secrets.key = RandomHex(16);
  if (secrets.token.empty()) secrets.token = "loa_" + RandomHex(24);
  if (secrets.password.empty()) secrets.password = "demo-" + RandomHex(8);
  std::string text =
      "# loom-oncall --demo secrets, generated on the first run and reused after. Keep private.\n"
      "# The integration key of the demo service 'loom', the bootstrap admin token, and the\n"
      "# password the demo users sign in with (until they change it).\n";
  text += std::string(kDemoKeyVar) + "=" + secrets.key + "\n";
  text += std::string(kAdminTokenEnv) + "=" + secrets.token + "\n";
  text += std::string(kDemoPasswordVar) + "=" + secrets.password + "\n";
  if (Status s = WritePrivateFile(path, text); !s.ok()) return std::move(s).error();
  return secrets;
}

}  // namespace loom::config
