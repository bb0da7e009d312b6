// ContactStore: the contact methods people add themselves (POST /v1/users/{id}/contact-methods,
// docs/profile.md) with their verification codes, and the notification rules a person sets
// (PUT /v1/users/{id}/notification-rules), which override the file's rules for that person, and
// the history of who changed them (GET /v1/users/{id}/contact-history): every write that changes
// a method or the rules appends its ContactChange in the same transaction, so a change is never
// stored without its record. The history is append-only (nothing here updates or deletes it).
// Methods from the configuration file are not stored here. Writes and reads follow
// store/callback.h.
//
// A method's keys are stored as given: addresses, URLs, and the NAMES of environment variables
// (`url_env`, `secret_env`, `token_env`, ...), never a secret. A verification code is stored as
// its salted hash only (core/contact_verification.h).
#pragma once

#include <cstdint>
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

// One change of a person's stored methods or rules (a row of contact_history).
struct ContactChange {
  int64_t id = 0;           // ascending in the order of the changes
  std::string user_id;      // whose methods or rules
  std::string actor;        // who changed them: "user:<id>", "token:<name>" (Principal::actor)
  std::string action;       // kMethodAdded, kMethodVerified, kMethodDeleted or kRulesReplaced
  std::string method_id;    // the method's id; "" for rules
  std::string method_type;  // the method's type ("sms"); "" for rules
  TimePoint at{};
};
inline constexpr char kMethodAdded[] = "method_added";
inline constexpr char kMethodVerified[] = "method_verified";
inline constexpr char kMethodDeleted[] = "method_deleted";
inline constexpr char kRulesReplaced[] = "rules_replaced";

class ContactStore {
 public:
  virtual ~ContactStore() = default;

  // `actor` (below) is who asks: the change is recorded under that name (a ContactChange).

  // Stores a new (unverified) method; created_at set by the store; records kMethodAdded.
  // kNotFound for an unknown user, kConflict when the user has a stored method with this id.
  virtual void CreateContactMethod(StoredContactMethod method, std::string actor,
                                   Callback<StoredContactMethod> done) = 0;
  // Deletes a stored method: true; records kMethodDeleted. kNotFound when there is none;
  // kConflict when the person's stored notification rules name it.
  virtual void DeleteContactMethod(std::string user_id, std::string id, std::string actor,
                                   Callback<bool> done) = 0;
  // Replaces the method's code (its attempts back to 0): true; kNotFound when there is none.
  virtual void SetContactCode(std::string user_id, std::string id, VerificationCode code,
                              Callback<bool> done) = 0;
  // Checks `code` against the method's (CheckVerificationCode at `now`) in one transaction:
  // kVerified marks it verified, forgets the code and records kMethodVerified; kWrong counts an
  // attempt. A method verified already answers kVerified (recorded once only). kNotFound when
  // there is no such method. `code` is not stored.
  virtual void CheckContactCode(std::string user_id, std::string id, std::string code,
                                TimePoint now, std::string actor, Callback<CodeCheck> done) = 0;
  // Sets (replaces) the person's rules: true; records kRulesReplaced. kNotFound for an unknown
  // user.
  virtual void SetNotificationRules(StoredNotificationRules rules, std::string actor,
                                    Callback<bool> done) = 0;

  // ---- reads (synchronous, any thread) ----
  // The stored methods of `user_id` ("" = of everyone), by user then creation.
  virtual Result<std::vector<StoredContactMethod>> ListContactMethods(
      const std::string& user_id) = 0;
  // Every person's stored rules, by user.
  virtual Result<std::vector<StoredNotificationRules>> ListNotificationRules() = 0;
  // The changes of `user_id`'s methods and rules, newest first, at most `limit`.
  virtual Result<std::vector<ContactChange>> ListContactHistory(const std::string& user_id,
                                                                int limit) = 0;
};

}  // namespace loom
