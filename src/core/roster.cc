#include "core/roster.h"

namespace loom {

const User* OnCallSnapshot::FindUser(const std::string& id) const {
  auto it = users.find(id);
  return it == users.end() ? nullptr : &it->second;
}

const BusinessCalendar* OnCallSnapshot::CalendarOf(const std::string& service_id) const {
  auto it = business_hours.find(service_id);
  return it == business_hours.end() ? nullptr : &it->second;
}

std::shared_ptr<const OnCallSnapshot> EmptyOnCallSnapshot() {
  return std::make_shared<const OnCallSnapshot>(OnCallResolver({}, {}),
                                                std::map<std::string, User>{},
                                                std::map<std::string, BusinessCalendar>{});
}

Roster::Roster(std::shared_ptr<const OnCallSnapshot> snapshot) : snapshot_(std::move(snapshot)) {}

std::shared_ptr<const OnCallSnapshot> Roster::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

void Roster::Replace(std::shared_ptr<const OnCallSnapshot> snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  snapshot_ = std::move(snapshot);
}

}  // namespace loom
