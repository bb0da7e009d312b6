// ShutdownSignal: how `serve` learns that it should stop (SIGTERM, SIGINT).
//
// The real implementation blocks SIGINT and SIGTERM in the calling thread when it is created, so
// every thread started afterwards (store writer, HTTP I/O threads) inherits the blocked mask and
// the signals stay pending until Wait() takes them with sigwait(). Nothing runs in signal-handler
// context, so no async-signal-safety rules apply to the shutdown path.
//
// Thread safety: create and Wait() on the same (main) thread.
#pragma once

#include <memory>

namespace loom {

class ShutdownSignal {
 public:
  virtual ~ShutdownSignal() = default;
  // Blocks until a shutdown signal arrives; returns its number (SIGTERM, SIGINT).
  virtual int Wait() = 0;
};

// REQUIRES: called before any other thread of the process is started, so that they inherit the
// blocked mask. The mask stays in place for the rest of the process: `serve` exits after Wait(),
// and a second signal during the graceful shutdown must not kill it half-way.
std::unique_ptr<ShutdownSignal> BlockShutdownSignals();

}  // namespace loom
