// The open-file limit of `serve`: RLIMIT_NOFILE's soft limit raised to the hard limit at start,
// and the HTTP server's connection cap sized below it, so that client connections can never take
// the descriptors the store, the probes and the deliveries need (docs/operations.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace loom {

struct OpenFileLimit {
  uint64_t before = 0;  // the soft limit found at start
  uint64_t soft = 0;    // the soft limit now
  uint64_t hard = 0;
  std::string error;  // why the soft limit could not be read or raised; empty when all went well
};

// Raises the soft RLIMIT_NOFILE to the hard limit (to /proc/sys/fs/nr_open when the hard limit is
// unlimited) and says what it found and did.
OpenFileLimit RaiseOpenFileLimit();

// Descriptors this process has open now; nullopt when /proc/self/fd cannot be read.
std::optional<uint64_t> CountOpenFiles();

struct ConnectionBudget {
  int max_connections = 0;  // the HTTP server's cap
  uint64_t reserved = 0;    // descriptors kept for everything else
};

// The connection cap under `soft_limit`: the descriptors `open_now` (the store, logs, the
// probes' runner), plus 64 and 8 per delivery worker for what opens later (deliveries' and
// probes' connections, the store's further connections, the HTTP server's own), are kept; the
// rest, at most `configured_max`, at least 16, are for client connections.
ConnectionBudget HttpConnectionBudget(uint64_t soft_limit, uint64_t open_now, int delivery_workers,
                                      int configured_max);

}  // namespace loom
