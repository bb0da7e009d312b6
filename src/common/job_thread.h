// JobThread: runs posted jobs one at a time, in order, on its own thread — for work that blocks
// (waits for store writes) and must not run on an I/O thread. The destructor runs every job
// already posted, then joins, so a job never outlives what it uses when its owner is destroyed
// first (unlike a detached thread).
//
// Thread safety: Post is safe from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace loom {

class JobThread {
 public:
  JobThread();
  ~JobThread();
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;

  // Queues `job` after the jobs before it.
  void Post(std::function<void()> job);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;                      // last: starts once the rest exists
};

}  // namespace loom
