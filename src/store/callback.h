// How the store's roles answer an asynchronous write, and how start-up code waits for one.
//
// Writes are asynchronous: they are queued to the back end's writer, applied in one transaction
// per command (one state change = one transaction with its timeline event), committed durably
// (fsync) together with other queued commands (group commit), and only then is `done` called —
// on the writer's thread (SQLite: on the thread that syncs its commits), so `done` must be quick
// and must not call back into the store synchronously (post to your own executor instead). A full
// queue fails fast with kUnavailable (the caller answers 503), it never blocks the caller.
//
// Reads are synchronous, safe from any thread, and see every write whose `done` has run.
#pragma once

#include <functional>
#include <future>
#include <memory>

#include "common/result.h"

namespace loom {

template <typename T>
using Callback = std::function<void(Result<T>)>;

// Blocks until an asynchronous write completes. For start-up code, the CLI and tests only:
// never call it on an I/O thread.
template <typename T, typename F>
Result<T> AwaitWrite(F&& start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace loom
