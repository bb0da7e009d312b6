// ContactStore: the contact methods people add themselves (POST /v1/users/{id}/contact-methods,
// docs/profile.md) with their verification codes, and the notification rules a person sets
// (PUT /v1/users/{id}/notification-rules), which override the file's rules for that person.
// Methods from the configuration file are not stored here. Writes and reads follow
// store/callback.h.
//
// A method's keys are stored as given: addresses, URLs, and the NAMES of environment variables
// (`url_env`, `secret_env`, `token_env`, ...), never a secret. A verification code is stored as
// its salted hash only (core/contact_verification.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "core/contact_verification.h"
#include "core/user.h"
#include "store/callback.h"

namespace loom {

// A contact method a person added (a row of contact_methods).
struct StoredContactMethod {
  std::string user_id;
  std::string id;    // unique per user (and distinct from the file's methods of the user)
  std::string type;  // a channel type (notify/channels.h)
  // The type's keys as given ("address", "url", "url_env", "number", "topic", ...).
  std::map<std::string, std::string> keys;
  bool verified = false;
  VerificationCode code;  // the code sent last ("" hash: none pending)
  TimePoint created_at{};
};

// The notification rules a person set (a row of notification_rules).
struct StoredNotificationRules {
  std::string user_id;
  std::vector<NotificationRule> high;
  std::vector<NotificationRule> low;
};

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  // Stores a new (unverified) method; created_at set by the store. kNotFound for an unknown
  // user, kConflict when the user has a stored method with this id.
  virtual void CreateContactMethod(StoredContactMethod method,
                                   Callback<StoredContactMethod> done) = 0;
  // Deletes a stored method: true. kNotFound when there is none; kConflict when the person's
  // stored notification rules name it.
  virtual void DeleteContactMethod(std::string user_id, std::string id, Callback<bool> done) = 0;
  // Replaces the method's code (its attempts back to 0): true; kNotFound when there is none.
  virtual void SetContactCode(std::string user_id, std::string id, VerificationCode code,
                              Callback<bool> done) = 0;
  // Checks `code` against the method's (CheckVerificationCode at `now`) in one transaction:
  // kVerified marks it verified and forgets the code; kWrong counts an attempt. A method verified
  // already answers kVerified. kNotFound when there is no such method. `code` is not stored.
  virtual void CheckContactCode(std::string user_id, std::string id, std::string code,
                                TimePoint now, Callback<CodeCheck> done) = 0;
  // Sets (replaces) the person's rules: true. kNotFound for an unknown user.
  virtual void SetNotificationRules(StoredNotificationRules rules, Callback<bool> done) = 0;

  // ---- reads (synchronous, any thread) ----
  // The stored methods of `user_id` ("" = of everyone), by user then creation.
  virtual Result<std::vector<StoredContactMethod>> ListContactMethods(
      const std::string& user_id) = 0;
  // Every person's stored rules, by user.
  virtual Result<std::vector<StoredNotificationRules>> ListNotificationRules() = 0;
};

}  // namespace loom
