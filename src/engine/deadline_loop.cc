#include "engine/deadline_loop.h"

#include <utility>

namespace loom {

DeadlineLoop::DeadlineLoop(const Clock& clock) : clock_(clock) {}

DeadlineLoop::~DeadlineLoop() { Stop(); }

DeadlineLoop::TimerId DeadlineLoop::Add(Callback callback) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimerId id = next_id_++;
  timers_[id].callback = std::move(callback);
  return id;
}

void DeadlineLoop::Remove(TimerId id) {
  std::unique_lock<std::mutex> lock(mu_);
  timers_.erase(id);  // its heap entry, if any, is stale from now on
  WaitIdle(lock, id);
}

void DeadlineLoop::ScheduleLocked(TimerId id, Timer& timer, SteadyTime deadline) {
  timer.deadline = deadline;
  timer.seq = next_seq_++;
  heap_.push({deadline, timer.seq, id});
  ++changes_;
}

void DeadlineLoop::Schedule(TimerId id, SteadyTime deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto timer = timers_.find(id);
    if (timer == timers_.end()) return;
    ScheduleLocked(id, timer->second, deadline);
  }
  changed_.notify_all();
}

void DeadlineLoop::Cancel(TimerId id) {
  std::unique_lock<std::mutex> lock(mu_);
  auto timer = timers_.find(id);
  if (timer == timers_.end()) return;
  timer->second.deadline.reset();
  timer->second.seq = 0;
  ++timer->second.cancels;
  WaitIdle(lock, id);
}

std::optional<SteadyTime> DeadlineLoop::Deadline(TimerId id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto timer = timers_.find(id);
  return timer == timers_.end() ? std::nullopt : timer->second.deadline;
}

void DeadlineLoop::WaitIdle(std::unique_lock<std::mutex>& lock, TimerId id) {
  if (runner_ == std::this_thread::get_id()) return;  // from the callback itself
  idle_.wait(lock, [&] { return running_ != id; });
}

const DeadlineLoop::Entry* DeadlineLoop::Top() {
  while (!heap_.empty()) {
    const Entry& top = heap_.top();
    auto timer = timers_.find(top.id);
    if (timer != timers_.end() && timer->second.seq == top.seq) return &top;
    heap_.pop();
  }
  return nullptr;
}

bool DeadlineLoop::RunOne(std::unique_lock<std::mutex>& lock, SteadyTime now) {
  const Entry* top = Top();
  if (top == nullptr || top->deadline > now) return false;
  const TimerId id = top->id;
  heap_.pop();
  Timer& timer = timers_.at(id);
  timer.deadline.reset();
  timer.seq = 0;
  const uint64_t cancels = timer.cancels;
  // A copy: Remove() may erase the timer while its callback runs.
  Callback callback = timer.callback;
  running_ = id;
  runner_ = std::this_thread::get_id();
  lock.unlock();
  std::optional<SteadyTime> next = callback();
  lock.lock();
  running_ = 0;
  runner_ = std::thread::id();
  auto it = timers_.find(id);
  if (next && it != timers_.end() && it->second.cancels == cancels &&
      (!it->second.deadline || *next < *it->second.deadline)) {
    ScheduleLocked(id, it->second, *next);
  }
  idle_.notify_all();
  return true;
}

size_t DeadlineLoop::RunDue() {
  std::unique_lock<std::mutex> lock(mu_);
  const SteadyTime now = clock_.Steady();
  size_t ran = 0;
  while (RunOne(lock, now)) ++ran;
  return ran;
}

void DeadlineLoop::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const SteadyTime now = clock_.Steady();
    if (RunOne(lock, now)) continue;
    const uint64_t seen = changes_;
    auto looked_again = [&] { return stopping_ || changes_ != seen; };
    if (const Entry* top = Top()) {
      // The clock's steady time and the real one may differ (a FakeClock): wait the interval.
      changed_.wait_until(lock, std::chrono::steady_clock::now() + (top->deadline - now),
                          looked_again);
    } else {
      changed_.wait(lock, looked_again);
    }
  }
}

void DeadlineLoop::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void DeadlineLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeadlineLoop::Recheck() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++changes_;
  }
  changed_.notify_all();
}

void LoopTimer::Attach(DeadlineLoop& loop) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_ != nullptr) return;
  loop_ = &loop;
  id_ = loop.Add(callback_);
  loop.Wake(id_);
}

void LoopTimer::Detach() {
  DeadlineLoop* loop = nullptr;
  DeadlineLoop::TimerId id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(loop, loop_);
    std::swap(id, id_);
  }
  // Outside mu_: the callback it may wait for can call Wake or Schedule.
  if (loop != nullptr) loop->Remove(id);
}

void LoopTimer::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_ != nullptr) loop_->Wake(id_);
}

void LoopTimer::Schedule(SteadyTime deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_ != nullptr) loop_->Schedule(id_, deadline);
}

}  // namespace loom
