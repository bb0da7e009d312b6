#include "engine/send_budget.h"

#include <algorithm>

namespace loom {

void SendBudget::Prune(std::deque<TimePoint>& sent, TimePoint now) const {
  while (!sent.empty() && sent.front() + window_ <= now) sent.pop_front();
}

TimePoint SendBudget::NextSlot(const std::string& key, TimePoint now) {
  auto it = sent_.find(key);
  if (it == sent_.end()) return now;
  Prune(it->second, now);
  if (it->second.empty()) {
    sent_.erase(it);
    return now;
  }
  if (static_cast<int>(it->second.size()) < limit_) return now;
  // The oldest that must leave the window for one more to fit.
  return it->second[it->second.size() - static_cast<size_t>(limit_)] + window_;
}

int SendBudget::Remaining(const std::string& key, TimePoint now) {
  auto it = sent_.find(key);
  if (it == sent_.end()) return limit_;
  Prune(it->second, now);
  return std::max(0, limit_ - static_cast<int>(it->second.size()));
}

void SendBudget::Record(const std::string& key, TimePoint now) {
  std::deque<TimePoint>& sent = sent_[key];
  Prune(sent, now);
  sent.push_back(now);
}

}  // namespace loom
