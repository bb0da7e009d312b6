#include "engine/wakeup.h"

namespace loom {

bool Wakeup::WaitUntil(std::optional<TimePoint> deadline) {
  std::unique_lock lock(mu_);
  auto ready = [this] { return notified_ || stopped_; };
  if (deadline) {
    cv_.wait_until(lock,
                   std::chrono::time_point_cast<std::chrono::system_clock::duration>(
                       std::chrono::system_clock::time_point(deadline->time_since_epoch())),
                   ready);
  } else {
    cv_.wait(lock, ready);
  }
  notified_ = false;
  return !stopped_;
}

void Wakeup::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void Wakeup::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

void Wakeup::Restart() {
  std::lock_guard lock(mu_);
  stopped_ = false;
  notified_ = false;
}

bool Wakeup::stopped() const {
  std::lock_guard lock(mu_);
  return stopped_;
}

}  // namespace loom
