// ClusterStore: the store's life and the instances sharing it — which instance leads, whether
// the store takes writes, and shutting it down.
#pragma once

#include <functional>

#include "common/result.h"

namespace loom {

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // Which instance runs the escalation engine and the delivery workers: one at a time across the
  // instances sharing the store. `lead` runs when this instance becomes that one, `follow` when
  // it stops being it (its database session was lost); never both at once, on a thread of the
  // store. SQLite (one instance): `lead` runs at once, on the caller's thread. PostgreSQL: every
  // instance starts with `follow`, and `lead` runs again every second while it leads (so that
  // work it could not load is loaded once the database answers: it must do nothing more once it
  // has). While an instance leads, the deadlines and outbox rows the other instances commit reach
  // the hooks registered with DeadlineStore::SetDeadlineHooks and OutboxStore::SetOutboxHooks, as
  // its own do. Null hooks: stop watching (returns once no hook runs any more).
  virtual void SetLeadershipHooks(std::function<void()> lead, std::function<void()> follow) = 0;

  // OK while the last commit succeeded and the writer is running.
  virtual Status Writable() = 0;
  // Stops accepting writes, commits everything queued, joins the writer. Idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace loom
