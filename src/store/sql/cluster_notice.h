// The notice a PostgreSQL instance sends the others (NOTIFY on kClusterChannel, delivered when
// its batch commits) about the deadlines and outbox rows the batch created, so that the instance
// running the engine and the delivery workers hears of them at once (cluster_store.h,
// SetLeadershipHooks). A JSON object: {"i": sender, "d": [[id, due_us], ...], "o": [id, ...]},
// or {"i": sender, "all": true} when the lists would not fit PostgreSQL's 8000-byte payload (the
// receiver then re-reads everything pending).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace loom::sql {

inline constexpr char kClusterChannel[] = "loom_oncall";

struct ClusterNotice {
  std::string sender;
  std::vector<Deadline> deadlines;  // id and due_at set
  std::vector<int64_t> outbox_ids;
  bool all = false;
};

std::string EncodeClusterNotice(const std::string& sender, const std::vector<Deadline>& deadlines,
                                const std::vector<OutboxEntry>& outbox);
// nullopt for a payload that is not a notice.
std::optional<ClusterNotice> DecodeClusterNotice(const std::string& payload);

}  // namespace loom::sql
