// PerThread<T>: one T per thread that uses it, so hot-path caches need no lock shared between
// I/O threads. The first Local() on a thread creates its T under a mutex; later calls on that
// thread find it through a thread_local pointer with no synchronisation.
//
// Each thread remembers the instance it used last (by a process-unique id, never reused), so
// several PerThread<T> objects in one process (tests) stay correct; alternating between them on
// one thread merely takes the slow path.
//
// Thread safety: Local() is safe from any thread; the returned T is only for the calling thread.
// ForEach() visits every thread's T under the mutex: T must then be safe to read concurrently
// (e.g. atomics), or the visitor must only touch thread-safe parts.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace loom::http {

template <typename T>
class PerThread {
 public:
  PerThread() : id_(NextId()) {}
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  T& Local() {
    Cached& c = cached_;
    if (c.owner == id_) return *c.value;
    std::lock_guard lock(mu_);
    auto& slot = slots_[std::this_thread::get_id()];
    if (!slot) slot = std::make_unique<T>();
    c.owner = id_;
    c.value = slot.get();
    return *slot;
  }

  void ForEach(const std::function<void(T&)>& visit) {
    std::lock_guard lock(mu_);
    for (auto& [tid, value] : slots_) visit(*value);
  }

 private:
  struct Cached {
    uint64_t owner = 0;
    T* value = nullptr;
  };
  static uint64_t NextId() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1);
  }

  static thread_local Cached cached_;
  const uint64_t id_;
  std::mutex mu_;
  std::unordered_map<std::thread::id, std::unique_ptr<T>> slots_;
};

template <typename T>
thread_local typename PerThread<T>::Cached PerThread<T>::cached_;

}  // namespace loom::http
