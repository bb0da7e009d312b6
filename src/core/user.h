// A person who can be on call: identity, time zone and contact methods (used by delivery).
#pragma once

#include <string>
#include <vector>

namespace loom {

struct ContactMethod {
  std::string id;          // unique per user, e.g. "mail", "hook"
  std::string type;        // "email", "webhook", "slack", "sms", ...
  std::string address;     // e-mail address or URL
  std::string secret_env;  // environment variable holding the method's secret; never the secret
};

struct User {
  std::string id;  // [a-z0-9][a-z0-9._-]{0,62}
  std::string name;
  std::string email;
  std::string time_zone = "UTC";
  std::vector<ContactMethod> contact_methods;
};

}  // namespace loom
