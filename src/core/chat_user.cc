#include "core/chat_user.h"

#include <cctype>

namespace loom {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

const User* FindUserByChatName(const std::map<std::string, User>& users, std::string_view name) {
  if (name.starts_with('@')) name.remove_prefix(1);
  if (name.empty()) return nullptr;
  for (const auto& [id, user] : users) {
    if (SameName(id, name)) return &user;
  }
  const User* found = nullptr;
  for (const auto& [id, user] : users) {
    const size_t at = user.email.find('@');
    if (at == std::string::npos || !SameName(std::string_view(user.email).substr(0, at), name)) {
      continue;
    }
    if (found != nullptr) return nullptr;
    found = &user;
  }
  return found;
}

}  // namespace loom
