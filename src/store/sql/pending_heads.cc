#include "store/sql/pending_heads.h"

namespace loom::sql {

std::string PendingHeads::GroupKey(int64_t integration_key_id, std::string_view dedup_key) {
  std::string key = std::to_string(integration_key_id);
  key.push_back('\0');  // cannot occur in the decimal number, so keys cannot collide
  key.append(dedup_key);
  return key;
}

const IncidentHead* PendingHeads::FindByGroup(int64_t integration_key_id,
                                              std::string_view dedup_key) const {
  auto group = by_group_.find(GroupKey(integration_key_id, dedup_key));
  if (group == by_group_.end()) return nullptr;
  auto it = by_number_.find(group->second);
  return it == by_number_.end() ? nullptr : &it->second;
}

void PendingHeads::Put(IncidentHead head) {
  auto it = by_number_.find(head.number);
  undo_.push_back(Undo{head.number, it == by_number_.end()
                                        ? std::nullopt
                                        : std::optional<IncidentHead>(it->second)});
  Erase(head.number);
  Insert(std::move(head));
}

std::optional<IncidentHead> PendingHeads::Take(int64_t number) {
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return std::nullopt;
  IncidentHead head = it->second;
  undo_.push_back(Undo{number, head});
  Erase(number);
  return head;
}

std::vector<const IncidentHead*> PendingHeads::All() const {
  std::vector<const IncidentHead*> out;
  out.reserve(by_number_.size());
  for (const auto& [number, head] : by_number_) out.push_back(&head);
  return out;
}

void PendingHeads::RollbackCommand() {
  while (undo_.size() > command_mark_) {
    Undo undo = std::move(undo_.back());
    undo_.pop_back();
    Erase(undo.number);
    if (undo.previous) Insert(std::move(*undo.previous));
  }
}

void PendingHeads::Clear() {
  by_number_.clear();
  by_group_.clear();
  undo_.clear();
  command_mark_ = 0;
}

void PendingHeads::Erase(int64_t number) {
  auto it = by_number_.find(number);
  if (it == by_number_.end()) return;
  by_group_.erase(GroupKey(it->second.integration_key_id, it->second.dedup_key));
  by_number_.erase(it);
}

void PendingHeads::Insert(IncidentHead head) {
  by_group_[GroupKey(head.integration_key_id, head.dedup_key)] = head.number;
  by_number_.emplace(head.number, std::move(head));
}

}  // namespace loom::sql
