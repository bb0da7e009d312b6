// The secrets of `serve --demo`, kept in <data_dir>/demo.env so that the demo's integration key
// and admin token stay the same across restarts (docs/configuration.md "The demo
// configuration"). The file is KEY=VALUE lines a shell can source, mode 0600.
#pragma once

#include <string>

#include "common/result.h"

namespace loom::config {

inline constexpr char kDemoKeyVar[] = "LOOM_ONCALL_KEY_LOOM";  // the integration key's line
inline constexpr char kDemoPasswordVar[] = "LOOM_ONCALL_DEMO_PASSWORD";  // the demo users' password

struct DemoSecrets {
  std::string key;       // the integration key of service `loom`: 32 hex characters
  std::string token;     // the bootstrap admin token: at least 16 characters
  std::string password;  // the demo users' first password: at least 10 characters
};

// The secrets in <data_dir>/demo.env. What the file lacks (or the whole file, on the first run)
// is generated — the key as 32 hex characters, the token as "loa_" and 48 hex characters, the
// password as "demo-" and 16 hex characters — and the file is then rewritten with all three,
// atomically (temp file + rename) and mode 0600; a file that holds both is not rewritten. '#'
// comments, blank lines, a trailing '\r' and quotes around a value are accepted.
//
// Errors: Invalid (naming the file and the variable) when the file holds a key that is not 32
// hex characters, a token shorter than 16 or a password shorter than 10; Internal when the file
// cannot be read or written. REQUIRES: `data_dir` exists.
Result<DemoSecrets> LoadOrCreateDemoSecrets(const std::string& data_dir);

}  // namespace loom::config
