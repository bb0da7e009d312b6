#include "core/service.h"

namespace loom {

bool IsValidServiceId(const std::string& id) {
  if (id.empty() || id.size() > 63) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '-' || c == '_'));
    if (!ok) return false;
  }
  return true;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kOwner: return "owner";
    case Role::kAdmin: return "admin";
    case Role::kResponder: return "responder";
    case Role::kViewer: return "viewer";
    case Role::kCalendar: return "calendar";
  }
  return "viewer";
}

bool ParseRole(const std::string& text, Role* out) {
  if (text == "owner") {
    *out = Role::kOwner;
    return true;
  }
  if (text == "admin") {
    *out = Role::kAdmin;
    return true;
  }
  if (text == "responder") {
    *out = Role::kResponder;
    return true;
  }
  if (text == "viewer") {
    *out = Role::kViewer;
    return true;
  }
  if (text == "calendar") {
    *out = Role::kCalendar;
    return true;
  }
  return false;
}

}  // namespace loom
