// PendingHeads: the writer's deferred updates to the heads of open incidents, for one batch.
//
// A trigger into an open incident changes only its head: alert counters, updated_at and the tail
// of its timeline hash chain (last_seq, last_hash). Under load the same few incidents take many
// triggers per group commit, so the writer keeps their heads here and writes each incident's
// head once, at the end of the batch, instead of once per command.
//
// The map lives for one batch only (the writer empties it when the batch commits or aborts), so
// it never answers from stale state across transactions. Within the batch every change is
// undoable: RollbackCommand() restores the map to where MarkCommand() left it, mirroring the
// command's SAVEPOINT rollback.
//
// Thread safety: none; the writer thread owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace loom::sql {

struct IncidentHead {
  int64_t number = 0;
  int64_t integration_key_id = 0;  // the open group the incident belongs to...
  std::string dedup_key;           // ...(integration key, dedup key)
  int64_t alert_count = 0;
  int64_t firing_alert_count = 0;
  TimePoint updated_at{};
  int64_t last_seq = 0;
  std::string last_hash;
};

class PendingHeads {
 public:
  bool empty() const { return by_number_.empty(); }

  // The pending head of the open group (integration key, dedup key), or null.
  const IncidentHead* FindByGroup(int64_t integration_key_id, std::string_view dedup_key) const;

  // Inserts or replaces the head of head.number.
  void Put(IncidentHead head);
  // Removes and returns the head of `number`, if pending (to write it now).
  std::optional<IncidentHead> Take(int64_t number);

  // Every pending head, in no particular order.
  std::vector<const IncidentHead*> All() const;

  // Starts a command: RollbackCommand() undoes every change made after this call.
  void MarkCommand() { command_mark_ = undo_.size(); }
  void RollbackCommand();
  // Forgets everything (the batch committed or aborted).
  void Clear();

 private:
  struct Undo {
    int64_t number;
    std::optional<IncidentHead> previous;  // nullopt: the number was not pending
  };

  static std::string GroupKey(int64_t integration_key_id, std::string_view dedup_key);
  void Erase(int64_t number);
  void Insert(IncidentHead head);

  std::unordered_map<int64_t, IncidentHead> by_number_;
  std::unordered_map<std::string, int64_t> by_group_;  // GroupKey -> number
  std::vector<Undo> undo_;                             // this batch's changes, oldest first
  size_t command_mark_ = 0;
};

}  // namespace loom::sql
