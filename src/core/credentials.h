// Credentials as stored: an integration key of a service and an API token, both kept only as
// their SHA-256 hashes.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "core/service.h"

namespace loom {

struct IntegrationKey {
  int64_t id = 0;
  std::string service_id;
  std::string key_hash;  // SHA-256 hex of the key; the key itself is never stored
  std::string prefix;    // first 4 characters, for display
  TimePoint created_at{};
};

struct ApiToken {
  int64_t id = 0;
  std::string name;
  Role role = Role::kViewer;
  std::string token_hash;  // SHA-256 hex; the token itself is never stored
  std::string user;        // the user the token acts as; "" = bound to nobody
  TimePoint created_at{};
};

}  // namespace loom
