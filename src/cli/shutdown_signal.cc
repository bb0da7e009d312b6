#include "cli/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>

namespace loom {
namespace {

class SigwaitShutdownSignal final : public ShutdownSignal {
 public:
  SigwaitShutdownSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }

  int Wait() override {
    for (;;) {
      int signal_number = 0;
      int rc = sigwait(&set_, &signal_number);
      if (rc == 0) return signal_number;
      if (rc != EINTR) return SIGTERM;  // sigwait only fails for an invalid set: stop anyway
    }
  }

 private:
  sigset_t set_;
};

}  // namespace

std::unique_ptr<ShutdownSignal> BlockShutdownSignals() {
  return std::make_unique<SigwaitShutdownSignal>();
}

}  // namespace loom
